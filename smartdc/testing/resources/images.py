"""Images: seeded public images per datacenter, user images made from machines, and the
``?action=`` forms (update, export, clone, import-from-datacenter).

All images of a datacenter live in ``dc.table("images")``; an account sees public ones, its own and
those whose ``acl`` names it. Older API versions get the older shape (type smartmachine/virtualmachine
before 8.0.0; no owner/public/state... before 7.1.0).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import (
    as_bool,
    as_list,
    created,
    get_and_head,
    invalid,
    location,
    login_of,
    missing,
    no_content,
    not_found,
    ok,
    required,
)
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState, SimState
from smartdc.testing.versions import parse_version

ADMIN_UUID = "930896af-bf8c-48d4-885c-6573a94b1853"  # owner of public images (docs' admin)
_NAMESPACE = uuid.UUID("0b0b6f9e-51d2-4a43-8a4f-8a9e3f1c2d77")
_EXTRA_71 = ("owner", "public", "state", "eula", "acl", "origin", "error")
UPDATABLE = ("name", "version", "description", "homepage", "eula")

# (name, version, os, type, published, extra)
_SEED: tuple[tuple[str, str, str, str, str, dict[str, Any]], ...] = (
    ("base-64-lts", "22.4.0", "smartos", "zone-dataset", "2023-01-10T12:00:00Z", {}),
    ("base-64-lts", "23.4.0", "smartos", "zone-dataset", "2024-01-08T12:00:00Z", {}),
    ("minimal-64-lts", "23.4.0", "smartos", "zone-dataset", "2024-01-08T13:00:00Z", {}),
    (
        "ubuntu-20.04",
        "20210413",
        "linux",
        "lx-dataset",
        "2021-04-13T09:00:00Z",
        # lx images require their brand (IMGAPI manifests of lx-dataset images): CloudAPI's
        # getBrand() would otherwise pick the default container brand, joyent
        # and name their kernel (tags.kernel_version: VMAPI validateLxBrand() refuses without)
        {
            "requirements": {"min_platform": {"7.0": "20210401T000000Z"}, "brand": "lx"},
            "tags": {"role": "os", "kernel_version": "4.3.0"},
        },
    ),
    (
        "ubuntu-certified-22.04",
        "20230510",
        "linux",
        "zvol",
        "2023-05-10T09:00:00Z",
        {"requirements": {"brand": "bhyve"}, "image_size": 10240},
    ),
    (
        "centos-7",
        "20200619",
        "linux",
        "zvol",
        "2020-06-19T09:00:00Z",
        {"requirements": {"brand": "kvm"}, "image_size": 10240},
    ),
    ("busybox", "latest", "linux", "docker", "2022-02-02T02:02:02Z", {}),
)


def image_id(name: str, version: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{name}@{version}"))


def seed(dc: DatacenterState) -> None:
    images = dc.table("images")
    for name, version, os_name, kind, published, extra in _SEED:
        iid = image_id(name, version)
        if iid in images:
            continue
        image: dict[str, Any] = {
            "id": iid,
            "name": name,
            "version": version,
            "os": os_name,
            "requirements": {},
            "type": kind,
            "description": f"{name} {version}: a simulated public image.",
            "files": [
                {
                    "compression": "gzip",
                    "sha1": hashlib.sha1(iid.encode()).hexdigest(),
                    "size": 110742036,
                }
            ],
            "tags": {"role": "os"},
            "homepage": f"https://docs.example.com/images/{name}",
            "published_at": published,
            "owner": ADMIN_UUID,
            "public": True,
            "state": "active",
        }
        image.update(extra)
        images[iid] = image


def _visible(image: dict[str, Any], account_uuid: str) -> bool:
    return bool(
        image.get("public")
        or image.get("owner") == account_uuid
        or account_uuid in image.get("acl", [])
    )


def _images(req: SimRequest) -> list[dict[str, Any]]:
    now = req.sim.clock.now()
    account_uuid = req.account.uuid
    return [settle(i, now) for i in req.dc.table("images").values() if _visible(i, account_uuid)]


def _find(req: SimRequest, image_uuid: str | None = None) -> dict[str, Any]:
    iid = image_uuid or req.params["dataset"]
    image = req.dc.table("images").get(iid)
    if image is None or not _visible(image, req.account.uuid):
        raise not_found(f"image {iid} not found")
    return settle(image, req.sim.clock.now())


# CloudAPI's requirement names and the IMGAPI requirement each is read from (sdc-cloudapi
# lib/datasets.js translate()): any other requirement (password, min_platform, ...) is not shown
_REQUIREMENTS = (
    ("max_memory", "max_ram"),
    ("max_ram", "max_ram"),
    ("min_memory", "min_ram"),
    ("min_ram", "min_ram"),
    ("brand", "brand"),
    ("bootrom", "bootrom"),
)
_KNOWN_ERRORS = ("PrepareImageDidNotRun", "VmHasNoOrigin", "NotSupported")


def _error(image: dict[str, Any]) -> dict[str, Any]:
    """sdc-cloudapi lib/datasets.js errorObjFromImgapiImage(): the codes it knows keep their
    message, any other is InternalError."""
    error = image.get("error") or {}
    if error.get("code") in _KNOWN_ERRORS:
        return {k: error[k] for k in ("code", "message") if k in error}
    return {
        "code": "InternalError",
        "message": "an unexpected error occurred (Contact support for assistance.)",
    }


def render(req: SimRequest, image: dict[str, Any]) -> dict[str, Any]:
    """The image as sdc-cloudapi lib/datasets.js translate() shows the IMGAPI image: only the
    fields it copies (requirements renamed, the first file's compression/sha1/size), older
    shapes for older API versions."""
    version = parse_version(req.api_version)
    shown: dict[str, Any] = {"id": image["id"]}
    shown.update({k: image[k] for k in ("name", "version", "os") if k in image})
    stored = image.get("requirements") or {}
    shown["requirements"] = {name: stored[key] for name, key in _REQUIREMENTS if stored.get(key)}
    if image.get("type"):
        if version >= (8, 0, 0):
            shown["type"] = image["type"]
        else:
            shown["type"] = "virtualmachine" if image["type"] == "zvol" else "smartmachine"
    if image.get("type") == "zvol" and "image_size" in image:
        shown["image_size"] = image["image_size"]
    if image.get("description"):
        shown["description"] = image["description"]
    if image.get("files"):
        first = image["files"][0]
        shown["files"] = [{k: first[k] for k in ("compression", "sha1", "size") if k in first}]
    fields: tuple[str, ...] = ("tags", "homepage", "published_at")
    if version >= (7, 1, 0):
        fields += _EXTRA_71
    for name in fields:
        if name in image:
            shown[name] = _error(image) if name == "error" else image[name]
    return shown


def _text_matches(value: Any, wanted: str) -> bool:
    """IMGAPI's ``~str`` filters (name, version): a leading ``~`` means "contains"
    (sdc-imgapi lib/database.js), anything else the exact text."""
    if wanted.startswith("~"):
        return wanted[1:] in str(value)
    return str(value) == wanted


def list_images(req: SimRequest) -> SimResponse:
    q = req.query
    state = q.get("state", "active")
    found = []
    for image in _images(req):
        if "type" not in q and image.get("type") == "docker":
            continue  # docker images only when a type is asked for
        if state != "all" and image.get("state") != state:
            continue
        if any(k in q and str(image.get(k)) != q[k] for k in ("os", "type")):
            continue
        if not all(_text_matches(image.get(k), q[k]) for k in ("name", "version") if k in q):
            continue
        if "public" in q and bool(image.get("public")) != as_bool(q["public"], "public"):
            continue
        if "owner" in q and image.get("owner") != q["owner"]:
            continue
        found.append(render(req, image))
    found.sort(key=lambda i: (str(i.get("published_at", "")), str(i["name"])))
    return ok(found)


def get_image(req: SimRequest) -> SimResponse:
    return ok(render(req, _find(req)))


def _own(req: SimRequest, image: dict[str, Any]) -> None:
    if image.get("owner") != req.account.uuid:  # IMGAPI reqEnsureAccountIsImageOwner()
        raise ApiError(
            422,
            "NotImageOwner",
            f"account {req.account.uuid} is not the owner of image {image['id']}",
        )


def delete_image(req: SimRequest) -> SimResponse:
    image = _find(req)
    _own(req, image)
    del req.dc.table("images")[image["id"]]
    return no_content()


def _machine_state(req: SimRequest, machine: dict[str, Any]) -> str:
    return str(settle(machine, req.sim.clock.now()).get("state", "unknown"))


def create_from_machine(req: SimRequest) -> SimResponse:
    machine_id = str(required(req, "machine"))
    name = str(required(req, "name"))
    version = str(required(req, "version"))
    machine = req.dc.table("machines", login_of(req)).get(machine_id)
    if machine is None:  # IMGAPI apiCreateImageFromVm(): VMAPI's 404 becomes InvalidParameter
        raise ApiError(422, "InvalidParameter", f'could not get VM "{machine_id}" details')
    # IMGAPI checks no state before answering: the creation job fails later instead
    usable = _machine_state(req, machine) in ("stopped", "running")
    sim: SimState = req.sim
    origin = req.dc.table("images").get(str(machine.get("image")))
    image: dict[str, Any] = {
        "id": sim.new_uuid(),
        "name": name,
        "version": version,
        "os": origin.get("os", "other") if origin else "other",
        "requirements": {},
        "type": origin.get("type", "zone-dataset") if origin else "zone-dataset",
        "owner": req.account.uuid,
        "public": False,
        "state": "creating",
        "published_at": sim.now_iso(),
        "tags": {},
    }
    if origin is not None:
        image["origin"] = origin["id"]
        brand = (origin.get("requirements") or {}).get("brand")
        if brand:  # an image of an lx or HVM instance provisions that brand again
            image["requirements"] = {"brand": brand}
        # IMGAPI apiCreateImageFromVm() lxInheritTagsKernelVersion (IMGAPI-497): an lx VM's
        # kernel_version (VMAPI set it from the origin's tags.kernel_version at provision) goes
        # into the new image's tags, or the image could not provision (validateLxBrand())
        kernel = (origin.get("tags") or {}).get("kernel_version")
        if machine.get("brand") == "lx" and kernel:
            image["tags"]["kernel_version"] = kernel
    _apply_updates(req, image)
    done = sim.clock.now() + sim.settings.image_create_seconds
    if usable:
        schedule(image, done, state="active")
    else:  # CloudAPI shows an IMGAPI error it does not know as InternalError
        failure = {
            "code": "InternalError",
            "message": "an unexpected error occurred (Contact support for assistance.)",
        }
        schedule(image, done, state="failed", error=failure)
    req.dc.table("images")[image["id"]] = image
    job = sim.new_uuid()
    return created(
        render(req, image),
        location(login_of(req), "images", image["id"]),
        **{"x-joyent-jobid": job},
    )


def _apply_updates(req: SimRequest, image: dict[str, Any]) -> None:
    for name in UPDATABLE:
        value = req.param(name)
        if value is not None:
            image[name] = str(value)
    if req.param("acl") is not None:
        image["acl"] = [str(a) for a in as_list(req.param("acl"))]
    tags = req.param("tags")
    if tags is not None:
        if not isinstance(tags, dict):
            raise invalid("tags must be an object")
        image["tags"] = dict(tags)


def import_from_datacenter(req: SimRequest) -> SimResponse:
    source_name = str(required(req, "datacenter"))
    iid = str(required(req, "id"))
    sim: SimState = req.sim
    source = sim.datacenters.get(source_name)
    if source is None or source is req.dc:
        raise invalid(f"datacenter {source_name} is not a valid source datacenter")
    original = source.table("images").get(iid)
    if original is None or not _visible(original, req.account.uuid):
        raise not_found(f"image {iid} not found in {source_name}")
    settle(original, sim.clock.now())
    if original.get("state") != "active":
        raise ApiError(422, "OriginIsNotActive", f"image {iid} is not active")
    if iid in req.dc.table("images"):
        raise ApiError(409, "ImageUuidAlreadyExists", f"image {iid} already exists")
    copy = {k: v for k, v in original.items() if not k.startswith("_sim")}
    req.dc.table("images")[iid] = copy
    return ok(render(req, copy))  # the server waits for the import, then answers 200


def export_image(req: SimRequest) -> SimResponse:
    image = _find(req)
    manta_path = str(required(req, "manta_path"))
    # a directory gets NAME-VERSION files; anything else is the file prefix itself
    base = (
        f"{manta_path}{image['name']}-{image['version']}"
        if manta_path.endswith("/")
        else manta_path
    )
    return ok(
        {
            "manta_url": f"https://{req.dc.name}.manta.sim.invalid",
            "image_path": f"{base}.zfs.gz",
            "manifest_path": f"{base}.imgmanifest",
        }
    )


def update_image(req: SimRequest) -> SimResponse:
    image = _find(req)
    _own(req, image)
    _apply_updates(req, image)
    return ok(render(req, image))


def clone_image(req: SimRequest) -> SimResponse:
    image = _find(req)
    if image.get("owner") == req.account.uuid:
        raise invalid(f"image {image['id']} is already owned by you")
    if image.get("public") or req.account.uuid not in image.get("acl", []):
        raise ApiError(422, "ImageNotShared", f"image {image['id']} is not shared with you")
    clone = {k: v for k, v in image.items() if not k.startswith("_sim")}
    clone.update({"id": req.sim.new_uuid(), "owner": req.account.uuid, "public": False, "acl": []})
    clone.pop("acl")
    req.dc.table("images")[clone["id"]] = clone
    return ok(render(req, clone))


_ITEM_ACTIONS = {"update": update_image, "export": export_image, "clone": clone_image}


def images_post(req: SimRequest) -> SimResponse:
    action = req.param("action")
    if action == "import-from-datacenter":
        return import_from_datacenter(req)
    if action not in (None, "", "create-from-machine"):
        raise invalid(f"{action} is not a valid action")
    return create_from_machine(req)


def image_post(req: SimRequest) -> SimResponse:
    action = req.param("action")
    if not action:
        raise missing("action")
    handler = _ITEM_ACTIONS.get(str(action))
    if handler is None:
        raise invalid(f"{action} is not a valid action")
    return handler(req)


def register(router: Router) -> None:
    get_and_head(router, "/:account/images", "ListImages", "HeadImages", list_images)
    get_and_head(router, "/:account/images/:dataset", "GetImage", "HeadImage", get_image)
    router.add("POST", "/:account/images", "CreateImageFromMachine", images_post)
    router.add("POST", "/:account/images/:dataset", "UpdateImage", image_post)
    router.add("DELETE", "/:account/images/:dataset", "DeleteImage", delete_image)


def find_image(dc: DatacenterState, image_uuid: str) -> dict[str, Any] | None:
    """An image of a datacenter by id (for other resource modules, e.g. CreateMachine)."""
    return dc.table("images").get(image_uuid)
