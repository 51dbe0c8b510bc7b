"""hierattn-serve listens on 127.0.0.1 unless --host opens it to the LAN, which it then says in one line."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request

import pytest

SERVE = [sys.executable, "-m", "hierattn.runtime.web.server", "--port", "0"]


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str], int]:
    server = subprocess.Popen([*SERVE, *args], stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    lines = [server.stderr.readline()]
    port = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[0])
    assert port, lines
    if args:
        lines.append(server.stderr.readline())
    return server, lines, int(port.group(1))


@pytest.mark.parametrize("args", [(), ("--host", "0.0.0.0")])
def test_loopback_by_default_and_a_notice_when_opened_to_the_lan(args):
    server, lines, port = _start(*args)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
        notice = [line for line in lines if line.startswith("note: listening on")]
        if args:
            assert notice == ["note: listening on 0.0.0.0: any device on this network can open the page and download the model\n"]
        else:
            assert notice == []
            # The bound address is the loopback one, so nothing off this machine can connect.
            listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
            assert f"127.0.0.1:{port}" in listening, listening
    finally:
        server.terminate()
        server.wait(timeout=10)
