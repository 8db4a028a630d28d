"""Profiles in node-triton's own files, ``smartdc env`` and ``smartdc info``."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from smartdc.testing import Simulator
from tests.cli.conftest import Result, invoke

Cli = Callable[..., Result]


@pytest.fixture
def config_dir() -> Path:
    return Path(os.environ["TRITON_CONFIG_DIR"])  # set per test by conftest


def test_profiles_shared_with_triton(cloudapi_sim: Simulator, config_dir: Path) -> None:
    sim = cloudapi_sim
    create = ["profile", "create", "sim", "--url", sim.url, "--account", sim.account]
    made = invoke([*create, "--key-id", sim.key_id, "--set-current"])
    assert made.code == 0, made.err
    # exactly what triton writes: profiles.d/NAME.json without the name, config.json "profile"
    saved = json.loads((config_dir / "profiles.d" / "sim.json").read_text())
    assert saved == {"url": sim.url, "account": sim.account, "keyId": sim.key_id}
    assert json.loads((config_dir / "config.json").read_text()) == {"profile": "sim"}

    # the current profile configures every command (the key file aside: triton has none)
    account = invoke(["--key-file", sim.key_path, "account", "-o", "login"], sim.wait_clock)
    assert account.out == f"{sim.account}\n", account.err

    listed = invoke(["profile", "list"])
    assert listed.out.splitlines()[0].split() == ["NAME", "CURR", "ACCOUNT", "USER", "URL"]
    assert listed.out.splitlines()[1].split() == ["sim", "*", sim.account, "-", sim.url]
    assert json.loads(invoke(["profile", "get", "-j"]).out)["keyId"] == sim.key_id

    other = invoke(["profile", "create", "other", "--copy", "sim", "--user", "ops"])
    assert other.code == 0, other.err
    assert invoke(["profile", "set-current", "other"]).code == 0
    assert json.loads((config_dir / "config.json").read_text()) == {
        "profile": "other",
        "oldProfile": "sim",
    }
    assert invoke(["profile", "set", "-"]).code == 0
    assert json.loads((config_dir / "config.json").read_text())["profile"] == "sim"

    exists = invoke(["profile", "create", "other", "--copy", "sim"])
    assert exists.code == 2 and "--yes" in exists.err
    assert invoke(["profile", "delete", "other"]).code == 0
    assert not (config_dir / "profiles.d" / "other.json").exists()
    missing = invoke(["profile", "get", "other"])
    assert missing.code == 2 and 'no such profile "other"' in missing.err


def test_profile_create_from_a_file_and_its_checks(tmp_path: Path, config_dir: Path) -> None:
    file = tmp_path / "p.json"
    file.write_text(json.dumps({"name": "f", "url": "https://x", "account": "a", "keyId": "k"}))
    assert invoke(["profile", "create", "-f", str(file)]).code == 0
    assert json.loads((config_dir / "profiles.d" / "f.json").read_text())["url"] == "https://x"
    incomplete = invoke(["profile", "create", "g", "--url", "https://x"])
    assert incomplete.code == 2 and "--account, --key-id" in incomplete.err
    file.write_text(json.dumps({"url": "https://x", "account": "a", "keyId": "k", "insecure": "y"}))
    wrong = invoke(["profile", "create", "h", "-f", str(file)])
    assert wrong.code == 2 and "insecure must be a bool" in wrong.err


def test_profile_edit_runs_the_editor(
    monkeypatch: pytest.MonkeyPatch, config_dir: Path, tmp_path: Path
) -> None:
    (config_dir / "profiles.d").mkdir(parents=True)
    path = config_dir / "profiles.d" / "e.json"
    path.write_text(json.dumps({"url": "https://old", "account": "a", "keyId": "k"}))
    monkeypatch.setenv("EDITOR", "sed -i s/old/new/")
    monkeypatch.delenv("VISUAL", raising=False)
    done = invoke(["profile", "edit", "e"])
    assert done.code == 0, done.err
    assert json.loads(path.read_text())["url"] == "https://new"


def test_env_prints_exports_that_work(cloudapi_sim: Simulator, tmp_path: Path) -> None:
    sim = cloudapi_sim
    create = ["profile", "create", "my sim", "--url", sim.url, "--account", sim.account]
    assert invoke([*create, "--key-id", sim.key_id, "--insecure"]).code == 0
    done = invoke(["env", "my sim"])
    assert done.code == 0, done.err
    assert "export TRITON_PROFILE='my sim'" in done.out
    assert f"export SDC_URL={sim.url}" in done.out and "export SDC_TESTING=true" in done.out
    assert "unset SDC_USER" in done.out
    assert "eval \"$(smartdc env 'my sim')\"" in done.out
    script = f"{done.out}\necho $TRITON_PROFILE $SDC_ACCOUNT"
    shell = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert shell.stdout == f"my sim {sim.account}\n"
    unset = invoke(["env", "-u", "my sim"])
    assert "unset TRITON_PROFILE" in unset.out and "unset SDC_KEY_ID" in unset.out


def test_info(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "a", "-w").code == 0
    assert cli("instance", "create", "-n", "b", "-w").code == 0
    assert cli("instance", "stop", "b", "-w").code == 0
    done = cli("info", "-j")
    assert done.code == 0, done.err
    info = json.loads(done.out)
    assert info["login"] == "sim" and info["totalInstances"] == 2
    assert info["instances"] == {"running": 1, "stopped": 1}
    text = cli("info").out
    assert "instances: 2" in text and "    running: 1" in text
