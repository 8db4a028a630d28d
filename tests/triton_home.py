"""A HOME for the node `triton` CLI that finds the simulator's key, as a user's ~/.ssh would hold it.

node-triton looks a key up by fingerprint in ssh-agent or in ``~/.ssh`` (and wants ``~/.ssh`` to
exist): the harnesses that run it against a simulator (the CLI fidelity tests, node-triton's own
suite, the CLI parity harness) each give it a throwaway HOME made here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from smartdc.testing.simulator import Simulator


def triton_home(sim: Simulator, home: Path) -> Path:
    """Make ``home/.ssh`` with the simulator's key pair as ``id_rsa``/``id_rsa.pub``; return home."""
    ssh = home / ".ssh"
    ssh.mkdir(parents=True)
    shutil.copy(sim.key_path, ssh / "id_rsa")
    (ssh / "id_rsa").chmod(0o600)
    shutil.copy(f"{sim.key_path}.pub", ssh / "id_rsa.pub")
    return home
