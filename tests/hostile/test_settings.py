"""Control characters in settings and header-bound arguments are refused before anything is signed,
by name, without the signature in the error (a CRLF .env file is enough to cause one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.errors import ArgumentError, ConfigError
from smartdc.testing import Simulator
from smartdc.transport import Transport

from .rawserver import HostileServer, json_answer


@pytest.mark.parametrize(
    ("variable", "setting"),
    [
        ("TRITON_ACCOUNT", "account"),
        ("TRITON_USER", "user"),
        ("TRITON_ROLE", "roles"),
        ("TRITON_ACT_AS", "act_as"),
        ("TRITON_KEY_ID", "key_id"),
        ("TRITON_URL", "url"),
    ],
)
def test_a_carriage_return_in_a_variable_is_a_config_error_naming_it(
    hostile: HostileServer, key_path: Path, variable: str, setting: str
) -> None:
    environ = {"TRITON_URL": hostile.url, "TRITON_ACCOUNT": "alice", "TRITON_KEY_ID": "x"}
    environ[variable] = environ.get(variable, "bob") + "\r"
    hostile.play(json_answer(200, b"{}"))
    with pytest.raises(ConfigError) as caught:
        config = Config(secret=key_path, profile="env", environ=environ)
        Transport(config).request("GET", "/alice/machines")
    text = str(caught.value)
    assert setting in text
    assert variable in text
    assert "Signature" not in text
    assert hostile.requests == []


@pytest.mark.parametrize("setting", ["accept_version", "user_agent", "account", "user"])
def test_a_newline_in_an_argument_is_a_config_error_naming_it(key_path: Path, setting: str) -> None:
    settings: dict[str, object] = {"url": "https://cloudapi.example.com", "account": "alice"}
    settings[setting] = "x\ny"
    with pytest.raises(ConfigError, match=setting) as caught:
        Config(secret=key_path, profile="env", environ={}, **settings)  # type: ignore[arg-type]
    assert "Signature" not in str(caught.value)


def test_a_control_character_in_a_header_argument_is_an_argument_error() -> None:
    with Simulator() as sim, sim.client() as api:
        with pytest.raises(ArgumentError, match="role_tag") as caught:
            api.create_firewall_rule(
                rule="FROM any TO all vms ALLOW tcp PORT 22", role_tag=["a\r\nb"]
            )
        assert "Signature" not in str(caught.value)
        assert sim.request_count("CreateFirewallRule") == 0


def test_extra_headers_are_checked_too(hostile: HostileServer, key_path: Path) -> None:
    config = Config(url=hostile.url, account="alice", secret=key_path, profile="env", environ={})
    with Transport(config) as transport, pytest.raises(ArgumentError, match="X-Thing"):
        transport.request("GET", "/alice/machines", headers={"X-Thing": "a\nb"})
    assert hostile.requests == []
