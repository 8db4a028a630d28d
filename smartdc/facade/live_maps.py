"""``machine.metadata`` and ``machine.tags``: dict-like views where every read and write is a call.

    machine.tags["role"] = "db"        # AddMachineTags (merges)
    del machine.metadata["motd"]       # DeleteMachineMetadata
    machine.tags.update(a="1", b="2")  # one AddMachineTags call, not one per key

Nothing is cached: reading a key asks the server, so a value set elsewhere is seen at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from smartdc.errors import CloudAPIError
from smartdc.facade.lookup import is_missing

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI


class _LiveMap(MutableMapping[str, Any]):
    kind = "entry"

    def __init__(self, api: CloudAPI, machine_id: str) -> None:
        self._api = api
        self._id = machine_id

    # subclasses: one call each
    def _all(self) -> dict[str, Any]:
        raise NotImplementedError

    def _get(self, key: str) -> Any:
        raise NotImplementedError

    def _put(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    def _delete_all(self) -> None:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        try:
            return self._get(key)
        except CloudAPIError as exc:
            if is_missing(exc):
                raise KeyError(key) from None
            raise

    def __setitem__(self, key: str, value: Any) -> None:
        self._put({key: value})

    def __delitem__(self, key: str) -> None:
        try:
            self._delete(key)
        except CloudAPIError as exc:
            if is_missing(exc):
                raise KeyError(key) from None
            raise

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, key: object) -> bool:
        return key in self._all()

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Set several keys in one call."""
        values = dict(other, **kwargs)
        if values:
            self._put(values)

    def clear(self) -> None:
        """Remove every key in one call."""
        self._delete_all()

    def to_dict(self) -> dict[str, Any]:
        """A plain copy of the current entries (one call)."""
        return dict(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._all() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of machine {self._id} (live; to_dict() fetches)>"


class MachineTags(_LiveMap):
    """Tags of a machine; values are strings, numbers or booleans."""

    def _all(self) -> dict[str, Any]:
        return dict(self._api.list_machine_tags(id=self._id))

    def _get(self, key: str) -> Any:
        # From the list: GetMachineTag answers strings only, tags may be numbers or booleans.
        return self._all()[key]

    def _put(self, values: dict[str, Any]) -> None:
        self._api.add_machine_tags(id=self._id, tags=values)

    def _delete(self, key: str) -> None:
        self._api.delete_machine_tag(id=self._id, tag=key)

    def _delete_all(self) -> None:
        self._api.delete_machine_tags(id=self._id)

    def replace(self, tags: Mapping[str, Any]) -> None:
        """Make the tags exactly ``tags`` (one ReplaceMachineTags call)."""
        self._api.replace_machine_tags(id=self._id, tags=dict(tags))


class MachineMetadata(_LiveMap):
    """Customer metadata of a machine; values are strings, numbers or booleans.

    ``clear()`` keeps ``root_authorized_keys`` and ``administrator_pw``, as the server does.
    """

    def _all(self) -> dict[str, Any]:
        return dict(self._api.list_machine_metadata(id=self._id))

    def _get(self, key: str) -> Any:
        # From the list: GetMachineMetadata answers 404 for a number or a boolean (sdc-cloudapi
        # lib/metadata.js get()). `credentials`, never listed, is asked for on its own.
        values = self._all()
        if key in values:
            return values[key]
        return self._api.get_machine_metadata(id=self._id, key=key)

    def _put(self, values: dict[str, Any]) -> None:
        self._api.update_machine_metadata(id=self._id, metadata=values)

    def _delete(self, key: str) -> None:
        self._api.delete_machine_metadata(id=self._id, key=key)

    def _delete_all(self) -> None:
        self._api.delete_all_machine_metadata(id=self._id)
