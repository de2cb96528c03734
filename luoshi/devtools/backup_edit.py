"""Reading and rewriting backup archives, as a forger (or an older luoshi) would, for the tests.

:func:`read_items` gives the manifest, the ledger rows and the evidence members of an archive;
:func:`write_archive` writes them back, by default re-sealed (member checksums, row counts and
audit chain recomputed from what is written) — the strongest forgery that does not know
``LUOSHI_BACKUP_KEY``. Pass ``seal=False`` to keep the manifest exactly as given.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from luoshi.ledger.services.backup import AUDIT_TABLE, EVIDENCE_DIR, LEDGER, MANIFEST, AuditChain


def read_items(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        items = [json.loads(line) for line in zf.read(LEDGER).decode("utf-8").splitlines()]
        files = {n: zf.read(n) for n in zf.namelist() if n.startswith(EVIDENCE_DIR)}
    return manifest, items, files


def ledger_bytes(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode("utf-8")


def write_archive(path: Path, manifest: dict[str, Any], items: list[dict[str, Any]], files: dict[str, bytes],
                  *, seal: bool = True) -> None:
    data = ledger_bytes(items)
    manifest = json.loads(json.dumps(manifest))
    if seal:
        counts = dict.fromkeys(manifest["tables"], 0)
        chain = AuditChain()
        for i in items:
            counts[i["t"]] = counts.get(i["t"], 0) + 1
            if i["t"] == AUDIT_TABLE:
                chain.add(i["r"])
        manifest["tables"] = counts
        manifest["audit"] = {"rows": chain.rows, "chain": chain.value}
        manifest["files"] = {LEDGER: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}}
        for name, content in files.items():
            manifest["files"][name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(LEDGER, data)
        for name, content in files.items():
            zf.writestr(name, content)
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False))
