"""triton's listing habits: aliases, -H, -l, -s, -o (checked), computed columns, -o with -j."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Result


@pytest.fixture
def two(cli: Callable[..., Result]) -> Callable[..., Result]:
    assert cli("instance", "create", "-n", "bravo", "-w", "--firewall").code == 0
    assert cli("instance", "create", "-n", "alpha", "-w").code == 0
    return cli


def test_default_columns_are_tritons(two: Callable[..., Result]) -> None:
    result = two("instance", "list")
    assert result.code == 0, result.err
    header, *rows = result.out.splitlines()
    assert header.split() == ["SHORTID", "NAME", "IMG", "STATE", "FLAGS", "AGE"]
    assert [row.split()[1] for row in rows] == ["bravo", "alpha"]  # sorted by created
    bravo = rows[0].split()
    assert bravo[2].startswith("base-64-lts@")  # img: the image's name@version
    assert bravo[4] == "F"  # flags: firewall enabled
    assert bravo[5].endswith("s") or bravo[5][-1] in "mhdwy"  # age


@pytest.mark.parametrize("command", [["instances"], ["insts"], ["ls"], ["instance", "ls"]])
def test_every_triton_spelling_lists(two: Callable[..., Result], command: list[str]) -> None:
    result = two(*command, "-H", "-o", "name", "-s", "name")
    assert (result.code, result.out.split()) == (0, ["alpha", "bravo"])


def test_sort_descending_and_long(two: Callable[..., Result]) -> None:
    result = two("instances", "--sort=-name", "-o", "name")
    assert result.out.split() == ["NAME", "bravo", "alpha"]
    long = two("instances", "-l").out.splitlines()[0].split()
    assert long == [
        "ID",
        "NAME",
        "IMG",
        "BRAND",
        "PACKAGE",
        "STATE",
        "FLAGS",
        "PRIMARYIP",
        "CREATED",
    ]


def test_an_unknown_column_is_a_usage_error_naming_the_valid_ones(
    two: Callable[..., Result],
) -> None:
    result = two("instances", "-o", "name,stat")
    assert result.code == 2
    assert "unknown column stat" in result.err
    assert "state" in result.err and "primaryIp" in result.err and "img" in result.err
    assert two("instances", "-s", "nosuch").code == 2


def test_o_with_j_prints_whole_objects_as_triton_does(two: Callable[..., Result]) -> None:
    lines = two("instances", "-j", "-o", "name").json_lines()
    assert {line["name"] for line in lines} == {"alpha", "bravo"}
    assert all("state" in line and "id" in line for line in lines)


def test_get_with_one_field_prints_the_bare_value(two: Callable[..., Result]) -> None:
    listed = {line["name"]: line["id"] for line in two("instances", "-j").json_lines()}
    result = two("instance", "get", "alpha", "-o", "id")
    assert result.out == listed["alpha"] + "\n"


@pytest.mark.parametrize(
    ("kind", "ref", "field", "expected"),
    [
        ("image", "base-64-lts", "name", "base-64-lts"),
        ("package", "g4-highcpu-1G", "name", "g4-highcpu-1G"),
        ("network", "external", "name", "external"),
    ],
)
def test_get_one_record_of_a_kind(
    cli: Callable[..., Result], kind: str, ref: str, field: str, expected: str
) -> None:
    result = cli(kind, "get", ref, "-o", field)
    assert (result.code, result.out) == (0, expected + "\n"), result.err
    whole = cli(kind, "get", ref, "-j").json_lines()
    assert whole[0][field] == expected and "id" in whole[0]


def test_key_and_fwrule_get(cli: Callable[..., Result]) -> None:
    (key,) = cli("keys", "-j").json_lines()[:1]
    assert cli("key", "get", key["name"], "-o", "fingerprint").out.strip() == key["fingerprint"]
    assert cli("api", "CreateFirewallRule", "rule=FROM any TO all vms ALLOW tcp PORT 22").code == 0
    (rule,) = cli("fwrules", "-j").json_lines()
    shown = cli("fwrule", "get", rule["id"][:8], "-o", "rule")
    assert shown.out.strip() == "FROM any TO all vms ALLOW tcp PORT 22"
    assert cli("fwrule", "get", "ffffffff").code == 3


def test_reverse_sort_written_as_triton_writes_it(cli: Callable[..., Result]) -> None:
    for name in ("a1", "a2", "a3"):
        assert cli("instance", "create", "-n", name).code == 0
    newest_first = cli("instances", "-H", "-o", "name", "-s", "-name")
    assert newest_first.code == 0, newest_first.err
    assert newest_first.out.split() == ["a3", "a2", "a1"]
    assert cli("instances", "-H", "-o", "name", "--sort", "-name").out == newest_first.out
