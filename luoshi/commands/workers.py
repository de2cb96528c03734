"""Several web worker processes on one port, each with a listening socket of its own.

uvicorn's ``--workers`` gives all workers one shared socket. A worker that wakes first accepts
every connection waiting (asyncio accepts up to the backlog at once), and a connection kept alive
stays with the worker that accepted it: under load (bench/load.py, 25 clients) one worker ran at
100 % of a core while the other idled at 6 %, and throughput varied threefold between runs. Here
each worker binds its own socket with ``SO_REUSEPORT``, so the kernel spreads new connections over
the workers (what nginx's ``reuseport`` and gunicorn's ``--reuse-port`` do).

The supervisor starts the workers, restarts one that dies (and gives up when workers die at
start — a wrong setting, not a crash — saying so), and stops them all on SIGINT/SIGTERM. Before
starting it checks that nothing answers on the port: sockets with ``SO_REUSEPORT`` of the same user
would otherwise share the port with a server already running there.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

from luoshi.errors import LuoshiError

APP = "luoshi.web.app:create_app"
FAST_DEATHS = 3  # a worker dying this often in a row within STARTUP_SECONDS of its start: stop
STARTUP_SECONDS = 10.0
STOP_SECONDS = 15.0  # a worker gets this long to finish its requests before it is killed


def supported() -> bool:
    """Whether this system balances connections over sockets sharing a port (Linux does)."""
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto given: asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP; without it small
    # responses wait ~40 ms for the client's delayed ACK (Nagle's algorithm)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(False)
    return sock


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = "::1" if host in ("::", "") and family == socket.AF_INET6 else ("127.0.0.1" if host == "0.0.0.0" else host)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex((probe, port)) == 0


def _worker(options: dict[str, Any]) -> None:
    """One worker process: its own socket on the shared port, one uvicorn server on it."""
    import uvicorn

    sock = listening_socket(options["host"], options["port"])
    config = uvicorn.Config(APP, factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, workers: int, options: dict[str, Any]) -> None:
        self.count = workers
        self.options = options
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[Any] = []
        self.started: dict[int, float] = {}
        self.fast_deaths = 0
        self.stopping = False

    def spawn(self) -> Any:
        process = self.context.Process(target=_worker, args=(self.options,), name="luoshi-web")
        process.start()
        self.started[process.pid] = time.monotonic()
        return process

    def stop(self, *_args: Any) -> None:
        self.stopping = True

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.stop)
        self.processes = [self.spawn() for _ in range(self.count)]
        try:
            while not self.stopping:
                time.sleep(0.25)
                for i, process in enumerate(self.processes):
                    if process.is_alive() or self.stopping:
                        continue
                    lived = time.monotonic() - self.started.pop(process.pid, 0.0)
                    self.fast_deaths = self.fast_deaths + 1 if lived < STARTUP_SECONDS else 0
                    if self.fast_deaths >= FAST_DEATHS:
                        raise LuoshiError(f"Web 工作进程启动后随即退出（连续 {self.fast_deaths} 次，退出码 "
                                          f"{process.exitcode}），已停止服务；请查看上面的日志")
                    print(f"luoshi: 工作进程 {process.pid} 已退出（退出码 {process.exitcode}），正在重启",
                          file=sys.stderr, flush=True)
                    self.processes[i] = self.spawn()
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        for process in self.processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def run_workers(workers: int, options: dict[str, Any]) -> None:
    """Serve the app with ``workers`` processes on ``options['host']``:``options['port']``."""
    host, port = options["host"], options["port"]
    if port_in_use(host, port):
        raise LuoshiError(f"端口 {port} 已有服务在监听（{host}）：请先停止它，或用 --port 换一个端口")
    try:
        listening_socket(host, port).close()  # the address can be bound: say so now, not in each worker
    except OSError as exc:
        raise LuoshiError(f"无法监听 {host}:{port}：{exc.strerror or exc}") from None
    Supervisor(workers, options).run()
