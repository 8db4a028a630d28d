"""Metadata keys the server silently drops (``credentials``, ``*_pw``) on UpdateMachineMetadata.

The server answers 200 and ignores them; the client refuses them before sending (the spec lists
them as the parameter's ``ignored_keys``).
"""

from __future__ import annotations

import pytest

from smartdc import CloudAPI
from smartdc.errors import ArgumentError
from smartdc.facade import DataCenter
from smartdc.testing import Simulator


def test_server_drops_reserved_keys_silently(sim: Simulator, dc: DataCenter) -> None:
    machine = dc.create_machine(name="web-1").wait("running")
    # Straight through the transport: the client itself would refuse root_pw.
    answer = dc.api.meta.transport.request(
        "POST",
        f"/{sim.account}/machines/{machine.id}/metadata",
        body={"root_pw": "hunter2", "plain": "kept"},
    ).data
    assert answer.get("plain") == "kept"
    assert "root_pw" not in dc.api.list_machine_metadata(id=machine.id)


# credentials, *_pw and the names the route uses itself (sdc-cloudapi lib/metadata.js add())
@pytest.mark.parametrize(
    "key",
    [
        "credentials",
        "root_pw",
        "administrator_pw",
        "account",
        "machine",
        "uuid",
        "owner_uuid",
        "image",
    ],
)
def test_reserved_metadata_key_is_refused_before_sending(
    sim: Simulator, api: CloudAPI, key: str
) -> None:
    before = sim.request_count()
    with pytest.raises(ArgumentError, match=key):
        api.update_machine_metadata(id="3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a", metadata={key: "x"})
    assert sim.request_count() == before
