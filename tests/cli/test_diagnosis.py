"""Diagnosis and messages: ``-v`` shows the wire with secrets masked, Ctrl-C exits 130, a closed
pipe ends quietly, errors and warnings speak in CLI flags."""

from __future__ import annotations

import http.server
import os
import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smartdc.testing import Simulator
from tests.cli.conftest import Result, invoke
from tests.core.server import self_signed_cert

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRITON_", "SDC_"))}
    env["TRITON_CONFIG_DIR"] = str(tmp_path)
    return env


def test_verbose_shows_each_request_and_answer_with_the_signature_masked(
    cli: Callable[..., Result],
) -> None:
    done = cli("-v", "account")
    assert done.code == 0, done.err
    assert "request: GET http://127.0.0.1:" in done.err
    assert "Authorization: (signature masked; keyId /sim/keys/" in done.err
    assert "Signature keyId" not in done.err and "signature=" not in done.err
    assert "answer: GET /sim -> 200" in done.err
    assert '"login":"sim"' in done.err
    assert done.out.startswith("id ")  # stdout keeps only the result


def test_verbose_masks_secret_values_in_bodies(cli: Callable[..., Result]) -> None:
    done = cli(
        "instance", "create", "--verbose", "-n", "v1", "-m", "db_password=hunter2", "-m", "role=db"
    )
    assert done.code == 0, done.err
    assert "request: POST" in done.err
    assert "hunter2" not in done.err
    assert '"metadata.db_password":"***"' in done.err
    assert '"metadata.role":"db"' in done.err


def test_without_verbose_nothing_is_logged(cli: Callable[..., Result]) -> None:
    done = cli("account")
    assert done.code == 0
    assert done.err == ""


def test_plain_http_refusal_names_the_flag() -> None:
    done = invoke(["--url", "http://example.com", "--account", "a", "--key-id", "k", "account"])
    assert done.code == 2
    assert "--allow-plaintext" in done.err
    assert "allow_plaintext=True" not in done.err


def test_missing_settings_name_flags() -> None:
    done = invoke(["--account", "a", "account"])
    assert done.code == 2
    assert "give --url" in done.err and "url=..." not in done.err


def test_insecure_prints_one_clear_line(cloudapi_sim: Simulator, connection: list[str]) -> None:
    done = invoke([*connection, "--insecure", "account"], cloudapi_sim.wait_clock)
    assert done.code == 0, done.err
    lines = done.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("smartdc: warning: TLS certificate verification is OFF")
    assert "--insecure" in lines[0]
    assert "Warning" not in lines[0] and ".py" not in lines[0]


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server whose certificate no CA signed."""
    cert_file, key_file = self_signed_cert(tmp_path)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_tls_failure_names_the_flags(self_signed_server: str, cloudapi_sim: Simulator) -> None:
    key = cloudapi_sim.key_path
    done = invoke(["--url", self_signed_server, "--account", "sim", "--key-file", key, "account"])
    assert done.code == 1
    assert "--ca-certs BUNDLE" in done.err and "--insecure" in done.err
    assert "ca_certs=" not in done.err and "insecure=True" not in done.err


def test_ctrl_c_exits_130(
    cli: Callable[..., Result], cloudapi_sim: Simulator, tmp_path: Path
) -> None:
    # the subprocess polls for a state the machine never reaches, until interrupted
    created = cli("instance", "create", "-n", "w", "-j")
    machine_id = created.json_lines()[0]["id"]
    sim = cloudapi_sim
    argv = [sys.executable, "-m", "smartdc.cli", "-v", "--url", sim.url, "--account", sim.account]
    argv += ["--key-file", sim.key_path, "instance", "wait", machine_id, "-s", "stopped"]
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=_env(tmp_path),
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # in the waiting loop once it has asked the server
        if "request: GET" in line:
            break
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "Traceback" not in rest
    assert "interrupted" in rest


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "smartdc.cli", "api", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=_env(tmp_path),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""


def test_head_of_a_pipe(tmp_path: Path) -> None:
    smartdc = f"{sys.executable} -m smartdc.cli"
    done = subprocess.run(
        ["bash", "-c", f'{smartdc} api --list | head -1; echo "status ${{PIPESTATUS[0]}}" >&2'],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(tmp_path),
        timeout=60,
        check=True,
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == "status 0\n"


def test_verbose_masks_credentials_in_answers(cli: Callable[..., Result]) -> None:
    created = cli("instance", "create", "-n", "c", "-w", "-m", 'credentials={"root": "s3cret"}')
    assert created.code == 0, created.err
    machine_id = created.err.split(": ", 1)[1].split()[0]
    done = cli("-v", "api", "GetMachine", f"id={machine_id}", "credentials=true")
    assert done.code == 0, done.err
    assert "s3cret" in done.out  # what was asked for is printed
    assert "answer: GET /sim/machines/" in done.err
    assert "s3cret" not in done.err and '"credentials":"***"' in done.err
