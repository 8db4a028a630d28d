"""Playing an older CloudAPI release: what a server of a given version routes, reads and answers.

The facts are the spec's ``since`` data (``smartdc.testing.spec_since``, written by codegen): a
server older than an operation does not route it; older than a request parameter, it does not
read it (the parameter is dropped before the handler sees it); older than an answered field, it
does not send it (the field is taken out of the answer); older than a behaviour change
(``CHANGES``), it behaves as before (``Release.has``). Nothing here names an operation or field.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from typing import Any

import attrs

from smartdc.testing import spec_since
from smartdc.testing.router import ApiError

Version = tuple[int, int, int]
OLDEST = "9.0.0"  # the spec's since facts start here: older servers are not described


class UnknownRelease(ValueError):
    """The version is not one this simulator can play."""


def parse_release(text: str) -> Version:
    found = re.fullmatch(r"(\d{1,4})\.(\d{1,4})\.(\d{1,4})", text.strip())
    if not found:
        raise UnknownRelease(f"{text!r} is not a CloudAPI version such as 9.15.0")
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


@attrs.frozen
class _Operation:
    name: str
    method: str
    path: str
    pattern: re.Pattern[str]
    fixed_query: tuple[tuple[str, str], ...]
    hidden: bool
    params: frozenset[str]  # wire names the release does not read
    fields: tuple[tuple[str, ...], ...]  # answer paths the release does not send


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", path)
    regex = "".join("[^/]+" if re.fullmatch(r"\{\w+\}", p) else re.escape(p) for p in parts)
    return re.compile(f"{regex}/?")


class Release:
    """A CloudAPI server version the simulator answers as (the newest by default)."""

    def __init__(self, version: str = spec_since.SERVER_VERSION) -> None:
        self.version = version
        key = parse_release(version)
        if not parse_release(OLDEST) <= key <= parse_release(spec_since.SERVER_VERSION):
            raise UnknownRelease(
                f"CloudAPI {version} cannot be played: the spec describes {OLDEST} to"
                f" {spec_since.SERVER_VERSION}"
            )

        def later(since: str | None) -> bool:
            return since is not None and parse_release(since) > key

        self._changes = {name for name, since in spec_since.CHANGES.items() if not later(since)}
        self._later_headers = {h for h, since in spec_since.HEADERS.items() if later(since)}
        self._later_values = {
            (enum, value)
            for enum, pairs in spec_since.VALUES.items()
            for value, since in pairs
            if later(since)
        }
        self._operations: list[_Operation] = []
        self._routed: dict[tuple[str, str], list[_Operation]] = {}
        for name, (method, path, fixed, since, params, fields) in spec_since.OPERATIONS.items():
            op = _Operation(
                name,
                method,
                path,
                _pattern(path),
                fixed,
                later(since),
                frozenset(wire for wire, s in params if later(s)),
                tuple(p for p, s in fields if later(s)),
            )
            self._routed.setdefault((method, path), []).append(op)
            if op.hidden or op.params or op.fields:
                self._operations.append(op)
        # a fixed ?action= form is more specific than the plain route of the same path
        self._operations.sort(key=lambda o: -len(o.fixed_query))

    @property
    def newest(self) -> bool:
        return not self._operations and self._changes == set(spec_since.CHANGES)

    def sends_header(self, name: str) -> bool:
        """Whether this release sets a response header (Triton-Datacenter-Name from 9.2.0)."""
        return name not in self._later_headers

    def knows(self, enum: str, value: str) -> bool:
        """Whether this release has a value of the spec's enum (``finalize`` came in 9.8.1)."""
        return (enum, value) not in self._later_values

    def has(self, change: str) -> bool:
        """Whether this release has a behaviour change of the spec's ``changes:``."""
        if change not in spec_since.CHANGES:
            raise KeyError(f"the spec names no change {change!r}")
        return change in self._changes

    def operation(
        self, method: str, path: str, query: Mapping[str, str], body: Any
    ) -> _Operation | None:
        """The operation of a request, when this release differs from the newest for it."""
        method = "GET" if method == "HEAD" else method  # HEAD forms answer as their GET
        for op in self._operations:
            if op.method != method or not op.pattern.fullmatch(path):
                continue
            if all(_given(k, query, body) == v for k, v in op.fixed_query):
                return op
        return None

    def refuse_unrouted(self, op: _Operation | None, path: str, query: Mapping[str, str]) -> None:
        """An operation newer than the release: answered as its code answers an unknown route
        (restify's 404) or, for an ``?action=`` form, an unknown action (409)."""
        if op is None or not op.hidden:
            return
        siblings = [o for o in self._routed[(op.method, op.path)] if o is not op]
        if op.fixed_query and any(not o.hidden for o in siblings):
            action = ", ".join(v for _, v in op.fixed_query)
            raise ApiError(409, "InvalidArgument", f"{action} is not a valid action")
        raise ApiError(404, "ResourceNotFound", f"{path} does not exist")

    @staticmethod
    def unread(op: _Operation | None, query: dict[str, str], body: Any) -> None:
        """Drops the parameters the release does not read, in place."""
        if op is None or not op.params:
            return
        for name in op.params:
            query.pop(name, None)
            if isinstance(body, dict):
                body.pop(name, None)

    @staticmethod
    def unsent(op: _Operation | None, answer: Any) -> Any:
        """The answer without the fields the release does not send."""
        if op is None or not op.fields or not isinstance(answer, (dict, list)):
            return answer
        answer = copy.deepcopy(answer)  # handlers may answer with the stored objects themselves
        for path in op.fields:
            _drop(answer, path)
        return answer


@functools.cache
def release_of(version: str) -> Release:
    """The :class:`Release` of a version (built once: the facts never change at run time)."""
    return Release(version)


def _given(name: str, query: Mapping[str, str], body: Any) -> Any:
    if isinstance(body, dict) and name in body:
        return body[name]
    return query.get(name)


def _drop(value: Any, path: tuple[str, ...]) -> None:
    if not path:
        return
    step, rest = path[0], path[1:]
    if step == spec_since.ANY_ITEM:
        children = value if isinstance(value, list) else []
    elif step == spec_since.ANY_VALUE:
        children = list(value.values()) if isinstance(value, dict) else []
    elif not rest:
        if isinstance(value, dict):
            value.pop(step, None)
        return
    else:
        children = [value[step]] if isinstance(value, dict) and step in value else []
    for child in children:
        _drop(child, rest)
