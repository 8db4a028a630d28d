"""Signature authentication of the simulator, request by request over loopback HTTP."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

from .sigclient import PrivateKey, SigClient, load_private_key, openssh_public


def _client_with(sim: Simulator, key: PrivateKey, **kw: object) -> SigClient:
    sim.add_key(sim.account, openssh_public(key), f"k{id(key)}")
    return SigClient(sim.url, sim.account, key, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make_key", "algorithm"),
    [
        (lambda: rsa.generate_private_key(65537, 2048), "rsa-sha1"),
        (lambda: rsa.generate_private_key(65537, 2048), "rsa-sha256"),
        (lambda: rsa.generate_private_key(65537, 2048), "rsa-sha512"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), "ecdsa-sha256"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), "ecdsa-sha256"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), "ecdsa-sha512"),
        (lambda: ec.generate_private_key(ec.SECP521R1()), "ecdsa-sha512"),
        (ed25519.Ed25519PrivateKey.generate, "ed25519-sha512"),
    ],
)
def test_each_key_type_is_accepted(sim: Simulator, make_key: object, algorithm: str) -> None:
    client = _client_with(sim, make_key(), algorithm=algorithm)  # type: ignore[operator]
    reply = client.get("/my")
    assert reply.status == 200, reply.body
    assert reply.json["login"] == sim.account


@pytest.mark.parametrize(
    ("make_key", "algorithm"),
    [
        (lambda: ec.generate_private_key(ec.SECP384R1()), "ecdsa-sha384"),
        (lambda: rsa.generate_private_key(65537, 2048), "rsa-sha384"),
    ],
)
def test_sha384_is_refused_like_the_server(
    sim: Simulator, make_key: object, algorithm: str
) -> None:
    # http-signature 1.x (CloudAPI 9.20) knows no sha384: measured with Joyent's verifier.
    client = _client_with(sim, make_key(), algorithm=algorithm)  # type: ignore[operator]
    reply = client.get("/my")
    assert reply.status == 400
    assert reply.json == {"code": "InvalidHeader", "message": f"{algorithm} is not supported"}


def test_ed25519_is_refused_before_9_18() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    with Simulator(settings=Settings(before_9_18=True), datacenters=("dc1",)) as sim:
        client = _client_with(sim, key)
        reply = client.get("/my")
        assert reply.status == 400
        assert reply.json["code"] == "InvalidHeader"
        rsa_client = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        created = rsa_client.post("/my/keys", {"key": openssh_public(key), "name": "ed"})
        assert created.status == 409
        assert created.json["code"] == "InvalidArgument"


def test_date_only_signature_and_key_name_are_accepted(sim: Simulator, sig: SigClient) -> None:
    sig.sign_headers = ("date",)
    sig.key_name = "sim"  # keyId may name the key instead of its fingerprint
    assert sig.get("/my/keys").status == 200


def test_legacy_header_form_signs_the_date_value(sim: Simulator) -> None:
    import base64

    from .sigclient import sign

    key = load_private_key(sim.key_path)
    date = formatdate(usegmt=True)
    signature = base64.b64encode(sign(key, "rsa-sha256", date.encode())).decode()
    client = SigClient(sim.url, sim.account, key)
    auth = f'Signature keyId="/{sim.account}/keys/{sim.key_id}",algorithm="rsa-sha256" {signature}'
    reply = client.get("/my", signed=False, date=date, headers={"Authorization": auth})
    assert reply.status == 200


def test_tampered_request_target_is_refused(sim: Simulator, sig: SigClient) -> None:
    date = formatdate(usegmt=True)
    auth = sig.authorization("GET", "/my/keys", date)  # signed for another path
    reply = sig.get("/my", signed=False, date=date, headers={"Authorization": auth})
    assert reply.status == 401
    assert reply.json == {
        "code": "InvalidCredentials",
        "message": "The signature we calculated does not match the one you sent",
    }


def test_date_far_from_real_time_is_refused(sig: SigClient) -> None:
    reply = sig.get("/my", date=formatdate(time.time() - 600, usegmt=True))
    assert reply.status == 400
    assert reply.json["code"] == "InvalidHeader"
    assert "clock skew" in reply.json["message"]


def test_virtual_clock_does_not_move_the_date_check() -> None:
    from smartdc.testing.clock import VirtualClock

    clock = VirtualClock(start=0.0)  # 1970: a request signed now must still pass
    with Simulator(clock=clock, datacenters=("dc1",)) as sim:
        client = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        assert client.get("/my").status == 200


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "InvalidCredentials"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "InvalidCredentials"),
        (
            {"Authorization": 'Signature algorithm="rsa-sha256",signature="AAAA"'},
            400,
            "InvalidHeader",
        ),
        (
            {
                "Authorization": 'Signature keyId="/sim/keys/x",algorithm="hmac-sha256",signature="AA=="'
            },
            400,
            "InvalidHeader",
        ),
    ],
)
def test_missing_or_malformed_authorization(
    sig: SigClient, headers: dict[str, str], status: int, code: str
) -> None:
    reply = sig.get("/my", signed=False, headers=headers)
    assert (reply.status, reply.json["code"]) == (status, code)


def test_unknown_account_key_and_bad_key_id(sim: Simulator, sig: SigClient) -> None:
    sig.login = "nobody"
    reply = sig.get("/my")
    assert (reply.status, reply.json["message"]) == (401, "Invalid account nobody")
    sig.login = sim.account
    sig.key_name = "no-such-key"
    reply = sig.get("/my")
    assert (reply.status, reply.json["message"]) == (401, "Invalid key no-such-key")
    date = formatdate(usegmt=True)
    bad = 'Signature keyId="sim/x",algorithm="rsa-sha256",signature="AAAA"'
    reply = sig.get("/my", signed=False, date=date, headers={"Authorization": bad})
    assert reply.status == 401
    assert reply.json["message"].startswith("Invalid KeyId sim/x")


def test_sub_user_signs_for_its_parent_account(sim: Simulator) -> None:
    sim.add_user(sim.account, "bob")
    key = ec.generate_private_key(ec.SECP256R1())
    sim.add_key(sim.account, openssh_public(key), "bobkey", user="bob")
    client = SigClient(sim.url, sim.account, key, user="bob")
    # a sub-user without roles may do nothing (sdc-cloudapi lib/auth.js authorize())
    refused = client.get("/my")
    assert (refused.status, refused.json["message"]) == (
        403,
        "You do not have permission to access /my (getaccount)",
    )
    owner = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
    owner.post("/my/policies", {"name": "read", "rules": ["CAN getaccount"]})
    member = {"type": "subuser", "login": "bob", "default": True}
    owner.post("/my/roles", {"name": "reader", "policies": ["read"], "members": [member]})
    owner.put("/my", {"role-tag": ["reader"]})
    reply = client.get("/my")  # `my` is the parent account for a sub-user
    assert reply.status == 200
    assert reply.json["login"] == sim.account
    # the account's key is not the user's key
    account_client = SigClient(sim.url, sim.account, load_private_key(sim.key_path), user="bob")
    assert account_client.get("/my").status == 401
    # sub-user keyIds need API 7.2.0
    client.accept_version = "~7.1"
    assert client.get("/my").status == 401
    # as-role names one of the user's roles, else the whole account is refused
    client.accept_version = "~9"
    assert client.get("/my", query={"as-role": "reader"}).status == 200
    unknown = client.get("/my", query={"as-role": "ops"})
    assert (unknown.status, unknown.json["message"]) == (
        403,
        f"You do not have permission to access {sim.account}",
    )


def test_another_account_is_forbidden(sim: Simulator, sig: SigClient) -> None:
    sim.add_account("other")
    reply = sig.get("/other")
    assert (reply.status, reply.json["code"]) == (403, "NotAuthorized")
    assert sig.get("/nosuchaccount").status == 404
