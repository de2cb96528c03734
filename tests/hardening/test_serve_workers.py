"""``luoshi serve --workers 2``: each worker listens on the port itself (SO_REUSEPORT), so
connections opened at once are spread over the workers; a worker that dies is replaced and no
connection is sent to its socket; a port already served is refused; SIGTERM stops everything."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from luoshi.devtools.seeding import Seeded
from luoshi.devtools.server import Server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT balancing is Linux's")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def _workers(server: Server) -> list[int]:
    """The web workers (the notification sender is the other child)."""
    assert server.proc is not None
    return [p for p in _children(server.proc.pid)
            if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _sockets(port: int, state: str) -> set[int]:
    """Inodes of the TCP sockets on local ``port`` in ``state`` (0A listening, 01 established)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == state:
                found.add(int(cols[9]))
    return found


def _owned(pid: int, inodes: set[int]) -> int:
    n = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and int(target[8:-1]) in inodes:
            n += 1
    return n


@pytest.fixture
def server(sqlite_template: tuple[Path, Seeded], tmp_path: Path):  # type: ignore[no-untyped-def]
    path, _seeded = sqlite_template
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(path, home / "luoshi.db")
    srv = Server(home, f"sqlite:///{home / 'luoshi.db'}", workers=2).start()
    yield srv
    srv.stop()


def _wait(condition, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_connections_opened_at_once_reach_both_workers(server: Server) -> None:
    assert _wait(lambda: len(_sockets(server.port, "0A")) == 2), "two listening sockets, one per worker"
    workers = _workers(server)
    assert len(workers) == 2
    clients = [httpx.Client(base_url=server.url, timeout=10) for _ in range(24)]
    try:
        assert all(c.get("/api/dashboard").status_code == 200 for c in clients)  # 24 kept-alive connections
        established = _sockets(server.port, "01")
        per_worker = [_owned(pid, established) for pid in workers]
        assert sum(per_worker) >= 20 and min(per_worker) >= 1, per_worker
    finally:
        for c in clients:
            c.close()


@pytest.mark.slow
def test_a_dead_worker_is_replaced_and_no_connection_waits_on_it(server: Server) -> None:
    assert _wait(lambda: len(_workers(server)) == 2)
    victim = _workers(server)[0]
    os.kill(victim, 9)
    assert _wait(lambda: len(_workers(server)) == 2 and victim not in _workers(server)
                 and len(_sockets(server.port, "0A")) == 2), "a new worker listens in its place"
    for _ in range(40):  # fresh connections, spread by the kernel: every one is answered
        with httpx.Client(base_url=server.url, timeout=5) as c:
            assert c.get("/api/me").status_code == 200
    assert "已退出" in server.log() and "正在重启" in server.log()


@pytest.mark.slow
def test_a_port_already_served_is_refused(server: Server, tmp_path: Path) -> None:
    env = server.env()
    r = subprocess.run([sys.executable, "-c", "from luoshi.cli import main; main()", "serve", "--host", "127.0.0.1",
                        "--port", str(server.port), "--workers", "2", "--no-notify"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert f"端口 {server.port} 已有服务在监听" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow
def test_sigterm_stops_the_workers(server: Server) -> None:
    assert _wait(lambda: len(_workers(server)) == 2)
    workers = _workers(server)
    assert server.proc is not None
    server.proc.terminate()  # the supervisor alone, as a service manager would
    server.proc.wait(30)
    assert _wait(lambda: not any(Path(f"/proc/{p}").exists() for p in workers), 20)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", server.port)) != 0
