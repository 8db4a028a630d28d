"""CreateMachine's name, metadata, credentials and tags, and AddMachineMetadata/GetMachineMetadata:
values keep their JSON types, and what VMAPI refuses is refused with its words.

The expected answers are those of ../shared/oracle (sdc-cloudapi 9.20.0 and sdc-vmapi run as they
are: `create-machine-params`), e.g. `{"params": {"name": "web 1"}}` or
`{"params": {"metadata.o": {"a": 1}}}`.
"""

from __future__ import annotations

from typing import Any

from smartdc.testing.simulator import Simulator

from ..sigclient import Reply, SigClient
from .conftest import running_machine

ALIAS_RE = "/^[a-zA-Z0-9][a-zA-Z0-9\\_\\.\\-]*$/"


def _post(sig: SigClient, **body: Any) -> Reply:
    image = sig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
    return sig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G", **body})


def _refusal(reply: Reply) -> tuple[int, str, str, list[dict[str, str]]]:
    body = reply.json
    return reply.status, body["code"], body["message"], body.get("errors", [])


def _invalid(field: str, message: str) -> dict[str, str]:
    return {"field": field, "code": "Invalid", "message": message}


def test_metadata_and_tags_keep_their_json_types(vsim: Simulator, vsig: SigClient) -> None:
    # lib/machines.js getCreateOptions() copies metadata.* and tag.* values unchanged
    body = {"metadata.flag": True, "metadata.n": 64, "metadata.s": "x", "tag.t": 1.5}
    machine = _post(vsig, **body).json
    assert {k: machine["metadata"][k] for k in ("flag", "n", "s")} == {
        "flag": True,
        "n": 64,
        "s": "x",
    }
    assert machine["tags"] == {"t": 1.5}
    again = vsig.get(f"/my/machines/{machine['id']}").json
    assert again["metadata"]["flag"] is True and again["metadata"]["n"] == 64
    listed = vsig.get(f"/my/machines/{machine['id']}/metadata").json
    assert listed["flag"] is True and listed["n"] == 64


def test_what_vmapi_refuses_in_metadata_and_tags(vsig: SigClient) -> None:
    # sdc-vmapi validMetadata(): strings, numbers and booleans only; the first bad key of each
    # field, in VM_FIELDS order (customer_metadata before tags)
    reply = _post(vsig, **{"metadata.ok": "1", "metadata.o": {"a": 1}, "tag.t": None})
    assert _refusal(reply) == (
        409,
        "ValidationFailed",
        "Invalid VM parameters",
        [
            _invalid("customer_metadata.o", "Forbidden Data Type"),
            _invalid("tags.t", "Forbidden Data Type"),
        ],
    )
    # metadata.credentials takes an object whose values VMAPI checks as internal metadata
    reply = _post(vsig, **{"metadata.credentials": {"root": {"x": 1}}})
    assert _refusal(reply)[3] == [_invalid("internal_metadata.root_pw", "Forbidden Data Type")]
    # text that is not JSON is dropped without an error
    assert _post(vsig, **{"metadata.credentials": "not json"}).status == 201


def test_a_password_is_refused_by_vmapi(vsig: SigClient) -> None:
    # getCreateOptions() sends the password as customer metadata administrator_pw, a key
    # VMAPI's validMetadata() forbids (PW_SUFFIX)
    for name in ("password", "administrator_pw"):
        reply = _post(vsig, **{name: "Secr3t-pw"})
        assert _refusal(reply) == (
            409,
            "ValidationFailed",
            "Invalid VM parameters",
            [_invalid("customer_metadata.administrator_pw", "Forbidden Metadata Key")],
        )


