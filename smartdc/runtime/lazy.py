"""Modules and functions imported on first use, so that a program loads only the parts of the
generated client it calls (``smartdc instances`` needs the Machines group, not all 24).

The generated code names each of them twice: under ``TYPE_CHECKING`` as a plain import (what the
type checker sees, so types stay exact) and at run time through these stand-ins.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module ``name`` until an attribute is read: then imports it and keeps its
    attributes, so later reads cost what a module's do. Safe between threads (the import system
    locks a module while it loads)."""

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attr: str) -> Any:
        # only called for what the instance does not hold yet: the first read of each name
        module = importlib.import_module(self.__dict__["_lazy_name"])
        value = getattr(module, attr)  # AttributeError names the real module
        self.__dict__.update(vars(module))
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_name']!r}>"


class LazyFunction:
    """The function ``name`` of module ``module``, imported on its first call."""

    __slots__ = ("_function", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self._function: Any = None

    def __call__(self, *args: Any) -> Any:
        function = self._function
        if function is None:
            function = self._function = getattr(importlib.import_module(self.module), self.name)
        return function(*args)

    def __repr__(self) -> str:
        return f"<{self.module}.{self.name} (imported on first call)>"
