"""A small reader of the server's JavaScript: tokens, functions, restify routes and what they touch.

Not a JavaScript parser: a tokenizer (comments, strings, template literals, regular expressions)
and bracket matching, enough to find in node.js source written as sdc-cloudapi writes it

* functions: ``function name(...) {...}``, ``name = function (...) {...}``, ``name: function``;
* restify route registrations: ``<server>.get|post|put|del|head|patch({path, name, version}, ...)``;
* per function: the request parameters read (``req.params.x``, ``req.params['x']``, an alias
  ``var p = req.params; p.x``, ``req.query.x``, ``req.body.x``), the functions called, the
  errors raised with their messages, the keys of the object it builds and returns, and the keys
  assigned on other objects (``network.suffixes = ...``).

What the reader cannot place is kept as a :class:`Problem`, never dropped: the caller reports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

ROUTE_METHODS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "del": "DELETE",
    "head": "HEAD",
    "patch": "PATCH",
    "opts": "OPTIONS",
}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<template>`)
  | (?P<number>\d[\w.]*|\.\d[\w]*)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<punct>===|!==|==|!=|<=|>=|&&|\|\||\+\+|--|=>|\.\.\.|[-+*/%=<>!&|^~?:;,.(){}\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "&&", "||", "=>"}
_LITERALS = {"undefined", "null", "true", "false", "this"}
_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")


@attrs.frozen
class Token:
    kind: str  # name | string | number | punct | template | regex
    text: str
    line: int

    @property
    def value(self) -> str:
        """A string literal's text without quotes (escapes kept as written)."""
        if self.kind == "string":
            return self.text[1:-1]
        return self.text


@attrs.frozen
class Problem:
    file: str
    line: int
    what: str


