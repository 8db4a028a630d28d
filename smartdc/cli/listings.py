"""What each listing shows: triton's columns (default and ``-l``), sort order and computed columns.

Column names follow node-triton's ``triton ... list`` (lib/do_*/do_list.js), so ``-o`` and ``-s``
take what triton users type: ``shortid``, ``img`` (image ``name@version``), ``age`` (``3d``, ``5h``),
``flags`` (B bhyve, D docker, F firewall, K kvm, P deletion protection).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from smartdc.cli.output import Listing


def short(uuid: object) -> str:
    """triton's short id: the first group of a UUID (``b6979942`` of ``b6979942-7d5d-...``)."""
    return str(uuid or "").split("-", 1)[0]


def shortid(record: Mapping[str, Any]) -> str:
    return short(record.get("id"))


def age(record: Mapping[str, Any], now: datetime | None = None) -> str | None:
    """How long ago ``created`` was, in the largest whole unit (triton's longAgo)."""
    created = record.get("created")
    if not isinstance(created, str):
        return None
    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return None
    seconds = round(((now or datetime.now(timezone.utc)) - when).total_seconds())
    for unit, size in (("y", 31536000), ("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def flags(record: Mapping[str, Any]) -> str | None:
    brand = record.get("brand")
    found = [
        letter
        for letter, on in (
            ("B", brand == "bhyve"),
            ("D", bool(record.get("docker"))),
            ("F", bool(record.get("firewall_enabled"))),
            ("K", brand == "kvm"),
            ("P", bool(record.get("deletion_protection"))),
        )
        if on
    ]
    return "".join(found) or None


def computed_json(
    image_names: Mapping[str, str], now: datetime | None = None
) -> Callable[[Mapping[str, Any]], str]:
    """What triton's ``instances -j`` adds to each object, as JSON members to append:
    ``"age":..,"img":..,"shortid":..`` and ``"flags":..`` when there are any."""
    moment = now or datetime.now(timezone.utc)
    encode = json.JSONEncoder(separators=(",", ":")).encode

    def members(record: Mapping[str, Any]) -> str:
        image = str(record.get("image") or "")
        found = {
            "age": age(record, moment),
            "img": image_names.get(image) or short(image),
            "shortid": shortid(record),
        }
        marks = flags(record)
        if marks:
            found["flags"] = marks
        return ",".join(f"{encode(k)}:{encode(v)}" for k, v in found.items())

    return members


def fields_of(model: type) -> tuple[str, ...]:
    import attrs  # the models are attrs classes (imported by then)

    return tuple(
        f.name
        for f in attrs.fields(model)
        if f.name not in ("extra", "json_nulls", "decode_problems")
    )


def model(name: str) -> type:
    """A generated model class by name (``smartdc.models`` is imported when first listed)."""
    import smartdc.models

    found: type = getattr(smartdc.models, name)
    return found


def instances(image_names: Callable[[], Mapping[str, str]]) -> Listing:
    """``image_names()`` (id -> ``name@version``) is called only when ``img`` is shown or sorted."""
    cache: dict[str, Mapping[str, str]] = {}

    def img(record: Mapping[str, Any]) -> str | None:
        if "names" not in cache:
            cache["names"] = image_names()
        image = str(record.get("image") or "")
        return cache["names"].get(image) or short(image) or None

    return Listing(
        columns=("shortid", "name", "img", "state", "flags", "age"),
        long=("id", "name", "img", "brand", "package", "state", "flags", "primaryIp", "created"),
        sort=("created",),
        computed={"shortid": shortid, "img": img, "age": age, "flags": flags},
        fields=lambda: fields_of(model("Machine")),  # imported only to name a wrong column
    )


def of(
    model_type: type | str,
    columns: tuple[str, ...],
    *,
    long: tuple[str, ...] = (),
    sort: tuple[str, ...] = (),
    computed: Mapping[str, Callable[[Mapping[str, Any]], Any]] | None = None,
    shown: Mapping[str, Callable[[Any], str]] | None = None,
    right: tuple[str, ...] = (),
) -> Listing:
    """A listing of ``model_type`` records (a model or its name, imported only when a column is
    not in the answer) with a ``shortid`` column (and ``computed`` ones)."""
    return Listing(
        columns=columns,
        long=long,
        sort=sort,
        computed={"shortid": shortid, **(computed or {})},
        fields=lambda: fields_of(model(model_type) if isinstance(model_type, str) else model_type),
        shown=shown,
        right=right,
    )


def human_mib(mib: Any) -> str:
    """A size in MiB as triton shows it (humanSizeFromBytes, narrow, precision 1): ``128M``,
    ``1G``, ``1.5G``."""
    if not isinstance(mib, (int, float)) or isinstance(mib, bool):
        return str(mib)
    size = float(mib) * 1024 * 1024
    if size == 0:
        return "0 B"
    sign = "-" if size < 0 else ""
    size = abs(size)
    units = ("B", "K", "M", "G", "T", "P")
    index = 0
    while index < len(units) - 1 and size >= 1024 ** (index + 1):
        index += 1
    number = size / 1024**index
    text = repr(number) if number != int(number) else str(int(number))
    if "." in text:
        text = text[: text.index(".") + 2]  # one decimal, cut as triton cuts it
    return f"{sign}{text}{units[index]}"


def image_flags(record: Mapping[str, Any]) -> str | None:
    """triton's image FLAGS: I incremental, P public, X not active."""
    found = [
        letter
        for letter, on in (
            ("I", bool(record.get("origin"))),
            ("P", bool(record.get("public"))),
            ("X", record.get("state") not in (None, "active")),
        )
        if on
    ]
    return "".join(found) or None


def pubdate(record: Mapping[str, Any]) -> str | None:
    published = record.get("published_at")
    return published[:10] if isinstance(published, str) else None


def group_plus(record: Mapping[str, Any]) -> str:
    """triton's package sort group: ``group``, else the name's part before the first ``-``."""
    name = str(record.get("name") or "")
    return str(record.get("group") or (name.split("-", 1)[0] if "-" in name else ""))


def table_flags(parser: Any) -> None:
    """triton's table options for a listing command: -H, -l, -s (with -o and -j, which every
    command has)."""
    group = parser.add_argument_group("table")
    group.add_argument("-H", dest="no_header", action="store_true", help="omit the header row")
    group.add_argument("-l", "--long", action="store_true", help="more columns")
    group.add_argument(
        "-s",
        "--sort",
        metavar="FIELD[,..]",
        help="sort by these; a leading - reverses (--sort=-created)",
    )
