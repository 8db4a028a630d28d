"""``smartdc ssh`` hands another program (ssh, and through ProxyJump ``/bin/sh -c``) only values
checked for what they must be: an address that parses as an IP address, a user name of a strict
pattern, a port number. A server that plants ``-oProxyCommand=...`` in an address or ``$(...)`` in
a tag or an image's ``default_user`` gets a clean refusal naming the value, and ssh never runs.

Where ssh runs for real here, it is told nothing that reaches beyond this machine: the hostile
values would only make it run a local command (``touch``) or connect to 127.0.0.1.
"""

from __future__ import annotations

import copy
import io
import json
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smartdc.cli.main import run
from smartdc.cli.ssh import split_ssh_args
from smartdc.testing import Simulator

RECORDER = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"
OPENSSH = shutil.which("ssh")


class Sshd:
    """A simulator with machines ``web`` (the target) and ``jump``, and a recording ssh."""

    def __init__(self, sim: Simulator, tmp_path: Path) -> None:
        self.sim = sim
        self.tmp_path = tmp_path
        self.record = tmp_path / "argv.json"
        self.marker = tmp_path / "pwned"

    def machine(self, name: str) -> dict[str, Any]:
        machines = self.sim.dc().table("machines", self.sim.account)
        return next(m for m in machines.values() if m["name"] == name)

    def set_ip(self, name: str, ip: str) -> None:
        self.machine(name).update(primaryIp=ip, ips=[ip])

    def set_tags(self, name: str, **tags: Any) -> None:
        self.machine(name)["tags"] = {**(self.machine(name).get("tags") or {}), **tags}

    def set_image_user(self, name: str, user: str) -> None:
        image = self.sim.dc().table("images")[self.machine(name)["image"]]
        image["tags"] = {**(image.get("tags") or {}), "default_user": user}

    def ssh(
        self, monkeypatch: pytest.MonkeyPatch, *argv: str, program: str | None = None
    ) -> tuple[int, str, str]:
        recorder = f"{shlex.quote(sys.executable)} -c {shlex.quote(RECORDER)} {self.record}"
        monkeypatch.setenv("SMARTDC_SSH", program or recorder)
        connection = ["--url", self.sim.url, "--account", self.sim.account]
        out, err = io.StringIO(), io.StringIO()
        code = run([*connection, "--key-file", str(self.sim.key_path), "ssh", *argv], out, err)
        return code, out.getvalue(), err.getvalue()

    def argv(self) -> list[str]:
        recorded: list[str] = json.loads(self.record.read_text())
        return recorded


@pytest.fixture(scope="module")
def ssh_sim() -> Iterator[Simulator]:
    with Simulator() as sim:
        with sim.datacenter() as dc:
            for name in ("web", "jump"):
                dc.create_machine(name=name).wait("running", timeout=60)
        yield sim


@pytest.fixture
def sshd(ssh_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sshd]:
    """The module's simulator, its machines and images restored after each test."""
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))
    tables = [ssh_sim.dc().table("machines", ssh_sim.account), ssh_sim.dc().table("images")]
    saved = [copy.deepcopy(table) for table in tables]
    yield Sshd(ssh_sim, tmp_path)
    for table, before in zip(tables, saved, strict=True):
        table.clear()
        table.update(before)


def _refused(sshd: Sshd, code: int, err: str, shown: str) -> None:
    assert code != 0
    assert not sshd.record.exists(), "ssh was started"
    assert not sshd.marker.exists()
    assert "Traceback" not in err
    assert shown in err, err
    assert "\x1b" not in err


HOSTILE_IPS = [
    "-oProxyCommand=touch {marker}",
    "-oProxyCommand=touch {marker}\n",
    "192.0.2.1 -oProxyCommand=touch {marker}",
    "$(touch {marker})",
    "192.0.2.1;touch {marker}",
    "fe80::1%$(touch {marker})",  # a scope id is anything but '%' to ipaddress
    "fe80::1%eth0",
    "192.0.2.1\x1b]0;pwned\x07",
    "",
    "web.example.com",
]


