"""The production stack on loopback: nginx (Debian's package) with the shipped site config in
front of ``luoshi serve --workers 2 --proxy-headers`` on the embedded PostgreSQL, TLS with a
self-signed certificate made here. Only the surrounding nginx.conf (pid, temp and log paths in a
temp directory) is the test's own; the site config is deploy/nginx/luoshi.conf with its @TOKENS@
replaced, exactly as docs/deploy.md tells an administrator to do.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from luoshi.paths import seed_report

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SEED = seed_report()
PASSWORD = "deploy-test-password-9"
TODAY = "2024-04-03"  # 2024Q1 has ended and its reporting window is open
LUOSHI = [sys.executable, "-c", "import sys; from luoshi.cli import main; main(sys.argv[1:])"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_site(upstream: str, https_port: int, http_port: int, cert: Path, key: Path, logs: Path) -> str:
    """deploy/nginx/luoshi.conf with its tokens replaced (what the sed line in docs/deploy.md does)."""
    text = (DEPLOY / "nginx" / "luoshi.conf").read_text(encoding="utf-8")
    for token, value in {"@SERVER_NAME@": "127.0.0.1", "@HTTPS_PORT@": str(https_port),
                         "@HTTP_PORT@": str(http_port), "@UPSTREAM@": upstream, "@CERT@": str(cert),
                         "@KEY@": str(key), "@LOG_DIR@": str(logs)}.items():
        text = text.replace(token, value)
    live = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"@[A-Z_]+@", live), "an unreplaced token is left in the site config"
    return text


def main_conf(base: Path, site: Path) -> str:
    """The surrounding nginx.conf (Debian's /etc/nginx/nginx.conf plays this part in production)."""
    temp = base / "temp"
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / d).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp dirs under /tmp
    return (f"{user}worker_processes 1;\npid {base}/nginx.pid;\nerror_log {base}/logs/error.log;\n"
            "events { worker_connections 256; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
            f"  access_log {base}/logs/access.log;\n  include {site};\n}}\n")


def wait_for(url: str, proc: subprocess.Popen, log: Path, *, verify: object = True, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            httpx.get(url, verify=verify, timeout=2)  # type: ignore[arg-type]
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@dataclass
class Stack:
    https: str
    http: str
    ssl_context: ssl.SSLContext
    env: dict[str, str]
    base: Path
    serve_log: Path
    database_url: str
    ids: dict = field(default_factory=dict)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.https, verify=self.ssl_context, timeout=60)

    def luoshi(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*LUOSHI, *args], env=self.env, capture_output=True, text=True, timeout=300)


def _database(pg_url: str, name: str) -> str:
    """A fresh database on the session's embedded PostgreSQL server, for this module alone."""
    import psycopg

    admin = pg_url.replace("postgresql+psycopg://", "postgresql://").replace("/luoshi_test", "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url.replace("/luoshi_test", f"/{name}")


def _seed(url: str, home: Path) -> dict:
    """The seed report imported, assigned and published; one admin and one liaison account."""
    from sqlalchemy import select

    from luoshi.ledger.db import make_engine, transaction
    from luoshi.ledger.models import Commitment
    from luoshi.web import accounts, demo_data

    engine = make_engine(url)
    try:
        with transaction(engine, actor="setup") as db:
            report, _ = demo_data.import_report(db, SEED)
            demo_data.confirm_and_publish(db, report)
            c = db.scalars(select(Commitment).where(Commitment.kind == "target", Commitment.published.is_(True),
                                                    Commitment.unit == "%").order_by(Commitment.id)).first()
            assert c is not None and c.lead is not None
            accounts.add_user(db, "duchashi", "admin", PASSWORD, display_name="市政府督查室")
            accounts.add_user(db, "lianluo", "liaison", PASSWORD, unit=c.lead.unit.name)
            return {"cid": c.id, "title": c.title, "unit": c.lead.unit.name}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def stack(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing (Debian: apt-get install nginx; scripts/test installs it)", pytrace=False)
    base = tmp_path_factory.mktemp("deploy")
    home = base / "home"
    home.mkdir(mode=0o700)
    (base / "logs").mkdir()
    url = _database(pg_url, "luoshi_deploy")
    env = {**os.environ, "LUOSHI_HOME": str(home), "LUOSHI_DATABASE_URL": url, "LUOSHI_TODAY": TODAY,
           "LUOSHI_CORPUS": str(base / "no-corpus.sqlite"), "PYTHONPATH": str(ROOT)}
    up = subprocess.run([*LUOSHI, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr
    ids = _seed(url, home)

    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    app_port, https_port, http_port = free_port(), free_port(), free_port()

    serve_log = base / "logs" / "luoshi.log"
    with serve_log.open("wb") as out:
        server = subprocess.Popen([*LUOSHI, "serve", "--host", "127.0.0.1", "--port", str(app_port), "--workers", "2",
                                   "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
                                  env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    nginx_proc = None
    try:
        wait_for(f"http://127.0.0.1:{app_port}/login", server, serve_log)
        site = base / "luoshi.conf"
        site.write_text(render_site(f"127.0.0.1:{app_port}", https_port, http_port, cert, key, base / "logs"))
        conf = base / "nginx.conf"
        conf.write_text(main_conf(base, site))
        check = subprocess.run([nginx, "-t", "-p", str(base), "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx_log = base / "logs" / "nginx.out"
        with nginx_log.open("wb") as out:
            nginx_proc = subprocess.Popen([nginx, "-p", str(base), "-c", str(conf), "-g", "daemon off;"],
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        ctx = ssl.create_default_context(cafile=str(cert))
        wait_for(f"https://127.0.0.1:{https_port}/login", nginx_proc, nginx_log, verify=ctx)
        yield Stack(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", ctx, env, base, serve_log,
                    url, ids)
    finally:
        if nginx_proc is not None:
            stop(nginx_proc)
        stop(server)
