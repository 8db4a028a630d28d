"""Configuration: explicit > environment > triton profile, and every misconfiguration is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.errors import ConfigError

FP = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"


def _profile(home: Path, name: str, data: object, *, current: bool = False) -> None:
    profiles = home / ".triton" / "profiles.d"
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / f"{name}.json").write_text(json.dumps(data) if not isinstance(data, str) else data)
    if current:
        (home / ".triton" / "config.json").write_text(json.dumps({"profile": name}))


def test_environment_fills_what_arguments_leave_out(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "SDC_URL": "https://cloud.example.com/",
        "SDC_ACCOUNT": "alice",
        "SDC_KEY_ID": FP,
    }
    config = Config(environ=env)
    assert (config.url, config.account, config.key_id) == ("https://cloud.example.com", "alice", FP)
    assert Config(account="bob", environ=env).account == "bob"


def test_triton_variables_beat_sdc_and_conflicts_warn(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "TRITON_URL": "https://a.example.com",
        "SDC_URL": "https://b.example.com",
        "TRITON_ACCOUNT": "x",
        "TRITON_KEY_ID": FP,
    }
    with pytest.warns(UserWarning, match="conflicting environment variables"):
        assert Config(environ=env).url == "https://a.example.com"


def test_profile_is_used_below_environment(tmp_path: Path) -> None:
    _profile(
        tmp_path,
        "work",
        {
            "url": "https://p.example.com",
            "account": "prof",
            "keyId": FP,
            "insecure": True,
            "roles": ["ops"],
            "actAsAccount": "other",
        },
        current=True,
    )
    config = Config(environ={"HOME": str(tmp_path)})
    assert (config.url, config.account, config.insecure, config.roles) == (
        "https://p.example.com",
        "prof",
        True,
        ("ops",),
    )
    assert config.login == "other"  # act-as: that login in paths, ours in the keyId
    assert Config(environ={"HOME": str(tmp_path), "SDC_ACCOUNT": "envacct"}).account == "envacct"
    named = Config(profile="work", environ={"HOME": str(tmp_path)})
    assert named.url == "https://p.example.com"


def test_profile_errors_name_the_file(tmp_path: Path) -> None:
    _profile(tmp_path, "broken", "{not json", current=True)
    with pytest.raises(ConfigError, match=r"broken\.json is not valid JSON"):
        Config(environ={"HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="profile 'missing' not found"):
        Config(profile="missing", environ={"HOME": str(tmp_path)})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"account": "a", "key_id": FP}, "TRITON_URL"),
        ({"url": "https://x.example.com", "key_id": FP}, "TRITON_ACCOUNT"),
        ({"url": "https://x.example.com", "account": "a"}, "TRITON_KEY_ID"),
        ({"url": "cloud.example.com", "account": "a", "key_id": FP}, "must start with https://"),
        ({"url": "http://cloud.example.com", "account": "a", "key_id": FP}, "refusing plain http"),
        (
            {"url": "https://x.example.com", "account": "a", "key_id": FP, "timeout": 0},
            "timeout must be positive",
        ),
    ],
)
def test_missing_or_bad_settings_are_named(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Config(environ={"HOME": str(tmp_path)}, **kwargs)  # type: ignore[arg-type]


def test_plain_http_is_fine_on_loopback_or_when_allowed(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert Config(url="http://127.0.0.1:8080", account="a", key_id=FP, environ=env).url.startswith(
        "http://"
    )
    assert Config(url="http://[::1]:8080", account="a", key_id=FP, environ=env)
    allowed = Config(
        url="http://cloud.example.com", account="a", key_id=FP, allow_plaintext=True, environ=env
    )
    assert allowed.url == "http://cloud.example.com"


def test_seed_location_and_legacy_key_id(tmp_path: Path) -> None:
    config = Config(
        location="us-sw-1",
        key_id="/test/keys/test_key",
        secret="~/.ssh/id_rsa",
        environ={"HOME": str(tmp_path)},
    )
    assert config.url == "https://us-sw-1.api.joyentcloud.com"
    assert (config.account, config.key_id) == ("test", "test_key")
    sub = Config(
        url="https://x.example.com",
        key_id=f"/acct/users/bob/keys/{FP}",
        environ={"HOME": str(tmp_path)},
    )
    assert (sub.account, sub.user, sub.key_id) == ("acct", "bob", FP)


def test_repr_hides_the_passphrase_and_replace_keeps_credentials(tmp_path: Path) -> None:
    config = Config(
        url="https://x.example.com",
        account="a",
        key_id=FP,
        passphrase="hunter2-secret",
        environ={"HOME": str(tmp_path)},
    )
    assert "hunter2-secret" not in repr(config)
    other = config.replace(url="https://y.example.com")
    assert (other.url, other.account, other.key_id, other.passphrase) == (
        "https://y.example.com",
        "a",
        FP,
        "hunter2-secret",
    )
