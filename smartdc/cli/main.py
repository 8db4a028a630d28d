"""Placeholder entry point until the CLI issue lands."""

from __future__ import annotations

import argparse

from smartdc._version import __version__


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="smartdc", description="Joyent Triton CloudAPI client")
    parser.add_argument("--version", action="version", version=f"smartdc {__version__}")
    parser.parse_args(argv)
    return 0
