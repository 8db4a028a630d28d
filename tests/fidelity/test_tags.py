"""AddMachineTags and ReplaceMachineTags: the simulator refuses and merges tag bodies as CloudAPI
and VMAPI do, every JSON type and the reserved names included.

Oracle command ``tags``: sdc-cloudapi lib/tags.js add()/replace(), then sdc-vmapi
lib/endpoints/metadata.js and lib/common/validation.js validMetadata()/validTags() with
triton-tags' validateTritonTag().
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartdc.testing import Simulator
from tests.simulator.sigclient import SigClient

from . import oracle
from .oracle import DIFFERENTIAL
from .world import SIM_IMAGE

_NAMES = st.one_of(
    st.sampled_from(
        [
            "role",
            "env",
            "triton.cns.disable",
            "triton.cns.services",
            "triton.cns.reverse_ptr",
            "triton.cmon.groups",
            "triton.unknown",
            "sdc_docker",
            "docker:label:com.docker.x",
            "owner_uuid",
            "context",
            "image",
            "origin",
        ]
    ),
    st.text("abcxyz-_.:", min_size=1, max_size=6),
)
_SCALARS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        [
            "true",
            "false",
            "web",
            "a.example.com",
            "svc:80",
            "svc:0",
            "a:80:priority=5,b",
            "a:80:color=red",
            "web_1,web-2,web_1",
            "",
            "1",
        ]
    ),
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_VALUES = st.one_of(
    _SCALARS,
    st.none(),
    st.lists(_SCALARS, max_size=2),
    st.dictionaries(st.text(max_size=2), _SCALARS, max_size=1),
)
BODIES = st.dictionaries(_NAMES, _VALUES, max_size=3)
CHANGES = st.lists(st.tuples(st.booleans(), BODIES), min_size=6, max_size=6)
EXISTING = {"role": "db", "n": 7, "flag": True}
# Body names restify maps over the route's own parameters (the body's `machine` names another
# instance): left out, the client never sends them as tags (spec ignored_keys).
# pegjs's syntax errors for triton.cns.services ("Expected ... but ... found.") are not
# reproduced: only their status, code and field are compared.
_PEG_ERROR = re.compile(r'^(invalid "triton\.cns\.services" tag: ).*', re.S)


def comparable(answer: dict[str, Any]) -> dict[str, Any]:
    for entry in answer.get("error", {}).get("errors", []):
        message = entry["message"]
        if _PEG_ERROR.match(message) and (" but " in message or "is not a service name" in message):
            entry["message"] = "<pegjs syntax error>"
    return answer


@pytest.fixture(scope="module")
def machine(sim: Simulator, sig: SigClient) -> str:
    reply = sig.post(
        f"/{sig.login}/machines", {"name": "tagged", "image": SIM_IMAGE, "package": "g4-highcpu-1G"}
    )
    assert reply.status == 201, reply.json
    sim.advance(sim.settings.provision_seconds + 1)
    return str(reply.json["id"])


def answer_of(reply: Any) -> dict[str, Any]:
    body = reply.json
    if reply.status >= 400:
        error = {"statusCode": reply.status, "code": body["code"], "message": body["message"]}
        if "errors" in body:
            error["errors"] = body["errors"]
        return {"error": error}
    # which headers the answer carries (a job uuid's value differs by nature)
    return {"status": reply.status, "body": body, "headers": _header_names(reply.headers)}


def _header_names(headers: Any) -> list[str]:
    return sorted(k.lower() for k in headers if k.lower() in ("x-job-uuid", "location"))


@DIFFERENTIAL(max_examples=10)
@given(changes=CHANGES)
def test_tag_bodies_are_refused_and_merged_as_the_server_does(
    sim: Simulator,
    sig: SigClient,
    world: dict[str, Any],
    machine: str,
    changes: list[tuple[bool, dict[str, Any]]],
) -> None:
    answers = oracle.run_many(
        [
            ("tags", {**world, "tags": body, "replace": replace, "existing_tags": EXISTING})
            for replace, body in changes
        ]
    )
    path = f"/{sig.login}/machines/{machine}/tags"
    for (replace, body), expected in zip(changes, answers, strict=True):
        assert sig.put(path, EXISTING).status == 200
        reply = sig.put(path, body) if replace else sig.post(path, body)
        expected = {k: v for k, v in expected.items() if k in ("error", "status", "body")} | (
            {} if "error" in expected else {"headers": _header_names(expected.get("headers", {}))}
        )
        assert not oracle.differences(comparable(answer_of(reply)), comparable(expected)), (
            replace,
            body,
        )
