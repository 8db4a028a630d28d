"""``load_signer``: find the key for a key id (key file, ssh-agent, ``~/.ssh``) and wrap it."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from smartdc.auth.files import MAX_KEY_FILE_BYTES, read_small_file
from smartdc.auth.fingerprint import (
    KeyIdSpec,
    normalize_key_id,
    openssh_public_key_comment,
    parse_openssh_public_key,
    sha256_fingerprint,
)
from smartdc.auth.keytypes import Passphrase
from smartdc.auth.signer import (
    DEFAULT_CACHE_SIZE,
    DEFAULT_SIGN_HEADERS,
    HttpSignatureSigner,
    build_key_id,
    check_sign_headers,
)
from smartdc.errors import (
    AgentError,
    ConfigError,
    KeyLoadError,
    KeyMismatchError,
    KeyNotFoundError,
    UnsupportedKeyError,
)

# The default key files node-triton and ssh try, before any other "*.pub" with a private half.
DEFAULT_KEY_FILES = ("id_rsa", "id_ecdsa", "id_ed25519")


def load_signer(
    *,
    account: str,
    key_id: str | None,
    user: str | None = None,
    key_path: str | os.PathLike[str] | None = None,
    passphrase: Passphrase = None,
    sign_headers: Sequence[str] = DEFAULT_SIGN_HEADERS,
    agent_socket: str | None = None,
    ssh_dir: str | os.PathLike[str] | None = None,
    agent_timeout: float | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> HttpSignatureSigner:
    """A request signer for ``account`` (and RBAC ``user``) with the key ``key_id`` names.

    ``key_id`` is an MD5 fingerprint (``MD5:`` prefix optional), a ``SHA256:`` fingerprint or a key
    name (matched against a key's comment or file name); the keyId sent is always the MD5 form.
    With ``key_path`` that file is used and must match ``key_id`` (a fingerprint; ``None`` or a name
    accepts the file). Otherwise the ssh-agent (``agent_socket`` or ``SSH_AUTH_SOCK``) is asked
    first, then ``ssh_dir`` (default ``~/.ssh``): ``id_rsa``, ``id_ecdsa``, ``id_ed25519`` and any
    ``*.pub`` with its private half beside it. ``passphrase`` is a string, bytes, or a callback
    given the key path; ``SMARTDC_KEY_PASSPHRASE`` is used when it is ``None``.
    """
    headers = check_sign_headers(sign_headers)
    build_key_id(account, "-", user)  # validate account/user before touching any key
    spec = _parse_key_id(key_id) if key_id is not None else None
    if key_path is not None:
        return _file_signer(account, user, spec, key_path, passphrase, headers, cache_size)
    if spec is None:
        raise ConfigError("key_id is required when no key file (key_path) is given")
    tried: list[str] = []
    agent_problem: AgentError | None = None
    agent_path = agent_socket if agent_socket is not None else os.environ.get("SSH_AUTH_SOCK")
    if agent_path:
        try:
            signer = _agent_signer(
                account, user, spec, agent_path, agent_timeout, headers, cache_size
            )
        except AgentError as exc:
            if agent_socket is not None:
                raise  # an explicitly named agent must work
            agent_problem = exc
            signer = None
        except UnsupportedKeyError as exc:
            # e.g. a P-384 key the agent would sign with SHA-384: its key file may still work.
            agent_problem = AgentError(str(exc))
            signer = None
        if signer is not None:
            return signer
        tried.append(f"ssh-agent at {agent_path}: {agent_problem or 'no matching key'}")
    else:
        tried.append("ssh-agent: SSH_AUTH_SOCK is not set")
    directory = Path(ssh_dir) if ssh_dir is not None else Path.home() / ".ssh"
    found = _search_ssh_dir(directory, spec)
    if found is not None:
        return _file_signer(account, user, spec, found, passphrase, headers, cache_size)
    tried.append(f"{directory}: no key file matches")
    raise KeyNotFoundError(f"no key matching key id {spec.value} found ({'; '.join(tried)})")


def load_agent_signer(
    *,
    account: str,
    key_id: str,
    user: str | None = None,
    agent_socket: str | None = None,
    sign_headers: Sequence[str] = DEFAULT_SIGN_HEADERS,
    agent_timeout: float | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> HttpSignatureSigner:
    """A signer using only the ssh-agent; raises :class:`AgentError` when it lacks the key."""
    headers = check_sign_headers(sign_headers)
    build_key_id(account, "-", user)
    path = agent_socket if agent_socket is not None else os.environ.get("SSH_AUTH_SOCK")
    if not path:
        raise AgentError("no ssh-agent: SSH_AUTH_SOCK is not set and no agent_socket was given")
    spec = _parse_key_id(key_id)
    signer = _agent_signer(account, user, spec, path, agent_timeout, headers, cache_size)
    if signer is None:
        raise AgentError(f"ssh-agent at {path} does not hold a key matching key id {spec.value}")
    return signer


def _parse_key_id(key_id: str) -> KeyIdSpec:
    try:
        return normalize_key_id(key_id)
    except ValueError as exc:
        raise ConfigError(f"key_id {key_id!r} is invalid: {exc}") from None


def _file_signer(
    account: str,
    user: str | None,
    spec: KeyIdSpec | None,
    key_path: str | os.PathLike[str],
    passphrase: Passphrase,
    headers: tuple[str, ...],
    cache_size: int,
) -> HttpSignatureSigner:
    from smartdc.auth.keyfile import load_key_file  # cryptography is imported here, not before

    key = load_key_file(key_path, passphrase)
    if spec is not None and spec.kind != "name" and not spec.matches(key.blob):
        raise KeyMismatchError(
            f"key file {key.path} does not match key id {spec.value}: its fingerprints are "
            f"{key.fingerprint} (MD5) and {sha256_fingerprint(key.blob)}"
        )
    return HttpSignatureSigner(
        key_id=build_key_id(account, key.fingerprint, user),
        algorithm=key.algorithm,
        sign=key.sign,
        fingerprint=key.fingerprint,
        source=f"key file {key.path}",
        sign_headers=headers,
        cache_size=cache_size,
    )


def _agent_signer(
    account: str,
    user: str | None,
    spec: KeyIdSpec,
    socket_path: str,
    timeout: float | None,
    headers: tuple[str, ...],
    cache_size: int,
) -> HttpSignatureSigner | None:
    from smartdc.auth.agent import DEFAULT_AGENT_TIMEOUT, AgentClient, agent_sign_function

    client = AgentClient(socket_path, timeout=timeout or DEFAULT_AGENT_TIMEOUT)
    for identity in client.identities():
        if spec.matches(identity.blob, names=(identity.comment,)):
            algorithm, sign = agent_sign_function(client, identity)
            return HttpSignatureSigner(
                key_id=build_key_id(account, identity.fingerprint, user),
                algorithm=algorithm,
                sign=sign,
                fingerprint=identity.fingerprint,
                source=f"ssh-agent key {identity.comment or identity.key_type}",
                sign_headers=headers,
                cache_size=cache_size,
            )
    return None


def _search_ssh_dir(directory: Path, spec: KeyIdSpec) -> Path | None:
    """The private key file in ``directory`` whose public key matches ``spec`` (or ``None``)."""
    if not directory.is_dir():
        return None
    candidates = [directory / name for name in DEFAULT_KEY_FILES]
    try:
        extra = sorted(p.with_suffix("") for p in directory.glob("*.pub"))
    except OSError:
        extra = []
    candidates += [p for p in extra if p not in candidates]
    for private in candidates:
        try:
            if not stat.S_ISREG(private.stat().st_mode):
                continue  # a directory, FIFO or device (also through a link) is no key
        except OSError:
            continue
        blob, comment = _public_half(private)
        if blob is None:
            continue
        if spec.matches(blob, names=(comment, private.name) if comment else (private.name,)):
            return private
    return None


def _public_half(private: Path) -> tuple[bytes | None, str]:
    """The public blob and comment of a private key file, without needing its passphrase."""
    public = private.with_name(private.name + ".pub")
    try:
        text = read_small_file(public, MAX_KEY_FILE_BYTES)[0].decode("utf-8")
        _, blob = parse_openssh_public_key(text)
        return blob, openssh_public_key_comment(text)
    except (OSError, UnicodeDecodeError, ValueError):
        pass
    # No usable .pub: OpenSSH private keys keep the public key in the clear.
    try:
        data, _ = read_small_file(private, MAX_KEY_FILE_BYTES)
    except OSError:
        return None, ""
    if b"-----BEGIN OPENSSH PRIVATE KEY-----" not in data:
        return None, ""
    from smartdc.auth.keyfile import openssh_comment, openssh_header

    try:
        _, blob = openssh_header(data)
        comment = openssh_comment(data)
    except (ValueError, KeyLoadError):
        return None, ""
    return blob, comment


__all__ = ["DEFAULT_KEY_FILES", "load_agent_signer", "load_signer"]
