"""Choosing among images and packages: pure functions over the models, no requests.

The rules are documented here because they are what ``DataCenter.image(name)``,
``DataCenter.default_package()`` and ``DataCenter.create_machine()`` (without arguments) rely on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Protocol, TypeVar

# Names of SmartOS base images, preferred as the default image of a new machine.
BASE_IMAGE_NAMES = ("base-64-lts", "base-64", "base")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class _ImageLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def published_at(self) -> datetime | None: ...


class _PackageLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def memory(self) -> int: ...
    @property
    def default(self) -> bool | None: ...


ImageT = TypeVar("ImageT", bound=_ImageLike)
PackageT = TypeVar("PackageT", bound=_PackageLike)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for image versions: numeric parts compare as numbers (``23.4.0 > 9.1.0``)."""
    parts = re.split(r"[.\-+_]", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def _image_order(image: _ImageLike) -> tuple[datetime, tuple[tuple[int, int | str], ...]]:
    return (image.published_at or _EPOCH, version_key(image.version))


def latest(images: Iterable[ImageT]) -> ImageT | None:
    """The most recently published image (ties broken by version), or None."""
    return max(images, key=_image_order, default=None)


def default_image(images: Iterable[ImageT]) -> ImageT | None:
    """The image a machine gets when none is named: the latest SmartOS base image.

    Preference follows ``BASE_IMAGE_NAMES`` in order; with none of them, the latest image of all.
    """
    pool = list(images)
    for name in BASE_IMAGE_NAMES:
        found = latest(i for i in pool if i.name == name)
        if found is not None:
            return found
    return latest(pool)


def default_package(packages: Iterable[PackageT]) -> PackageT | None:
    """The package flagged ``default``; else the smallest package with at least 1 GiB of memory;
    else the largest one. (A 1 GiB machine is the smallest that boots every public image.)
    """
    pool = list(packages)
    flagged = [p for p in pool if p.default]
    if flagged:
        return flagged[0]
    roomy = [p for p in pool if p.memory >= 1024]
    if roomy:
        return min(roomy, key=lambda p: (p.memory, p.name))
    return max(pool, key=lambda p: (p.memory, p.name), default=None)
