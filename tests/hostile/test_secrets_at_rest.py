"""No secret at rest: a pickled Config, CloudAPI, DataCenter or bound object never holds the key's
passphrase. Unpickled, the key is loaded again and the passphrase asked for the way the first load
got it: the same callback, or the environment; a passphrase given as text is not carried, and the
first signed request says how to give it."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc import CloudAPI, DataCenter
from smartdc.config import PASSPHRASE_ENV, Config
from smartdc.errors import KeyPassphraseError
from smartdc.testing import Simulator
from smartdc.testing.keyfiles import write_key

PASSPHRASE = "correct-horse-battery-staple-4711"


def ask(shown: str) -> str:
    """A passphrase callback (module level, so that it pickles by name)."""
    return PASSPHRASE


@pytest.fixture(scope="module")
def sim_and_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulator, Path]]:
    key = ed25519.Ed25519PrivateKey.generate()
    path = write_key(tmp_path_factory.mktemp("locked"), "id_ed25519", key, "openssh", PASSPHRASE)
    with Simulator() as sim:
        public = path.with_name("id_ed25519.pub").read_text()
        sim.add_key(sim.account, public, name="locked")
        yield sim, path


def _config(sim: Simulator, key: Path, **kwargs: Any) -> Config:
    settings: dict[str, Any] = {
        "url": sim.url,
        "account": sim.account,
        "secret": key,
        "profile": "env",
        "environ": {},
        "allow_plaintext": True,
    }
    settings.update(kwargs)
    return Config(**settings)


def _pickles(config: Config) -> list[bytes]:
    api = CloudAPI(config)
    dc = DataCenter.from_client(api)
    return [pickle.dumps(config), pickle.dumps(api), pickle.dumps(dc)]


@pytest.mark.parametrize("given", ["text", "bytes", "environment"])
def test_no_pickle_holds_the_passphrase(
    sim_and_key: tuple[Simulator, Path], given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, key = sim_and_key
    if given == "environment":
        config = _config(sim, key, environ={PASSPHRASE_ENV: PASSPHRASE})
    else:
        secret = PASSPHRASE if given == "text" else PASSPHRASE.encode()
        config = _config(sim, key, passphrase=secret)
    CloudAPI(config).get_account()  # the key is loaded and used
    for data in _pickles(config):
        assert PASSPHRASE.encode() not in data
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    with pytest.raises(KeyPassphraseError) as refused:
        pickle.loads(_pickles(config)[1]).get_account()
    assert PASSPHRASE_ENV in str(refused.value)
    assert PASSPHRASE not in str(refused.value)
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)  # the other process's own environment
    assert pickle.loads(_pickles(config)[1]).get_account().login == sim.account


def test_a_passphrase_callback_is_asked_again_after_unpickling(
    sim_and_key: tuple[Simulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, key = sim_and_key
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    config = _config(sim, key, passphrase=ask)
    for data in _pickles(config):
        assert PASSPHRASE.encode() not in data
        copy = pickle.loads(data)
        api = (
            copy
            if isinstance(copy, CloudAPI)
            else CloudAPI(copy)
            if isinstance(copy, Config)
            else copy.api
        )
        assert api.get_account().login == sim.account


def test_a_copy_for_another_datacenter_keeps_the_passphrase(
    sim_and_key: tuple[Simulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Config.replace is not a pickle: the copy in this process may still use it."""
    sim, key = sim_and_key
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    config = _config(sim, key, passphrase=PASSPHRASE).replace(account=sim.account)
    assert CloudAPI(config).get_account().login == sim.account
