"""``DataCenter``: one CloudAPI endpoint, as whom, and what lives there.

    from smartdc import DataCenter

    sdc = DataCenter(location="us-sw-1", key_id="/me/keys/id_rsa", secret="~/.ssh/id_rsa")
    machine = sdc.create_machine(name="web-1", if_absent=True)   # idempotent by name
    machine.poll_while("provisioning")

Every method is a call of the generated client (``sdc.api``, a ``smartdc.CloudAPI``); the facade
adds look-ups by name, sensible defaults and objects with methods. One DataCenter may be shared by
threads: it keeps no per-call state, and its caches are guarded by a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs

from smartdc._generated.client import CloudAPI
from smartdc.config import Config
from smartdc.facade import catalog, references
from smartdc.facade.arguments import arguments_of
from smartdc.facade.errors import AmbiguousNameError, NotFoundError
from smartdc.facade.lookup import is_uuid
from smartdc.facade.machine import BoundMachine, State, fetch_machine, wait_all
from smartdc.facade.resources import BoundFirewallRule, BoundImage, BoundNetwork, BoundVolume
from smartdc.runtime.waiting import WaitClock

if TYPE_CHECKING:
    from smartdc._generated.models import (
        Account,
        Key,
        Package,
    )
    from smartdc._generated.models import FirewallRule as FirewallRuleModel
    from smartdc._generated.models import Image as ImageModel
    from smartdc._generated.models import Machine as MachineModel
    from smartdc._generated.models import Network as NetworkModel
    from smartdc._generated.models import Volume as VolumeModel

    # What users pass for an image or a network: an id or name, or an object that has an id.
    ImageRef = str | BoundImage | ImageModel
    NetworkRef = str | BoundNetwork | NetworkModel

T = TypeVar("T")


@attrs.frozen
class DatacenterResult(Generic[T]):
    """What one datacenter answered in :meth:`DataCenter.map_datacenters`: a value or an error."""

    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class DataCenter:
    """A CloudAPI datacenter seen by one account (python-smartdc's entry point)."""

    def __init__(
        self,
        location: str | None = None,
        key_id: str | None = None,
        secret: str | None = None,
        url: str | None = None,
        account: str | None = None,
        user: str | None = None,
        *,
        clock: WaitClock | None = None,
        changefeed_waits: bool = True,
        **config_kwargs: Any,
    ) -> None:
        """Settings as ``Config`` takes them; ``clock``: what waits measure time and sleep with
        (default: real time; a simulator's ``VirtualClock`` for simulated time);
        ``changefeed_waits=False``: waits poll instead of listening to the changefeed."""
        config = Config(
            url=url,
            account=account,
            user=user,
            key_id=key_id,
            secret=secret,
            location=location,
            **config_kwargs,
        )
        self._init(
            CloudAPI(config=config, clock=clock, changefeed_waits=changefeed_waits), location
        )

    @classmethod
    def from_client(cls, api: CloudAPI, location: str | None = None) -> DataCenter:
        """A DataCenter over an existing generated client (shares its connections)."""
        dc = cls.__new__(cls)
        dc._init(api, location)
        return dc

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable (for process pools): its client is pickled as its configuration."""
        return (DataCenter.from_client, (self.api, self.location))

    def _init(self, api: CloudAPI, location: str | None) -> None:
        self.api = api
        self.location = location
        self._lock = threading.Lock()
        self._default_package: Package | None = None

    @property
    def config(self) -> Config:
        """The settings this datacenter is reached with."""
        return self.api.meta.config

    @property
    def url(self) -> str:
        """This datacenter's CloudAPI URL."""
        return self.api.meta.config.url

    def __repr__(self) -> str:
        where = f"location={self.location!r}, " if self.location else ""
        return f"DataCenter({where}url={self.url!r}, account={self.config.account!r})"

    def close(self) -> None:
        """Close the pooled connections (the object must not be used afterwards)."""
        self.api.close()

    def __enter__(self) -> DataCenter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- account and keys ----------------------------------------------------------------

    def account(self) -> Account:
        """The account (GetAccount)."""
        return self.api.get_account()

    def keys(self) -> list[Key]:
        """The account's SSH keys."""
        return list(self.api.list_keys())

    def key(self, name: str) -> Key:
        """A key by name or MD5 fingerprint."""
        return self.api.get_key(key=name)

    def add_key(self, name: str, public_key: str) -> Key:
        """Upload an OpenSSH public key (the text of ``id_rsa.pub``) under ``name``."""
        return self.api.create_key(key=public_key.strip(), name=name)

    def delete_key(self, name_or_key: str | Key) -> None:
        """Delete an SSH key, by name or fingerprint."""
        name = name_or_key if isinstance(name_or_key, str) else name_or_key.name
        self.api.delete_key(key=name)

    # -- catalogue -------------------------------------------------------------------------

    @arguments_of(CloudAPI.list_images)
    def images(self, **filters: Any) -> list[BoundImage]:
        """Images visible to the account (``name=``, ``os=``, ``version=``, ``state=`` ...)."""
        return [BoundImage(self, i) for i in self.api.list_images(**filters)]

    @arguments_of(CloudAPI.list_images)
    def datasets(self, **filters: Any) -> list[BoundImage]:
        """python-smartdc's name for :meth:`images`."""
        return self.images(**filters)

    def image(self, id_or_name: str, version: str | None = None) -> BoundImage:
        """An image by id, ``name@version``, name (its newest version unless ``version`` is
        given) or short id, as triton finds one (:mod:`smartdc.facade.references`)."""
        return BoundImage(self, references.image(self.api, id_or_name, version))

    def default_image(self) -> BoundImage:
        """The image :meth:`create_machine` uses by default: the latest SmartOS base image."""
        found = catalog.default_image(self.api.list_images())
        if found is None:
            raise NotFoundError(f"no image available in {self.url}")
        return BoundImage(self, found)

    @arguments_of(CloudAPI.list_packages)
    def packages(self, **filters: Any) -> list[Package]:
        """The packages (filters as ListPackages takes them)."""
        return list(self.api.list_packages(**filters))

    def package(self, id_or_name: str) -> Package:
        """A package by id, exact name or short id (:mod:`smartdc.facade.references`)."""
        return references.package(self.api, id_or_name)

    def default_package(self) -> Package:
        """The package flagged default; else the smallest with at least 1 GiB of memory
        (see :func:`smartdc.facade.catalog.default_package`). Cached after the first call."""
        with self._lock:
            if self._default_package is not None:
                return self._default_package
        found = catalog.default_package(self.api.list_packages())
        if found is None:
            raise NotFoundError(f"no package available in {self.url}")
        with self._lock:
            self._default_package = found
        return found

    @arguments_of(CloudAPI.list_networks)
    def networks(self, **filters: Any) -> list[BoundNetwork]:
        """The networks the account can use."""
        return [BoundNetwork(self, n) for n in self.api.list_networks(**filters)]

    def network(self, id_or_name: str) -> BoundNetwork:
        """One network, by id, exact name or short id (:mod:`smartdc.facade.references`)."""
        return BoundNetwork(self, references.network(self.api, id_or_name))

    # -- firewall rules and volumes --------------------------------------------------------

    def firewall_rules(self) -> list[BoundFirewallRule]:
        """The account's firewall rules (global ones included)."""
        return [BoundFirewallRule(self, r) for r in self.api.list_firewall_rules()]

    def firewall_rule(self, rule_id: str) -> BoundFirewallRule:
        """One firewall rule, by id or short id (:mod:`smartdc.facade.references`)."""
        return BoundFirewallRule(self, references.firewall_rule(self.api, rule_id))

    def create_firewall_rule(
        self, rule: str, *, enabled: bool = False, description: str | None = None
    ) -> BoundFirewallRule:
        """Add a rule (CloudAPI's rule language, e.g. ``FROM any TO tag role=web ALLOW tcp PORT
        443``); disabled unless ``enabled=True``, as the server creates them."""
        return BoundFirewallRule(
            self,
            self.api.create_firewall_rule(rule=rule, enabled=enabled, description=description),
        )

    @arguments_of(CloudAPI.list_volumes)
    def volumes(self, **filters: Any) -> list[BoundVolume]:
        """The volumes (filters as ListVolumes takes them)."""
        return [BoundVolume(self, v) for v in self.api.list_volumes(**filters)]

    def volume(self, id_or_name: str) -> BoundVolume:
        """One volume, by id, exact name or short id (:mod:`smartdc.facade.references`)."""
        return BoundVolume(self, references.volume(self.api, id_or_name))

    def create_volume(
        self,
        name: str | None = None,
        *,
        size: int | None = None,
        networks: Sequence[NetworkRef] | None = None,
        wait: bool = False,
        timeout: float | None = None,
        **params: Any,
    ) -> BoundVolume:
        """Create an NFS volume (``size`` in MiB; the default network and size unless given);
        ``wait=True`` returns it once ready."""
        volume = BoundVolume(
            self,
            self.api.create_volume(
                type=params.pop("type", "tritonnfs"),
                name=name,
                size=size,
                networks=[str(_network_ref(n)) for n in networks] if networks is not None else None,
                **params,
            ),
        )
        return volume.wait(timeout=timeout) if wait else volume

    # -- datacenters -----------------------------------------------------------------------

    def all_datacenters(self) -> dict[str, DataCenter]:
        """Name -> DataCenter for every datacenter of this cloud (this one included, as
        itself), as :meth:`datacenter` makes them."""
        return {
            name: self if url == self.url else self._at(name, url)
            for name, url in sorted(self.datacenters().items())
        }

    def map_datacenters(
        self, work: Callable[[DataCenter], T], *, max_workers: int = 8
    ) -> dict[str, DatacenterResult[T]]:
        """Run ``work(dc)`` in every datacenter at once (threads); one result per datacenter,
        its value or its error, so one unreachable datacenter does not cost the others (nor one
        whose URL is refused, see :meth:`datacenter`).

        ``{name: r.value for name, r in dc.map_datacenters(lambda d: d.machines()).items() if r.ok}``
        """
        from concurrent.futures import ThreadPoolExecutor

        targets = sorted(self.datacenters().items())

        def run(target: tuple[str, str]) -> DatacenterResult[T]:
            name, url = target
            try:
                return DatacenterResult(
                    value=work(self if url == self.url else self._at(name, url))
                )
            except Exception as exc:  # kept per datacenter; the caller decides
                return DatacenterResult(error=exc)

        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(targets)))) as pool:
            results = list(pool.map(run, targets))
        return {name: result for (name, _), result in zip(targets, results, strict=True)}

    def datacenters(self) -> dict[str, str]:
        """Datacenter name -> CloudAPI URL."""
        return dict(self.api.list_datacenters())

    def datacenter(
        self,
        name: str,
        *,
        insecure: bool = False,
        allow_plaintext: bool = False,
        ca_certs: str | None = None,
    ) -> DataCenter:
        """A DataCenter for another datacenter of this cloud: same credentials (the loaded key
        is shared), that datacenter's URL as the server names it.

        The URL came from the server, so it gets the TLS verification of your settings
        (``ca_certs`` included) but never the exceptions you made for your own URL: it is
        verified even when this DataCenter is ``insecure``, and plain ``http://`` is refused
        (``ConfigError``) unless it is loopback. To trust that host, say so for it:
        ``insecure=True`` (test clouds only), ``allow_plaintext=True`` or a ``ca_certs`` bundle
        that signs its certificate. A URL equal to your own keeps your settings.
        """
        urls = self.datacenters()
        if name not in urls:
            known = ", ".join(sorted(urls)) or "none"
            raise NotFoundError(f"no datacenter named {name!r} (this cloud has: {known})")
        trust: dict[str, Any] = {"insecure": insecure, "allow_plaintext": allow_plaintext}
        if ca_certs is not None:
            trust["ca_certs"] = ca_certs
        return self._at(name, urls[name], **trust)

    def _at(self, name: str, url: str, **trust: Any) -> DataCenter:
        # a URL the server named: the user's verification, not their exceptions for their URL
        own = url.rstrip("/") == self.url
        settings = {} if own else {"insecure": False, "allow_plaintext": False, **trust}
        api = CloudAPI(
            config=self.config.replace(url=url, **settings),
            clock=self.api.meta.clock,  # waits there keep the same time as here
            changefeed_waits=self.api.meta.changefeed_waits,
        )
        return DataCenter.from_client(api, name)

    # -- binding models ----------------------------------------------------------------------

    @overload
    def bind(self, model: MachineModel) -> BoundMachine: ...
    @overload
    def bind(self, model: ImageModel) -> BoundImage: ...
    @overload
    def bind(self, model: NetworkModel) -> BoundNetwork: ...
    @overload
    def bind(self, model: VolumeModel) -> BoundVolume: ...
    @overload
    def bind(self, model: FirewallRuleModel) -> BoundFirewallRule: ...
    def bind(self, model: Any) -> Any:
        """The bound object of this datacenter for a model the client returned
        (``dc.bind(dc.api.get_machine(id))`` is a :class:`BoundMachine`)."""
        from smartdc._generated import models

        bound: dict[type, Callable[[DataCenter, Any], Any]] = {
            models.Machine: BoundMachine,
            models.Image: BoundImage,
            models.Network: BoundNetwork,
            models.Volume: BoundVolume,
            models.FirewallRule: BoundFirewallRule,
        }
        kind = bound.get(type(model))
        if kind is None:
            raise TypeError(f"no bound object for a {type(model).__name__}")
        return kind(self, model)

    # -- machines ----------------------------------------------------------------------------

    @arguments_of(CloudAPI.iter_list_machines)
    def machines(self, **filters: Any) -> Iterator[BoundMachine]:
        """Every machine matching the filters, fetched page by page as you iterate.

        Filters are ListMachines' (``state=``, ``name=``, ``image=``, ``brand=``...);
        ``tags={"role": "db"}`` matches tags.
        """
        for model in self.api.iter_list_machines(**filters):
            yield BoundMachine(self, model)

    def machine(self, ref: str) -> BoundMachine:
        """A machine by uuid, name, or short id (a unique prefix of its uuid, e.g. ``b6979942``),
        as :mod:`smartdc.facade.references` resolves them. A uuid is fetched with GetMachine (a
        deleted machine comes back with state ``deleted``); a name or short id comes as
        ListMachines showed it (``machine.refresh()`` fetches it again)."""
        machine_id, listed = references.machine_id(self.api, ref)
        model = listed if listed is not None else fetch_machine(self.api, machine_id)
        return BoundMachine(self, model)

    def find_machine(self, name: str) -> BoundMachine | None:
        """The machine named exactly ``name``, or None."""
        named, _ = self._named_machines(name)
        if not named:
            return None
        return _one(named, name, "machine", lambda m: m.id)

    def _named_machines(self, name: str) -> tuple[list[BoundMachine], list[str]]:
        """(machines named exactly ``name``, names of the others the server matched).

        ListMachines' ``name=`` is a prefix match (VMAPI's alias filter): ``web`` lists ``web-1``.
        """
        exact: list[BoundMachine] = []
        others: list[str] = []
        for model in self.api.iter_list_machines(name=name):
            if model.name == name:
                exact.append(BoundMachine(self, model))
            elif len(others) < 5:
                others.append(str(model.name))
        return exact, others

    def create_machine(
        self,
        name: str | None = None,
        image: ImageRef | None = None,
        package: str | Package | None = None,
        networks: Sequence[NetworkRef | Mapping[str, Any]] | None = None,
        metadata: Mapping[str, str | float | bool] | None = None,
        tags: Mapping[str, str | float | bool] | None = None,
        firewall_enabled: bool | None = None,
        *,
        dataset: ImageRef | None = None,
        if_absent: bool = False,
        **extra: Any,
    ) -> BoundMachine:
        """Provision a machine and return it at once (state ``provisioning``).

        ``image`` is an id, a name (latest version), a :class:`BoundImage` or a model
        (``smartdc.models.Image``), default :meth:`default_image`; ``dataset`` is python-smartdc's
        spelling of ``image``. ``package`` is an id, a name or a ``smartdc.models.Package``,
        default :meth:`default_package`. ``networks``: ids, bound networks or models (or
        CreateMachine's network objects, ``{"ipv4_uuid": ..., "ipv4_ips": [...]}``). Other CreateMachine parameters (``affinity=``,
        ``deletion_protection=``, ``volumes=``...) pass through ``extra``.

        Idempotent provisioning: with ``if_absent=True`` and a ``name``, an existing machine of
        that name is returned instead of creating a second one. Retrying a script that died
        after CreateMachine was sent (``OutcomeUnknownError``) is then safe::

            web = sdc.create_machine(name="web-1", if_absent=True)
            web.wait("running")
        """
        if dataset is not None:
            if image is not None:
                raise TypeError("pass image= or its older name dataset=, not both")
            image = dataset
        if if_absent:
            if not name:
                raise TypeError("if_absent=True needs a name to look the machine up by")
            existing = self.find_machine(name)
            if existing is not None:
                return existing
        image_id = self._image_id(image)
        package_ref = self._package_ref(package)
        params: dict[str, Any] = {"image": image_id, "package": package_ref}
        optional = {
            "name": name,
            "networks": [_network_ref(n) for n in networks] if networks is not None else None,
            "metadata": dict(metadata) if metadata is not None else None,
            "tags": dict(tags) if tags is not None else None,
            "firewall_enabled": firewall_enabled,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        params.update(extra)
        return BoundMachine(self, self.api.create_machine(**params))

    def _image_id(self, image: ImageRef | None) -> str:
        if image is None:
            return str(self.default_image().id)
        if isinstance(image, str):
            return image if is_uuid(image) else str(references.image(self.api, image).id)
        return str(image.id)

    def _package_ref(self, package: str | Package | None) -> str:
        if package is None:
            return str(self.default_package().id)
        if isinstance(package, str):
            # by id, as it was resolved (a name with PAPI's wildcard could pick another package;
            # a short id the server does not know)
            return package if is_uuid(package) else str(references.package(self.api, package).id)
        return str(package.id)

    def wait_all(
        self,
        machines: Iterable[BoundMachine],
        state: State,
        *,
        timeout: float | None = None,
        interval: float | None = None,
    ) -> list[BoundMachine]:
        """Wait until every machine is in ``state``; see :func:`smartdc.facade.wait_all`."""
        return wait_all(machines, state, timeout=timeout, interval=interval)


def _one(found: list[T], ref: str, kind: str, ident: Callable[[T], object]) -> T:
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f"no {kind} named {ref!r}")
    ids = [str(ident(f)) for f in found]
    raise AmbiguousNameError(
        f"{len(found)} {kind}s match {ref!r} ({', '.join(ids)}); use the full id", candidates=ids
    )


def _network_ref(network: NetworkRef | Mapping[str, Any]) -> str | Mapping[str, Any]:
    """A network as CreateMachine takes it: an id (from a bound network or a model) or as given."""
    if isinstance(network, (str, Mapping)):
        return network
    return str(network.id)
