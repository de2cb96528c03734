"""Shared request parameter types, the NUL check, literal search and SQLite write transactions."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from annotated_types import Le
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from luoshi.ledger.db import LIKE_ESCAPE, escape_like, make_engine
from luoshi.web.params import MAX_ID, form_id


def _api_routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (kept lazily by recent FastAPI)."""
    out = []
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            out += _api_routes(list(original.routes))
        elif isinstance(route, APIRoute):
            out.append(route)
    return out


def _int_params(app) -> list[tuple[str, str, object]]:
    """(route path, parameter name, field) for every integer path or query parameter of every route
    of the app, the cross-year pages included."""
    out = []
    for route in _api_routes(list(app.routes)):
        if not route.endpoint.__module__.startswith("luoshi.web"):
            continue
        for field in [*route.dependant.path_params, *route.dependant.query_params]:
            if int in {field.field_info.annotation, *getattr(field.field_info.annotation, "__args__", ())}:
                out.append((route.path, field.name, field))
    return out


def test_every_integer_parameter_is_bounded(app) -> None:
    """New routes taking an id must use params.Id (or Offset/Page): an unbounded int overflows SQLite."""
    params = _int_params(app)
    assert any(name == "cid" for _, name, _ in params)
    unbounded = [f"{path} {name}" for path, name, field in params
                 if not any(isinstance(m, Le) or getattr(m, "le", None) is not None
                            for m in field.field_info.metadata)]
    assert unbounded == []


@pytest.mark.parametrize("url", ["/api/commitments/99999999999999999999", "/api/commitments/0",
                                 "/api/dashboard?report=99999999999999999999", "/c/99999999999999999999",
                                 "/api/commitments?offset=99999999999999999999",
                                 "/api/commitments?page=99999999999999999999"])
def test_ids_and_offsets_that_cannot_exist_are_422(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 422, (url, r.status_code)


def test_version_that_cannot_exist_is_422(client: TestClient) -> None:
    assert client.delete("/api/commitments/1?version=99999999999999999999").status_code == 422


def test_id_beyond_any_row_is_404(client: TestClient) -> None:
    assert client.get(f"/api/commitments/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("value,expected", [("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("", None),
                                            ("abc", None), ("١٢", None), (str(MAX_ID + 1), None), (None, None)])
def test_form_id(value: str | None, expected: int | None) -> None:
    assert form_id(value) == expected


@pytest.mark.parametrize("request_kw", [
    {"method": "GET", "url": "/api/commitments?q=a%00b"},
    {"method": "GET", "url": "/c/1%00"},
    {"method": "POST", "url": "/api/session", "json": {"username": "admin\x00", "password": "x"}},
    {"method": "POST", "url": "/login", "data": {"username": "admin\x00", "password": "x"}},
])
def test_nul_is_refused_with_422(client: TestClient, request_kw: dict) -> None:
    r = client.request(**request_kw)
    assert r.status_code == 422, (request_kw, r.status_code, r.text[:200])


def test_escaped_backslash_before_u0000_is_not_nul(client: TestClient) -> None:
    """The JSON text ``"\\\\u0000"`` is a backslash followed by "u0000", not a NUL."""
    r = client.post("/api/session", content=b'{"username": "a\\\\u0000", "password": "x"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 401


def test_escape_like() -> None:
    assert escape_like("50%_a\\b") == "50\\%\\_a\\\\b"
    assert LIKE_ESCAPE == "\\"


def test_search_treats_wildcards_literally(engine: Engine, client: TestClient) -> None:
    everything = client.get("/api/commitments", params={"limit": 500}).json()["total"]
    assert everything > 0
    for q in ("%", "_", "\\", "%%"):
        items = client.get("/api/commitments", params={"q": q, "limit": 500}).json()["items"]
        assert all(q in (i.get("title") or "") or q in (i.get("text") or "") or q in (i.get("indicator") or "")
                   for i in items), q
        assert len(items) < everything, q


# ------------------------------------------------------------------ SQLite write transactions


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"))
    yield engine
    engine.dispose()


def test_reads_hold_no_transaction_writes_begin_immediate(sqlite_file: Engine) -> None:
    with sqlite_file.connect() as conn:
        raw = conn.connection.dbapi_connection
        conn.execute(text("SELECT count(*) FROM t"))
        assert not raw.in_transaction  # a read holds no snapshot and no lock
        conn.execute(text("INSERT INTO t (v) VALUES (1)"))
        assert raw.in_transaction
        conn.rollback()
    with sqlite_file.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_savepoints_nest_inside_one_transaction(sqlite_file: Engine) -> None:
    with sqlite_file.connect() as conn:
        conn.execute(text("SELECT 1"))
        inner = conn.begin_nested()
        conn.execute(text("INSERT INTO t (v) VALUES (1)"))
        inner.commit()  # RELEASE must not commit the outer transaction
        failed = conn.begin_nested()
        conn.execute(text("INSERT INTO t (v) VALUES (2)"))
        failed.rollback()
        assert conn.execute(text("SELECT v FROM t")).scalars().all() == [1]
        conn.rollback()
    with sqlite_file.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_concurrent_read_then_write_never_sees_database_is_locked(sqlite_file: Engine) -> None:
    """A deferred BEGIN that reads, then writes after another commit, fails at once; ours waits."""
    errors: list[str] = []

    def work() -> None:
        try:
            for _ in range(15):
                with sqlite_file.begin() as conn:
                    n = conn.execute(text("SELECT count(*) FROM t")).scalar()
                    conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": n})
        except Exception as exc:  # recorded for the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sqlite_file.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 12 * 15
