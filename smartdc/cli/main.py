"""Placeholder entry point until the CLI issue lands."""

from __future__ import annotations

import argparse

from smartdc._version import __version__


def run(argv: list[str]) -> int:
    if argv[:1] == ["sim"]:
        # The simulator's own command line lives with the simulator.
        from smartdc.testing.cli import sim_main

        return sim_main(argv[1:])
    parser = argparse.ArgumentParser(prog="smartdc", description="Joyent Triton CloudAPI client")
    parser.add_argument("--version", action="version", version=f"smartdc {__version__}")
    parser.parse_args(argv)
    return 0
