"""Credentials go only where the user sent them: a datacenter URL named by the server
(``dc.datacenter(...)``, ``all_datacenters``, ``map_datacenters``) gets verified TLS and never the
``insecure`` or ``allow_plaintext`` exceptions the user made for their own URL. Trusting another
host is said explicitly: ``dc.datacenter(name, insecure=True)`` or a ``ca_certs`` bundle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smartdc import DataCenter
from smartdc.errors import ConfigError, ConnectError
from smartdc.testing.keyfiles import generate_key, write_key

from ..core.server import LoopbackServer, Reply, self_signed_cert


class Cloud:
    def __init__(self, home: LoopbackServer, elsewhere: LoopbackServer, key: Path) -> None:
        self.home = home
        self.elsewhere = elsewhere
        self.key = key

    def dc(self, **settings: Any) -> DataCenter:
        return DataCenter(
            url=self.home.url,
            account="alice",
            secret=str(self.key),
            profile="env",
            environ={},
            timeout=(2.0, 2.0),
            max_retries=0,
            **settings,
        )

    def name(self, urls: dict[str, str]) -> None:
        self.home.script(*[Reply(body={"home": self.home.url, **urls})] * 4)


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Cloud]:
    private = generate_key("ed25519")
    key = write_key(tmp_path, "id_ed25519", private, "openssh")
    cert, cert_key = self_signed_cert(tmp_path)
    tls = {"tls_cert": cert, "tls_key": cert_key}
    with (
        LoopbackServer(private.public_key(), "x", **tls) as home,
        LoopbackServer(private.public_key(), "x", **tls) as elsewhere,
    ):
        yield Cloud(home, elsewhere, key)


def test_a_server_named_datacenter_gets_verified_tls(cloud: Cloud) -> None:
    cloud.name({"elsewhere": cloud.elsewhere.url})
    dc = cloud.dc(insecure=True)  # the user's exception, for the user's own URL
    other = dc.datacenter("elsewhere")
    assert other.config.insecure is False
    with pytest.raises(ConnectError, match="TLS"):
        other.api.list_datacenters()
    assert cloud.elsewhere.requests == []  # nothing signed reached it


def test_map_datacenters_keeps_the_exception_at_home(cloud: Cloud) -> None:
    cloud.name({"elsewhere": cloud.elsewhere.url})
    cloud.elsewhere.script(*[Reply(body={})] * 4)
    results = cloud.dc(insecure=True).map_datacenters(lambda d: d.url)
    assert results["home"].ok
    assert isinstance(results["elsewhere"].value, str)  # made, not yet used
    used = cloud.dc(insecure=True).map_datacenters(lambda d: d.api.list_datacenters())
    assert used["home"].ok
    assert isinstance(used["elsewhere"].error, ConnectError)
    assert cloud.elsewhere.requests == []


def test_plain_http_named_by_the_server_is_refused(cloud: Cloud) -> None:
    """The URL is refused when the DataCenter is made: nothing is sent anywhere."""
    cloud.name({"plain": "http://cloudapi.elsewhere.invalid"})
    dc = cloud.dc(insecure=True, allow_plaintext=True)
    with pytest.raises(ConfigError, match="plain http"):
        dc.datacenter("plain")
    results = dc.map_datacenters(lambda d: d.url)
    assert isinstance(results["plain"].error, ConfigError)


def test_trusting_another_host_is_said_explicitly(cloud: Cloud) -> None:
    cloud.name({"elsewhere": cloud.elsewhere.url})
    cloud.elsewhere.script(Reply(body={}))
    other = cloud.dc(insecure=True).datacenter("elsewhere", insecure=True)
    assert other.api.list_datacenters() == {}
    assert len(cloud.elsewhere.requests) == 1


def test_the_users_own_url_keeps_the_users_settings(cloud: Cloud) -> None:
    cloud.name({})
    dc = cloud.dc(insecure=True)
    assert dc.datacenter("home").config.insecure is True
    assert dc.all_datacenters()["home"] is dc
