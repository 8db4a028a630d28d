"""Python source fragments for spec types: annotations, decode and encode expressions.

Decoding is straight-line code per model (no generic machinery on the hot path): each field is
checked and converted by one expression built here.
"""

from __future__ import annotations

import re
import textwrap

from codegen import ir
from codegen.typeexpr import TypeRef

_ANNOTATIONS = {
    "string": "str",
    "uuid": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "datetime": "datetime",
    "any": "Any",
    "object": "dict[str, Any]",
}
_DECODERS = {
    "string": "d_str",
    "uuid": "d_str",
    "integer": "d_int",
    "number": "d_num",
    "boolean": "d_bool",
    "datetime": "d_datetime",
    "object": "d_object",
}

# The exact JSON-decoded type passes inline (the hot path: no call); anything else goes to the
# d_* function, which accepts what it may (subclasses, integral floats) or raises naming the field.
_FAST_TYPES = {
    "string": "str",
    "uuid": "str",
    "integer": "int",
    "boolean": "bool",
    "object": "dict",
}


def _fast(value: str, exact: str, slow: str) -> str:
    return f"({value} if type({value}) is {exact} else {slow})"


class Types:
    """Knows which names are models and which enums, to render the right code for each."""

    def __init__(self, spec: ir.ApiSpec) -> None:
        self.models = set(spec.models)
        self.enums = set(spec.enums)

    def annotation(self, ref: TypeRef, *, param: bool = False) -> str:
        """The Python type of ``ref``: as a result (concrete ``list``/``dict``) or, with ``param``,
        as an argument (any ``Sequence``/``Mapping``, a model or its JSON form, an enum or str)."""
        if param and ref.kind == "object":
            return "Mapping[str, Any]"
        if ref.kind in _ANNOTATIONS:
            return _ANNOTATIONS[ref.kind]
        if ref.kind == "list":
            outer = "Sequence" if param else "list"
            return f"{outer}[{self.annotation(ref.args[0], param=param)}]"
        if ref.kind == "map":
            outer = "Mapping" if param else "dict"
            return f"{outer}[str, {self.annotation(ref.args[0], param=param)}]"
        if ref.kind == "union":
            return " | ".join(self.annotation(a, param=param) for a in ref.args)
        if param and ref.name in self.models:
            return f"{ref.name} | Mapping[str, Any]"
        if param and ref.name in self.enums:
            return f"{ref.name} | str"
        return ref.name

    def decode(self, ref: TypeRef, value: str, at: str, depth: int = 0) -> str:
        """An expression converting JSON ``value`` to ``ref``; ``at`` is a string literal."""
        if ref.kind == "any":
            return value
        if ref.kind in _FAST_TYPES:
            return _fast(value, _FAST_TYPES[ref.kind], f"{_DECODERS[ref.kind]}({value}, {at})")
        if ref.kind in _DECODERS:
            return f"{_DECODERS[ref.kind]}({value}, {at})"
        item = f"x{depth}"
        if ref.kind == "list":
            inner = self.decode(ref.args[0], item, at, depth + 1)
            checked = _fast(value, "list", f"d_list({value}, {at})")
            if inner == item:
                return checked
            return f"[{inner} for {item} in {checked}]"
        if ref.kind == "map":
            inner = self.decode(ref.args[0], item, at, depth + 1)
            checked = _fast(value, "dict", f"d_object({value}, {at})")
            if inner == item:
                return checked
            return f"{{k{depth}: {inner} for k{depth}, {item} in {checked}.items()}}"
        if ref.kind == "union":
            options = ", ".join(
                f"lambda {item}: {self.decode(a, item, at, depth + 1)}" for a in ref.args
            )
            general = f'cast("{self.annotation(ref)}", d_union({value}, {at}, {options}))'
            first = ref.args[0]
            if first.kind in _FAST_TYPES:
                # the first option wins in d_union too, so its exact type may skip the tries
                return _fast(value, _FAST_TYPES[first.kind], general)
            return general
        if ref.name in self.enums:
            return f"d_enum({ref.name}, {value}, {at})"
        return f"{ref.name}.from_json({value})"

    def field_decoder(self, ref: TypeRef) -> str:
        """A callable ``(value, at)`` for the tolerant path: a d_* function or a small lambda."""
        if ref.kind == "any":
            return "d_any"
        if ref.kind in _DECODERS:
            return _DECODERS[ref.kind]
        return f"lambda v, at: {self.decode(ref, 'v', 'at')}"

    def encode(self, ref: TypeRef, value: str, depth: int = 0) -> str:
        """An expression converting a Python value of ``ref`` back to JSON data."""
        if ref.kind in ("string", "uuid", "integer", "number", "boolean", "any", "object"):
            return value
        if ref.kind == "datetime":
            return f"e_datetime({value})"
        item = f"x{depth}"
        if ref.kind == "list":
            inner = self.encode(ref.args[0], item, depth + 1)
            return value if inner == item else f"[{inner} for {item} in {value}]"
        if ref.kind == "map":
            inner = self.encode(ref.args[0], item, depth + 1)
            if inner == item:
                return value
            return f"{{k{depth}: {inner} for k{depth}, {item} in {value}.items()}}"
        return f"e_value({value})"

    def mentions(self, ref: TypeRef) -> set[str]:
        return set(ref.named_refs())

    def uses_datetime(self, ref: TypeRef) -> bool:
        if ref.kind == "datetime":
            return True
        return any(self.uses_datetime(a) for a in ref.args)


def meta_type(ref: TypeRef) -> str:
    """The nested-tuple form of a type for the runtime metadata (see smartdc.runtime.meta)."""
    if ref.kind in ("list", "map"):
        return f'("{ref.kind}", {meta_type(ref.args[0])})'
    if ref.kind == "union":
        return '("union", ' + ", ".join(meta_type(a) for a in ref.args) + ")"
    return f'"{ref.name or ref.kind}"'


def docstring(text: str, indent: int = 4, width: int = 96) -> str:
    """Text safe inside triple quotes, wrapped, each paragraph kept."""
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    pad = " " * indent
    paragraphs = [p.strip() for p in safe.split("\n\n") if p.strip()]
    wrapped = [
        textwrap.fill(
            " ".join(p.split()), width=width - indent, initial_indent="", subsequent_indent=pad
        )
        for p in paragraphs
    ]
    return ("\n\n" + pad).join(wrapped)


def first_sentence(text: str) -> str:
    """The first sentence of a text's first paragraph, its lines joined (for one-line summaries)."""
    paragraph = " ".join(str(text).strip().split("\n\n")[0].split())
    found = re.search(r"[.!?](?=\s+[A-Z`(]|$)", paragraph)
    return paragraph[: found.end()] if found else paragraph


def literal(value: object) -> str:
    return repr(value)
