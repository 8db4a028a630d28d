"""The command as a separate process, and its lazy imports (fast startup)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from smartdc.testing import Simulator

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRITON_", "SDC_"))}
    env["TRITON_CONFIG_DIR"] = str(tmp_path)
    return env


def test_smartdc_in_a_subprocess(
    cloudapi_sim: Simulator, connection: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smartdc.cli", *connection, "datacenters", "-j"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=_env(tmp_path),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == cloudapi_sim.urls
    usage = subprocess.run(
        [sys.executable, "-m", "smartdc.cli", "instance", "frobnicate"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
        check=False,
    )
    assert usage.returncode == 2
    assert "invalid choice" in usage.stderr


def test_parsing_imports_nothing_heavy(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from smartdc.cli.main import build_parser\n"
        "build_parser().parse_args(['instances', '-j'])\n"
        "heavy = [m for m in ('cryptography', 'smartdc._generated', 'smartdc.facade', 'urllib3')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
        check=True,
    )
    assert done.stdout.strip() == ""


def test_building_only_the_command_run_parses_the_same() -> None:
    """``smartdc`` builds only the subtree of the command it runs: same outcome as the whole."""
    import io
    from contextlib import redirect_stdout

    from smartdc.cli.main import _Exit, _parse, build_parser

    for argv in (
        ["instances", "-j", "state=running"],
        ["-a", "me", "-o", "id", "inst", "get", "web"],
        ["--url", "https://x", "instance", "create", "-n", "a", "-m", "k=v", "--script", "f"],
        ["fwrule", "update", "abc", "enabled=true"],
        ["profile", "create", "p", "--url", "https://x"],
        ["-v", "api", "ListMachines", "limit=1"],
    ):
        full = build_parser().parse_args(argv)
        assert vars(_parse(argv)[1]) == vars(full), argv
    helps = []
    for parse in (lambda: _parse(["--help"]), lambda: build_parser().parse_args(["--help"])):
        text = io.StringIO()
        with redirect_stdout(text):
            try:
                parse()
            except _Exit:
                pass
        helps.append(text.getvalue())
    assert helps[0] == helps[1] and "instance" in helps[0]


def _as_the_command(
    tmp_path: Path, argv: list[str], before: str = ""
) -> subprocess.CompletedProcess[str]:
    """``smartdc ARGV`` as the console script runs it (``main()`` reading ``sys.argv``), with
    ``before`` run first in the same process, and a line printed if ``main()`` ever returns."""
    probe = (
        "import sys\n"
        f"{before}\n"
        f"sys.argv = ['smartdc', *{argv!r}]\n"
        "from smartdc.cli import main\n"
        "code = main()\n"
        "print('main returned', code, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=_env(tmp_path),
        check=False,
    )


def test_the_command_ends_without_teardown_yet_runs_every_exit_handler(
    cloudapi_sim: Simulator, connection: list[str], tmp_path: Path
) -> None:
    cloudapi_sim.populate_machines(300)
    at_exit = (
        "import atexit, tempfile, pathlib\n"
        f"marker = pathlib.Path({str(tmp_path / 'handler-ran')!r})\n"
        "atexit.register(marker.write_text, 'yes')\n"
        "kept = tempfile.TemporaryDirectory()\n"  # cleaned by its finalizer, at exit
        f"pathlib.Path({str(tmp_path / 'tempdir')!r}).write_text(kept.name)\n"
    )
    done = _as_the_command(tmp_path, [*connection, "instances", "-j"], before=at_exit)
    assert done.returncode == 0, done.stderr
    assert "main returned" not in done.stderr  # the process ended in main(), with its code
    assert len(done.stdout.splitlines()) == 300  # every line written out before the end
    assert (tmp_path / "handler-ran").read_text() == "yes"
    assert not Path((tmp_path / "tempdir").read_text()).exists()
    failed = _as_the_command(tmp_path, [*connection, "instance", "get", "no-such-instance"])
    assert failed.returncode == 3
    assert "main returned" not in failed.stderr
    assert "no-such-instance" in failed.stderr


def test_a_running_thread_gets_the_normal_exit(
    cloudapi_sim: Simulator, connection: list[str], tmp_path: Path
) -> None:
    # a thread that is not a daemon is waited for, as Python's own exit does
    late = (
        "import threading, time\n"
        "def later():\n"
        "    time.sleep(0.5)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=later).start()\n"
    )
    done = _as_the_command(tmp_path, [*connection, "datacenters", "-j"], before=late)
    assert done.returncode == 0, done.stderr
    assert "main returned 0" in done.stderr
    assert done.stdout.rstrip().endswith("thread finished")


def test_main_called_with_arguments_leaves_the_process_settings_alone(tmp_path: Path) -> None:
    # main(argv) from a script or a test: the caller's thread switch interval is kept, and the
    # process goes on after it (only the smartdc process itself ends in main())
    probe = (
        "import sys\n"
        "from smartdc.cli import main\n"
        "before = sys.getswitchinterval()\n"
        "code = main(['--version'])\n"
        "print(code, sys.getswitchinterval() == before, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=_env(tmp_path),
        check=False,
    )
    assert done.stderr.strip().splitlines()[-1] == "0 True"
