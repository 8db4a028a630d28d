"""CreateMachine's name, metadata, credentials, tags and password: the simulator refuses and keeps
them as CloudAPI and VMAPI do, every JSON type included.

Oracle command ``create-machine-params``: sdc-cloudapi lib/machines.js create() getCreateOptions()
(metadata.* and tag.* copied unchanged, credentials, the password as administrator_pw) and its
PUBAPI-791 message, then sdc-vmapi validateCreateVmParams() (validators.alias, validMetadata()
for customer_metadata, internal_metadata and tags, validTags()) up to allocateServer.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartdc.testing import Simulator
from tests.simulator.sigclient import SigClient

from . import oracle
from .test_tags import comparable
from .world import SIM_IMAGE

_NAMES = st.one_of(
    st.none(),
    st.sampled_from(["web1", "web 1", "-web", "web.1_x-2", "a" * 189, "b" * 190, "x{{shortId}}"]),
    st.text("ab1 .-_é", min_size=1, max_size=6),
)
_SCALARS = st.one_of(
    st.text(max_size=6),
    st.integers(-(2**31), 2**31),
    st.booleans(),
    st.sampled_from([1.5, -2.25, 0.1]),
)
_VALUES = st.one_of(
    _SCALARS,
    st.none(),
    st.lists(_SCALARS, max_size=2),
    st.dictionaries(st.text(max_size=2), _SCALARS, max_size=1),
)
_CREDENTIALS = st.sampled_from(
    [
        '{"root": "s3cret-pw"}',
        "not json",
        {"root": "s3cret-pw"},
        {"admin_pw": {"a": 1}},
        ["a"],
        5,
        "",
    ]
)
_METADATA = st.dictionaries(
    st.one_of(
        st.sampled_from(["user-script", "flag", "n", "a_pw", "-x", "0", "1"]),
        st.text("ab_-", min_size=1, max_size=3),
    ),
    _VALUES,
    max_size=3,
)
_TAGS = st.dictionaries(
    st.sampled_from(["role", "n", "triton.cns.disable", "triton.cns.services", "2"]),
    _VALUES,
    max_size=2,
)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    name = draw(_NAMES)
    if name is not None:
        body["name"] = name
    body.update({f"metadata.{k}": v for k, v in draw(_METADATA).items()})
    if draw(st.booleans()):
        body["metadata.credentials"] = draw(_CREDENTIALS)
    body.update({f"tag.{k}": v for k, v in draw(_TAGS).items()})
    if draw(st.integers(0, 5)) == 0:
        body["password"] = "Secr3t-pw"
    return body


def _verdict(answer: dict[str, Any]) -> dict[str, Any]:
    """The refusal, with pegjs's syntax-error wording left out (as in test_tags)."""
    error = {
        k: v
        for k, v in answer.get("error", {}).items()
        if k in ("statusCode", "code", "message", "errors")
    }
    return dict(comparable({"error": error})["error"])


def _kept(values: dict[str, Any] | None) -> dict[str, Any]:
    # root_authorized_keys holds the oracle's own account keys, not the simulator's
    return {k: v for k, v in (values or {}).items() if k != "root_authorized_keys"}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(bodies(), min_size=5, max_size=5))
def test_create_params_are_refused_and_kept_as_the_server_does(
    sim: Simulator, sig: SigClient, world: dict[str, Any], batch: list[dict[str, Any]]
) -> None:
    package = next(p for p in world["packages"] if p["name"] == "g4-highcpu-1G")
    base = {"image": SIM_IMAGE, "package": package["uuid"]}
    answers = oracle.run_many(
        [("create-machine-params", {**world, "params": {**base, **body}}) for body in batch]
    )
    for body, expected in zip(batch, answers, strict=True):
        reply = sig.post(f"/{sig.login}/machines", {**base, "package": "g4-highcpu-1G", **body})
        if "error" in expected:
            got = reply.json if reply.status >= 400 else {}
            simulated = {
                "statusCode": reply.status,
                **{k: v for k, v in got.items() if k in ("code", "message", "errors")},
            }
            found = _verdict({"error": simulated})
            assert not oracle.differences(found, _verdict(expected)), (body, found)
            continue
        assert expected.get("accepted") is True, expected
        assert reply.status == 201, (body, reply.json)
        params = expected["vmapi_params"]
        machine = reply.json
        assert not oracle.differences(
            _kept(machine["metadata"]), _kept(params.get("customer_metadata"))
        ), body
        assert not oracle.differences(machine["tags"], params.get("tags") or {}), body
        # free the name for the next example (VMAPI's uniqueness skips destroyed VMs)
        assert sig.delete(f"/{sig.login}/machines/{machine['id']}").status == 204
        sim.advance(sim.settings.delete_seconds + 1)