def test_machine_names_vmapi_refuses(vsim: Simulator, vsig: SigClient) -> None:
    # validators.alias: ALIAS_RE and at most 189 characters; create() adds the reason
    assert _refusal(_post(vsig, name="web 1")) == (
        409,
        "ValidationFailed",
        "Invalid VM parameters: Invalid machine name",
        [_invalid("alias", f"String does not match regexp: {ALIAS_RE}")],
    )
    assert _refusal(_post(vsig, name="x" * 190))[2:] == (
        "Invalid VM parameters: Invalid machine name",
        [_invalid("alias", "String is longer than maximum of 189 characters")],
    )
    # each error appends the reasons found so far to the message (PUBAPI-791's loop)
    both = _post(vsig, name="web 1", **{"metadata.o": [1], "tag.t": {}})
    assert _refusal(both)[2] == (
        "Invalid VM parameters: Invalid machine name: Invalid machine name: Invalid machine name"
    )
    # validateAlias(): the name of a live machine of the account
    running_machine(vsim, vsig, name="web1")
    assert _refusal(_post(vsig, name="web1")) == (
        409,
        "ValidationFailed",
        "Invalid VM parameters: Invalid machine name",
        [{"field": "alias", "code": "Duplicate", "message": "Already exists for this owner_uuid"}],
    )


def test_a_cns_account_s_names_are_dns_labels(vsig: SigClient) -> None:
    # lib/machines.js create(): with triton_cns_enabled at most 63 characters
    assert _post(vsig, name="x" * 64).status == 201
    vsig.post("/my", {"triton_cns_enabled": "true"})
    reply = _post(vsig, name="y" * 64)
    assert _refusal(reply)[:3] == (
        409,
        "InvalidArgument",
        "Name cannot be longer than 63 characters, because you have triton_cns_enabled set on"
        " your Account.",
    )


def test_add_and_get_metadata_keep_json_types(vsim: Simulator, vsig: SigClient) -> None:
    machine = running_machine(vsim, vsig)
    path = f"/my/machines/{machine}/metadata"
    answer = vsig.post(path, {"flag": True, "n": 64, "s": "text"}).json
    assert (answer["flag"], answer["n"], answer["s"]) == (True, 64, "text")
    # sdc-vmapi addMetadata(): validMetadata(), the error passed on unchanged by lib/metadata.js
    assert _refusal(vsig.post(path, {"o": {"a": 1}})) == (
        409,
        "ValidationFailed",
        "Invalid metadatum parameters",
        [_invalid("customer_metadata.o", "Forbidden Data Type")],
    )
    # lib/metadata.js get(): VMAPI answers the bare JSON value; what is not a string is 404
    assert vsig.get(f"{path}/s").json == "text"
    for key in ("flag", "n"):
        reply = vsig.get(f"{path}/{key}")
        assert _refusal(reply)[:3] == (404, "ResourceNotFound", f"{key} is not metadata")
    missing = vsig.get(f"{path}/nope")
    assert _refusal(missing)[:3] == (404, "ResourceNotFound", 'metadatum "nope" not found')


def test_rename_checks_the_name_as_vmapi_does(vsim: Simulator, vsig: SigClient) -> None:
    # lib/machines.js rename(): 189 characters; then sdc-vmapi validateUpdateVmParams()
    web1 = running_machine(vsim, vsig, name="web1")
    running_machine(vsim, vsig, name="web2")
    path = f"/my/machines/{web1}"
    bad = vsig.post(path, {"action": "rename", "name": "web 1"})
    assert _refusal(bad) == (
        409,
        "ValidationFailed",
        "Invalid VM update parameters",
        [_invalid("alias", f"String does not match regexp: {ALIAS_RE}")],
    )
    taken = vsig.post(path, {"action": "rename", "name": "web2"})
    assert _refusal(taken)[3] == [
        {"field": "alias", "code": "Duplicate", "message": "Already exists for this owner_uuid"}
    ]
    assert vsig.post(path, {"action": "rename", "name": "web1"}).status == 202
    too_long = vsig.post(path, {"action": "rename", "name": "x" * 190})
    assert _refusal(too_long)[:2] == (409, "InvalidArgument")


def test_triton_tags_are_checked_on_create(vsig: SigClient) -> None:
    # validTags() through validMetadata('tags') on create; create() names the reason
    reply = _post(vsig, **{"tag.triton.cns.disable": "yes"})
    assert _refusal(reply) == (
        409,
        "ValidationFailed",
        "Invalid VM parameters: Invalid tags",
        [
            _invalid(
                "tags", 'Triton tag "triton.cns.disable" value must be a boolean: "yes" (string)'
            )
        ],
    )
    assert _post(vsig, **{"tag.triton.cns.disable": True}).status == 201
