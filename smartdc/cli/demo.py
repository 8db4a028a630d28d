"""``smartdc demo``: python-smartdc's README flow, step by step, through the facade.

By default it starts the embedded simulator in this process (short delays) so nothing outside is
touched. When a real cloud is configured (``--url``/``--profile``, TRITON_*/SDC_* variables or a
current triton profile) it runs there only with ``--yes``: it creates one small machine and
deletes it again.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from smartdc.cli.context import Context
from smartdc.cli.output import raw_stream, terminal_safe

if TYPE_CHECKING:
    from smartdc.facade import BoundMachine, DataCenter
    from smartdc.runtime.waiting import WaitClock

Adder = Callable[..., argparse.ArgumentParser]

NEXT_STEPS = """\
Where to go next (README.md):
  * "Using the library"            DataCenter, Machine, waits, tags and metadata in your code
  * "Command line"                 smartdc instances, smartdc instance create --wait, smartdc api
  * "Testing with the simulator"   the cloudapi_sim pytest fixture and `smartdc sim`"""


class Narrator:
    """Prints numbered steps, the code they run, and what came back."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.step = 0
        self.started = time.monotonic()

    def say(self, text: str = "") -> None:
        self.out.write(terminal_safe(text, keep_newlines=True) + "\n")
        self.out.flush()

    def title(self, text: str, code: str) -> None:
        self.step += 1
        self.say(f"\n{self.step}. {text}")
        self.say(f"   >>> {code}")

    def result(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.say(f"   {line}")

    def progress(self, label: str) -> Callable[[str, float], None]:
        """Shows each poll: rewritten in place on a terminal, one line per new state otherwise."""
        isatty = getattr(self.out, "isatty", None)
        live = bool(callable(isatty) and isatty())
        last: list[str] = []

        def show(state: str, elapsed: float) -> None:
            if live:
                shown = terminal_safe(f"{label}: {state}")
                raw = raw_stream(self.out)  # the CLI's own codes; the text is escaped
                raw.write(f"\r\x1b[K   ... {shown} after {elapsed:.1f} s")
                raw.flush()
            elif not last or last[-1] != state:
                self.say(f"   ... {label}: {state} after {elapsed:.1f} s")
            last.append(state)

        return show

    def end_progress(self) -> None:
        isatty = getattr(self.out, "isatty", None)
        if callable(isatty) and isatty():
            self.out.write("\n")


def _real_cloud_configured(ctx: Context) -> bool:
    from smartdc.config import Config
    from smartdc.errors import ConfigError

    if ctx.args.simulator:
        return False
    try:
        Config(**ctx.config_kwargs())
    except ConfigError:
        return False
    return True


@contextmanager
def _simulated(n: Narrator, clock: WaitClock | None) -> Iterator[tuple[DataCenter, Any]]:
    from smartdc.testing import Settings, Simulator, VirtualClock

    settings = Settings(
        provision_seconds=2.0,
        stop_seconds=1.0,
        start_seconds=1.0,
        reboot_seconds=0.5,
        delete_seconds=1.0,
        snapshot_seconds=0.5,
    )
    # a virtual clock given to the command line runs the simulator too (no real waiting)
    virtual = clock if isinstance(clock, VirtualClock) else None
    with Simulator(settings=settings, clock=virtual) as sim:
        n.say(f"Started the embedded CloudAPI simulator: {', '.join(sim.urls)} ({sim.url} first)")
        n.say(f"account {sim.account!r}, key {sim.key_id} (a throwaway key in {sim.key_path})")
        from smartdc.facade import DataCenter

        n.title(
            "Connect (python-smartdc's constructor; url= instead of location= here)",
            "sdc = DataCenter(url=..., key_id=..., secret='~/.ssh/id_rsa')",
        )
        sdc = DataCenter(
            url=sim.url,
            account=sim.account,
            key_id=sim.key_id,
            secret=sim.key_path,
            clock=sim.wait_clock,
        )
        n.result(repr(sdc))
        try:
            yield sdc, sim
        finally:
            sdc.close()


def run_flow(n: Narrator, sdc: DataCenter, *, switch: bool) -> DataCenter:
    """The seed README flow. Returns the DataCenter the machine was made in."""
    n.title("List the account's SSH keys", "sdc.keys()")
    keys = sdc.keys()
    for key in keys:
        n.result(f"{key.name}  {key.fingerprint}")

    n.title("List datasets (images)", "sdc.datasets()")
    for image in sdc.datasets():
        n.result(f"{image.name}@{image.version}  {image.os}  {image.id}")

    n.title("Datacenters of this cloud", "sdc.datacenters()")
    names = sdc.datacenters()
    for name, url in names.items():
        n.result(f"{name}  {url}")
    here = sdc
    others = [name for name, url in names.items() if url.rstrip("/") != sdc.url]
    if switch and others:
        n.title(f"Switch to datacenter {others[0]}", f"east = sdc.datacenter({others[0]!r})")
        here = sdc.datacenter(others[0])
        n.result(repr(here))

    n.title("The default package", "east.default_package()")
    package = here.default_package()
    n.result(f"{package.name}: {package.memory} MiB RAM, {package.disk} MiB disk, id {package.id}")

    image = here.default_image()
    name = f"smartdc-demo-{int(time.time()) % 100000}"
    n.title(
        f"Create a machine from {image.name}@{image.version}",
        f"machine = east.create_machine(name={name!r}, package=package, if_absent=True)",
    )
    machine = here.create_machine(name=name, image=image, package=package, if_absent=True)
    n.result(f"{machine.id}  state {machine.state}")

    n.title("Poll while it is provisioning", "machine.poll_while('provisioning')")
    machine.poll_while("provisioning", progress=n.progress("provisioning"))
    n.end_progress()
    n.result(
        f"state {machine.state}, primary IP {machine.primary_ip}, IPs "
        + ", ".join(ip for ip in machine.ips or [] if isinstance(ip, str))  # null: no address
    )

    n.title(
        "Tag it and set metadata", "machine.tags['role'] = 'demo'; machine.metadata.update(...)"
    )
    machine.tags["role"] = "demo"
    machine.metadata.update({"motd": "hello from smartdc", "owner": "demo"})
    n.result(f"tags     {machine.tags.to_dict()}")
    n.result(f"metadata {_abridged(machine.metadata.to_dict())}")

    n.title("Take a snapshot", "machine.create_snapshot('before-stop').poll_until('created')")
    snapshot = machine.create_snapshot("before-stop")
    snapshot.poll_until("created")
    n.result(f"snapshot {snapshot.name}: {snapshot.state}")

    _stop_and_delete(n, machine)
    return here


def _abridged(values: dict[str, Any], width: int = 40) -> dict[str, Any]:
    """Long values (root_authorized_keys) cut short for reading."""
    return {
        k: (v[: width - 3] + "..." if isinstance(v, str) and len(v) > width else v)
        for k, v in values.items()
    }


def _stop_and_delete(n: Narrator, machine: BoundMachine) -> None:
    n.title("Stop it and poll until stopped", "machine.stop(); machine.poll_until('stopped')")
    machine.stop()
    machine.wait("stopped", progress=n.progress("stopping"))
    n.end_progress()
    n.result(f"state {machine.state}")

    n.title("Delete it and wait until it is gone", "machine.delete(wait=True)")
    machine.delete()
    machine.wait("deleted", progress=n.progress("deleting"))
    n.end_progress()
    n.result("deleted")


def cmd_demo(ctx: Context) -> int:
    n = Narrator(ctx.out, ctx.err)
    if _real_cloud_configured(ctx):
        if not ctx.args.yes:
            ctx.err.write(
                "smartdc demo: a real cloud is configured (flags, TRITON_*/SDC_* variables or a "
                "triton profile).\nThe demo would create and delete one machine there; run again "
                "with --yes to do so, or with --simulator to use the embedded simulator.\n"
            )
            return 2
        sdc = ctx.datacenter()
        n.say(f"smartdc demo against {sdc.url} as {sdc.config.account} (--yes given)")
        run_flow(n, sdc, switch=False)
        requests = None
    else:
        n.say("smartdc demo: python-smartdc's README flow through the smartdc facade")
        with _simulated(n, ctx.clock) as (sdc, sim):
            run_flow(n, sdc, switch=True)
            requests = sim.request_count()
    took = time.monotonic() - n.started
    counted = f", {requests} API requests" if requests is not None else ""
    n.say(f"\nDone in {took:.1f} s{counted}.\n")
    n.say(NEXT_STEPS)
    return 0


def add_commands(add: Adder) -> None:
    parser = add("demo", cmd_demo, help="a guided tour (embedded simulator unless configured)")
    parser.add_argument(
        "--yes", action="store_true", help="really create and delete a machine in a real cloud"
    )
    parser.add_argument(
        "--simulator", action="store_true", help="use the embedded simulator even if configured"
    )
