"""Lookups by name match the exact name, whatever the server matches.

ListMachines?name= is a prefix match (VMAPI's alias filter), ListImages?name=~x a substring match
(IMGAPI), GetPackage/<name> with ``*`` a glob (PAPI's LDAP filter). The facade (and so the CLI)
acts only on a resource whose name is exactly the one given.
"""

from __future__ import annotations

import pytest

from smartdc.facade import DataCenter, NotFoundError
from smartdc.testing import Simulator


def test_machine_by_name_never_takes_a_prefix_match(dc: DataCenter) -> None:
    web1 = dc.create_machine(name="web-1")
    with pytest.raises(NotFoundError, match=r"'web'.*web-1"):
        dc.machine("web")
    assert dc.find_machine("web") is None
    web = dc.create_machine(name="web")
    assert dc.machine("web").id == web.id and dc.find_machine("web") == web
    assert dc.machine("web-1").id == web1.id


def test_if_absent_does_not_take_a_machine_of_a_longer_name(
    dc: DataCenter, vsim: Simulator
) -> None:
    longer = dc.create_machine(name="web-1")
    made = dc.create_machine(name="web", if_absent=True)
    assert made.id != longer.id and made.name == "web"
    assert vsim.request_count("CreateMachine") == 2


def test_image_by_name_is_exact(dc: DataCenter) -> None:
    name = dc.default_image().name
    with pytest.raises(NotFoundError):
        dc.image("~" + name[:4])  # IMGAPI reads a leading ~ as "contains"
    assert dc.image(name).name == name


def test_package_by_name_is_exact(dc: DataCenter) -> None:
    package = dc.default_package()
    with pytest.raises(NotFoundError):
        dc.package(package.name[:3] + "*")  # PAPI reads * as a wildcard
    assert dc.package(package.name).id == package.id


def test_create_and_resize_with_a_wildcard_package_name_are_refused(
    dc: DataCenter, vsim: Simulator
) -> None:
    # The server resolves a package name through PAPI, where * is a wildcard: "g4-*" would
    # provision (or resize to) the newest package of any name starting with "g4-".
    with pytest.raises(NotFoundError):
        dc.create_machine(name="m1", package="g4-*")
    assert vsim.request_count("CreateMachine") == 0
    machine = dc.create_machine(name="m2").wait("running")
    with pytest.raises(NotFoundError):
        machine.resize("g4-*")
    assert vsim.request_count("ResizeMachine") == 0