class ReadError(ValueError):
    """The text cannot be tokenized (an unterminated string or comment)."""


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line, end = 0, 1, len(text)
    while pos < end:
        if text[pos] == "/" and not text.startswith(("//", "/*"), pos):
            previous = tokens[-1].text if tokens else "("
            if previous in _REGEX_AFTER:
                found = _REGEX.match(text, pos)
                if found:
                    tokens.append(Token("regex", found.group(), line))
                    pos = found.end()
                    continue
        if text[pos] == "`":
            close = _template_end(text, pos)
            literal = text[pos : close + 1]
            tokens.append(Token("template", literal, line))
            # the ${...} expressions are code: their tokens follow, wrapped in parentheses
            for expression in _template_expressions(literal):
                tokens.append(Token("punct", "(", line))
                tokens += [attrs.evolve(t, line=line) for t in tokenize(expression)]
                tokens.append(Token("punct", ")", line))
            line += text.count("\n", pos, close + 1)
            pos = close + 1
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ReadError(f"line {line}: cannot read {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        if kind not in ("space", "line_comment", "block_comment"):
            tokens.append(Token(kind, match.group(), line))
        line += match.group().count("\n")
        pos = match.end()
    return tokens


def _template_expressions(literal: str) -> list[str]:
    found: list[str] = []
    pos = 0
    while True:
        start = literal.find("${", pos)
        if start < 0:
            return found
        depth, end = 0, start + 2
        while end < len(literal):
            if literal[end] == "{":
                depth += 1
            elif literal[end] == "}":
                if depth == 0:
                    break
                depth -= 1
            end += 1
        found.append(literal[start + 2 : end])
        pos = end + 1


def _template_end(text: str, start: int) -> int:
    pos, depth = start + 1, 0
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if depth == 0 and char == "`":
            return pos
        if text.startswith("${", pos):
            depth += 1
            pos += 2
            continue
        if depth and char == "}":
            depth -= 1
        pos += 1
    raise ReadError("unterminated template literal")


def matching(tokens: list[Token], open_at: int) -> int:
    """The index of the bracket closing the one at ``open_at``."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    opener = tokens[open_at].text
    closer, depth = pairs[opener], 0
    for index in range(open_at, len(tokens)):
        text = tokens[index].text
        if tokens[index].kind != "punct":
            continue
        if text in pairs:
            depth += 1
        elif text in pairs.values():
            depth -= 1
            if depth == 0:
                if text != closer:
                    raise ReadError(f"line {tokens[index].line}: {text} closes {opener}")
                return index
    raise ReadError(f"line {tokens[open_at].line}: {opener} is never closed")


@attrs.define
class Function:
    """A named function: where its body is, and what the reader found in it."""

    file: str
    name: str  # dotted for a function named inside another: translate.parseDisks
    line: int
    start: int  # index of the body's "{"
    end: int  # index of the body's "}"
    params: tuple[str, ...]
    parent: str | None = None
    assigned_to: str | None = None  # the key of the parent's object it fills (msg.disks = ...)
    reads: set[str] = attrs.Factory(set)  # request parameters: "x" (params), "query.x", "body.x"
    calls: set[str] = attrs.Factory(set)  # names called (last part of a member call)
    errors: set[str] = attrs.Factory(set)  # "InvalidArgumentError: message"
    builds: list[str] | None = None  # keys of the object it returns, when it returns one
    assigns: set[str] = attrs.Factory(set)  # "var.key" set on objects other than req/res
    from_builders: dict[str, str] = attrs.Factory(dict)  # var -> builder function it came from
    copies: bool = False  # the object it returns starts as a copy of another (deepCopy(entry))
    loops_over: str | None = None  # ARRAY for a callback of ``ARRAY.forEach(function (k) ...)``
    text: str = ""  # normalized tokens, for telling a changed body from an unchanged one

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@attrs.define
class Route:
    file: str
    line: int
    method: str
    path: str
    name: str
    versions: tuple[str, ...]  # the route's own `version:` list (empty: the server's)
    handlers: list[str]  # names of the handler functions, in order (inline ones as file-local)


@attrs.define
class SourceFile:
    path: str
    tokens: list[Token]
    functions: list[Function]
    routes: list[Route]
    problems: list[Problem]
    top_level: dict[str, str]  # top-level statement key -> normalized text (constants, tables)
    requires: dict[str, str]  # local name -> tree file it was required from


def _function_at(tokens: list[Token], index: int) -> tuple[str | None, int] | None:
    """At a ``function`` keyword: (its own name or None, index of its parameter list "(")."""
    after = index + 1
    if after < len(tokens) and tokens[after].kind == "name":
        return tokens[after].text, after + 1
    if after < len(tokens) and tokens[after].text == "(":
        return None, after
    return None


def _arrow_at(tokens: list[Token], index: int) -> tuple[int, int, int, str | None] | None:
    """At the start of ``(a, b) => {`` or ``a => {``: (params start, params end, body "{", the
    name it is bound to)."""
    t = tokens[index]
    if t.text == "(" and t.kind == "punct":
        try:
            close = matching(tokens, index)
        except ReadError:
            return None
        start = index
    elif t.kind == "name":
        close = start = index
    else:
        return None
    if close + 2 >= len(tokens) or tokens[close + 1].text != "=>" or tokens[close + 2].text != "{":
        return None
    name = _binding_name(tokens, start)
    return start, close, close + 2, name


def _binding_name(tokens: list[Token], index: int) -> str | None:
    """The name a function expression at ``index`` is bound to: ``x = function``, ``x: function``,
    ``obj.x = function``."""
    if (
        index >= 2
        and tokens[index - 1].text in ("=", ":")
        and tokens[index - 2].kind
        in (
            "name",
            "string",
        )
    ):
        return tokens[index - 2].value
    return None


def read_source(path: str, text: str) -> SourceFile:
    problems: list[Problem] = []
    try:
        tokens = tokenize(text)
    except ReadError as exc:
        return SourceFile(path, [], [], [], [Problem(path, 0, f"not read: {exc}")], {}, {})
    functions: list[Function] = []
    stack: list[Function] = []
    index = 0
    while index < len(tokens):
        while stack and index > stack[-1].end:
            stack.pop()
        token = tokens[index]
        arrow = _arrow_at(tokens, index)
        if arrow is not None:
            paren, close, body, name = arrow
            try:
                end = matching(tokens, body)
            except ReadError as exc:
                problems.append(Problem(path, token.line, f"arrow function not read: {exc}"))
                index += 1
                continue
            parent = stack[-1] if stack else None
            label = name or _anonymous(functions, stack)
            full = f"{parent.name}.{label}" if parent is not None else label
            params = tuple(t.text for t in tokens[paren : close + 1] if t.kind == "name")
            fn = Function(
                path, full, token.line, body, end, params, parent.name if parent else None
            )
            functions.append(fn)
            stack.append(fn)
            index = body + 1
            continue
        if token.kind == "name" and token.text == "function":
            header = _function_at(tokens, index)
            if header is not None:
                own, paren = header
                try:
                    close = matching(tokens, paren)
                    body = close + 1
                    while body < len(tokens) and tokens[body].text != "{":
                        body += 1
                    end = matching(tokens, body)
                except (ReadError, IndexError) as exc:
                    problems.append(Problem(path, token.line, f"function not read: {exc}"))
                    index += 1
                    continue
                name = own or _binding_name(tokens, index)
                params = tuple(t.text for t in tokens[paren + 1 : close] if t.kind == "name")
                parent = stack[-1] if stack else None
                if name is None:
                    name = _anonymous(functions, stack)
                full = f"{parent.name}.{name}" if parent is not None else name
                fn = Function(
                    path, full, token.line, body, end, params, parent.name if parent else None
                )
                fn.assigned_to = _filled_key(tokens, index)
                fn.loops_over = _loop_array(tokens, index)
                functions.append(fn)
                stack.append(fn)
                index = paren
        index += 1
    arrays = _constant_arrays(tokens)
    # nested functions first: a builder nested in another (parseDisks) is known before its parent
    for fn in sorted(functions, key=lambda f: -f.name.count(".")):
        _scan(tokens, fn, functions, arrays)
    routes = list(_routes(path, tokens, functions, problems))
    return SourceFile(
        path, tokens, functions, routes, problems, _top_level(tokens), _requires(tokens, path)
    )


def _anonymous(functions: list[Function], stack: list[Function]) -> str:
    """A name for an unnamed function: its rank among its parent's unnamed ones (stable when
    lines move, unlike a line number)."""
    parent = stack[-1].name if stack else None
    rank = sum(1 for f in functions if f.parent == parent and f.short.startswith("<anonymous"))
    return f"<anonymous#{rank + 1}>"


def _requires(tokens: list[Token], path: str) -> dict[str, str]:
    """``var x = require('./y')``: x -> the tree file it names (lib/y.js)."""
    found: dict[str, str] = {}
    base = path.rsplit("/", 1)[0] if "/" in path else ""
    for i in range(len(tokens) - 5):
        if (
            tokens[i].kind == "name"
            and tokens[i + 1].text == "="
            and tokens[i + 2].text == "require"
            and tokens[i + 3].text == "("
            and tokens[i + 4].kind == "string"
            and tokens[i + 4].value.startswith(".")
        ):
            parts = [p for p in base.split("/") if p]
            for part in tokens[i + 4].value.split("/"):
                if part == "..":
                    parts = parts[:-1]
                elif part not in (".", ""):
                    parts.append(part)
            target = "/".join(parts)
            found[tokens[i].text] = target if target.endswith(".js") else f"{target}.js"
    return found


def _filled_key(tokens: list[Token], index: int) -> str | None:
    """For ``msg.disks = machine.disks.map(function parseDisks(...`` the key ``disks``."""
    back = index - 1
    depth = 0
    while back >= 0:
        text = tokens[back].text
        if text == ")":
            depth += 1
        elif text == "(":
            if depth == 0:
                # skip the callee (a.b.map) back to the "="
                probe = back - 1
                while probe >= 1 and (tokens[probe].kind == "name" or tokens[probe].text == "."):
                    probe -= 1
                if tokens[probe].text == "=" and probe >= 2 and tokens[probe - 2].text == ".":
                    return tokens[probe - 1].text
                return None
            depth -= 1
        elif text in (";", "{", "}"):
            return None
        back -= 1
    return None


def _loop_array(tokens: list[Token], index: int) -> str | None:
    """For the ``function`` keyword of ``NAME.forEach(function (k) {`` the array's name."""
    if (
        index >= 4
        and tokens[index - 1].text == "("
        and tokens[index - 2].text == "forEach"
        and tokens[index - 3].text == "."
        and tokens[index - 4].kind == "name"
        and not (index >= 5 and tokens[index - 5].text == ".")
    ):
        return tokens[index - 4].text
    return None


def _own_ranges(fn: Function, functions: list[Function]) -> list[tuple[int, int]]:
    """The token ranges of a function's body without the functions nested in it."""
    inner = sorted(
        (f.start, f.end) for f in functions if f.parent == fn.name and fn.start < f.start < fn.end
    )
    ranges, cursor = [], fn.start + 1
    for start, end in inner:
        # the nested function's header (function name(args)) stays with the parent
        ranges.append((cursor, start))
        cursor = end + 1
    ranges.append((cursor, fn.end))
    return ranges


def _scan(
    tokens: list[Token], fn: Function, functions: list[Function], arrays: dict[str, list[str]]
) -> None:
    aliases: set[str] = set()
    texts: list[str] = []
    for start, end in _own_ranges(fn, functions):
        for i in range(start, end):
            t = tokens[i]
            texts.append(t.text)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            # var p = req.params;
            if (
                t.text == "="
                and i >= 1
                and tokens[i - 1].kind == "name"
                and _member_chain(tokens, i + 1) == ["req", "params"]
                and tokens[i + 4].text in (";", ",")
            ):
                aliases.add(tokens[i - 1].text)
            if t.kind == "name" and nxt is not None and nxt.text in (".", "["):
                if i >= 1 and tokens[i - 1].text == ".":
                    continue
                chain = _member_chain(tokens, i)
                keys = _looped_keys(tokens, i, chain, fn, arrays)
                if keys is not None and (chain == ["req", "params"] or chain[0] in aliases):
                    # ARRAY.forEach(function (k) { ... req.params[k] ... }): each of ARRAY
                    fn.reads.update(keys)
                elif chain[-1:] == ["hasOwnProperty"] and (
                    chain[:2] == ["req", "params"] or chain[0] in aliases
                ):
                    # req.params.hasOwnProperty('x') reads x; with a variable, nothing known
                    arg = i + 2 * len(chain) - 1
                    if tokens[arg].text == "(" and tokens[arg + 1].kind == "string":
                        fn.reads.add(tokens[arg + 1].value)
                elif len(chain) >= 3 and chain[0] == "req" and chain[1] == "params":
                    fn.reads.add(chain[2])
                elif len(chain) >= 3 and chain[0] == "req" and chain[1] in ("query", "body"):
                    fn.reads.add(f"{chain[1]}.{chain[2]}")
                elif len(chain) >= 2 and chain[0] in aliases:
                    fn.reads.add(chain[1])
                elif len(chain) == 2 and chain[0] not in ("req", "res", "this"):
                    after = _after_chain(tokens, i)
                    if after is not None and tokens[after].text == "=":
                        fn.assigns.add(f"{chain[0]}.{chain[1]}")
            if t.kind == "name" and nxt is not None and nxt.text == "(" and t.text != "function":
                if i >= 2 and tokens[i - 1].text == "." and tokens[i - 2].kind == "name":
                    # a module's function (resources.getRoleTags): resolved through require()
                    if not (i >= 3 and tokens[i - 3].text == "."):
                        fn.calls.add(f"{tokens[i - 2].text}.{t.text}")
                elif not (i >= 1 and tokens[i - 1].text in ("function", ".")):
                    fn.calls.add(t.text)
                    # x = translateFoo(...)
                    if i >= 2 and tokens[i - 1].text == "=" and tokens[i - 2].kind == "name":
                        fn.from_builders[tokens[i - 2].text] = t.text
            # a function handed over by name: list.map(translate), vasync's func: resolveSuffix
            if (
                t.kind == "name"
                and i >= 1
                and tokens[i - 1].text in ("(", ",", ":")
                and nxt is not None
                and nxt.text in (")", ",", "}")
                and t.text not in _LITERALS
            ):
                fn.calls.add(t.text)
            if (
                t.text == "new"
                and nxt is not None
                and nxt.kind == "name"
                and nxt.text.endswith("Error")
                and i + 2 < len(tokens)
                and tokens[i + 2].text == "("
            ):
                fn.errors.add(f"{nxt.text}: {_message(tokens, i + 2)}")
    fn.text = " ".join(texts)
    _element_reads(tokens, fn, aliases)
    _builds(tokens, fn, functions, arrays)


def _looped_keys(
    tokens: list[Token], i: int, chain: list[str], fn: Function, arrays: dict[str, list[str]]
) -> list[str] | None:
    """``req.params[k]`` in a callback of ``ARRAY.forEach(function (k)``: the strings of ARRAY."""
    after = i + 2 * len(chain) - 1
    if (
        fn.loops_over in arrays
        and fn.params
        and after + 2 < len(tokens)
        and tokens[after].text == "["
        and tokens[after + 1].text == fn.params[0]
        and tokens[after + 2].text == "]"
    ):
        skipped = _skipped_keys(tokens, fn.start, fn.end, fn.params[0])
        return [k for k in arrays[fn.loops_over or ""] if k not in skipped]
    return None


def _skipped_keys(tokens: list[Token], start: int, end: int, var: str) -> set[str]:
    """In a loop callback's body, the values it leaves at once:
    ``if (p === 'uuid') { return; }`` (or ``|| p === 'x'``, or ``return;`` without braces)."""
    skipped: set[str] = set()
    for i in range(start + 1, end):
        if tokens[i].text != "if" or tokens[i + 1].text != "(":
            continue
        try:
            close = matching(tokens, i + 1)
        except ReadError:
            continue
        cond = tokens[i + 2 : close]
        names: set[str] = set()
        for j in range(0, len(cond), 4):
            part = cond[j : j + 4]
            if (
                len(part) >= 3
                and part[0].text == var
                and part[1].text in ("===", "==")
                and part[2].kind == "string"
                and (len(part) == 3 or part[3].text == "||")
            ):
                names.add(part[2].value)
            else:
                names = set()
                break
        after = [t.text for t in tokens[close + 1 : close + 5]]
        if names and (after[:2] == ["return", ";"] or after[:3] == ["{", "return", ";"]):
            skipped |= names
    return skipped


def _element_reads(tokens: list[Token], fn: Function, aliases: set[str]) -> None:
    """Keys read on the items of an array parameter: ``var disks = req.params.disks``, then
    ``disks.forEach(function (disk) { disk.block_size ... disk.hasOwnProperty('x') })`` reads
    ``disks[].block_size`` and ``disks[].x`` (in the function and the callbacks inside it)."""
    holders: dict[str, str] = {}  # variable -> the parameter it holds
    items: dict[str, str] = {}  # callback argument -> "param[]"
    for i in range(fn.start + 1, fn.end):
        t = tokens[i]
        if t.text == "=" and tokens[i - 1].kind == "name":
            chain = _member_chain(tokens, i + 1)
            if len(chain) == 3 and chain[:2] == ["req", "params"]:
                holders[tokens[i - 1].text] = chain[2]
            elif len(chain) == 2 and chain[0] in aliases:
                holders[tokens[i - 1].text] = chain[1]
        if (
            t.kind == "name"
            and t.text in holders
            and tokens[i + 1].text == "."
            and tokens[i + 2].text in ("forEach", "map", "filter", "some", "every")
            and tokens[i + 3].text == "("
            and tokens[i + 4].text == "function"
        ):
            paren = i + 5 if tokens[i + 5].text == "(" else i + 6
            if tokens[paren + 1].kind == "name":
                items[tokens[paren + 1].text] = f"{holders[t.text]}[]"
        if t.kind == "name" and t.text in items and tokens[i + 1].text == ".":
            if i >= 1 and tokens[i - 1].text == ".":
                continue
            key = tokens[i + 2].text
            if key == "hasOwnProperty" and tokens[i + 4].kind == "string":
                fn.reads.add(f"{items[t.text]}.{tokens[i + 4].value}")
            elif tokens[i + 2].kind == "name" and tokens[i + 3].text != "=":
                fn.reads.add(f"{items[t.text]}.{key}")


def _builds(
    tokens: list[Token], fn: Function, functions: list[Function], arrays: dict[str, list[str]]
) -> None:
    """The keys of the object the function returns: ``var msg = {...}`` and ``msg.x = ...`` (also
    in its callbacks), ``msg[p] = ...`` for ``CONST.forEach(function (p)``, ``return {...}``."""
    returned: str | None = None
    built: dict[str, list[str]] = {}
    loops: dict[str, str] = {}  # loop variable -> constant array it runs over
    skips: dict[str, set[str]] = {}  # loop variable -> the array's strings its callback skips
    for start, end in _own_ranges(fn, functions):
        for i in range(start, end):
            t = tokens[i]
            if t.text == "return" and i + 1 < len(tokens):
                j = i + 1
                while tokens[j].text == "(":
                    j += 1
                if tokens[j].text == "{" and j == i + 1:
                    built["<returned>"] = _object_keys(tokens, j)
                    returned = "<returned>"
                elif tokens[j].kind == "name" and tokens[j + 1].text in (";", ")"):
                    returned = tokens[j].text
    if returned is None:
        return
    for i in range(fn.start + 1, fn.end):
        t = tokens[i]
        nested = next((f for f in functions if f.start < i < f.end and f.parent == fn.name), None)
        if nested is not None and nested.builds is not None:
            continue  # a nested builder of its own (parseDisks) fills another object
        if (
            t.kind == "name"
            and t.text in arrays
            and tokens[i + 1].text == "."
            and tokens[i + 2].text == "forEach"
            and tokens[i + 4].text == "function"
        ):
            paren = i + 5 if tokens[i + 5].text == "(" else i + 6
            if tokens[paren + 1].kind == "name":
                loops[tokens[paren + 1].text] = t.text
                body = paren
                while body < fn.end and tokens[body].text != "{":
                    body += 1
                try:
                    skips[tokens[paren + 1].text] = _skipped_keys(
                        tokens, body, matching(tokens, body), tokens[paren + 1].text
                    )
                except ReadError:
                    pass
        if (
            t.text == "="
            and tokens[i - 1].text == returned
            and tokens[i - 2].text in ("var", "let", "const")
            and tokens[i + 1].text != "{"
            and any(tokens[j].text in fn.params for j in range(i + 1, min(i + 12, fn.end)))
        ):
            # var obj = jsprim.deepCopy(entry): every key of the input passes through
            fn.copies = True
        if (
            t.text == "{"
            and i >= 2
            and tokens[i - 1].text == "="
            and tokens[i - 2].text == returned
        ):
            built.setdefault(returned, []).extend(_object_keys(tokens, i))
        if t.kind == "name" and t.text == returned and not (i >= 1 and tokens[i - 1].text == "."):
            chain = _member_chain(tokens, i)
            after = _after_chain(tokens, i)
            if len(chain) == 2 and after is not None and tokens[after].text == "=":
                built.setdefault(returned, []).append(chain[1])
            elif (
                tokens[i + 1].text == "["
                and tokens[i + 2].kind == "name"
                and tokens[i + 3].text == "]"
                and tokens[i + 4].text == "="
            ):
                key = tokens[i + 2].text
                if key in loops:
                    skipped = skips.get(key, set())
                    built.setdefault(returned, []).extend(
                        k for k in arrays[loops[key]] if k not in skipped
                    )
                else:
                    built.setdefault(returned, []).append(f"[{key}]")
    if returned in built:
        fn.builds = sorted(set(built[returned]))
        fn.assigns = {a for a in fn.assigns if a.split(".")[0] != returned}


def _member_chain(tokens: list[Token], i: int) -> list[str]:
    """``req.params.x`` or ``req.params['x']`` from index i: [req, params, x]."""
    chain = [tokens[i].text] if i < len(tokens) and tokens[i].kind == "name" else []
    j = i + 1
    while chain and j + 1 < len(tokens):
        if tokens[j].text == "." and tokens[j + 1].kind == "name":
            chain.append(tokens[j + 1].text)
            j += 2
        elif (
            tokens[j].text == "["
            and tokens[j + 1].kind == "string"
            and j + 2 < len(tokens)
            and tokens[j + 2].text == "]"
        ):
            chain.append(tokens[j + 1].value)
            j += 3
        else:
            break
    return chain


def _after_chain(tokens: list[Token], i: int) -> int | None:
    j = i + 1
    while j + 1 < len(tokens):
        if tokens[j].text == "." and tokens[j + 1].kind == "name":
            j += 2
        elif tokens[j].text == "[" and tokens[j + 1].kind == "string" and tokens[j + 2].text == "]":
            j += 3
        else:
            return j
    return None


def _message(tokens: list[Token], open_at: int) -> str:
    """The first argument of an error constructor, strings joined with +, others as ``%s``."""
    try:
        close = matching(tokens, open_at)
    except ReadError:
        return "?"
    parts: list[str] = []
    depth = 0
    for t in tokens[open_at + 1 : close]:
        if t.kind == "punct" and t.text in "([{":
            depth += 1
            if depth == 1 and (not parts or parts[-1] != "%s"):
                parts.append("%s")  # a call or a bracketed value: one unknown part
            continue
        if t.kind == "punct" and t.text in ")]}":
            depth -= 1
            continue
        if depth:
            continue
        if t.text == ",":
            break
        if t.kind == "string":
            parts.append(t.value)
        elif t.kind == "template":
            parts.append(re.sub(r"\$\{[^}]*\}", "%s", t.text[1:-1]))
        elif t.text != "+" and t.text != "." and (not parts or parts[-1] != "%s"):
            parts.append("%s")
    return "".join(parts).replace("%s%s", "%s")


def _object_keys(tokens: list[Token], open_at: int) -> list[str]:
    """The top-level keys of the object literal opening at ``open_at``."""
    try:
        close = matching(tokens, open_at)
    except ReadError:
        return []
    keys, depth, expect_key = [], 0, True
    for j in range(open_at + 1, close):
        t = tokens[j]
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
        elif depth == 0 and t.text == ",":
            expect_key = True
        elif depth == 0 and expect_key and t.kind in ("name", "string"):
            if (j + 1 < close and tokens[j + 1].text in (":", ",")) or j + 1 == close:
                keys.append(t.value)
            expect_key = False
    return keys


def _literal_value(tokens: list[Token], start: int, consts: dict[str, str]) -> object:
    t = tokens[start]
    if t.kind == "string":
        return t.value
    if t.text == "[":
        end = matching(tokens, start)
        return [tokens[j].value for j in range(start + 1, end) if tokens[j].kind == "string"]
    if t.kind == "name" and t.text in consts:
        return consts[t.text]
    return None


def _routes(
    path: str, tokens: list[Token], functions: list[Function], problems: list[Problem]
) -> Iterator[Route]:
    consts = {
        tokens[i + 1].text: tokens[i + 3].value
        for i in range(len(tokens) - 3)
        if tokens[i].text in ("var", "const", "let")
        and tokens[i + 2].text == "="
        and tokens[i + 3].kind == "string"
    }
    for i in range(len(tokens) - 3):
        t = tokens[i]
        if not (
            t.text == "."
            and tokens[i + 1].text in ROUTE_METHODS
            and tokens[i + 2].text == "("
            and tokens[i + 3].text == "{"
        ):
            continue
        options_end = matching(tokens, i + 3)
        options: dict[str, object] = {}
        j = i + 4
        while j < options_end:
            if tokens[j].kind in ("name", "string") and tokens[j + 1].text == ":":
                options[tokens[j].value] = _literal_value(tokens, j + 2, consts)
                j += 2
            j += 1
        if "name" not in options:
            continue  # a call taking an object first (a client request), not a registration
        route_path, name = options.get("path"), options.get("name")
        line = t.line
        if not isinstance(route_path, str) or not isinstance(name, str):
            problems.append(Problem(path, line, f"route registration not understood: {options!r}"))
            continue
        version = options.get("version")
        versions = (
            tuple(version)
            if isinstance(version, list)
            else (version,)
            if isinstance(version, str)
            else ()
        )
        call_end = matching(tokens, i + 2)
        handlers: list[str] = []
        k = options_end + 1
        while k < call_end:
            token = tokens[k]
            if token.text == "function" or _arrow_at(tokens, k) is not None:
                fn = next((f for f in functions if f.start > k and f.line == token.line), None)
                if fn is not None:
                    handlers.append(fn.name)
                    k = fn.end + 1
                    continue
            if token.kind == "name" and not (k >= 1 and tokens[k - 1].text == "."):
                chain = _member_chain(tokens, k)
                if tokens[k + 2 * len(chain) - 1].text != "(" and chain[0] not in _LITERALS:
                    handlers.append(".".join(chain) if len(chain) == 2 else chain[-1])
                k += max(1, 2 * len(chain) - 1)
                continue
            k += 1
        yield Route(
            path, line, ROUTE_METHODS[tokens[i + 1].text], route_path, name, versions, handlers
        )


def _constant_arrays(tokens: list[Token]) -> dict[str, list[str]]:
    """``var NAME = ['a', 'b'];`` anywhere: the strings of each such array of strings."""
    found: dict[str, list[str]] = {}
    for i in range(len(tokens) - 4):
        if (
            tokens[i].text in ("var", "const", "let")
            and tokens[i + 2].text == "="
            and tokens[i + 3].text == "["
        ):
            end = matching(tokens, i + 3)
            inside = tokens[i + 4 : end]
            if inside and all(x.kind == "string" or x.text == "," for x in inside):
                found[tokens[i + 1].text] = [x.value for x in inside if x.kind == "string"]
    return found


def _top_level(tokens: list[Token]) -> dict[str, str]:
    """Top-level ``var NAME = ...;`` statements (constants, tables) by name: their normalized text."""
    found: dict[str, str] = {}
    depth = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
        elif (
            depth == 0
            and t.text in ("var", "const", "let")
            and i + 3 < len(tokens)
            and tokens[i + 2].text == "="
            and tokens[i + 3].text in ("{", "[")
        ):
            end = matching(tokens, i + 3)
            found[tokens[i + 1].text] = " ".join(x.text for x in tokens[i + 3 : end + 1])
            i = end
        i += 1
    return found