@pytest.mark.parametrize("ip", HOSTILE_IPS)
def test_an_address_that_is_not_an_ip_address_is_refused(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, ip: str
) -> None:
    ip = ip.format(marker=sshd.marker)
    sshd.set_ip("web", ip)
    code, _, err = sshd.ssh(monkeypatch, "web", "uptime")
    _refused(sshd, code, err, "address" if not ip else "not an IP address")


@pytest.mark.parametrize("ip", HOSTILE_IPS[:-2])
def test_smartdc_ip_prints_only_an_ip_address(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, ip: str
) -> None:
    """Its output is made for scripts (``ssh $(smartdc ip web)``)."""
    sshd.set_ip("web", ip.format(marker=sshd.marker))
    connection = ["--url", sshd.sim.url, "--account", sshd.sim.account]
    out, err = io.StringIO(), io.StringIO()
    code = run([*connection, "--key-file", str(sshd.sim.key_path), "ip", "web"], out, err)
    assert code != 0
    assert out.getvalue() == ""
    assert "not an IP address" in err.getvalue()


@pytest.mark.parametrize("ip", HOSTILE_IPS[:6])
def test_a_jump_hosts_address_is_checked_too(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, ip: str
) -> None:
    sshd.set_ip("jump", ip.format(marker=sshd.marker))
    sshd.set_tags("web", **{"tritoncli.ssh.proxy": "jump"})
    code, _, err = sshd.ssh(monkeypatch, "web")
    _refused(sshd, code, err, "not an IP address")


@pytest.mark.parametrize(
    "user",
    [
        "$(touch${{IFS}}{marker})",
        "`touch {marker}`",
        "a b",
        "-oProxyCommand=x",
        "root\x1b[2J",
        "x" * 40,
    ],
)
@pytest.mark.parametrize("where", ["proxyuser tag", "image default_user", "command line"])
def test_a_user_name_that_is_not_a_plain_name_is_refused(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, user: str, where: str
) -> None:
    user = user.format(marker=sshd.marker)
    sshd.set_tags("web", **{"tritoncli.ssh.proxy": "jump"})
    target = "web"
    if where == "proxyuser tag":
        sshd.set_tags("jump", **{"tritoncli.ssh.proxyuser": user})
    elif where == "image default_user":
        sshd.set_image_user("jump", user)
    else:
        target = f"{user}@web"
    code, _, err = sshd.ssh(monkeypatch, target)
    # a name starting with "-" on the command line is an unknown option to the CLI's parser
    usage = where == "command line" and user.startswith("-")
    _refused(sshd, code, err, "usage:" if usage else "not a valid user name")


@pytest.mark.parametrize("port", ["22 -oProxyCommand=x", "-oProxyCommand=x", "0", "65536", "2 2"])
def test_a_port_that_is_not_a_port_number_is_refused(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, port: str
) -> None:
    sshd.set_tags("web", **{"tritoncli.ssh.port": port})
    code, _, err = sshd.ssh(monkeypatch, "web")
    _refused(sshd, code, err, "not a port number")


