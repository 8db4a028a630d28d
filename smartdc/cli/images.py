"""Image commands as triton's: ``image create/delete/wait/share/unshare/clone/list``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from smartdc.cli import creating, listings
from smartdc.cli.answers import answer_json, filters
from smartdc.cli.context import Context
from smartdc.cli.listings import short
from smartdc.cli.output import terminal_safe
from smartdc.errors import ArgumentError

Adder = Callable[..., argparse.ArgumentParser]


def cmd_images(ctx: Context) -> int:
    params = filters(ctx, "ListImages")
    if getattr(ctx.args, "all", False):
        params.setdefault("state", "all")  # triton's -a: inactive images too
    images = answer_json(ctx, "ListImages", params)
    ctx.printer.listing(
        images,
        listings.of(
            "Image",
            ("shortid", "name", "version", "flags", "os", "type", "pubdate"),
            long=("id", "name", "version", "state", "flags", "os", "type", "pubdate"),
            sort=("published_at",),
            computed={"flags": listings.image_flags, "pubdate": listings.pubdate},
        ),
        raw=True,
    )
    return 0


def all_images_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-a", "--all", action="store_true", help="inactive images too (as state=all)"
    )


def find_image(ctx: Context, ref: str) -> Any:
    """An image as triton finds one (smartdc.facade.references: id, ``name@version``, name,
    short id)."""
    return ctx.datacenter().image(ref)


def _named(image: Any) -> str:
    return terminal_safe(f"{image.id} ({image.name}@{image.version})")


def cmd_create(ctx: Context) -> int:
    args = ctx.args
    machine = ctx.machine(args.instance)
    image = ctx.datacenter().api.create_image_from_machine(
        machine=machine.id,
        name=args.name,
        version=args.version,
        description=args.description,
        homepage=args.homepage,
        eula=args.eula,
        acl=args.acl or None,
        tags=creating.tags(args.tags or [], ctx.err),
    )
    ctx.err.write(f"Creating image {_named(image)} from instance {terminal_safe(machine.id)}\n")
    if args.wait:
        image = _wait_created(ctx, str(image.id))
    if ctx.printer.json_mode:
        ctx.printer.record(image)
    else:
        ctx.printer.line(f"{'Created' if args.wait else 'Creating'} image {_named(image)}")
    return 0


def cmd_delete(ctx: Context) -> int:
    """Each image named is deleted and reported; one that fails is reported too and the others
    are still deleted (exit 1 if any failed, as triton's)."""
    from smartdc.cli.failures import report
    from smartdc.errors import SmartDCError

    api = ctx.datacenter().api
    failed = False
    for ref in ctx.args.images:
        try:
            image = find_image(ctx, ref)
            api.delete_image(id=str(image.id))
        except SmartDCError as exc:
            report(exc, ctx.err, ctx.words, code=False)
            failed = True
            continue
        ctx.printer.line(f"Deleted image {_named(image)}")
    return 1 if failed else 0


def _wait_created(ctx: Context, image_id: str) -> Any:
    """The image once the spec's waiter of CreateImageFromMachine (ImageActive) is satisfied,
    with the CLI's progress and --timeout; a failed image's own error is in the WaitFailed."""
    from smartdc.cli.waits import wait_for
    from smartdc.errors import WaitFailed

    api = ctx.datacenter().api
    name = api.meta.operation("CreateImageFromMachine").waiter
    if name is None:  # pragma: no cover - the spec names one
        raise ArgumentError("CreateImageFromMachine has no waiter in the spec")
    try:
        return wait_for(ctx, f"image {short(image_id)}", name, id=image_id)
    except WaitFailed as exc:
        error = getattr(api.get_image(id=image_id), "error", None)
        if not error:
            raise
        raise WaitFailed(f"image {image_id}: {exc}: {error}", state=exc.state) from exc


def _wait_one(ctx: Context, image_id: str, states: list[str]) -> Any:
    from smartdc.cli.waits import poll_until
    from smartdc.errors import WaitFailed

    api = ctx.datacenter().api
    wanted = set(states)
    image = poll_until(
        ctx,
        f"image {short(image_id)}",
        lambda: api.get_image(id=image_id),
        lambda i: str(i.state) in wanted or str(i.state) == "failed",
    )
    if str(image.state) not in wanted:
        error = getattr(image, "error", None)
        why = f": {error}" if error else ""
        raise WaitFailed(f"image {image_id} is {image.state}{why}", state=image.state)
    return image


def cmd_wait(ctx: Context) -> int:
    from smartdc.enums import ImageState

    known = [str(state.value) for state in ImageState]
    states = [s for s in ",".join(ctx.args.states or ["active"]).split(",") if s]
    unknown = [s for s in states if s not in known]
    if unknown:
        raise ArgumentError(f"unknown image state {', '.join(unknown)}; valid: {', '.join(known)}")
    images = [find_image(ctx, ref) for ref in ctx.args.images]
    if not ctx.args.states:  # the default: until created, as the spec's image waiter says
        done = [_wait_created(ctx, str(image.id)) for image in images]
    else:
        done = [_wait_one(ctx, str(image.id), states) for image in images]
    ctx.printer.listing(done, _listing())
    return 0


def _share(share: bool) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        image = find_image(ctx, ctx.args.image)
        account = ctx.args.share_with
        acl = [str(a) for a in (image.acl or [])]
        if share and account not in acl:
            acl.append(account)
        elif not share:
            if account not in acl:
                raise ArgumentError(f"image {image.id} is not shared with account {account}")
            acl.remove(account)
        updated = ctx.datacenter().api.update_image(id=str(image.id), acl=acl)
        if ctx.printer.json_mode:
            ctx.printer.record(updated)
        else:
            word = "Shared" if share else "Unshared"
            ctx.printer.line(f"{word} image {_named(image)} with account {account}")
        return 0

    return run


def cmd_clone(ctx: Context) -> int:
    image = find_image(ctx, ctx.args.image)
    clone = ctx.datacenter().api.clone_image(id=str(image.id))
    if ctx.printer.json_mode:
        ctx.printer.record(clone)
    else:
        ctx.printer.line(f"Cloned image {_named(image)} to {_named(clone)}")
    return 0


def _listing() -> Any:
    return listings.of(
        listings.model("Image"),
        ("shortid", "name", "version", "state", "os", "type"),
        sort=("name",),
    )


def add_commands(add: Adder, group: Any) -> None:
    """Under ``image`` (whose ``get`` catalog adds)."""
    listed = add("list", cmd_images, help="list images", parent=group, aliases=["ls"])
    listed.add_argument("filters", nargs="*", metavar="FIELD=VALUE")
    all_images_flag(listed)
    listings.table_flags(listed)
    create = add("create", cmd_create, help="create an image from an instance", parent=group)
    create.add_argument("instance", metavar="INSTANCE")
    create.add_argument("name", metavar="IMAGE-NAME")
    create.add_argument("version", metavar="IMAGE-VERSION")
    create.add_argument("-d", "--description")
    create.add_argument("--homepage")
    create.add_argument("--eula")
    create.add_argument(
        "--acl", action="append", metavar="ACCOUNT", help="account uuid to share with"
    )
    create.add_argument(
        "-t", "--tag", dest="tags", action="append", metavar="TAG", help="KEY=VALUE, {JSON}, @FILE"
    )
    create.add_argument("-w", "--wait", action="store_true", help="wait until it is active")
    create.add_argument("--timeout", type=float, help="seconds to wait at most")
    delete = add("delete", cmd_delete, help="delete images", parent=group, aliases=["rm"])
    delete.add_argument("images", nargs="+", metavar="IMAGE")
    delete.add_argument("-f", "--force", action="store_true", help="accepted for triton")
    wait = add("wait", cmd_wait, help="wait until images are in a state", parent=group)
    wait.add_argument("images", nargs="+", metavar="IMAGE")
    wait.add_argument(
        "-s", "--states", action="append", metavar="STATE[,STATE]", help="default: active"
    )
    wait.add_argument("--timeout", type=float, help="seconds to wait at most")
    wait.add_argument("-H", dest="no_header", action="store_true", help="omit the header row")
    for name, share in (("share", True), ("unshare", False)):
        parser = add(
            name,
            _share(share),
            help=f"{'share an image with' if share else 'stop sharing an image with'} an account",
            parent=group,
        )
        parser.add_argument("image", metavar="IMAGE")
        # not `account`: that is the connection flag's
        parser.add_argument("share_with", metavar="ACCOUNT", help="account uuid")
    clone = add(
        "clone", cmd_clone, help="copy an image shared with you into your account", parent=group
    )
    clone.add_argument("image", metavar="IMAGE")
