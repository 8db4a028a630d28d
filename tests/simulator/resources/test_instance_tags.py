"""Instance tags as CloudAPI answers them: VMAPI's missing-key error in CloudAPI's words, and a
value that is not a string read back as an empty string (sdc-cloudapi lib/tags.js get())."""

from __future__ import annotations

from smartdc.testing.clock import VirtualClock
from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient


def test_tag_reads_and_misses(vsim: Simulator, vsig: SigClient) -> None:
    image = vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
    made = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"})
    assert isinstance(vsim.clock, VirtualClock)
    vsim.clock.advance(vsim.settings.provision_seconds + 0.01)
    tags = f"/my/machines/{made.json['id']}/tags"
    assert vsig.post(tags, {"role": "web", "count": 3, "on": True}).status == 200
    assert vsig.get(f"{tags}/role").json == "web"
    assert vsig.get(f"{tags}/count").json == ""
    assert vsig.get(f"{tags}/on").json == ""
    assert vsig.get(tags).json == {"role": "web", "count": 3, "on": True}
    missing = vsig.get(f"{tags}/nope")
    assert (missing.status, missing.json["message"]) == (404, 'tag "nope" not found')
    gone = vsig.delete(f"{tags}/nope")
    assert (gone.status, gone.json["message"]) == (404, 'tag "nope" not found')


def test_tag_values_vmapi_refuses(vsim: Simulator, vsig: SigClient) -> None:
    image = vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
    made = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"})
    assert isinstance(vsim.clock, VirtualClock)
    vsim.clock.advance(vsim.settings.provision_seconds + 0.01)
    tags = f"/my/machines/{made.json['id']}/tags"
    nested = vsig.post(tags, {"ok": "yes", "deep": {"a": 1}})
    assert (nested.status, nested.json) == (
        409,
        {
            "code": "ValidationFailed",
            "message": "error adding tags: Invalid tag parameters",
            "errors": [{"field": "tags.deep", "code": "Invalid", "message": "Forbidden Data Type"}],
        },
    )
    docker = vsig.put(tags, {"sdc_docker": "true"})
    assert (docker.status, docker.json["message"], docker.json["errors"]) == (
        409,
        "error replacing tags: Invalid tag parameters",
        [{"field": "tags", "code": "Invalid", "message": 'Special tag "sdc_docker" not supported'}],
    )
    assert vsig.get(tags).json == {}  # nothing was changed
