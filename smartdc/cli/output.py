"""Printing results: aligned tables for people, JSON lines for scripts (``-j``), chosen columns (``-o``).

JSON is the object as the server sent it (``model.to_json()``), so scripts see CloudAPI's own field
names; columns may be named either way (``primaryIp`` or ``primary_ip``).
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

_MAX_DEPTH = 32  # nesting shown in a table cell; deeper values print as "..."


def _escapes() -> dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
    table.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
    # Unicode format characters that reorder or hide text (bidi overrides, isolates, marks).
    for code in (0x061C, 0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = f"\\u{code:04x}"
    return table


_ESCAPES = _escapes()
_ESCAPES_BUT_NEWLINE = {code: text for code, text in _ESCAPES.items() if code != ord("\n")}


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``, ``\\u202e``),
    as ``ls`` and ``git`` show odd file names: what a server sends is displayed, never obeyed by
    the terminal. ``keep_newlines``: line breaks stay (for multi-line messages)."""
    if text.isprintable():
        return text
    return text.translate(_ESCAPES_BUT_NEWLINE if keep_newlines else _ESCAPES)


# What a TerminalStream still finds raw: shown as \uXXXX (also a valid JSON escape, for -j output).
_STREAM_ESCAPES = {
    code: f"\\u{code:04x}" for code in _ESCAPES if code not in (ord("\n"), ord("\t"))
}


class TerminalStream(io.TextIOBase):
    """stdout or stderr of the CLI: whatever reaches it with a control character (a server value
    someone forgot to pass through :func:`terminal_safe`) has it shown as ``\\uXXXX``, so nothing
    from a server is obeyed by the terminal (newlines and tabs pass). ``raw`` is the stream under
    it, for the CLI's own terminal codes (the progress line rewritten in place)."""

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(text if text.isprintable() else text.translate(_STREAM_ESCAPES))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        isatty = getattr(self.raw, "isatty", None)
        return bool(callable(isatty) and isatty())

    def fileno(self) -> int:
        return self.raw.fileno()

    def writable(self) -> bool:
        return True

    def close(self) -> None:  # the caller's stream stays open
        pass

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.raw, "encoding", None) or "utf-8")


def raw_stream(stream: TextIO) -> TextIO:
    """The stream under a :class:`TerminalStream` (``stream`` itself otherwise)."""
    raw: TextIO = getattr(stream, "raw", stream) if isinstance(stream, TerminalStream) else stream
    return raw


def as_json(item: Any, _depth: int = 0) -> Any:
    """The JSON value of a model, facade object, mapping or plain value."""
    model = getattr(item, "model", None)
    if model is not None and hasattr(model, "to_json"):
        item = model
    if hasattr(item, "to_json"):
        return item.to_json()
    if _depth > _MAX_DEPTH:
        return item  # already JSON data this deep (models are converted near the top)
    if isinstance(item, Mapping):
        return {str(k): as_json(v, _depth + 1) for k, v in item.items()}
    if isinstance(item, (list, tuple)):
        return [as_json(v, _depth + 1) for v in item]
    if isinstance(item, datetime):
        return item.isoformat()
    return item


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def field(record: Mapping[str, Any], name: str) -> Any:
    """A field of a JSON record by its JSON or Python name; ``a.b`` reaches into objects."""
    value: Any = record
    for part in name.split(".") if "." in name else (name,):
        if not isinstance(value, Mapping):
            return None
        if part in value:  # the name as the server spells it: no other spelling worked out
            value = value[part]
            continue
        for key in _spellings(part):
            if key in value:
                value = value[key]
                break
        else:
            return None
    return value


_SPELLINGS: dict[str, tuple[str, str]] = {}


def _spellings(name: str) -> tuple[str, str]:
    """``name`` in camelCase and snake_case (worked out once per name)."""
    found = _SPELLINGS.get(name)
    if found is None:
        found = _SPELLINGS[name] = (_camel(name), _snake(name))
    return found


def cell(value: Any, _depth: int = 0) -> str:
    """A value as table text, terminal-safe; nesting past a bound shows as ``...``."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, Mapping)) and _depth >= _MAX_DEPTH:
        return "..."
    if isinstance(value, (list, tuple)):
        return ",".join(cell(v, _depth + 1) for v in value) or "-"
    if isinstance(value, Mapping):
        return (
            ",".join(f"{terminal_safe(str(k))}={cell(v, _depth + 1)}" for k, v in value.items())
            or "-"
        )
    return terminal_safe(str(value))


def table(rows: Sequence[Sequence[str]], headers: Sequence[str], right: Iterable[int] = ()) -> str:
    """Aligned columns (``right``: the indexes of those aligned right, as triton's sizes)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    flush = [i in set(right) for i in range(len(headers))]
    lines = []
    for row in (list(headers), *rows):
        padded = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, flush, strict=True)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


