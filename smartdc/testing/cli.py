"""``smartdc sim``: run the CloudAPI simulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from smartdc.testing.simulator import Simulator, SimulatorError, write_key_pair
from smartdc.testing.sshkeys import BadPublicKey
from smartdc.testing.state import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartdc sim",
        description="Run a local CloudAPI simulator on 127.0.0.1 (first datacenter on --port).",
    )
    parser.add_argument("--port", type=int, default=0, help="port of the first datacenter")
    parser.add_argument("--account", default="sim", help="account login (default: sim)")
    parser.add_argument(
        "--key",
        metavar="PRIVATE_KEY_FILE",
        help="private key to register (public half at KEY.pub); default: a fresh RSA pair",
    )
    parser.add_argument("--state", metavar="FILE", help="SQLite file to keep state across runs")
    parser.add_argument("--provision-seconds", type=float, default=None, metavar="S")
    parser.add_argument("--machines", type=int, default=0, metavar="N", help="pre-create N")
    return parser


def sim_main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    temporary_key_dir: Path | None = None
    settings = Settings()
    if args.provision_seconds is not None:
        settings.provision_seconds = args.provision_seconds
    if args.key:
        key_path = Path(args.key).expanduser()
        if not key_path.exists():
            print(f"smartdc sim: key file {key_path} does not exist", file=sys.stderr)
            return 2
    elif args.state:
        # keep the key next to the state so a restart can sign with the same key
        key_path = Path(f"{args.state}.id_rsa")
        if not key_path.exists():
            try:
                write_key_pair(key_path.parent, key_path.name)
            except OSError as exc:
                print(f"smartdc sim: cannot write the key: {exc}", file=sys.stderr)
                return 2
    else:
        # the generated key only makes sense while this simulator runs: removed at exit
        key_path = write_key_pair(Path(tempfile.mkdtemp(prefix="smartdc-sim-key-")))
        temporary_key_dir = key_path.parent
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    simulator = Simulator(
        args.account, settings=settings, state_file=args.state, port=args.port, key_path=key_path
    )
    try:
        simulator.start()
    except (OSError, SimulatorError, BadPublicKey, ValueError) as exc:
        print(f"smartdc sim: cannot start: {exc}", file=sys.stderr)
        if temporary_key_dir is not None:
            shutil.rmtree(temporary_key_dir, ignore_errors=True)
        return 1
    try:
        if args.machines:
            try:
                simulator.populate_machines(args.machines)
            except ImportError:
                print(
                    "smartdc sim: machines are not simulated yet; --machines ignored",
                    file=sys.stderr,
                )
        for name, value in simulator.env().items():
            print(f"export {name}={value}")
        print(f"# key: {simulator.key_path}")
        for name, url in simulator.urls.items():
            print(f"# datacenter {name}: {url}")
        print("# serving until Ctrl-C", flush=True)
        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stop.wait(0.5):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    finally:
        simulator.close()
        if temporary_key_dir is not None:
            shutil.rmtree(temporary_key_dir, ignore_errors=True)
    return 0