def test_a_port_tag_may_be_a_number(sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    sshd.set_tags("web", **{"tritoncli.ssh.port": 2222})
    code, _, err = sshd.ssh(monkeypatch, "web")
    assert code == 0, err
    assert sshd.argv()[sshd.argv().index("-p") + 1] == "2222"


def test_option_parsing_ends_before_the_address_and_the_users_options_stay(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch
) -> None:
    sshd.set_ip("web", "192.0.2.10")
    code, _, err = sshd.ssh(monkeypatch, "web", "-A", "-L", "8080:localhost:80", "uptime", "-x")
    assert code == 0, err
    argv = sshd.argv()
    end = argv.index("--")
    assert argv[end:] == ["--", "192.0.2.10", "uptime", "-x"]
    assert argv[end - 5 : end] == ["-A", "-L", "8080:localhost:80", "-l", "root"]


@pytest.mark.parametrize(
    ("words", "options", "command"),
    [
        (["-A", "-L", "8080:x:80", "uptime", "-x"], ["-A", "-L", "8080:x:80"], ["uptime", "-x"]),
        (["-AL8080:x:80", "-v", "ls"], ["-AL8080:x:80", "-v"], ["ls"]),
        (["-o", "BatchMode=yes", "--", "-weird"], ["-o", "BatchMode=yes"], ["-weird"]),
        (["uptime", "--", "-x"], [], ["uptime", "--", "-x"]),
        (["-p"], ["-p"], []),
        ([], [], []),
    ],
)
def test_ssh_args_are_the_users_options_then_the_remote_command(
    words: list[str], options: list[str], command: list[str]
) -> None:
    assert split_ssh_args(words) == (options, command)


def test_an_ipv6_jump_host_is_bracketed_and_the_address_canonical(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch
) -> None:
    sshd.set_ip("jump", "2001:DB8:0::5")
    sshd.set_ip("web", "2001:db8::6")
    sshd.set_tags("web", **{"tritoncli.ssh.proxy": "jump"})
    sshd.set_tags("jump", **{"tritoncli.ssh.proxyuser": "hop"})
    code, _, err = sshd.ssh(monkeypatch, "web")
    assert code == 0, err
    argv = sshd.argv()
    assert "ProxyJump=hop@[2001:db8::5]" in argv
    assert argv[argv.index("--") :] == ["--", "2001:db8::6"]


@pytest.mark.skipif(OPENSSH is None, reason="OpenSSH's ssh is not installed")
def test_openssh_reads_the_command_as_meant(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """``ssh -G`` prints the configuration it would use and connects nowhere."""
    sshd.set_ip("web", "192.0.2.10")
    sshd.set_ip("jump", "2001:db8::11")
    sshd.set_tags("web", **{"tritoncli.ssh.proxy": "jump", "tritoncli.ssh.port": "2222"})
    program = f"{OPENSSH} -G -F /dev/null"
    code, _, err = sshd.ssh(monkeypatch, "admin@web", "-A", "uptime", "-x", program=program)
    assert code == 0, err
    config = dict(line.split(" ", 1) for line in capfd.readouterr().out.splitlines())
    assert config["hostname"] == "192.0.2.10"
    assert config["port"] == "2222"
    assert config["user"] == "admin"
    assert config["proxyjump"] == "admin@[2001:db8::11]"
    assert config["forwardagent"] == "yes"


@pytest.mark.skipif(OPENSSH is None, reason="OpenSSH's ssh is not installed")
@pytest.mark.parametrize("plant", ["address", "proxyuser"])
def test_openssh_never_runs_what_a_server_planted(
    sshd: Sshd, monkeypatch: pytest.MonkeyPatch, plant: str
) -> None:
    """The attack with the real ssh: before the fix it ran ``touch`` on this machine."""
    touch = f"touch {sshd.marker}"
    if plant == "address":
        sshd.set_ip("web", f"-oProxyCommand={touch}")
    else:
        sshd.set_ip("web", "127.0.0.1")
        sshd.set_ip("jump", "127.0.0.1")  # loopback only, should ssh ever connect
        sshd.set_tags("web", **{"tritoncli.ssh.proxy": "jump"})
        sshd.set_tags("jump", **{"tritoncli.ssh.proxyuser": f"$(touch${{IFS}}{sshd.marker})"})
    quiet = "-F /dev/null -o BatchMode=yes -o ConnectTimeout=2 -o UserKnownHostsFile=/dev/null"
    code, _, err = sshd.ssh(monkeypatch, "web", "true", program=f"{OPENSSH} {quiet}")
    assert not sshd.marker.exists(), "ssh ran a command planted by the server"
    assert code != 0
    assert "Traceback" not in err
