"""The simulator's router: the most specific template wins, whatever the registration order."""

from __future__ import annotations

import pytest

from smartdc.testing.router import Router, SimRequest, SimResponse


def _handler(req: SimRequest) -> SimResponse:
    return SimResponse()


@pytest.mark.parametrize("reverse", [False, True])
def test_a_fixed_segment_beats_a_parameter_in_any_order(reverse: bool) -> None:
    templates = [
        ("/:account/:resource_name/:resource_id", "Generic"),
        ("/:account/users/:user", "User"),
        ("/:account/users/:user/keys/:resource_id", "UserKey"),
        ("/:account/users/:user/:resource_name", "UserResources"),
    ]
    router = Router()
    for template, name in reversed(templates) if reverse else templates:
        router.add("PUT", template, name, _handler)

    def name_of(path: str) -> str | None:
        found = router.match("PUT", path)
        return found[0].name if found else None

    assert name_of("/me/users/u1") == "User"
    assert name_of("/me/images/i1") == "Generic"
    assert name_of("/me/users/u1/keys/k1") == "UserKey"
    assert name_of("/me/users/u1/roles") == "UserResources"
    assert name_of("/me/users/u1/keys") == "UserResources"


def test_two_routes_of_one_shape_are_refused() -> None:
    router = Router()
    router.add("GET", "/:account/machines/:machine", "GetMachine", _handler)
    with pytest.raises(ValueError, match="already routed to GetMachine"):
        router.add("GET", "/:login/machines/:id", "Other", _handler)
    router.add("POST", "/:login/machines/:id", "UpdateMachine", _handler)  # another method
