"""The Accept-Version a client sends is the spec's fact (``default_accept_version``), read from the
service model, not restated in the code; a configured one wins."""

from __future__ import annotations

from pathlib import Path

from smartdc._generated.service import SERVICE
from smartdc.testing import Simulator

from .conftest import watch_route

ROOT = Path(__file__).resolve().parents[2]


def test_the_client_asks_for_the_spec_s_default_version(sim: Simulator) -> None:
    import yaml

    spec = yaml.safe_load((ROOT / "spec" / "cloudapi.yaml").read_text(encoding="utf-8"))
    wanted = spec["api"]["default_accept_version"]
    assert SERVICE.default_accept_version == wanted
    seen = watch_route(sim, "ListPackages")
    with sim.client() as api:
        api.list_packages()
    with sim.client(accept_version="~8") as api:
        api.list_packages()
    assert [r.headers.get("Accept-Version") for r in seen] == [wanted, "~8"]


def test_no_core_module_restates_the_default_version() -> None:
    import yaml

    spec = yaml.safe_load((ROOT / "spec" / "cloudapi.yaml").read_text(encoding="utf-8"))
    wanted = spec["api"]["default_accept_version"]
    core = [ROOT / "smartdc" / name for name in ("config.py", "transport.py", "websocket.py")]
    core += sorted((ROOT / "smartdc" / "runtime").glob("*.py"))
    assert [p.name for p in core if f'"{wanted}"' in p.read_text(encoding="utf-8")] == []
