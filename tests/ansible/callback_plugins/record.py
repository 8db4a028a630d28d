"""A stdout callback for the tests: the whole run as one JSON document (each task's result on
each host, and the recap). ansible-core's own ``json`` callback lives in ansible.posix, which the
tests do not install."""

from __future__ import annotations

import json
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: record
type: stdout
short_description: the run as one JSON document (tests only)
description: Task results per host, then the recap, printed as JSON when the run ends.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "record"

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[dict[str, Any]] = []

    def _record(self, result: Any, status: str) -> None:
        body = dict(result._result)
        body["_status"] = status
        self.tasks.append(
            {"task": result._task.get_name(), "host": result._host.get_name(), "result": body}
        )

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats: Any) -> None:
        recap = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._display.display(
            json.dumps({"tasks": self.tasks, "stats": recap}, default=str, sort_keys=True)
        )