_FIRST_RECORDS = 50  # whose keys a column name is checked against first


class ColumnError(ValueError):
    """``-o`` or ``-s`` named a field the listing does not have (the message lists those it has)."""


class Listing:
    """How a kind of record is listed: default and long (``-l``) columns, the default sort (``-s``),
    computed columns (triton's ``shortid``, ``img``, ``age``, ``flags``...) and the fields a
    record may have (for naming a mistyped ``-o`` column). (A plain class: ``smartdc`` starts
    without importing attrs.)"""

    __slots__ = ("_fields", "columns", "computed", "long", "right", "shown", "sort")

    def __init__(
        self,
        columns: tuple[str, ...],
        long: tuple[str, ...] = (),
        sort: tuple[str, ...] = (),
        computed: Mapping[str, Callable[[Mapping[str, Any]], Any]] | None = None,
        fields: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
        shown: Mapping[str, Callable[[Any], str]] | None = None,
        right: tuple[str, ...] = (),
    ) -> None:
        self.columns = columns
        self.long = long
        self.sort = sort
        self.computed: Mapping[str, Callable[[Mapping[str, Any]], Any]] = computed or {}
        # the model's fields, or what gives them when first needed (a column not in the answer)
        self._fields = fields
        # how a column's value is shown in a table (sorting still uses the value itself)
        self.shown: Mapping[str, Callable[[Any], str]] = shown or {}
        self.right = right

    @property
    def fields(self) -> tuple[str, ...]:
        if callable(self._fields):
            self._fields = self._fields()
        return self._fields

    def check(
        self,
        names: Sequence[str],
        what: str,
        seen: Callable[[int | None], Iterable[str]] = lambda limit: (),
    ) -> None:
        """Refuse names that are neither a computed column, a key the server sent (``seen()``:
        fields newer than the spec are shown too), nor a field of the model (looked up only
        for a name not in the answer)."""

        def base(name: str) -> str:
            return name.lstrip("-").split(".", 1)[0]

        def spelt(keys: Iterable[str]) -> set[str]:
            found = set(keys)
            return found | {_camel(n) for n in found} | {_snake(n) for n in found}

        unknown = [n for n in names if base(n) not in self.computed]
        if unknown:  # the keys of the first records answer for nearly every column
            sent = spelt(seen(_FIRST_RECORDS))
            unknown = [n for n in unknown if base(n) not in sent]
        if unknown:
            known = spelt(self.fields)
            unknown = [n for n in unknown if base(n) not in known]
        if unknown:  # a field newer than the spec, sent only by later records
            sent = spelt(seen(None))
            unknown = [n for n in unknown if base(n) not in sent]
        if unknown and self.fields:
            valid = ", ".join(sorted({*self.computed, *(_camel(n) for n in self.fields)}))
            raise ColumnError(f"unknown {what} {', '.join(unknown)}; valid: {valid}")


def sort_key(value: Any) -> tuple[int, Any]:
    """Sorts numbers as numbers, text as text, missing values last."""
    if value is None:
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))


