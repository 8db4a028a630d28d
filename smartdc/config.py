"""Configuration: explicit arguments, then environment variables, then a node-triton profile.

Existing Triton users need nothing new: ``TRITON_*``/``SDC_*`` variables and
``~/.triton/profiles.d/<name>.json`` profiles (the current one named in ``~/.triton/config.json``)
are read exactly as the official ``triton`` CLI reads them.

* Precedence: explicit argument > environment > profile (``profile=``/``TRITON_PROFILE``, else the
  one named by ``profile`` in ``$TRITON_CONFIG_DIR/config.json``, default ``~/.triton``; the name
  ``env`` means no profile). ``TRITON_*`` beats ``SDC_*``; when both are set and differ a
  ``UserWarning`` names both (an error would break shells that export both for older tools).
* Defaults: ``Accept-Version: ~9||~8``; timeouts 10 s to connect and 60 s for the whole answer of
  an attempt (``timeout=s`` sets both, ``timeout=(connect, read)`` each); 4 retries within 60 s;
  answers up to 64 MiB; 32 kept-alive connections per host (``pool_maxsize``); TLS verified
  (``ca_certs=`` for a private CA, ``insecure=True`` to turn it off).
* ``http://`` is refused except to loopback or with ``allow_plaintext=True``: a signature sent in
  clear text can be replayed within the server's clock-skew window.
* ``roles`` go out as ``as-role=a,b`` on every request; ``act_as`` puts that login in request paths
  (:attr:`Config.login`) while the keyId keeps your own account.
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from smartdc.errors import ConfigError, SmartDCError

if TYPE_CHECKING:
    from smartdc.auth import Passphrase, RequestSigner

DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to establish a connection
DEFAULT_READ_TIMEOUT = 60.0  # an attempt ends within connect + read seconds; also bounds each read
DEFAULT_MAX_RETRIES = 4
DEFAULT_RETRY_DEADLINE = 60.0  # seconds, across all attempts of one call
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
DEFAULT_POOL_MAXSIZE = 32  # kept-alive connections per host: room for 16+ threads sharing a client
LOCATION_URL = "https://{location}.api.joyentcloud.com"

# setting -> environment variables, first wins (TRITON_* before the older SDC_*)
ENV_NAMES: dict[str, tuple[str, ...]] = {
    "url": ("TRITON_URL", "SDC_URL"),
    "account": ("TRITON_ACCOUNT", "SDC_ACCOUNT"),
    "user": ("TRITON_USER", "SDC_USER"),
    "key_id": ("TRITON_KEY_ID", "SDC_KEY_ID"),
    "insecure": ("TRITON_TLS_INSECURE", "SDC_TLS_INSECURE", "SDC_TESTING"),
    "roles": ("TRITON_ROLE",),
    "act_as": ("TRITON_ACT_AS",),
    "profile": ("TRITON_PROFILE",),
}
# profile JSON field -> setting
PROFILE_FIELDS = {
    "url": "url",
    "account": "account",
    "user": "user",
    "keyId": "key_id",
    "insecure": "insecure",
    "roles": "roles",
    "actAsAccount": "act_as",
}
PASSPHRASE_ENV = "SMARTDC_KEY_PASSPHRASE"
# the private key file when no secret= is given (smartdc's own: node-triton has no such setting)
KEY_FILE_ENV = "SMARTDC_KEY_FILE"
_TRUE = {"1", "true", "yes", "on"}


def _env_value(name: str, environ: Mapping[str, str]) -> str | None:
    """The first non-empty variable for a setting; warns when TRITON_* and SDC_* disagree."""
    found = [(var, environ[var]) for var in ENV_NAMES[name] if environ.get(var)]
    if not found:
        return None
    if name != "insecure" and len({value for _, value in found}) > 1:
        names = ", ".join(f"{var}={value!r}" for var, value in found)
        warnings.warn(
            f"conflicting environment variables ({names}); using {found[0][0]}", stacklevel=4
        )
    return found[0][1]


def _env_source(name: str, environ: Mapping[str, str]) -> str:
    return next((var for var in ENV_NAMES[name] if environ.get(var)), name)


def check_header_value(
    name: str, value: str, error: type[SmartDCError] = ConfigError, *, source: str | None = None
) -> None:
    """Refuse a value bound for a request header (or the signed request line) that holds a
    control character or cannot be sent: it would break the request, and the HTTP library's
    complaint would quote the whole header block, signature included."""
    where = f"{name} (from {source})" if source and source != name else name
    for index, char in enumerate(value):
        if char < " " or char == "\x7f":
            raise error(
                f"{where} contains the control character {char!r} at position {index}; "
                "remove it (a file saved with CRLF line ends leaves a trailing \\r)"
            )
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise error(
            f"{where} contains {value[exc.start]!r} at position {exc.start}, which cannot be sent "
            "in an HTTP header"
        ) from None


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def triton_config_dir(environ: Mapping[str, str]) -> Path:
    explicit = environ.get("TRITON_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    return Path(environ.get("HOME") or Path.home()) / ".triton"


def load_profile(name: str | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings of a node-triton profile (``None``: the current one, if any)."""
    directory = triton_config_dir(environ)
    if name is None:
        config_file = directory / "config.json"
        if not config_file.is_file():
            return {}
        try:
            name = json.loads(config_file.read_text(encoding="utf-8")).get("profile")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read triton config {config_file}: {exc}") from None
        if not name:
            return {}
    if name == "env":
        return {}
    path = directory / "profiles.d" / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"triton profile {name!r} not found ({path})") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"triton profile {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"triton profile {path} must hold a JSON object")
    return {setting: data[field] for field, setting in PROFILE_FIELDS.items() if field in data}


