"""triton's `instance wait` (several instances, several states) and `instance tag get/replace-all`."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import Result


def test_wait_for_several_instances_and_states(cli: Callable[..., Result]) -> None:
    assert cli("instance", "create", "-n", "w1").code == 0
    assert cli("instance", "create", "-n", "w2", "-w").code == 0
    assert cli("instance", "stop", "w2").code == 0
    result = cli("instance", "wait", "w1", "w2", "-s", "running,stopped", "-o", "name,state")
    assert result.code == 0, result.err
    assert sorted(result.out.split()[2:]) == sorted(["w1", "running", "w2", "stopped"])


def test_wait_refuses_a_misspelt_state(cli: Callable[..., Result]) -> None:
    assert cli("instance", "create", "-n", "w3").code == 0
    result = cli("instance", "wait", "w3", "-s", "runing")
    assert result.code == 2
    assert "did you mean 'running'" in result.err


def test_tag_get_and_replace_all(cli: Callable[..., Result]) -> None:
    assert cli("instance", "create", "-n", "t1", "-w", "-t", "role=web", "-t", "n=1").code == 0
    assert cli("instance", "tag", "get", "t1", "role").out == "web\n"
    assert cli("instance", "tag", "get", "t1", "nope").code == 3
    replaced = cli("instance", "tag", "replace-all", "t1", "team=blue", "-j")
    assert replaced.code == 0, replaced.err
    assert replaced.json_lines() == [{"team": "blue"}]
    assert cli("instance", "tag", "list", "t1", "-j").json_lines() == [{"team": "blue"}]
