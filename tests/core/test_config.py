"""Configuration: explicit > environment > triton profile, and every misconfiguration is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.errors import ConfigError

from .conftest import KeyFiles

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


def test_explicit_beats_environment_beats_profile_for_every_setting(tmp_path: Path) -> None:
    _profile(
        tmp_path,
        "p",
        {
            "url": "https://p.example.com",
            "account": "p",
            "user": "pu",
            "keyId": FP,
            "roles": ["pr"],
            "actAsAccount": "pa",
        },
        current=True,
    )
    env = {
        "HOME": str(tmp_path),
        "TRITON_URL": "https://e.example.com",
        "TRITON_ACCOUNT": "e",
        "TRITON_USER": "eu",
        "TRITON_ROLE": "er1,er2",
        "TRITON_ACT_AS": "ea",
    }
    from_env = Config(environ=env)
    assert (from_env.url, from_env.account, from_env.user) == ("https://e.example.com", "e", "eu")
    assert (from_env.roles, from_env.act_as, from_env.key_id) == (("er1", "er2"), "ea", FP)
    explicit = Config(
        url="https://x.example.com", account="x", user="xu", roles=["xr"], act_as="xa", environ=env
    )
    assert (explicit.url, explicit.account, explicit.user) == ("https://x.example.com", "x", "xu")
    assert (explicit.roles, explicit.login) == (("xr",), "xa")


def test_profile_chosen_by_variable_and_config_dir(tmp_path: Path) -> None:
    config_dir = tmp_path / "elsewhere"
    (config_dir / "profiles.d").mkdir(parents=True)
    (config_dir / "profiles.d" / "dc2.json").write_text(
        json.dumps({"name": "dc2", "url": "https://dc2.example.com", "account": "a", "keyId": FP})
    )
    env = {"HOME": str(tmp_path), "TRITON_CONFIG_DIR": str(config_dir), "TRITON_PROFILE": "dc2"}
    config = Config(environ=env)
    assert (config.url, config.profile) == ("https://dc2.example.com", "dc2")


def test_profile_named_env_means_the_environment_only(tmp_path: Path) -> None:
    _profile(tmp_path, "work", {"url": "https://p.example.com", "account": "p", "keyId": FP})
    (tmp_path / ".triton" / "config.json").write_text(json.dumps({"profile": "env"}))
    with pytest.raises(ConfigError, match="TRITON_URL"):
        Config(environ={"HOME": str(tmp_path)})


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("profiles.d/odd.json", "[1, 2]", r"odd\.json must hold a JSON object"),
        ("config.json", "{oops", r"config\.json"),
    ],
)
def test_more_profile_file_errors(tmp_path: Path, file: str, content: str, message: str) -> None:
    path = tmp_path / ".triton" / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    (tmp_path / ".triton" / "profiles.d").mkdir(exist_ok=True)
    if file != "config.json":
        (tmp_path / ".triton" / "config.json").write_text(json.dumps({"profile": "odd"}))
    with pytest.raises(ConfigError, match=message):
        Config(environ={"HOME": str(tmp_path)})


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TRITON_TLS_INSECURE", "1", True),
        ("SDC_TLS_INSECURE", "true", True),
        ("SDC_TESTING", "yes", True),
        ("TRITON_TLS_INSECURE", "0", False),
    ],
)
def test_insecure_from_environment(
    tmp_path: Path, variable: str, value: str, expected: bool
) -> None:
    env = {"HOME": str(tmp_path), variable: value}
    config = Config(url="https://x.example.com", account="a", key_id=FP, environ=env)
    assert config.insecure is expected


def test_defaults_and_passphrase_variable(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "SMARTDC_KEY_PASSPHRASE": "from-env-secret"}
    config = Config(url="https://x.example.com", account="a", key_id=FP, environ=env)
    assert config.accept_version is None and config.timeout == (10.0, 60.0)  # None: the spec's
    assert config.max_response_bytes == 64 * 1024 * 1024 and config.insecure is False
    assert config.passphrase == "from-env-secret" and "from-env-secret" not in repr(config)
    assert config.sign_headers == ("(request-target)", "date")


def test_config_is_immutable(tmp_path: Path) -> None:
    config = Config(url="https://x.example.com", account="a", key_id=FP, environ={})
    with pytest.raises(AttributeError, match="replace"):
        config.url = "https://evil.example.com"
    assert config.url == "https://x.example.com"


@pytest.mark.parametrize(
    "bad",
    [
        {"max_retries": -1},
        {"retry_deadline": 0},
        {"max_response_bytes": 0},
        {"pool_maxsize": 0},
        {"retry_backoff": -1},
    ],
)
def test_bad_numbers_are_refused_by_name(bad: dict[str, float]) -> None:
    (name,) = bad
    with pytest.raises(ConfigError, match=name):
        Config(url="https://x.example.com", account="a", key_id=FP, environ={}, **bad)  # type: ignore[arg-type]


def test_signer_is_built_once_and_shared_by_replace_for_another_url(test_key: KeyFiles) -> None:
    config = Config(url="https://x.example.com", account="a", secret=test_key.path, environ={})
    signer = config.signer()
    assert config.signer() is signer and signer.key_id == f"/a/keys/{test_key.fingerprint}"
    assert config.replace(url="https://dc2.example.com").signer() is signer
    other = config.replace(user="bob")
    assert other.signer() is not signer
    assert other.signer().key_id == f"/a/users/bob/keys/{test_key.fingerprint}"
