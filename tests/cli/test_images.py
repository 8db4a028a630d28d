"""Image commands as triton's, against the simulator."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from smartdc.testing import Simulator
from tests.cli.conftest import Result

Cli = Callable[..., Result]


def test_image_create_wait_share_delete(cli: Cli, cloudapi_sim: Simulator) -> None:
    assert cli("instance", "create", "-n", "golden", "-w").code == 0
    created = cli("image", "create", "golden", "my-image", "1.0.0", "-t", "role=base", "-w", "-j")
    assert created.code == 0, created.err
    image = json.loads(created.out)
    assert image["state"] == "active" and image["tags"] == {"role": "base"}
    assert "Creating image" in created.err

    waited = cli("image", "wait", "my-image", "-H", "-o", "name,state")
    assert waited.out.split() == ["my-image", "active"]
    typo = cli("image", "wait", "my-image", "-s", "actve")
    assert typo.code == 2
    assert "unknown image state actve; valid: active, unactivated, disabled, creating, failed" in (
        typo.err
    )
    assert cli("image", "get", image["id"][:8], "-o", "name").out == "my-image\n"
    assert cli("image", "get", "my-image@1.0.0", "-o", "id").out == image["id"] + "\n"

    other = cloudapi_sim.add_account("friend")
    shared = cli("image", "share", "my-image@1.0.0", str(other.uuid))
    assert shared.code == 0, shared.err
    assert json.loads(cli("image", "get", image["id"], "-j").out)["acl"] == [str(other.uuid)]
    assert cli("image", "unshare", image["id"], str(other.uuid)).code == 0
    assert json.loads(cli("image", "get", image["id"], "-j").out).get("acl") in (None, [])

    listed = cli("image", "ls", "-H", "-o", "name", "name=my-image")
    assert listed.out == "my-image\n"
    deleted = cli("image", "delete", "no-such-image", image["id"])
    assert deleted.out.startswith("Deleted image ")  # the one found is deleted all the same
    assert deleted.code == 1 and "no-such-image" in deleted.err
    assert cli("image", "get", image["id"]).code == 3


def test_image_clone_of_a_shared_image(cli: Cli, cloudapi_sim: Simulator) -> None:
    assert cli("instance", "create", "-n", "src", "-w").code == 0
    image = json.loads(cli("image", "create", "src", "to-clone", "1", "-w", "-j").out)
    done = cli("image", "clone", image["id"], "-j")
    # CloudAPI clones only images shared with you, not your own: its refusal is passed on
    assert done.code == 1
    assert done.err.startswith("smartdc image clone: error (InvalidArgument): image ")


def test_image_create_wait_runs_the_waiter_the_spec_names(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """image create -w waits as the spec's CreateImageFromMachine waiter says, not as the CLI
    would guess: with that waiter made to succeed on ``creating``, it returns at once."""
    import dataclasses

    from smartdc._generated.service import SERVICE
    from smartdc.runtime.waiting import AcceptorSpec

    name = SERVICE.operations["CreateImageFromMachine"].waiter
    assert name is not None
    changed = dataclasses.replace(
        SERVICE.waiters[name], acceptors=(AcceptorSpec("success", "path", "creating", "state"),)
    )
    monkeypatch.setitem(SERVICE.waiters, name, changed)
    assert cli("instance", "create", "-n", "golden", "-w").code == 0
    created = cli("image", "create", "golden", "my-image", "1.0.0", "-w", "-j")
    assert created.code == 0, created.err
    assert json.loads(created.out)["state"] == "creating"
