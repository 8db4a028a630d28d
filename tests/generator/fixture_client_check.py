"""Run in a subprocess by test_codegen.py, with the fixture spec's generated code installed as
``smartdc._generated``: calls it against a scripted loopback server and checks every answer."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

WIDGET = {
    "id": "11111111-2222-3333-4444-555555555555",
    "state": "building",
    "created": "2024-01-02T03:04:05.678Z",
    "owner": None,
    "displayName": "W",
    "parts": [{"name": "bolt", "weight": 3}, {"name": "nut", "weight": "unknown"}],
    "labels": {"a": 1},
    "futureField": {"kept": True},
}
SEEN: list[tuple[str, str, Any]] = []
GETS = {"count": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        SEEN.append((self.command, self.path, body))
        segments = parts.path.strip("/").split("/")
        if segments[1:] == ["widgets"]:
            offset = int(query.get("offset", 0))
            page = [dict(WIDGET, id=f"{i:08d}-0000-0000-0000-000000000000") for i in range(3)][
                offset : offset + 2
            ]
            self._answer(
                200,
                page if self.command == "GET" else None,
                {"x-resource-count": str(len(page)), "x-query-limit": "2"},
            )
        elif len(segments) == 3 and self.command == "GET":
            if segments[2] == "missing":
                self._answer(404, {"code": "ResourceNotFound", "message": "no widget"})
                return
            GETS["count"] += 1
            state = "ready" if GETS["count"] >= 3 else "building"
            self._answer(200, dict(WIDGET, state=state))
        elif len(segments) == 3:
            self._answer(202, None)
        elif segments[-1] == "notes":
            self._answer(200, body)
        else:
            self._answer(200, "note text")

    do_GET = do_POST = do_PUT = do_HEAD = _handle


def main(tmp: str) -> None:
    from smartdc._generated.client import CloudAPI
    from smartdc._generated.enums import WidgetState
    from smartdc._generated.errors import ResourceNotFound
    from smartdc._generated.models import Widget
    from smartdc.testing.keyfiles import write_key

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = write_key(Path(tmp), "id_rsa", key, "pkcs8", with_pub=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = CloudAPI(
        url=f"http://127.0.0.1:{server.server_port}",
        account="acct",
        secret=str(key_path),
        environ={},
    )

    # a plain call of a paginated operation returns every item (the server pages by 2)
    widgets = client.list_widgets(state=WidgetState.READY, labels={"team": "blue"})
    assert [type(w) for w in widgets] == [Widget, Widget, Widget]
    method, target, _ = SEEN[-1]
    assert method == "GET" and "state=ready" in target and "label.team=blue" in target, target
    assert "offset=2" in target, target
    # one page only when offset or limit is given
    assert len(client.list_widgets(limit=2)) == 2
    assert len(client.list_widgets(offset=2)) == 1
    first = widgets[0]
    assert first.state == WidgetState.BUILDING and first.owner is None and first.display_name == "W"
    assert first.created.tzinfo is not None and first.created.year == 2024
    assert first.parts is not None and first.parts[1].weight == "unknown"
    assert first.extra == {"futureField": {"kept": True}}
    assert first.to_json() == dict(WIDGET, id=first.id)
    assert [w.id[:8] for w in client.iter_list_widgets()] == ["00000000", "00000001", "00000002"]
    assert client.head_list_widgets()["x-resource-count"] == "2"

    assert client.polish_widget(WIDGET["id"], shine=3) is None
    assert SEEN[-1] == ("POST", f"/acct/widgets/{WIDGET['id']}?action=polish", {"shine": 3})
    assert client.set_notes(WIDGET["id"], notes={"k": "v"}) == {"k": "v"}
    assert client.get_note(WIDGET["id"], "a/b") == "note text"
    assert SEEN[-1][1] == f"/acct/widgets/{WIDGET['id']}/notes/a%2Fb"

    ready = client.wait_widget_ready(WIDGET["id"], timeout=5)
    assert ready.state == WidgetState.READY and GETS["count"] == 3
    try:
        client.get_widget("missing")
    except ResourceNotFound as exc:
        assert exc.status == 404 and exc.error_code == "ResourceNotFound"
    else:
        raise AssertionError("expected ResourceNotFound")
    server.shutdown()
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
