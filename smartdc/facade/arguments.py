"""Facade methods that pass their keyword arguments on to a client method take exactly its
arguments, typed: ``dc.machines(stat="running")`` is a type error, as ``api.list_machines`` makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

P = ParamSpec("P")
S = TypeVar("S")
R = TypeVar("R")


def arguments_of(
    source: Callable[Concatenate[Any, P], object],
) -> Callable[[Callable[Concatenate[S, ...], R]], Callable[Concatenate[S, P], R]]:
    """Type the decorated method as taking ``source``'s arguments (after ``self``); at runtime the
    method is unchanged (the client method checks the arguments when it is called)."""

    def apply(method: Callable[Concatenate[S, ...], R]) -> Callable[Concatenate[S, P], R]:
        return method

    return apply
