"""The simulator's data as the backends behind CloudAPI hold it, for the oracle's stand-ins.

The oracle answers from IMGAPI images, PAPI packages and VMAPI VMs given in its input; the
simulator keeps what CloudAPI shows. These functions undo CloudAPI's translation field by field
(the inverse of sdc-cloudapi lib/datasets.js, lib/packages.js and lib/machines.js translate()), so
the oracle can translate the simulator's own objects again: whatever the simulator shows that the
server would not (or shows otherwise) comes back different.
"""

from __future__ import annotations

import calendar
import time
from typing import Any

from smartdc.testing.resources.images import image_id
from tests.simulator.sigclient import SigClient

SIM_IMAGE = image_id("base-64-lts", "23.4.0")

# CloudAPI's state -> a VMAPI state that translateState() maps back to it
VMAPI_STATE = {
    "provisioning": "provisioning",
    "running": "running",
    "stopping": "stopping",
    "stopped": "stopped",
    "ready": "ready",
    "offline": "unreachable",
    "deleted": "destroyed",
    "failed": "failed",
    "unknown": "unknown",
}


def imgapi_image(image: dict[str, Any]) -> dict[str, Any]:
    """A GetImage answer as IMGAPI holds the image (sdc-cloudapi lib/datasets.js translate())."""
    found = {k: v for k, v in image.items() if k != "id"}
    return {"v": 2, "uuid": image["id"], "disabled": False, **found}


def papi_package(package: dict[str, Any]) -> dict[str, Any]:
    """A GetPackage answer as PAPI holds the package (sdc-cloudapi lib/packages.js translate())."""
    renames = {
        "id": "uuid",
        "memory": "max_physical_memory",
        "disk": "quota",
        "swap": "max_swap",
        "lwps": "max_lwps",
    }
    found = {renames.get(k, k): v for k, v in package.items()}
    return {"active": True, **found}


def epoch_ms(iso: str) -> int:
    """An ISO 8601 UTC time as VMAPI's millisecond timestamps."""
    seconds, _, rest = iso.rstrip("Z").partition(".")
    whole = calendar.timegm(time.strptime(seconds, "%Y-%m-%dT%H:%M:%S"))
    return whole * 1000 + int((rest + "000")[:3])


def vmapi_vm(
    machine: dict[str, Any], owner: str, packages: list[dict[str, Any]], disks: list[dict[str, Any]]
) -> dict[str, Any]:
    """A GetMachine answer as VMAPI's GET /vms/:uuid answers the VM (the inverse of
    sdc-cloudapi lib/machines.js translate()); ``packages`` as PAPI holds them, ``disks`` as
    ListMachineDisks shows them."""
    package = next((p for p in packages if p["name"] == machine.get("package")), None)
    vm: dict[str, Any] = {
        "uuid": machine["id"],
        "alias": machine.get("name"),
        "brand": machine["brand"],
        "state": VMAPI_STATE[machine["state"]],
        "owner_uuid": owner,
        "image_uuid": machine.get("image"),
        "ram": machine["memory"],
        "max_physical_memory": machine["memory"],
        "quota": machine["disk"] // 1024,
        "customer_metadata": machine.get("metadata", {}),
        "internal_metadata": {},
        "tags": machine.get("tags", {}),
        "create_timestamp": machine["created"],
        "last_modified": machine["updated"],
        "nics": [
            {
                **{k: v for k, v in nic.items() if k != "network"},
                "network_uuid": nic["network"],
                "nic_tag": "external" if nic.get("primary") else "internal",
            }
            for nic in machine.get("nics", [])
        ],
        "disks": [],
    }
    for key, field in (
        ("firewall_enabled", "firewall_enabled"),
        ("compute_node", "server_uuid"),
        ("docker", "docker"),
        ("dns_names", "dns_names"),
        ("free_space", "free_space"),
    ):
        if key in machine:
            vm[field] = machine[key]
    if machine.get("deletion_protection"):
        vm["indestructible_zoneroot"] = True
    if package is not None:
        vm["billing_id"] = package["uuid"]
    if machine["brand"] == "kvm":  # VMAPI's kvm disks: the image's, then the package's size
        vm["disks"] = [
            {"image_uuid": machine.get("image"), "boot": True},
            {"size": machine["disk"]},
        ]
    if machine["brand"] == "bhyve":
        vm["disks"] = [
            {
                "uuid": d["id"],
                "size": d["size"],
                "boot": d.get("boot", False),
                **({"block_size": d["block_size"]} if "block_size" in d else {}),
                # VMAPI keeps the image on the boot disk (translate() shows it as the image)
                **({"image_uuid": machine.get("image")} if d.get("boot") else {}),
            }
            for d in disks
        ]
        if package is not None and package.get("flexible_disk"):
            vm["flexible_disk_size"] = package["quota"]  # VMAPI setBhyveDisksSizes()
    return vm


def listed_disks(sig: SigClient, machine: dict[str, Any]) -> list[dict[str, Any]]:
    """A bhyve instance's disks: as GetMachine shows them, else as ListMachineDisks lists them."""
    if machine["brand"] != "bhyve":
        return []
    if isinstance(machine.get("disks"), list):
        return list(machine["disks"])
    listed = sig.get(f"/{sig.login}/machines/{machine['id']}/disks").json
    return listed if isinstance(listed, list) else []


def world(sig: SigClient, account_uuid: str) -> dict[str, Any]:
    """The oracle input keys for the simulator's account, images and packages."""
    images = sig.get(f"/{sig.login}/images").json
    packages = sig.get(f"/{sig.login}/packages").json
    return {
        "account": {
            "uuid": account_uuid,
            "login": sig.login,
            "email": "sim@example.com",
            "approved_for_provisioning": "true",
        },
        "images": [imgapi_image(i) for i in images],
        "packages": [papi_package(p) for p in packages],
    }


def stored(record: dict[str, Any]) -> dict[str, Any]:
    """A simulator record without its bookkeeping (``_sim*`` keys)."""
    return {k: v for k, v in record.items() if not k.startswith("_sim")}


def papi_record(package: dict[str, Any]) -> dict[str, Any]:
    """A package as the simulator stores it, as PAPI holds it (``_sim_active`` is PAPI's active)."""
    return {**papi_package(stored(package)), "active": package.get("_sim_active", True)}


def napi_network(network: dict[str, Any]) -> dict[str, Any]:
    """A network as the simulator stores it, as NAPI holds it (the seeded ones keep their subnet
    and gateway in ``_sim_*`` keys)."""
    found = {k: v for k, v in stored(network).items() if k != "id"}
    for key in ("subnet", "gateway"):
        if f"_sim_{key}" in network:
            found.setdefault(key, network[f"_sim_{key}"])
    return {"uuid": network["id"], **found}
