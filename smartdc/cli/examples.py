"""Per-command help that helps: an example for each command, and a line for each argument that
the command itself does not describe (filled in once the tree is built, in one place)."""

from __future__ import annotations

import argparse

# what a positional argument is, by its dest, where the command gives no help of its own
ARGUMENTS = {
    "instance": "instance: name, short id or uuid",
    "instances": "instances: names, short ids or uuids",
    "image": "image: id, name, name@version or short id",
    "images": "images: ids, names, name@version or short ids",
    "package": "package: id, name or short id",
    "ref": "id, name or short id",
    "filters": "FIELD=VALUE filters the server applies (e.g. state=running)",
    "pairs": "KEY=VALUE pairs (true/false and numbers typed for tags)",
    "key": "the key",
    "keys": "the keys",
    "mac": "the NIC's MAC address",
    "macs": "MAC addresses",
    "disks": "disk ids or short ids",
    "disk": "disk id or short id",
    "name": "the name",
    "names": "the names",
    "ids": "firewall rules: ids or short ids",
    "id": "firewall rule: id or short id",
    "kind": "what to list the names of",
    "shell": "the shell (default bash)",
    "ssh_args": "arguments passed on to ssh",
    "version": "the version",
    "params": "the operation's parameters, NAME=VALUE (`smartdc api OPERATION --help` lists them)",
}

