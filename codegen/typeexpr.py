"""Type expressions of the spec (``list[Nic]``, ``map[any]``, ``integer|string``) as a small AST."""

from __future__ import annotations

import attrs

PRIMITIVES = ("string", "integer", "number", "boolean", "uuid", "datetime", "any", "object")


class TypeSyntaxError(ValueError):
    pass


@attrs.frozen
class TypeRef:
    """``kind`` is a primitive name, ``list``, ``map``, ``union``, or ``named`` (model or enum)."""

    kind: str
    args: tuple[TypeRef, ...] = ()
    name: str = ""

    def named_refs(self) -> list[str]:
        if self.kind == "named":
            return [self.name]
        return [n for arg in self.args for n in arg.named_refs()]

    def __str__(self) -> str:
        if self.kind in ("list", "map"):
            return f"{self.kind}[{self.args[0]}]"
        if self.kind == "union":
            return "|".join(str(a) for a in self.args)
        return self.name or self.kind


def parse_type(text: str) -> TypeRef:
    """Parse a type expression; raises TypeSyntaxError naming what is wrong."""
    source = text.replace(" ", "")
    if not source:
        raise TypeSyntaxError("empty type expression")
    ref, rest = _parse_union(source, text)
    if rest:
        raise TypeSyntaxError(f"unexpected {rest!r} in type {text!r}")
    return ref


def _parse_union(source: str, whole: str) -> tuple[TypeRef, str]:
    options = []
    ref, rest = _parse_single(source, whole)
    options.append(ref)
    while rest.startswith("|"):
        ref, rest = _parse_single(rest[1:], whole)
        options.append(ref)
    if len(options) == 1:
        return options[0], rest
    return TypeRef("union", tuple(options)), rest


def _parse_single(source: str, whole: str) -> tuple[TypeRef, str]:
    for wrapper in ("list", "map"):
        if source.startswith(wrapper + "["):
            inner, rest = _parse_union(source[len(wrapper) + 1 :], whole)
            if not rest.startswith("]"):
                raise TypeSyntaxError(f"missing ']' in type {whole!r}")
            return TypeRef(wrapper, (inner,)), rest[1:]
    end = 0
    while end < len(source) and (source[end].isalnum() or source[end] == "_"):
        end += 1
    word = source[:end]
    if not word:
        raise TypeSyntaxError(f"expected a type name in {whole!r}")
    if word in PRIMITIVES:
        return TypeRef(word), source[end:]
    if not word[0].isupper():
        raise TypeSyntaxError(
            f"unknown type {word!r} in {whole!r} (models and enums are PascalCase)"
        )
    return TypeRef("named", name=word), source[end:]