def _as_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    if isinstance(value, int):
        return bool(value)
    raise ConfigError(f"{name} must be a boolean, not {value!r}")


def _as_roles(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(r.strip() for r in value.split(",") if r.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(r) for r in value)
    raise ConfigError(f"roles must be a list or a comma-separated string, not {value!r}")


def _split_legacy_key_id(key_id: str) -> tuple[str | None, str | None, str]:
    """``/login/keys/id`` or ``/login/users/user/keys/id`` (python-smartdc's form) -> parts."""
    parts = key_id.strip("/").split("/")
    if len(parts) == 3 and parts[1] == "keys":
        return parts[0], None, parts[2]
    if len(parts) == 5 and parts[1] == "users" and parts[3] == "keys":
        return parts[0], parts[2], parts[4]
    raise ConfigError(f"key_id {key_id!r} is neither a fingerprint, a key name nor /login/keys/id")


class Config:
    """Where and as whom to talk to CloudAPI. Immutable; :meth:`replace` makes a changed copy."""

    __slots__ = (
        "_frozen",
        "_signer",
        "_signer_lock",
        "accept_version",
        "account",
        "act_as",
        "allow_plaintext",
        "ca_certs",
        "connect_timeout",
        "insecure",
        "key_id",
        "max_response_bytes",
        "max_retries",
        "passphrase",
        "pool_maxsize",
        "profile",
        "read_timeout",
        "retry_backoff",
        "retry_deadline",
        "roles",
        "secret",
        "sign_headers",
        "url",
        "user",
        "user_agent",
    )

    def __init__(
        self,
        url: str | None = None,
        account: str | None = None,
        user: str | None = None,
        key_id: str | None = None,
        secret: str | os.PathLike[str] | None = None,
        passphrase: Passphrase = None,
        insecure: bool | None = None,
        profile: str | None = None,
        accept_version: str | None = None,
        timeout: float | tuple[float, float] | None = None,
        roles: str | list[str] | tuple[str, ...] | None = None,
        act_as: str | None = None,
        location: str | None = None,
        *,
        sign_headers: tuple[str, ...] = ("(request-target)", "date"),
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_deadline: float = DEFAULT_RETRY_DEADLINE,
        retry_backoff: float = 0.5,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pool_maxsize: int = DEFAULT_POOL_MAXSIZE,
        user_agent: str | None = None,
        allow_plaintext: bool = False,
        ca_certs: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        explicit: dict[str, Any] = {
            "url": url,
            "account": account,
            "user": user,
            "key_id": key_id,
            "insecure": insecure,
            "roles": roles,
            "act_as": act_as,
        }
        profile_name = profile if profile is not None else _env_value("profile", env)
        from_profile = load_profile(profile_name, env)

        sources: dict[str, str] = {}

        def pick(name: str) -> Any:
            if explicit.get(name) is not None:
                sources[name] = name
                return explicit[name]
            value = _env_value(name, env)
            if value is not None:
                sources[name] = _env_source(name, env)
                return value
            sources[name] = f"triton profile {profile_name or '(current)'}"
            return from_profile.get(name)

        resolved = {name: pick(name) for name in explicit}
        for name, value in resolved.items():
            if isinstance(value, str):
                check_header_value(name, value, source=sources[name])
            elif name == "roles" and isinstance(value, (list, tuple)):
                for role in value:
                    check_header_value("roles", str(role), source=sources[name])
        if resolved["url"] is None and location:
            resolved["url"] = LOCATION_URL.format(location=location)
        key = resolved["key_id"]
        if isinstance(key, str) and key.startswith("/"):
            login, legacy_user, key = _split_legacy_key_id(key)
            resolved["account"] = resolved["account"] or login
            resolved["user"] = resolved["user"] or legacy_user
            resolved["key_id"] = key

        self.url = self._check_url(resolved["url"], allow_plaintext)
        if not resolved["account"]:
            raise ConfigError(
                "no account: pass account=..., or set TRITON_ACCOUNT (or SDC_ACCOUNT), "
                "or use a triton profile"
            )
        self.account = str(resolved["account"])
        self.user = str(resolved["user"]) if resolved["user"] else None
        self.key_id = str(resolved["key_id"]) if resolved["key_id"] else None
        if secret is None and env.get(KEY_FILE_ENV):
            secret = env[KEY_FILE_ENV]
        self.secret = str(Path(os.fspath(secret)).expanduser()) if secret is not None else None
        if self.key_id is None and self.secret is None:
            raise ConfigError(
                "no key: pass key_id=... (fingerprint or name) or secret=<private key path>, "
                f"or set TRITON_KEY_ID (or SDC_KEY_ID) or {KEY_FILE_ENV}"
            )
        if passphrase is None and env.get(PASSPHRASE_ENV):
            passphrase = env[PASSPHRASE_ENV]
        self.passphrase = passphrase
        self.insecure = (
            _as_bool(resolved["insecure"], "insecure")
            if resolved["insecure"] is not None
            else False
        )
        self.roles = _as_roles(resolved["roles"])
        self.act_as = str(resolved["act_as"]) if resolved["act_as"] else None
        self.profile = profile_name
        # None: the API's default, which the client reads from its service model (the spec's
        # default_accept_version); a bare Transport then sends none (the server's newest).
        self.accept_version: str | None = accept_version or None
        if self.accept_version is not None:
            check_header_value("accept_version", self.accept_version)
        if user_agent is not None:
            check_header_value("user_agent", user_agent)
        if isinstance(timeout, tuple):
            self.connect_timeout, self.read_timeout = float(timeout[0]), float(timeout[1])
        elif timeout is not None:
            self.connect_timeout = self.read_timeout = float(timeout)
        else:
            self.connect_timeout, self.read_timeout = DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ConfigError("timeout must be positive")
        if max_retries < 0:
            raise ConfigError("max_retries must be >= 0")
        for name, number in (
            ("retry_deadline", retry_deadline),
            ("max_response_bytes", max_response_bytes),
            ("pool_maxsize", pool_maxsize),
        ):
            if number <= 0:
                raise ConfigError(f"{name} must be positive, not {number!r}")
        if retry_backoff < 0:
            raise ConfigError("retry_backoff must be >= 0")
        self.sign_headers = tuple(sign_headers)
        self.max_retries = max_retries
        self.retry_deadline = retry_deadline
        self.retry_backoff = retry_backoff
        self.max_response_bytes = max_response_bytes
        self.pool_maxsize = pool_maxsize
        self.user_agent = user_agent
        self.allow_plaintext = allow_plaintext
        self.ca_certs = ca_certs
        self._signer: RequestSigner | None = None
        self._signer_lock = threading.Lock()
        self._frozen = True

    def __setattr__(self, name: str, value: object) -> None:
        # Shared by transports and threads: settings are fixed once made; use replace().
        if getattr(self, "_frozen", False) and not name.startswith("_"):
            raise AttributeError(f"Config is immutable; use config.replace({name}=...)")
        object.__setattr__(self, name, value)

    @staticmethod
    def _check_url(url: object, allow_plaintext: bool) -> str:
        if not url:
            raise ConfigError(
                "no CloudAPI URL: pass url=... or location=..., or set TRITON_URL (or SDC_URL), "
                "or use a triton profile"
            )
        text = str(url).rstrip("/")
        parts = urlsplit(text)
        if "@" in parts.netloc:
            raise ConfigError(
                "CloudAPI url must not hold a user name or password; requests are signed with "
                "your key"
            )
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"CloudAPI URL {text!r} must start with https:// and name a host")
        if parts.path or parts.query or parts.fragment or "#" in text or "?" in text:
            # CloudAPI serves from the root; a prefix would be sent but not signed.
            raise ConfigError(
                f"CloudAPI url {text!r} must be scheme://host[:port] only, without a path, query "
                "or fragment (CloudAPI answers at the root of its host)"
            )
        try:
            parts.port  # noqa: B018 - raises for a port out of range or not a number
        except ValueError as exc:
            raise ConfigError(f"CloudAPI url {text!r} has an invalid port: {exc}") from None
        if parts.scheme == "http" and not allow_plaintext and not _is_loopback(parts.hostname):
            raise ConfigError(
                f"refusing plain http to {parts.hostname}: signed requests sent in clear text can be "
                "replayed within the server's clock-skew window; use https, or pass "
                "allow_plaintext=True if you really mean it"
            )
        return text

    @property
    def login(self) -> str:
        """The login that goes in request paths: the act-as account, else your own."""
        return self.act_as or self.account

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def signer(self) -> RequestSigner:
        """The request signer (built once, on first use: loading a key imports cryptography)."""
        with self._signer_lock:
            if self._signer is None:
                from smartdc.auth import load_signer

                self._signer = load_signer(
                    account=self.account,
                    key_id=self.key_id,
                    user=self.user,
                    key_path=self.secret,
                    passphrase=self.passphrase,
                    sign_headers=self.sign_headers,
                )
            return self._signer

    def replace(self, **changes: Any) -> Config:
        """A copy with some settings changed (e.g. ``url=`` for another datacenter)."""
        copy = Config(**{**self._settings(), **changes})
        same_key = {"url", "insecure", "allow_plaintext", "ca_certs", "timeout"}
        if set(changes) <= same_key | {"max_retries", "retry_deadline"}:
            copy._signer = self._signer  # same credentials: share the loaded key
        return copy

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its settings (the loaded key is not: the other process loads it again from
        the same file or agent), so clients and facade objects can go to a process pool.

        Never with the key's passphrase: a passphrase callback is pickled (by name) and asked
        again; a passphrase given as text or read from the environment is left out, and the
        other process reads ``SMARTDC_KEY_PASSPHRASE`` from its own environment."""
        settings = self._settings()
        if not callable(self.passphrase):
            settings["passphrase"] = _NOT_CARRIED if self.passphrase is not None else None
        return (_config_from_settings, (settings,))

    def _settings(self) -> dict[str, Any]:
        """Every setting, resolved: a new Config from them reads no environment or profile."""
        settings: dict[str, Any] = {
            "url": self.url,
            "account": self.account,
            "user": self.user,
            "key_id": self.key_id,
            "secret": self.secret,
            "passphrase": self.passphrase,
            "insecure": self.insecure,
            "accept_version": self.accept_version,
            "timeout": self.timeout,
            "roles": self.roles,
            "act_as": self.act_as,
            "sign_headers": self.sign_headers,
            "max_retries": self.max_retries,
            "retry_deadline": self.retry_deadline,
            "retry_backoff": self.retry_backoff,
            "max_response_bytes": self.max_response_bytes,
            "pool_maxsize": self.pool_maxsize,
            "user_agent": self.user_agent,
            "allow_plaintext": self.allow_plaintext,
            "ca_certs": self.ca_certs,
            "profile": "env",
            "environ": {},
        }
        return settings

    def __repr__(self) -> str:
        # Never the passphrase; the key path and fingerprint are not secrets.
        return (
            f"Config(url={self.url!r}, account={self.account!r}, user={self.user!r}, "
            f"key_id={self.key_id!r}, secret={self.secret!r}, insecure={self.insecure!r})"
        )


def _config_from_settings(settings: dict[str, Any]) -> Config:
    return Config(**settings)


class _PassphraseNotCarried:
    """The passphrase of an unpickled Config whose passphrase was text: read from this process's
    environment when the key is loaded, else a :class:`KeyPassphraseError` saying why."""

    def __call__(self, shown: str) -> str:
        from smartdc.errors import KeyPassphraseError

        value = os.environ.get(PASSPHRASE_ENV)
        if not value:
            raise KeyPassphraseError(
                f"private key file {shown} is encrypted, and a pickled client does not carry its "
                f"passphrase: set {PASSPHRASE_ENV} in this process, or give the client a "
                "passphrase callback (pickled by name, asked again)"
            )
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (_not_carried, ())

    def __repr__(self) -> str:
        return "<passphrase not carried>"


def _not_carried() -> _PassphraseNotCarried:
    return _NOT_CARRIED


_NOT_CARRIED = _PassphraseNotCarried()
