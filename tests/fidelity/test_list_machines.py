"""ListMachines filters: the simulator refuses and accepts exactly what CloudAPI and VMAPI do.

Oracle command ``list-machines-params``: sdc-cloudapi lib/machines.js getListOptions() and list(),
then sdc-vmapi lib/common/validation.js validateListVmsParams, run under node.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.simulator.sigclient import SigClient

from . import oracle
from .oracle import DIFFERENTIAL
from .world import SIM_IMAGE

# VMAPI puts tag values into its LDAP filter unescaped (sdc-vmapi lib/apis/moray.js
# _addTagsFilter()): `*` is a wildcard there and unbalanced parentheses make moray refuse the whole
# filter. The oracle's moray is a stand-in, so those characters are left out here (docs/fidelity.md).
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="()*\\"),
    max_size=6,
)
_VALUES: dict[str, st.SearchStrategy[str]] = {
    "state": st.sampled_from(
        [
            "provisioning",
            "stopping",
            "active",
            "stopped",
            "running",
            "unknown",
            "destroyed",
            "ready",
            "offline",
            "failed",
            "deleted",
            "RUNNING",
            "",
        ]
    ),
    "type": st.sampled_from(["smartmachine", "virtualmachine", "kvm", ""]),
    "brand": st.sampled_from(["joyent", "joyent-minimal", "lx", "kvm", "bhyve", "docker", "x", ""]),
    "docker": st.sampled_from(["true", "false", "1", "yes", ""]),
    "memory": st.sampled_from(["1024", "0", "-1", "1.5", "abc", ""]),
    "image": st.sampled_from([SIM_IMAGE, "2b683a82-a066-11e3-97ab-2faa44701c5b", "not-a-uuid", ""]),
    "name": st.sampled_from(["web", "web 1", "a*", "x(y)", "", "-a", "a.b_c-d"]),
    "limit": st.sampled_from(["1", "1000", "1001", "0", "-1", "abc", "2.5", ""]),
    "offset": st.sampled_from(["0", "5", "-1", "abc", ""]),
    "tombstone": st.sampled_from(["true", "false", "1", ""]),
    "credentials": st.sampled_from(["true", "false", ""]),
    "tag.role": st.one_of(st.sampled_from(["web", "true", "1", ""]), _TEXT),
    "tags": st.sampled_from(["*", "x"]),
    "sort": st.sampled_from(["create_timestamp", "name.desc", "x"]),
}
QUERIES = st.lists(
    st.dictionaries(st.sampled_from(sorted(_VALUES)), st.just(""), max_size=4).flatmap(
        lambda keys: st.fixed_dictionaries({k: _VALUES[k] for k in keys})
    ),
    min_size=8,
    max_size=8,
)


def sim_answer(sig: SigClient, query: dict[str, str]) -> dict[str, Any]:
    """The simulator's answer in the oracle's shape: ``error`` as the client sees it, or the
    status and the paging headers."""
    reply = sig.get(f"/{sig.login}/machines", query=query)
    body: Any = reply.json
    if reply.status >= 400:
        error = {"statusCode": reply.status, "code": body["code"], "message": body["message"]}
        if "errors" in body:
            error["errors"] = body["errors"]
        return {"error": error}
    headers = {
        k: reply.headers[k] for k in ("x-query-limit", "x-resource-count") if k in reply.headers
    }
    return {"status": reply.status, "headers": headers}


def oracle_answer(answer: dict[str, Any]) -> dict[str, Any]:
    if "error" in answer:
        return {"error": answer["error"]}
    headers = {k: str(v) for k, v in answer.get("headers", {}).items()}
    return {"status": answer["status"], "headers": headers}


@DIFFERENTIAL(max_examples=10)
@given(queries=QUERIES)
def test_list_machines_filters_refused_as_the_server_does(
    sig: SigClient, world: dict[str, Any], queries: list[dict[str, str]]
) -> None:
    """Same status, code, message and VMAPI ``errors`` entries; same paging headers."""
    answers = oracle.run_many([("list-machines-params", {**world, "params": q}) for q in queries])
    for query, answer in zip(queries, answers, strict=True):
        assert sim_answer(sig, query) == oracle_answer(answer), query
