"""A minimal ssh-agent client (RFC draft-miller-ssh-agent): list identities and sign.

Written on the socket module so the agent path needs no cryptography at all. Every socket operation
has a timeout; each call uses its own connection, so one client is safe to share between threads.
"""

from __future__ import annotations

import os
import socket
import struct
import time

from smartdc.auth.fingerprint import md5_fingerprint, ssh_key_type
from smartdc.auth.keytypes import SignFunction
from smartdc.auth.wire import SSHReader
from smartdc.errors import AgentError, UnsupportedKeyError

SSH_AUTH_SOCK = "SSH_AUTH_SOCK"
DEFAULT_AGENT_TIMEOUT = 10.0

_FAILURE = 5
_REQUEST_IDENTITIES = 11
_IDENTITIES_ANSWER = 12
_SIGN_REQUEST = 13
_SIGN_RESPONSE = 14
_RSA_SHA2_256 = 2  # flag asking for an "rsa-sha2-256" signature instead of SHA-1
_MAX_MESSAGE = 256 * 1024

# SSH key type -> (http-signature algorithm, expected agent signature format). P-384 is absent: agents
# sign it with SHA-384, which CloudAPI's verifier (http-signature) does not know.
AGENT_ALGORITHMS: dict[str, tuple[str, str]] = {
    "ssh-rsa": ("rsa-sha256", "rsa-sha2-256"),
    "ecdsa-sha2-nistp256": ("ecdsa-sha256", "ecdsa-sha2-nistp256"),
    "ecdsa-sha2-nistp521": ("ecdsa-sha512", "ecdsa-sha2-nistp521"),
    "ssh-ed25519": ("ed25519-sha512", "ssh-ed25519"),
}


class AgentIdentity:
    """A public key held by the agent."""

    def __init__(self, blob: bytes, comment: str) -> None:
        self.blob = blob
        self.comment = comment
        self.key_type = ssh_key_type(blob)
        self.fingerprint = md5_fingerprint(blob)

    def __repr__(self) -> str:
        return f"AgentIdentity({self.key_type}, {self.fingerprint}, {self.comment!r})"


class AgentClient:
    """Talks to the ssh-agent listening on a Unix socket."""

    def __init__(self, socket_path: str | None = None, *, timeout: float = DEFAULT_AGENT_TIMEOUT):
        path = socket_path if socket_path is not None else os.environ.get(SSH_AUTH_SOCK)
        if not path:
            raise AgentError(f"no ssh-agent: {SSH_AUTH_SOCK} is not set")
        self.socket_path = path
        self.timeout = timeout

    def identities(self) -> list[AgentIdentity]:
        reply = self._call(bytes([_REQUEST_IDENTITIES]))
        if reply[0] != _IDENTITIES_ANSWER:
            raise AgentError(f"ssh-agent at {self.socket_path} refused to list its keys")
        reader = SSHReader(reply[1:], AgentError, "message from ssh-agent")
        found = []
        for _ in range(reader.uint32()):
            blob = reader.string()
            comment = reader.string().decode("utf-8", "replace")
            try:
                found.append(AgentIdentity(blob, comment))
            except ValueError:
                continue  # a malformed blob cannot be ours; skip it rather than fail the listing
        return found

    def sign(self, blob: bytes, data: bytes, *, flags: int = 0) -> tuple[str, bytes]:
        """``(signature format, signature blob)`` as the agent returns them."""
        request = bytes([_SIGN_REQUEST]) + _string(blob) + _string(data) + struct.pack(">I", flags)
        reply = self._call(request)
        if reply[0] == _FAILURE:
            raise AgentError(
                f"ssh-agent at {self.socket_path} refused to sign with key {md5_fingerprint(blob)}"
                " (is it still loaded, or does it need confirmation?)"
            )
        if reply[0] != _SIGN_RESPONSE:
            raise AgentError(
                f"ssh-agent sent an unexpected answer (type {reply[0]}) to a sign request"
            )
        signature = SSHReader(
            SSHReader(reply[1:], AgentError, "message from ssh-agent").string(),
            AgentError,
            "signature from ssh-agent",
        )
        return signature.string().decode("ascii", "replace"), signature.string()

    def _call(self, message: bytes) -> bytes:
        # ``timeout`` bounds the whole exchange, not each read: an agent answering one byte just
        # before every read timeout still ends here on time.
        deadline = time.monotonic() + self.timeout
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(self.socket_path)
                sock.sendall(struct.pack(">I", len(message)) + message)
                (length,) = struct.unpack(">I", _recv_exactly(sock, 4, deadline))
                if not 0 < length <= _MAX_MESSAGE:
                    raise AgentError(f"ssh-agent sent a message of invalid length {length}")
                return _recv_exactly(sock, length, deadline)
        except TimeoutError:
            raise AgentError(
                f"ssh-agent at {self.socket_path} did not answer within {self.timeout:g} s"
            ) from None
        except (FileNotFoundError, ConnectionRefusedError):
            raise AgentError(f"no ssh-agent listening at {self.socket_path}") from None
        except OSError as exc:
            raise AgentError(f"ssh-agent at {self.socket_path}: {exc.strerror or exc}") from None


def agent_sign_function(client: AgentClient, identity: AgentIdentity) -> tuple[str, SignFunction]:
    """The http-signature algorithm and a signing function for an agent-held key."""
    entry = AGENT_ALGORITHMS.get(identity.key_type)
    if entry is None:
        if identity.key_type == "ecdsa-sha2-nistp384":
            reason = "ssh-agent signs P-384 keys with SHA-384, which CloudAPI cannot verify"
        else:
            reason = f"CloudAPI cannot verify {identity.key_type} signatures"
        raise UnsupportedKeyError(
            f"agent key {identity.fingerprint} ({identity.comment or identity.key_type}): {reason};"
            " use its key file or an RSA, P-256, P-521 or Ed25519 key"
        )
    algorithm, expected = entry
    flags = _RSA_SHA2_256 if identity.key_type == "ssh-rsa" else 0
    blob = identity.blob

    def sign(data: bytes) -> bytes:
        kind, raw = client.sign(blob, data, flags=flags)
        if kind != expected:
            raise AgentError(
                f"ssh-agent signed with {kind!r} instead of {expected!r}"
                " (an agent older than OpenSSH 7.1 cannot make rsa-sha2-256 signatures)"
            )
        if kind.startswith("ecdsa-"):
            return ssh_ecdsa_to_der(raw)
        return raw

    return algorithm, sign


def ssh_ecdsa_to_der(raw: bytes) -> bytes:
    """Convert an SSH ECDSA signature (mpint r, mpint s) to the DER SEQUENCE http-signature uses."""
    reader = SSHReader(raw, AgentError, "key from ssh-agent")
    r = int.from_bytes(reader.string(), "big")
    s = int.from_bytes(reader.string(), "big")
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + _der_length(len(body)) + body


def _der_integer(value: int) -> bytes:
    # Minimal two's-complement big-endian; a leading zero keeps positive numbers positive.
    encoded = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_length(len(encoded)) + encoded


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded


def _string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _recv_exactly(sock: socket.socket, count: int, deadline: float) -> bytes:
    chunks = []
    while count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(min(count, 65536))
        if not chunk:
            raise AgentError("ssh-agent closed the connection in the middle of an answer")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)
