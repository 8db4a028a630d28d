"""Every password-like parameter is secret in the spec, so its value never shows in an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen.loader import SECRET_NAME, SpecError, load_spec
from smartdc._generated.service import SERVICE
from smartdc.errors import ArgumentError
from smartdc.testing import Simulator

FIXTURE = Path(__file__).resolve().parents[1] / "generator" / "fixture_spec"


def test_every_password_like_parameter_is_secret() -> None:
    found = {
        (op.name, param.name): param.secret
        for op in SERVICE.operations.values()
        for param in op.params
        if SECRET_NAME.search(param.name)
    }
    assert ("CreateMachine", "password") in found
    assert ("CreateUser", "password") in found
    assert [key for key, secret in found.items() if not secret] == []


@pytest.mark.parametrize("value", [987654321, ["hunter2-in-a-list"]])
def test_a_wrong_typed_machine_password_is_not_echoed(value: object) -> None:
    with Simulator() as sim, sim.client() as api, pytest.raises(ArgumentError) as caught:
        api.meta.call_operation("CreateMachine", image="x", package="y", password=value)
    text = str(caught.value)
    assert "password" in text
    assert "987654321" not in text
    assert "hunter2" not in text


def test_the_spec_refuses_a_password_parameter_not_marked_secret(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "spec")
    target = tmp_path / "spec" / "groups" / "widgets.yaml"
    text = target.read_text()
    old = 'shine: {in: body, type: integer, required: true, description: "How much."}'
    assert old in text
    target.write_text(
        text.replace(
            old, old + '\n      admin_pw: {in: body, type: string, description: "A password."}', 1
        )
    )
    with pytest.raises(SpecError, match="admin_pw: a password-like parameter must be marked"):
        load_spec(tmp_path / "spec" / "cloudapi.yaml")
