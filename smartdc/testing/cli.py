"""``smartdc sim``: run the CloudAPI simulator in the foreground until Ctrl-C or SIGTERM, or in the
background (``eval "$(smartdc sim --background)"``; ``smartdc sim --stop`` ends it).

What it prints are shell lines that work as printed: ``SDC_*`` and ``TRITON_*`` settings plus
``SMARTDC_KEY_FILE`` (the simulator's key, which ``smartdc`` then signs with), shell-quoted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

from smartdc.testing.releases import UnknownRelease, release_of
from smartdc.testing.simulator import Simulator, SimulatorError, write_key_pair
from smartdc.testing.sshkeys import BadPublicKey
from smartdc.testing.state import Settings

KEY_FILE_ENV = "SMARTDC_KEY_FILE"  # read by smartdc.config (the simulator never imports it)
SERVING = "# serving"  # the last line of the header: the background parent stops reading there
_START_SECONDS = 60.0  # a background simulator must print its header within this


def _default_pid_file() -> Path:
    return Path(tempfile.gettempdir()) / f"smartdc-sim-{os.getuid()}.pid"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartdc sim",
        description="Run a local CloudAPI simulator on 127.0.0.1 (first datacenter on --port). "
        'Try: eval "$(smartdc sim --background)"; smartdc account; smartdc sim --stop',
    )
    parser.add_argument("--port", type=int, default=0, help="port of the first datacenter")
    parser.add_argument("--account", default="sim", help="account login (default: sim)")
    parser.add_argument(
        "--key",
        metavar="PRIVATE_KEY_FILE",
        help="private key to register (public half at KEY.pub); default: a fresh RSA pair",
    )
    parser.add_argument("--state", metavar="FILE", help="SQLite file to keep state across runs")
    parser.add_argument("--provision-seconds", type=float, default=None, metavar="S")
    parser.add_argument("--machines", type=int, default=0, metavar="N", help="pre-create N")
    parser.add_argument(
        "--api-version",
        metavar="VERSION",
        help="answer as this CloudAPI release (e.g. 9.15.0: what came later is not routed, read"
        " or sent); default: the newest the spec describes",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each request served on stderr"
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="start in the background, print the export lines and return",
    )
    parser.add_argument("--stop", action="store_true", help="stop the background simulator")
    parser.add_argument(
        "--pid-file",
        metavar="FILE",
        help=f"where a background simulator keeps its pid (default: {_default_pid_file()})",
    )
    parser.add_argument(
        "--log",
        metavar="FILE",
        help="where a background simulator writes its log (default: the pid file + .log)",
    )
    return parser


def export_lines(simulator: Simulator) -> list[str]:
    """``export NAME=VALUE`` lines (quoted for the shell) that point smartdc and triton at it."""
    env = simulator.env()
    settings = {
        **env,
        "TRITON_URL": env["SDC_URL"],
        "TRITON_ACCOUNT": env["SDC_ACCOUNT"],
        "TRITON_KEY_ID": env["SDC_KEY_ID"],
        KEY_FILE_ENV: str(simulator.key_path),
    }
    return [f"export {name}={shlex.quote(value)}" for name, value in settings.items()]


def sim_main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    pid_file = Path(args.pid_file) if args.pid_file else _default_pid_file()
    if args.stop:
        return _stop(pid_file)
    if args.background:
        return _background(argv, pid_file, Path(args.log) if args.log else None)
    return _serve(args, pid_file if args.pid_file else None)


def _serve(args: argparse.Namespace, pid_file: Path | None) -> int:
    temporary_key_dir: Path | None = None
    settings = Settings()
    if args.provision_seconds is not None:
        settings.provision_seconds = args.provision_seconds
    if args.api_version is not None:
        try:
            release_of(args.api_version)
        except UnknownRelease as exc:
            print(f"smartdc sim: {exc}", file=sys.stderr)
            return 2
        settings.server_version = args.api_version
    if args.key:
        key_path = Path(args.key).expanduser()
        if not key_path.exists():
            print(f"smartdc sim: key file {key_path} does not exist", file=sys.stderr)
            return 2
    elif args.state:
        # keep the key next to the state so a restart can sign with the same key
        key_path = Path(f"{args.state}.id_rsa")
        if not key_path.exists():
            try:
                write_key_pair(key_path.parent, key_path.name)
            except OSError as exc:
                print(f"smartdc sim: cannot write the key: {exc}", file=sys.stderr)
                return 2
    else:
        # the generated key only makes sense while this simulator runs: removed at exit
        key_path = write_key_pair(Path(tempfile.mkdtemp(prefix="smartdc-sim-key-")))
        temporary_key_dir = key_path.parent
    key_path = key_path.resolve()
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    handler: logging.Handler | None = None
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s smartdc sim: %(message)s"))
        served = logging.getLogger("smartdc.testing")
        served.addHandler(handler)
        served.setLevel(logging.INFO)
    simulator = Simulator(
        args.account, settings=settings, state_file=args.state, port=args.port, key_path=key_path
    )
    try:
        simulator.start()
    except (OSError, SimulatorError, BadPublicKey, ValueError) as exc:
        print(f"smartdc sim: cannot start: {exc}", file=sys.stderr)
        if temporary_key_dir is not None:
            shutil.rmtree(temporary_key_dir, ignore_errors=True)
        return 1
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.machines:
            simulator.populate_machines(args.machines)
        if pid_file is not None:
            pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")
        for line in export_lines(simulator):
            print(line)
        print(f"# for triton, load the key into ssh-agent: ssh-add {shlex.quote(str(key_path))}")
        for name, url in simulator.urls.items():
            print(f"# datacenter {name}: {url}")
        print(f"{SERVING} until Ctrl-C", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        simulator.close()
        if handler is not None:
            logging.getLogger("smartdc.testing").removeHandler(handler)
        if pid_file is not None:
            with contextlib.suppress(OSError):
                if pid_file.read_text(encoding="ascii").strip() == str(os.getpid()):
                    pid_file.unlink()
        if temporary_key_dir is not None:
            shutil.rmtree(temporary_key_dir, ignore_errors=True)
    return 0


def _running(pid_file: Path) -> int | None:
    """The pid of the background simulator the file names, if that process is alive."""
    try:
        pid = int(pid_file.read_text(encoding="ascii").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _background(argv: list[str], pid_file: Path, log_file: Path | None) -> int:
    """Starts ``smartdc sim`` detached (own session, log in a file), prints its header, returns."""
    running = _running(pid_file)
    if running is not None:
        print(
            f"smartdc sim: already running in the background (pid {running}); "
            "smartdc sim --stop ends it",
            file=sys.stderr,
        )
        return 1
    log_file = log_file or pid_file.with_name(pid_file.name + ".log")
    child_argv = [a for a in argv if a != "--background"]
    if "--pid-file" not in child_argv:
        child_argv += ["--pid-file", str(pid_file)]
    command = [sys.executable, "-m", "smartdc.cli", "sim", *child_argv]
    with open(log_file, "ab") as log:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # the shell's Ctrl-C and hang-up do not reach it
            text=True,
        )
    assert child.stdout is not None
    header = _read_header(child.stdout, child)
    child.stdout.close()  # it prints nothing after the header
    if header is None:
        child.poll()
        print(f"smartdc sim: the simulator did not start; see {log_file}", file=sys.stderr)
        if child.returncode is None:
            child.terminate()
        return 1
    out = sys.stdout
    for line in header:
        out.write(line + "\n")
    stop = "smartdc sim --stop"
    if str(pid_file) != str(_default_pid_file()):
        stop += f" --pid-file {shlex.quote(str(pid_file))}"
    out.write(f"# running in the background (pid {child.pid}); log: {log_file}\n")
    out.write(f"# stop it with: {stop}   (or: kill {child.pid})\n")
    out.flush()
    return 0


def _read_header(stream: IO[str], child: subprocess.Popen[str]) -> list[str] | None:
    lines: list[str] = []
    deadline = time.monotonic() + _START_SECONDS
    for line in stream:
        if line.startswith(SERVING):
            return lines
        lines.append(line.rstrip("\n"))
        if time.monotonic() > deadline:
            break
    return None


def _stop(pid_file: Path) -> int:
    pid = _running(pid_file)
    if pid is None:
        print(f"smartdc sim: no background simulator ({pid_file})", file=sys.stderr)
        with contextlib.suppress(OSError):
            pid_file.unlink()
        return 1
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.05)
    else:
        print(f"smartdc sim: pid {pid} did not stop within 30 s", file=sys.stderr)
        return 1
    with contextlib.suppress(OSError):
        pid_file.unlink()
    print(f"smartdc sim: stopped (pid {pid})", file=sys.stderr)
    return 0
