"""Oversized-body attacks on a server on 127.0.0.1, written at the socket level.

Why raw sockets: an HTTP client library builds or streams the body its own way and may hide
what matters here — when the server answers (before the body is sent?), how many bytes it took
first, and whether a chunked body without ``Content-Length`` is cut off. :func:`send_body` sends
headers and then a body of any size as fast as the server takes it, while another thread reads
the response; :class:`Probe` times small requests made meanwhile. Used by
``tests/hardening/test_attack_transport.py`` (reduced sizes) and ``bench/transport.py`` (300 MB).
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

HOST = "127.0.0.1"
PIECE = 256 * 1024


@dataclass
class Outcome:
    """What the client saw: the response (if any), how much of the body went out, and when."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the server accepted before it answered or closed
    seconds: float  # from the first byte sent to the full response (or the connection's end)

    def json(self) -> dict:
        return json.loads(self.body.decode())

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def multipart_head(boundary: str, field: str, filename: str, content_type: str = "application/pdf") -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode()


def filled(prefix: bytes, total: int) -> Iterator[bytes]:
    """``prefix`` then zeros, ``total`` bytes in all, a piece at a time (never held whole)."""
    yield prefix[:total]
    left = total - len(prefix[:total])
    zeros = b"0" * PIECE
    while left > 0:
        yield zeros[:left]
        left -= min(left, PIECE)


def multipart_files(boundary: str, field: str, count: int, size: int) -> Iterator[bytes]:
    """A multipart body of ``count`` PDF-looking files of ``size`` bytes each in field ``field``."""
    for i in range(count):
        yield from filled(multipart_head(boundary, field, f"{i + 1}.pdf") + b"%PDF-1.4\n", size)
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def multipart_length(boundary: str, field: str, count: int, size: int) -> int:
    return sum(len(piece) for piece in multipart_files(boundary, field, count, 0)) + count * size


def send_body(port: int, method: str, path: str, headers: dict[str, str], body: Iterable[bytes], *,
              length: int | None, timeout: float = 30.0) -> Outcome:
    """Send ``body`` (declared as ``Content-Length: length``, or chunked when ``length`` is None)
    as fast as the server takes it, and return the response. Sending stops as soon as the server
    answers or closes the connection.
    """
    sock = socket.create_connection((HOST, port), timeout=timeout)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}")
    answered = threading.Event()
    sent = 0
    started = time.perf_counter()

    def pump() -> None:
        nonlocal sent
        try:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            for data in body:
                if answered.is_set():
                    return
                if data:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if length is None else data)
                    sent += len(data)
            if length is None:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: that is the point

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    raw = b""
    try:
        while True:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            raw += data
            head, sep, rest = raw.partition(b"\r\n\r\n")
            if sep:
                answered.set()
                declared = _header(head, "content-length")
                if declared is not None and len(rest) >= int(declared):
                    break
    finally:
        seconds = time.perf_counter() - started
        answered.set()
        sock.close()
        sender.join(timeout)
    head, _, content = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None
    headers_out = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers_out[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return Outcome(status, headers_out, content, sent, seconds)


def _header(head: bytes, name: str) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.encode():
            return value.decode("latin-1").strip()
    return None


@dataclass
class Probe:
    """Small requests made over and over in a thread while an attack runs; their times in seconds."""

    request: Callable[[], int]  # makes one request, returns its status
    times: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Probe:
        def loop() -> None:
            while not self._stop.is_set():
                t0 = time.perf_counter()
                self.statuses.append(self.request())
                self.times.append(time.perf_counter() - t0)
                self._stop.wait(0.02)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    @property
    def worst(self) -> float:
        return max(self.times, default=0.0)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times, n=20, method="inclusive")[-1] if len(self.times) >= 2 else self.worst

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else 0.0


def timed_get(port: int, path: str) -> Callable[[], int]:
    """A request function for :class:`Probe`: one GET (on a kept-alive connection)."""
    import httpx

    client = httpx.Client(base_url=f"http://{HOST}:{port}", timeout=30)

    def get() -> int:
        return client.get(path).status_code

    return get


class PeakRss:
    """The largest resident set of a process (this one by default) while the block runs, sampled
    every ``interval`` seconds (psutil, a test dependency, is imported only when measuring)."""

    def __init__(self, pid: int | None = None, interval: float = 0.01) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
