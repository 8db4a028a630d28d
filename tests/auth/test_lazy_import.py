"""``import smartdc.auth`` stays cheap: cryptography loads only with a key file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .keys import PrivateKey, write_key

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_does_not_load_cryptography() -> None:
    code = (
        "import sys, smartdc.auth\n"
        "from smartdc.auth import fingerprint, load_signer, ed25519_unsupported_hint\n"
        "print('cryptography' in sys.modules)"
    )
    assert _run(code) == "False"


def test_loading_a_key_file_loads_cryptography(
    generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    path = write_key(tmp_path, "key", generated_keys["ed25519"], "openssh")
    code = (
        "import sys\n"
        "from smartdc.auth import load_signer\n"
        f"load_signer(account='a', key_id=None, key_path={str(path)!r})\n"
        "print('cryptography' in sys.modules)"
    )
    assert _run(code) == "True"
