"""What a triton user relies on (issue 19): references, exit statuses, actions on several
instances, triton's flags and aliases, JSON where triton prints JSON. The side-by-side check
against the real triton is tests/cli_parity; these run without node."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc.testing import Simulator

from .conftest import Result

Cli = Callable[..., Result]


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def test_create_takes_name_at_version_and_short_ids(cli: Cli, cloudapi_sim: Simulator) -> None:
    images = {(i["name"], i["version"]): i for i in _ok(cli("images", "-j")).json_lines()}
    packages = {p["name"]: p for p in _ok(cli("packages", "-j")).json_lines()}
    older = images[("base-64-lts", "22.4.0")]
    _ok(cli("create", "-n", "x", "base-64-lts@22.4.0", "g4-highcpu-128M"))
    _ok(cli("create", "-n", "y", older["id"][:8], packages["g4-highcpu-128M"]["id"][:8]))
    made = {m["name"]: m for m in _ok(cli("instances", "-j")).json_lines()}
    assert made["x"]["image"] == made["y"]["image"] == older["id"]
    assert made["y"]["package"] == "g4-highcpu-128M"
    shown = json.loads(_ok(cli("package", "get", packages["g4-highcpu-128M"]["id"][:8])).out)
    assert shown["name"] == "g4-highcpu-128M"
    missing = cli("create", "no-such-image", "g4-highcpu-128M")
    assert missing.code == 3 and "no-such-image" in missing.err


def test_not_found_and_deleted_exit_3(cli: Cli) -> None:
    _ok(cli("create", "-w", "-n", "gone"))
    gone_id = json.loads(_ok(cli("instance", "get", "gone")).out)["id"]
    _ok(cli("delete", "-w", "gone"))
    deleted = cli("instance", "get", gone_id)
    assert deleted.code == 3
    # triton's error line: the command's words, then the code (InstanceDeleted, ResourceNotFound)
    assert (
        deleted.err
        == f"smartdc instance get: error (InstanceDeleted): instance {gone_id} was deleted\n"
    )
    nobody = cli("inst", "get", "nobody")  # an alias: the line names the command itself
    assert nobody.code == 3
    assert nobody.err.startswith("smartdc instance get: error (ResourceNotFound): no instance ")
    missing = cli("image", "get", "no-such-image")
    assert missing.code == 3
    assert missing.err.startswith("smartdc image get: error (ResourceNotFound): no image ")
    shortcut = cli("create", "no-such-image", "g4-highcpu-128M")  # fails as `instance create`
    assert shortcut.err.startswith("smartdc instance create: error (ResourceNotFound): no image ")


def test_actions_on_several_act_on_each_and_report_each(cli: Cli) -> None:
    for name in ("web", "p", "other"):
        _ok(cli("create", "-w", "-n", name))
    _ok(cli("instance", "enable-deletion-protection", "-w", "p"))
    result = cli("delete", "-w", "web", "p", "nobody", "other")
    assert result.code == 1
    # as triton: `error: ...` for each target that failed, then the command's own last line
    failed = [line for line in result.err.splitlines() if "error" in line]
    assert len(failed) == 3, result.err
    assert failed[0].startswith("error: ") and "deletion" in failed[0]  # p is protected
    assert failed[1].startswith("error: no instance ") and "nobody" in failed[1]
    assert failed[2] == "smartdc instance delete: error: command failure"
    left = [m["name"] for m in _ok(cli("instances", "-j")).json_lines()]
    assert left == ["p"]  # web and other were deleted although p and nobody failed


def test_instance_get_prints_json_and_listing_json_has_triton_fields(cli: Cli) -> None:
    _ok(cli("create", "-w", "-n", "web", "base-64-lts@22.4.0"))
    got = json.loads(_ok(cli("inst", "get", "web")).out)
    assert got["state"] == "running"
    (row,) = _ok(cli("insts", "-j")).json_lines()
    assert row["shortid"] == row["id"].split("-")[0]
    assert row["img"] == "base-64-lts@22.4.0"
    assert row["age"].endswith("s")


def test_tag_and_metadata_wait_flags(cli: Cli) -> None:
    _ok(cli("create", "-w", "-n", "web"))
    tags = json.loads(
        _ok(cli("inst", "tag", "set", "-w", "--wait-timeout", "60", "web", "a=1")).out
    )
    assert tags == {"a": 1}
    _ok(cli("inst", "tag", "replace-all", "-w", "web", "b=2"))
    _ok(cli("inst", "tag", "delete", "-w", "web", "b"))
    assert json.loads(_ok(cli("inst", "tags", "web")).out) == {}
    _ok(cli("inst", "metadata", "set", "-w", "web", "role=db"))
    _ok(cli("inst", "metadata", "delete", "-w", "web", "role"))
    assert "role" not in json.loads(_ok(cli("inst", "metadatas", "web")).out)


def test_start_from_snapshot_and_wait_timeout(cli: Cli) -> None:
    _ok(cli("create", "-w", "-n", "web"))
    _ok(cli("stop", "-w", "--wait-timeout", "120", "web"))
    _ok(cli("inst", "snapshot", "create", "-w", "-n", "s1", "web"))
    _ok(cli("start", "-w", "--snapshot", "s1", "web"))
    assert json.loads(_ok(cli("inst", "get", "web")).out)["state"] == "running"


def test_key_add_with_name_flag_and_authorized_keys(cli: Cli, tmp_path: Path) -> None:
    public = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    (tmp_path / "new.pub").write_text(public + " laptop\n")
    added = _ok(cli("key", "add", "-n", "laptop", str(tmp_path / "new.pub")))
    assert added.out.startswith('Added key "laptop"')
    assert any(line.startswith(public) for line in _ok(cli("keys", "-A")).out.splitlines())
    assert _ok(cli("key", "get", "laptop")).out.startswith(public)  # as triton: the key alone
    _ok(cli("key", "rm", "laptop"))
    assert not any(line.startswith(public) for line in _ok(cli("keys", "-A")).out.splitlines())


def test_triton_aliases_and_help_command(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert _ok(cli("img", "list", "-j")).json_lines()
    assert _ok(cli("pkg", "list", "-j")).json_lines()
    assert _ok(cli("imgs", "-a", "-j")).json_lines()
    assert _ok(cli("account", "get", "-j")).json_lines()
    _ok(cli("create", "-w", "-n", "web"))
    _ok(cli("rm", "-w", "-f", "web"))
    capsys.readouterr()
    _ok(cli("help", "instance", "create"))  # argparse prints help on sys.stdout
    assert "--name" in capsys.readouterr().out
