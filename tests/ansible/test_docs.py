"""The checks ``ansible-test sanity`` (validate-modules) makes on documentation and argument specs,
run here: its own run needs a pip bootstrap script from a host the tests must not reach.

Ansible itself reads the documentation (``ansible-doc --json``, doc fragments merged); each
module's DOCUMENTATION must then describe exactly its argument_spec (names, types, defaults,
choices, required, list elements), and EXAMPLES and RETURN must be YAML.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ansible.conftest import BIN, COLLECTION, COLLECTIONS, ansible_missing

MODULES = sorted(p.stem for p in (COLLECTION / "plugins" / "modules").glob("*.py"))
PLUGIN_FILES = sorted((COLLECTION / "plugins").rglob("*.py"))
SECRET_WORDS = ("pass", "secret", "token", "key")  # validate-modules' no_log_needed names


@pytest.fixture(scope="module")
def docs() -> dict[str, Any]:
    """Every module's and the inventory plugin's documentation as ansible-doc reads it."""
    reason = ansible_missing()
    if reason:
        pytest.skip(reason)
    import subprocess

    env = {"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "PYTHONWARNINGS": "ignore", "HOME": "/"}
    found: dict[str, Any] = {}
    for kind, names in (
        ("module", [f"smartdc.triton.{m}" for m in MODULES]),
        ("inventory", ["smartdc.triton.triton"]),
    ):
        done = subprocess.run(
            [str(BIN / "ansible-doc"), "-t", kind, "--json", *names],
            capture_output=True,
            text=True,
            env={"PATH": str(BIN), **env},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        found.update({f"{kind}:{k}": v for k, v in json.loads(done.stdout).items()})
    return found


@pytest.fixture(scope="module")
def collection_importable() -> Iterator[None]:
    reason = ansible_missing()
    if reason:
        pytest.skip(reason)
    sys.path.insert(0, str(COLLECTIONS))
    try:
        yield
    finally:
        sys.path.remove(str(COLLECTIONS))


def argument_spec(module: str) -> dict[str, dict[str, Any]]:
    loaded = importlib.import_module(f"ansible_collections.smartdc.triton.plugins.modules.{module}")
    spec: dict[str, dict[str, Any]] = loaded.argument_spec()
    return spec


def test_every_plugin_is_documented(docs: dict[str, Any]) -> None:
    assert set(docs) == {f"module:smartdc.triton.{m}" for m in MODULES} | {
        "inventory:smartdc.triton.triton"
    }
    assert MODULES == [
        "fwrule",
        "image_info",
        "instance",
        "instance_info",
        "package_info",
        "snapshot",
    ]
    for name, body in docs.items():
        assert body["doc"]["short_description"], name
        assert yaml.safe_load(body["examples"]), name
        if name.startswith("module:"):
            assert isinstance(body["return"], dict) and body["return"], name


@pytest.mark.parametrize("module", MODULES)
def test_documentation_matches_argument_spec(
    module: str, docs: dict[str, Any], collection_importable: None
) -> None:
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    spec = argument_spec(module)
    ArgumentSpecValidator(spec)  # a malformed spec raises
    documented = docs[f"module:smartdc.triton.{module}"]["doc"]["options"]
    assert sorted(documented) == sorted(spec)
    for name, arg in spec.items():
        doc = documented[name]
        where = f"{module}.{name}"
        assert doc.get("type", "str") == arg.get("type", "str"), where
        assert doc.get("default") == arg.get("default"), where
        assert doc.get("choices") == arg.get("choices"), where
        assert bool(doc.get("required")) == bool(arg.get("required")), where
        assert doc.get("elements") == arg.get("elements"), where
        assert doc["description"], where
        if any(word in name for word in SECRET_WORDS):
            assert "no_log" in arg, f"{where}: say whether it is a secret (no_log)"
    assert spec["key_passphrase"]["no_log"] is True


def test_inventory_options_are_the_connection_options(docs: dict[str, Any]) -> None:
    sys.path.insert(0, str(COLLECTIONS))
    try:
        utils = importlib.import_module(
            "ansible_collections.smartdc.triton.plugins.module_utils.triton"
        )
    finally:
        sys.path.remove(str(COLLECTIONS))
    connection_args: dict[str, Any] = utils.CONNECTION_ARGS
    options = docs["inventory:smartdc.triton.triton"]["doc"]["options"]
    assert set(connection_args) <= set(options)
    for name in ("compose", "groups", "keyed_groups", "strict", "cache", "cache_plugin"):
        assert name in options, name  # constructed and inventory_cache fragments


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: p.name)
def test_plugin_sources_hold_yaml_docs(path: Path) -> None:
    """DOCUMENTATION, EXAMPLES and RETURN are literal YAML strings (ansible-doc reads them
    without running the file), and modules have all three."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    blocks = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "EXAMPLES", "RETURN")
    }
    kind = path.parent.name
    wanted = {
        "modules": {"DOCUMENTATION", "EXAMPLES", "RETURN"},
        "inventory": {"DOCUMENTATION", "EXAMPLES"},
    }
    assert set(blocks) >= wanted.get(kind, set())
    for name, value in blocks.items():
        assert isinstance(value, ast.Constant) and isinstance(value.value, str), name
        yaml.safe_load(value.value)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def test_option_references_name_real_options(docs: dict[str, Any]) -> None:
    """``O(name)`` and ``O(name=value)`` in a description name one of the plugin's options, as
    validate-modules' markup check wants (a renamed option leaves none behind)."""
    for plugin, body in docs.items():
        options = body["doc"]["options"]
        named = {
            ref.split("[")[0].split(".")[0]  # keyed_groups[].separator: a sub-option
            for text in _texts(body["doc"])
            for ref in re.findall(r"\bO\(([^)=]+)(?:=[^)]*)?\)", text)
        }
        assert named, plugin
        assert named <= set(options), f"{plugin}: {sorted(named - set(options))}"
