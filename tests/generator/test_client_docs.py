"""The methods users call carry the whole description: route, arguments, result, errors."""

from __future__ import annotations

import inspect
import pydoc

from codegen.loader import load_spec
from smartdc import CloudAPI
from tests.conftest import REPO_ROOT

SPEC = load_spec(REPO_ROOT / "spec" / "cloudapi.yaml")


def test_every_client_method_documents_route_args_returns_and_raises() -> None:
    incomplete = []
    for op in SPEC.operations.values():
        doc = inspect.getdoc(getattr(CloudAPI, op.snake)) or ""
        wanted = [op.summary.split()[0], f"HTTP: ``{op.method} {op.path}", "Returns:"]
        wanted += ["Args:", *(f"    {p.arg}: " for p in op.params)] if op.params else []
        wanted += ["Raises:", *(f"    {code}: (" for code in op.errors)] if op.errors else []
        missing = [text for text in wanted if text not in doc]
        if missing:
            incomplete.append(f"{op.name}: {missing}")
    assert incomplete == []


def test_help_shows_create_machine_in_full() -> None:
    plain = pydoc.plaintext  # type: ignore[attr-defined]  # (public, but not in typeshed)
    text = pydoc.render_doc(CloudAPI.create_machine, renderer=plain)
    assert "POST /{login}/machines" in text
    assert "image:" in text and "package:" in text
    assert "Returns:" in text and "Machine" in text
    assert "Raises:" in text and "InvalidArgument" in text


def test_paginated_methods_say_a_plain_call_returns_every_page() -> None:
    for name in SPEC.paginators:
        op = SPEC.operations[name]
        doc = inspect.getdoc(getattr(CloudAPI, op.snake)) or ""
        assert "returns every item" in " ".join(doc.split()), name
        assert getattr(CloudAPI, f"iter_{op.snake}").__doc__


def test_head_and_iter_forms_show_the_method_arguments() -> None:
    head = inspect.signature(CloudAPI.head_get_machine)
    assert list(head.parameters)[:2] == ["self", "id"]
    assert "brand" in inspect.signature(CloudAPI.iter_list_machines).parameters
