"""Firewall rules, volumes, images and networks as objects with their actions, in the style of
``Machine``.

Each holds its model (``.model``, every field a typed attribute as of the last fetch) and its
DataCenter; actions return the object refreshed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from smartdc._generated.views import FirewallRuleFields, ImageFields, NetworkFields, VolumeFields

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc._generated.models import FirewallRule as FirewallRuleModel  # noqa: F401 (below)
    from smartdc._generated.models import Image as ImageModel  # noqa: F401
    from smartdc._generated.models import Network as NetworkModel  # noqa: F401
    from smartdc._generated.models import NetworkIp
    from smartdc._generated.models import Volume as VolumeModel  # noqa: F401
    from smartdc.facade.datacenter import DataCenter
    from smartdc.facade.machine import BoundMachine


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


ModelT = TypeVar("ModelT", bound=_Identified)


class _AccountObject(Generic[ModelT]):
    """What the account's objects share: their datacenter and model, pickling, identity by id."""

    model: ModelT

    def __init__(self, datacenter: DataCenter, model: ModelT) -> None:
        self.datacenter = datacenter
        self.model = model

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable, with its datacenter."""
        return (type(self), (self.datacenter, self.model))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.model.id == self.model.id

    def __hash__(self) -> int:
        return hash(self.model.id)

    @property
    def _api(self) -> CloudAPI:
        return self.datacenter.api


# The models are named as strings: they are imported for the type checker only (they load lazily).
class BoundFirewallRule(_AccountObject["FirewallRuleModel"], FirewallRuleFields):
    """A firewall rule of the account (``dc.firewall_rules()``, ``dc.create_firewall_rule()``)."""

    def __repr__(self) -> str:
        return f"<BoundFirewallRule {self.id} enabled={self.enabled!r} rule={self.rule!r}>"

    def refresh(self) -> BoundFirewallRule:
        """Fetch the rule as it is now."""
        self.model = self._api.get_firewall_rule(id=self.id)
        return self

    def enable(self) -> BoundFirewallRule:
        """Enable the rule; returns it as the server now has it."""
        self.model = self._api.enable_firewall_rule(id=self.id)
        return self

    def disable(self) -> BoundFirewallRule:
        """Disable the rule; returns it as the server now has it."""
        self.model = self._api.disable_firewall_rule(id=self.id)
        return self

    def update(
        self,
        *,
        rule: str | None = None,
        enabled: bool | None = None,
        description: str | None = None,
    ) -> BoundFirewallRule:
        """Change the rule text, whether it is enabled, or its description."""
        self.model = self._api.update_firewall_rule(
            id=self.id, rule=rule, enabled=enabled, description=description
        )
        return self

    def delete(self) -> None:
        """Delete the rule."""
        self._api.delete_firewall_rule(id=self.id)

    def machines(self) -> list[BoundMachine]:
        """The machines the rule applies to."""
        # bound by the datacenter: this module never imports machine.py (machines import it)
        return [self.datacenter.bind(m) for m in self._api.list_firewall_rule_machines(id=self.id)]


class BoundVolume(_AccountObject["VolumeModel"], VolumeFields):
    """An NFS volume (``dc.volumes()``, ``dc.create_volume()``)."""

    def __repr__(self) -> str:
        return f"<BoundVolume {self.id} name={self.name!r} state={str(self.state)!r}>"

    def refresh(self) -> BoundVolume:
        """Fetch the volume as it is now."""
        self.model = self._api.get_volume(id=self.id)
        return self

    def wait(self, *, timeout: float | None = None) -> BoundVolume:
        """Wait until the volume is ready (``WaitFailed`` if its creation fails)."""
        self.model = self._api.wait_volume_ready(id=self.id, timeout=timeout)
        return self

    def rename(self, name: str) -> BoundVolume:
        """Rename the volume."""
        self.model = self._api.update_volume(id=self.id, name=name)
        return self

    def delete(self, *, wait: bool = False, timeout: float | None = None) -> None:
        """Delete the volume; ``wait=True`` returns once it is gone."""
        self._api.delete_volume(id=self.id)
        if wait:
            self._api.wait_volume_deleted(id=self.id, timeout=timeout)


class BoundImage(_AccountObject["ImageModel"], ImageFields):
    """An image (``dc.images()``, ``dc.image(name)``, ``machine.create_image()``)."""

    def __repr__(self) -> str:
        return f"<BoundImage {self.id} {self.name}@{self.version} state={str(self.state)!r}>"

    def refresh(self) -> BoundImage:
        """Fetch the image as it is now."""
        self.model = self._api.get_image(id=self.id)
        return self

    def wait(self, *, timeout: float | None = None) -> BoundImage:
        """Wait until the image is active (``WaitFailed`` if its creation fails)."""
        self.model = self._api.wait_image_active(id=self.id, timeout=timeout)
        return self

    def update(self, **changes: Any) -> BoundImage:
        """Change its name, version, description, tags, ACL ... (UpdateImage's arguments)."""
        self.model = self._api.update_image(id=self.id, **changes)
        return self

    def share(self, account: str) -> BoundImage:
        """Add an account (uuid) to the image's ACL."""
        acl = list(self.refresh().acl or [])
        return self if account in acl else self.update(acl=[*acl, account])

    def unshare(self, account: str) -> BoundImage:
        """Remove an account (uuid) from the image's ACL."""
        acl = list(self.refresh().acl or [])
        return self.update(acl=[a for a in acl if a != account]) if account in acl else self

    def clone(self) -> BoundImage:
        """A copy owned by the account of an image shared with it."""
        return BoundImage(self.datacenter, self._api.clone_image(id=self.id))

    def delete(self) -> None:
        """Delete the image (one the account owns)."""
        self._api.delete_image(id=self.id)


class BoundNetwork(_AccountObject["NetworkModel"], NetworkFields):
    """A network the account can use (``dc.networks()``, ``dc.network(name)``)."""

    def __repr__(self) -> str:
        return f"<BoundNetwork {self.id} name={self.name!r}>"

    def refresh(self) -> BoundNetwork:
        """Fetch the network as it is now."""
        self.model = self._api.get_network(id=self.id)
        return self

    def ips(self) -> list[NetworkIp]:
        """The addresses in use or reserved on it (every page)."""
        return list(self._api.list_network_ips(id=self.id))

    def reserve(self, address: str, reserved: bool = True) -> NetworkIp:
        """Reserve an address (or release it, ``reserved=False``) on a network the account owns."""
        return self._api.update_network_ip(id=self.id, ip_address=address, reserved=reserved)
