"""Oversized bodies against ``luoshi serve`` on 127.0.0.1 (see bench/README.md).

    python bench/transport.py                 # 300 MB bodies, 4 × 250 MB evidence parts, SQLite
    python bench/transport.py --size-mb 50    # smaller

Seeds a throw-away SQLite ledger, starts the real server (one worker) and first measures the
baseline: ``GET /api/units`` repeated for two seconds with nothing else going on. Then, for each
attack, it sends the body through a raw socket (``luoshi.devtools.transport``) while the same GET
repeats on another connection, and prints: the answer and its message, seconds until the answer,
how many body bytes the client got out before the answer (socket buffers included), the GET times
meanwhile (median, also as a ratio of the baseline median; p95 and worst, which on a shared
machine are noisy even without an attack — compare them with the baseline's) and the server's
resident memory before the attack and at its peak.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from luoshi.devtools.server import Server
from luoshi.devtools.transport import (
    Outcome,
    PeakRss,
    Probe,
    filled,
    multipart_files,
    multipart_head,
    multipart_length,
    send_body,
    timed_get,
)

MB = 1024 * 1024


def seed(home: Path) -> tuple[str, object]:
    from luoshi.devtools.seeding import seed_ledger
    from luoshi.ledger.db import make_engine

    url = f"sqlite:///{home / 'luoshi.db'}"
    old = os.environ.get("LUOSHI_HOME")
    os.environ["LUOSHI_HOME"] = str(home)
    try:
        engine = make_engine(url)
        seeded = seed_ledger(engine)
        engine.dispose()
    finally:
        if old is None:
            os.environ.pop("LUOSHI_HOME", None)
        else:
            os.environ["LUOSHI_HOME"] = old
    return url, seeded


def row(name: str, out: Outcome, probe: Probe, rss: PeakRss, baseline: float) -> str:
    try:
        message = out.json().get("error", "")
    except ValueError:  # the HTML error page: its message paragraph
        text = out.text()
        message = "HTML: " + text.split("</h1>", 1)[-1].split("<p>", 1)[-1].split("<", 1)[0].strip()
    return (f"{name:<44} {out.status!s:>4} {out.seconds:7.2f} s {out.sent / MB:8.1f} MB  "
            f"GET n={len(probe.times):3d} median {probe.median * 1000:5.1f} ms (×{probe.median / baseline:4.1f}) "
            f"p95 {probe.p95 * 1000:6.1f} ms worst {probe.worst * 1000:6.1f} ms  RSS {rss.start / MB:5.0f} → {rss.peak / MB:5.0f} MB  {message}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=300, help="size of each oversized body")
    ap.add_argument("--part-mb", type=int, default=250, help="size of each of the 4 evidence parts")
    a = ap.parse_args(argv)
    size = a.size_mb * MB
    with tempfile.TemporaryDirectory(prefix="luoshi-transport-") as tmp:
        home = Path(tmp)
        url, seeded = seed(home)
        server = Server(home, url, workers=1).start()
        try:
            port = server.port
            login = httpx.post(f"{server.url}/api/session", json={"username": "liaison_a",
                                                                  "password": "Hardening-Test-Passw0rd"})
            cookie = f"luoshi_session={login.cookies['luoshi_session']}"
            csrf = login.json()["csrf_token"]
            cid = seeded.led["liaison_a"][0]
            get = timed_get(port, "/api/units")
            with Probe(get) as base:
                time.sleep(2)
            baseline = base.median
            print(f"baseline: GET /api/units n={len(base.times)} median {baseline * 1000:.1f} ms, "
                  f"p95 {base.p95 * 1000:.1f} ms, worst {base.worst * 1000:.1f} ms (no attack)")
            boundary = "luoshiBenchBoundary"
            multipart = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
            json_head = {"Content-Type": "application/json"}
            json_body = b'{"a":"'
            file_head = multipart_head(boundary, "file", "a.pdf") + b"%PDF-1.4\n"
            liaison = {**multipart, "Cookie": cookie, "X-CSRF-Token": csrf}
            attacks = [
                (f"anonymous JSON {a.size_mb} MB to a 404, Content-Length", "/no/such/path", json_head,
                 lambda: filled(json_body, size), size),
                (f"anonymous JSON {a.size_mb} MB to a 404, chunked", "/no/such/path", json_head,
                 lambda: filled(json_body, size), None),
                (f"anonymous JSON {a.size_mb} MB to /api/session, chunked", "/api/session", json_head,
                 lambda: filled(json_body, size), None),
                (f"anonymous upload {a.size_mb} MB, Content-Length", "/api/progress/1/evidence", multipart,
                 lambda: filled(file_head, size), size),
                (f"anonymous upload {a.size_mb} MB, chunked", "/api/progress/1/evidence", multipart,
                 lambda: filled(file_head, size), None),
                (f"liaison form 4 × {a.part_mb} MB evidence, Content-Length", f"/my/c/{cid}/report", liaison,
                 lambda: multipart_files(boundary, "evidence", 4, a.part_mb * MB),
                 multipart_length(boundary, "evidence", 4, a.part_mb * MB)),
                (f"liaison form 4 × {a.part_mb} MB evidence, chunked", f"/my/c/{cid}/report", liaison,
                 lambda: multipart_files(boundary, "evidence", 4, a.part_mb * MB), None),
            ]
            ok = True
            for name, path, headers, body, length in attacks:
                with PeakRss(server.proc.pid) as rss, Probe(get) as probe:
                    out = send_body(port, "POST", path, headers, body(), length=length, timeout=120)
                    time.sleep(0.3)  # a few more GETs after the answer
                print(row(name, out, probe, rss, baseline), flush=True)
                ok &= out.status == 413 and out.seconds < 1.0 and probe.median < 0.1
            print("all refused with 413 within 1 s; GET median under 100 ms meanwhile" if ok else "NOT within the bounds")
            return 0 if ok else 1
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