class Printer:
    """Writes results in the form the command line asked for."""

    def __init__(
        self,
        out: TextIO,
        *,
        json_mode: bool = False,
        columns: str | None = None,
        header: bool = True,
        long: bool = False,
        sort: str | None = None,
    ):
        self.out = out
        self.json_mode = json_mode
        self.columns = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
        self.header = header
        self.long = long
        self.sort = [s.strip() for s in sort.split(",") if s.strip()] if sort else None

    def _columns(self, listing: Listing) -> list[str]:
        """The columns a table of ``listing`` shows: ``-o``, else ``-l``'s, else its own."""
        return self.columns or list(listing.long if self.long and listing.long else listing.columns)

    def shows(self, name: str, listing: Listing) -> bool:
        """Whether a table of ``listing`` shows or sorts by the field ``name`` (``-o``, ``-l``,
        ``-s``); JSON output (``-j``) shows no column."""
        if self.json_mode:
            return False
        return name in self._columns(listing) or name in (self.sort or listing.sort)

    def listing(self, items: Iterable[Any], listing: Listing, *, raw: bool = False) -> int:
        """A list as ``listing`` says (``-o``, ``-l``, ``-s``, ``-H``, computed columns); JSON
        lines with ``-j`` (the whole objects, as triton prints them, whatever ``-o`` says).
        ``raw``: the items are already JSON values (parsed answers, not models): used as they
        are, without a copy."""
        if self.json_mode:
            return self.records(items, listing.columns)
        columns = self._columns(listing)
        sort = self.sort or list(listing.sort)
        source = iter(items) if raw else (as_json(item) for item in items)
        # The first records are read to check the names against; the rest are made into rows as
        # they arrive (the next page is fetched meanwhile), so only the rows are kept.
        records = list(itertools.islice(source, _FIRST_RECORDS))

        def seen(limit: int | None) -> set[str]:
            if limit is None or limit > len(records):
                records.extend(source)  # a name only later records may have: all are read
            some = records if limit is None else records[:limit]
            return {key for record in some if isinstance(record, Mapping) for key in record}

        listing.check(columns, "column", seen)
        listing.check(sort, "sort field", seen)

        def value(record: Mapping[str, Any], name: str) -> Any:
            compute = listing.computed.get(name)
            return compute(record) if compute is not None else field(record, name)

        shown = listing.shown

        def text_of(record: Mapping[str, Any], name: str) -> str:
            found = value(record, name)
            show = shown.get(name)
            return show(found) if show is not None and found is not None else cell(found)

        keys = [name.lstrip("-") for name in sort]
        entries = [
            ([sort_key(value(record, key)) for key in keys], [text_of(record, c) for c in columns])
            for record in itertools.chain(records, source)
        ]
        for index in reversed(range(len(sort))):  # stable sorts, last key first
            entries.sort(key=lambda e: e[0][index], reverse=sort[index].startswith("-"))
        rows = [row for _, row in entries]
        right = [i for i, c in enumerate(columns) if c in listing.right]
        text = table(rows, [c.upper() for c in columns], right)
        if not self.header:
            text = text.split("\n", 1)[1] if "\n" in text else ""
        if text:
            self.line(text)
        return len(rows)

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def records(
        self,
        items: Iterable[Any],
        default_columns: Sequence[str],
        *,
        formatters: Mapping[str, Any] | None = None,
    ) -> int:
        """A list: one JSON object per line, or a table. Returns how many were printed."""
        count = 0
        if self.json_mode:
            for item in items:
                self.line(_json_line(as_json(item)))
                count += 1
            return count
        columns = self.columns or list(default_columns)
        rows = []
        for item in items:
            record = as_json(item)
            row = []
            for column in columns:
                fmt = (formatters or {}).get(column)
                value = fmt(record) if fmt is not None else field(record, column)
                row.append(cell(value))
            rows.append(row)
            count += 1
        self.line(table(rows, [c.upper() for c in columns]))
        return count

    def record(self, item: Any) -> None:
        """One object: a JSON line, chosen fields, or an aligned ``field  value`` listing."""
        data = as_json(item)
        if self.json_mode:
            self.line(_json_line(data))
            return
        if not isinstance(data, Mapping):
            self.line(cell(data))
            return
        if self.columns and len(self.columns) == 1:
            # one field: its bare value, for $(smartdc instance get web -o id)
            self.line(cell(field(data, self.columns[0])))
            return
        names = self.columns or list(data)
        rows = [[terminal_safe(str(name)), cell(field(data, name))] for name in names]
        width = max((len(r[0]) for r in rows), default=0)
        for name, value in rows:
            self.line(f"{name.ljust(width)}  {value}")

    def document(self, item: Any) -> None:
        """One object as triton's ``get`` commands print it: JSON indented by 4 (one line with
        ``-j``); ``-o`` picks fields as :meth:`record` does. Non-ASCII and control characters
        are escaped by JSON, so the text is terminal-safe."""
        if self.columns or self.json_mode:
            self.record(item)
            return
        try:
            self.line(json.dumps(as_json(item), indent=4, default=str))
        except RecursionError:
            from smartdc.errors import InvalidResponseError

            raise InvalidResponseError("the answer is nested too deeply to print as JSON") from None

    def mapping(self, data: Mapping[str, Any], headers: tuple[str, str]) -> None:
        """A name -> value map (tags, metadata, datacenters)."""
        if self.json_mode:
            self.line(_json_line(as_json(data)))
            return
        rows = [[terminal_safe(str(k)), cell(v)] for k, v in data.items()]
        self.line(table(rows, [h.upper() for h in headers]))


def _json_line(data: Any) -> str:
    """One JSON line (control characters escaped by JSON itself, so it is terminal-safe)."""
    try:
        return json.dumps(data, default=str)
    except RecursionError:
        from smartdc.errors import InvalidResponseError

        raise InvalidResponseError("the answer is nested too deeply to print as JSON") from None
