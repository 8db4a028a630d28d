"""The spec knows versions: `since` on operations, parameters and fields (and `changes:`) reaches
the docstrings, docs/reference.md and the simulator's facts, and a wrong one is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen import ir
from codegen.loader import SpecError, load_spec
from codegen.since import after, put_back, spec_as_of
from smartdc.testing import spec_since
from tests.conftest import REPO_ROOT

SPEC_DIR = REPO_ROOT / "spec"
SPEC = load_spec(SPEC_DIR / "cloudapi.yaml")


def test_docstrings_name_the_release() -> None:
    disks = (REPO_ROOT / "smartdc/_generated/models/disks.py").read_text(encoding="utf-8")
    assert "Block size in bytes. CloudAPI 9.19 or later." in " ".join(disks.split())
    client = " ".join((REPO_ROOT / "smartdc/_generated/client.py").read_text().split())
    assert "primary: Make the new NIC the primary one. CloudAPI 9.15 or later." in client
    assert "Needs CloudAPI 9.8.7 or later." in client  # ConnectMachineVNC
    reference = (REPO_ROOT / "docs/reference.md").read_text(encoding="utf-8")
    assert "| `suffixes` | `suffixes` | `list[string]` | no; since 9.20.0 |" in reference
    assert "- 9.18.0: ED25519 keys are accepted" in reference


def test_the_known_releases_are_in_the_spec() -> None:
    # the changelog's 9.16 to 9.20 entries, as operations, parameters, fields or changes
    assert after(SPEC, "9.15.0") == {
        "operations": [],
        "params": [],
        "fields": [
            "Disk.block_size",
            "MachineDisk.block_size",
            "Network.suffixes",
            "NewMachineDisk.block_size",
        ],
        "changes": [
            "affinity_metadata_hidden",
            "block_size_validation",
            "ed25519_keys",
            "extra_external_nic_tags",
            "flexible_disk_any_brand",
        ],
    }
    assert "AddNic.primary" in after(SPEC, "9.14.0")["params"]


def test_the_simulators_facts_are_the_specs() -> None:
    assert SPEC.info.server_version == spec_since.SERVER_VERSION
    assert {c.name: c.since for c in SPEC.info.changes} == spec_since.CHANGES
    for op in SPEC.operations.values():
        assert spec_since.OPERATIONS[op.name][3] == op.since


def _spec_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    shutil.copytree(SPEC_DIR, tmp_path / "spec")
    target = tmp_path / "spec" / file
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path / "spec" / "cloudapi.yaml"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "groups/networks.yaml",
            "        since: 9.20.0",
            "        since: 9.21.0",
            "models.Network.fields.suffixes.since: 9.21.0 is not after 9.0.0",
        ),
        (
            "groups/nics.yaml",
            "        since: 9.15.0",
            "        since: 8.0.0",
            "operations.AddNic.params.primary.since: 8.0.0 must be after 9.0.0",
        ),
        (
            "groups/disks.yaml",
            "        since: 9.19.0",
            "        since: 9.19",
            "since",
        ),
        (
            "groups/account.yaml",
            "          since: 9.2.0",
            "          since: 9.0.0",
            "operations.Ping.response.headers.Triton-Datacenter-Name.since: 9.0.0 must be after",
        ),
        (
            "groups/migrations.yaml",
            "        since: 9.8.1",
            "        since: 8.0.0",
            "enums.MigrationAction.values.finalize.since: 8.0.0 must be after 9.0.0",
        ),
        (
            "cloudapi.yaml",
            "    since: 9.18.0\n    description: ED25519",
            "    since: 9.30.0\n    description: ED25519",
            "changes.ed25519_keys.since: 9.30.0",
        ),
    ],
)
def test_a_wrong_since_is_refused(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(_spec_with(tmp_path, file, old, new))
    assert message in str(caught.value)


def test_versions_compare_as_numbers() -> None:
    assert ir.version_key("9.10.0") > ir.version_key("9.9.0")
    assert ir.short_version("9.19.0") == "9.19"
    assert ir.short_version("9.8.7") == "9.8.7"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "9.1.0",
            {
                ("header", "Ping.Triton-Datacenter-Name"),
                ("header", "ListDatacenters.Triton-Datacenter-Name"),
            },
        ),
        ("9.8.0", {("value", "MigrationAction.finalize")}),
    ],
)
def test_the_spec_as_of_an_old_release_lacks_newer_headers_and_enum_values(
    tmp_path: Path, version: str, expected: set[tuple[str, str]]
) -> None:
    removals = spec_as_of(SPEC_DIR / "cloudapi.yaml", version, tmp_path / "spec")
    assert expected <= {(r.kind, r.name) for r in removals}
    old = load_spec(tmp_path / "spec" / "cloudapi.yaml")
    if version == "9.1.0":
        assert old.operations["Ping"].response.headers == ()
        assert [h for h, _ in old.operations["ListDatacenters"].response.headers] == ["role-tag"]
    else:
        assert "finalize" not in {v.value for v in old.enums["MigrationAction"].values}
    put_back(tmp_path / "spec", removals)
    for path in SPEC_DIR.rglob("*.yaml"):
        rel = path.relative_to(SPEC_DIR)
        assert (tmp_path / "spec" / rel).read_bytes() == path.read_bytes(), rel