# command path -> an example (several lines allowed)
EXAMPLES = {
    "account": "smartdc account",
    "datacenters": "smartdc datacenters",
    "services": "smartdc services -j",
    "images": "smartdc images name=base-64-lts -o name,version",
    "packages": "smartdc packages -s memory",
    "volumes": "smartdc volumes state=ready",
    "keys": "smartdc keys -A >> ~/.ssh/authorized_keys",
    "key add": "smartdc key add -n laptop ~/.ssh/id_ed25519.pub",
    "key delete": "smartdc key delete laptop",
    "key get": "smartdc key get laptop",
    "key list": "smartdc key list -j",
    "networks": "smartdc networks -o name,subnet",
    "fwrules": "smartdc fwrules -l",
    "image get": "smartdc image get base-64-lts@23.4.0",
    "image list": "smartdc image list -a os=smartos",
    "image create": "smartdc image create -w web-1 my-image 1.0.0",
    "image delete": "smartdc image delete my-image@1.0.0",
    "image wait": "smartdc image wait my-image",
    "image share": "smartdc image share my-image 7f2d8c9e-... (an account uuid)",
    "image unshare": "smartdc image unshare my-image 7f2d8c9e-...",
    "image clone": "smartdc image clone shared-image",
    "package get": "smartdc package get g4-highcpu-1G",
    "package list": "smartdc package list memory=1024",
    "network get": "smartdc network get external",
    "network list": "smartdc network list -j",
    "fwrule get": "smartdc fwrule get 3b4c5d6e",
    "fwrule create": 'smartdc fwrule create "FROM any TO tag role=web ALLOW tcp PORT 443"',
    "fwrule list": "smartdc fwrule list -o shortid,rule",
    "fwrule update": "smartdc fwrule update 3b4c5d6e description='web traffic'",
    "fwrule enable": "smartdc fwrule enable 3b4c5d6e",
    "fwrule disable": "smartdc fwrule disable 3b4c5d6e",
    "fwrule delete": "smartdc fwrule delete 3b4c5d6e",
    "fwrule instances": "smartdc fwrule instances 3b4c5d6e",
    "profile list": "smartdc profile list",
    "profile get": "smartdc profile get us-east",
    "profile create": "smartdc profile create us-east --url https://us-east-1.api.example.com "
    "--account me --key-id SHA256:...",
    "profile edit": "smartdc profile edit us-east",
    "profile set-current": "smartdc profile set-current us-east",
    "profile delete": "smartdc profile delete old",
    "profiles": "smartdc profiles",
    "env": 'eval "$(smartdc env us-east)"',
    "info": "smartdc info",
    "instances": "smartdc instances state=running -o name,primaryIp -s -created",
    "instance list": "smartdc instance list tag.role=web",
    "instance get": "smartdc instance get web-1 | json state",
    "instance vnc": "smartdc instance vnc win-1",
    "instance create": "smartdc instance create -w -n web-1 -t role=web base-64-lts g4-highcpu-1G",
    "instance start": "smartdc instance start -w web-1 web-2",
    "instance stop": "smartdc instance stop -w --wait-timeout 300 web-1",
    "instance delete": "smartdc instance delete -w web-1",
    "instance reboot": "smartdc instance reboot -w web-1",
    "instance resize": "smartdc instance resize -w web-1 g4-highcpu-2G",
    "instance rename": "smartdc instance rename web-1 web-old",
    "instance enable-firewall": "smartdc instance enable-firewall -w web-1",
    "instance disable-firewall": "smartdc instance disable-firewall web-1",
    "instance fwrules": "smartdc instance fwrules web-1",
    "instance audit": "smartdc instance audit web-1 -s -time",
    "instance enable-deletion-protection": "smartdc instance enable-deletion-protection db-1",
    "instance disable-deletion-protection": "smartdc instance disable-deletion-protection db-1",
    "instance nic list": "smartdc instance nic list web-1",
    "instance nic get": "smartdc instance nic get web-1 90:b8:d0:8f:07:40",
    "instance nic add": "smartdc instance nic add -w web-1 internal",
    "instance nic delete": "smartdc instance nic delete web-1 90:b8:d0:8f:07:40",
    "instance nics": "smartdc instance nics web-1",
    "instance disk list": "smartdc instance disk list vm-1",
    "instance disk get": "smartdc instance disk get vm-1 4a5b6c7d",
    "instance disk add": "smartdc instance disk add -w vm-1 10240",
    "instance disk resize": "smartdc instance disk resize -w vm-1 4a5b6c7d 20480",
    "instance disk delete": "smartdc instance disk delete -w vm-1 4a5b6c7d",
    "instance disks": "smartdc instance disks vm-1",
    "instance migration list": "smartdc instance migration list",
    "instance migration get": "smartdc instance migration get web-1",
    "instance migration begin": "smartdc instance migration begin -w web-1",
    "instance migration sync": "smartdc instance migration sync -w web-1",
    "instance migration switch": "smartdc instance migration switch -w web-1",
    "instance migration automatic": "smartdc instance migration automatic -w web-1",
    "instance migration pause": "smartdc instance migration pause web-1",
    "instance migration abort": "smartdc instance migration abort web-1",
    "instance migration finalize": "smartdc instance migration finalize web-1",
    "instance ip": "ssh root@$(smartdc instance ip web-1)",
    "instance ssh": "smartdc instance ssh web-1 -- uptime",
    "instance wait": "smartdc instance wait -s stopped web-1",
    "instance tag list": "smartdc instance tag list web-1",
    "instance tag get": "smartdc instance tag get web-1 role",
    "instance tag replace-all": "smartdc instance tag replace-all -w web-1 role=web tier=2",
    "instance tag set": "smartdc instance tag set -w web-1 role=web",
    "instance tag delete": "smartdc instance tag delete -w web-1 role",
    "instance tags": "smartdc instance tags web-1",
    "instance metadata list": "smartdc instance metadata list web-1",
    "instance metadata get": "smartdc instance metadata get web-1 user-script",
    "instance metadata set": "smartdc instance metadata set -w web-1 motd='hello'",
    "instance metadata delete": "smartdc instance metadata delete -w web-1 motd",
    "instance metadatas": "smartdc instance metadatas web-1",
    "instance snapshot list": "smartdc instance snapshot list web-1",
    "instance snapshot get": "smartdc instance snapshot get web-1 before-upgrade",
    "instance snapshot create": "smartdc instance snapshot create -w -n before-upgrade web-1",
    "instance snapshot delete": "smartdc instance snapshot delete -w web-1 before-upgrade",
    "instance snapshot boot": "smartdc instance snapshot boot -w web-1 before-upgrade",
    "instance snapshots": "smartdc instance snapshots web-1",
    "changefeed": "smartdc changefeed -j --instances web-1",
    "create": "smartdc create -w -n web-1 base-64-lts@23.4.0 g4-highcpu-1G",
    "start": "smartdc start -w web-1 web-2",
    "stop": "smartdc stop -w web-1",
    "delete": "smartdc delete -w web-1",
    "reboot": "smartdc reboot -w web-1",
    "ip": "smartdc ip web-1",
    "ssh": "smartdc ssh web-1",
    "api": "smartdc api GetMachine id=b6979942-7d5d-4c1e-8d1e-0123456789ab",
    "demo": "smartdc demo",
    "complete": "smartdc complete instances",
    "completion": "source <(smartdc completion bash)",
}

CONNECTION_NOTE = (
    "connection (--url, --account, --key-id, --profile ...) and -v: see `smartdc --help`;\n"
    "they may also be given after the command."
)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def finish_help(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    """Give each built command its example and a line for each argument it leaves bare."""
    children = _subcommands(parser)
    for action in parser._actions:
        if not action.option_strings and action.help is None and action.dest in ARGUMENTS:
            action.help = ARGUMENTS[action.dest]
    if path and not children and parser.epilog is None:
        example = EXAMPLES.get(" ".join(path))
        lines = [f"example: {example}"] if example else []
        parser.epilog = "\n".join([*lines, CONNECTION_NOTE])
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    seen: set[int] = set()
    for name, child in children.items():
        if id(child) not in seen and not getattr(child, "_smartdc_ready", False):  # built only
            seen.add(id(child))
            finish_help(child, (*path, name))
