"""``luoshi serve``: run the web app with uvicorn, and the notification worker beside it.

The worker (``luoshi notify run``) is a separate process, started once whatever ``--workers`` says
(several web workers, one sender), and stopped when the server stops. ``--no-notify`` leaves it out
for installs that run it as its own service.
"""

from __future__ import annotations

import os
import subprocess
import sys

import click

NOTIFY_CMD = [sys.executable, "-c", "from luoshi.cli import main; main()", "notify", "run"]


def start_notify() -> subprocess.Popen[bytes]:
    """The worker, told our pid so that it stops when we are gone (even killed with SIGKILL)."""
    return subprocess.Popen([*NOTIFY_CMD, "--parent-pid", str(os.getpid())])


def stop_notify(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_server(host: str, port: int, *, workers: int = 1, proxy_headers: bool = False,
               forwarded_allow_ips: str | None = None) -> None:
    """One process, or ``workers`` processes each listening on the port itself (``luoshi.commands.workers``:
    the kernel spreads connections over them; with one shared socket one worker took them all)."""
    import uvicorn

    from luoshi.commands import workers as several

    options = dict(host=host, port=port, proxy_headers=proxy_headers,
                   forwarded_allow_ips=forwarded_allow_ips if proxy_headers else None,
                   server_header=False, log_level="info")
    if workers > 1 and several.supported():
        several.run_workers(workers, options)
        return
    uvicorn.run(several.APP, factory=True, workers=workers, **options)  # type: ignore[arg-type]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="工作进程数")
@click.option("--proxy-headers", is_flag=True,
              help="信任反向代理的 X-Forwarded-Proto/For（TLS 在代理终止时 Cookie 才会带 Secure）")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, help="可信代理地址")
@click.option("--no-notify", is_flag=True, help="不随之启动通知发送进程（已单独运行 luoshi notify run 时）")
def serve(host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str, no_notify: bool) -> None:
    """启动 Web 服务（数据库见 LUOSHI_DATABASE_URL / LUOSHI_HOME）。"""
    from luoshi.ledger.db import default_engine
    from luoshi.ledger.migrate import current_revision, head_revision
    from luoshi.web.config import Settings

    Settings.from_env()  # creates the secret key once, before workers start
    if current_revision(default_engine()) != head_revision():
        from luoshi.errors import LuoshiError

        raise LuoshiError("数据库尚未初始化或需要升级：请先运行 luoshi db upgrade（或 luoshi demo）")
    click.echo(f"luoshi: serving http://{host}:{port}/", err=True)
    notifier = None if no_notify else start_notify()
    try:
        run_server(host, port, workers=workers, proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips)
    finally:
        if notifier is not None:
            stop_notify(notifier)
