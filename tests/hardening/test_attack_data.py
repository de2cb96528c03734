"""Attacks on the ledger's data: colliding writes, over-long and hostile text, what the public and a
supporting unit can read.

Each test replays an attack from outside — parallel requests in threads against the real app,
parallel ``luoshi`` processes, oversized fields, bidi controls — on SQLite and PostgreSQL
(``web_any``; the CLI tests build their own database on each engine), and checks what a user would
read: status codes, messages, what the pages and the API show, what was stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from luoshi.devtools.samples import seed_text
from tests.conftest import DB_KINDS

NEXT_YEAR_NAME = "临沂市2025年政府工作报告.txt"
LUOSHI = [sys.executable, "-c", "from luoshi.cli import main; main()"]


def report_text(government: str, year: int) -> str:
    """The seed report rewritten as ``government``'s report for ``year`` (a new ledger, a new sha256)."""
    shift = year - 2024
    body = seed_text()
    if shift:
        body = body.replace("2024", str(2024 + shift)).replace("2023", str(2023 + shift))
    return f"{year}年{government}政府工作报告\n" + body.replace("枣庄", government.removesuffix("市"))


def upload(caller: Any, name: str, content: str) -> Any:
    return caller.post("/api/reports", files={"file": (name, content.encode())})


def next_year_report(web: Any) -> dict[str, Any]:
    """The admin uploads next year's report of a new government, and does not publish it."""
    r = upload(web.token("admin"), NEXT_YEAR_NAME, report_text("临沂市", 2025))
    assert r.status_code == 201, r.text[:300]
    return r.json()["report"]


def in_parallel(n: int, call: Callable[[int], Any]) -> list[Any]:
    """Run ``call(i)`` for i in range(n) in n threads released together; results in order."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except BaseException as exc:  # reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(isinstance(x, BaseException) for x in results), results
    return results


def db_scalar(web: Any, query: Any) -> Any:
    with web.engine.connect() as conn:
        return conn.execute(query).scalar()


def commitment_of(web: Any, index: int) -> int:
    """A commitment led by unit A that no other test of this module changes."""
    return web.seeded.led["liaison_a"][-1 - index]


# ------------------------------------------------------------------ 4. concurrent writes


@pytest.mark.parametrize("with_version", [True, False], ids=["same-version", "no-version"])
def test_parallel_patches_answer_200_or_409_never_500(web_any: Any, with_version: bool) -> None:
    cid = commitment_of(web_any, 0 if with_version else 1)
    version = web_any.token("admin").get(f"/api/commitments/{cid}").json()["version"]

    def patch(i: int) -> Any:
        body: dict[str, Any] = {"title": f"并发修改第{i}次"}
        if with_version:
            body["version"] = version
        return web_any.token("admin").client.patch(f"/api/commitments/{cid}", json=body)

    responses = in_parallel(20, patch)
    codes = Counter(r.status_code for r in responses)
    assert set(codes) <= {200, 409}, (codes, [r.text[:200] for r in responses if r.status_code not in (200, 409)])
    assert codes[200] >= 1
    if with_version:
        assert codes[200] == 1, codes  # one edit wins; the others saw an older version
    for r in responses:
        if r.status_code == 409:
            assert "重试" in r.json()["error"], r.text
    final = web_any.token("admin").get(f"/api/commitments/{cid}").json()
    assert final["title"].startswith("并发修改第")
    assert final["version"] == version + codes[200]


def test_parallel_uploads_of_one_new_report_make_one_ledger(web_any: Any) -> None:
    from luoshi.ledger.models import Government, Report

    content = report_text("日照市", 2025)
    responses = in_parallel(4, lambda i: upload(web_any.token("admin"), f"rizhao-{i}.txt", content))
    codes = Counter(r.status_code for r in responses)
    assert set(codes) <= {201, 409}, (codes, [r.text[:200] for r in responses])
    assert codes[201] >= 1
    statuses = Counter(r.json()["status"] for r in responses if r.status_code == 201)
    assert statuses["new"] == 1, statuses
    for r in responses:
        if r.status_code == 409:
            assert "重试" in r.json()["error"], r.text
    assert db_scalar(web_any, select(func.count()).select_from(Government).where(Government.name == "日照市")) == 1
    assert db_scalar(web_any, select(func.count()).select_from(Report).join(Government)
                     .where(Government.name == "日照市")) == 1


def _cli_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment for ``luoshi`` on a fresh, migrated database of ``kind``."""
    env = {**os.environ, "LUOSHI_HOME": str(tmp_path / "home"), "PYTHONPATH": str(Path(__file__).parents[2])}
    env.pop("LUOSHI_DATABASE_URL", None)
    if kind == "postgresql":
        from tests.hardening.conftest import pg_create_database

        env["LUOSHI_DATABASE_URL"] = pg_create_database(request.getfixturevalue("pg_url"),
                                                        f"luoshi_cli_{uuid.uuid4().hex[:10]}")
    done = luoshi(env, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    return env


def luoshi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LUOSHI, *args], env=env, capture_output=True, text=True,
                          timeout=300)


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("luoshi: "), done.stderr
    return lines[0]


@pytest.mark.parametrize("kind", DB_KINDS)
def test_parallel_cli_imports_exit_0_or_2_without_traceback(kind: str, request: pytest.FixtureRequest,
                                                            tmp_path: Path) -> None:
    env = _cli_database(kind, request, tmp_path)
    path = tmp_path / "linyi-2025.txt"
    path.write_text(report_text("临沂市", 2025), encoding="utf-8")
    procs = [subprocess.Popen([*LUOSHI, "import", str(path), "--json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(p.wait(300), *p.communicate()) for p in procs]
    codes = Counter(code for code, _out, _err in outcomes)
    assert set(codes) <= {0, 2}, outcomes
    assert codes[0] >= 1, outcomes
    for code, _out, err in outcomes:
        assert "Traceback" not in err, err
        if code == 2:
            _one_line_error(subprocess.CompletedProcess([], code, "", err))
    imported = Counter(json.loads(out)["status"] for code, out, _err in outcomes if code == 0)
    assert imported["new"] == 1 and set(imported) <= {"new", "unchanged"}, imported
    from luoshi.ledger.db import make_engine
    from luoshi.ledger.models import Government, Report

    engine = make_engine(env.get("LUOSHI_DATABASE_URL") or f"sqlite:///{env['LUOSHI_HOME']}/luoshi.db")
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Report).join(Government)
                                .where(Government.name == "临沂市", Report.year == 2025)).scalar() == 1
            assert conn.execute(select(func.count()).select_from(Government)).scalar() == 1
    finally:
        engine.dispose()


# ------------------------------------------------------------------ 6, 14. lengths


@pytest.mark.parametrize(("field", "label", "limit"), [
    ("title", "标题", 200), ("indicator", "指标", 200), ("unit", "计量单位", 50), ("metric", "指标动词", 50),
])
def test_over_long_fields_are_refused_with_the_limit(web_any: Any, field: str, label: str, limit: int) -> None:
    from luoshi.ledger.limits import LIMITS

    assert LIMITS[f"commitment.{field}"].max == limit
    admin = web_any.token("admin")
    cid = commitment_of(web_any, 2)
    before = admin.get(f"/api/commitments/{cid}").json()
    r = admin.client.patch(f"/api/commitments/{cid}", json={field: "长" * (limit + 1)})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["error"] == f"{label}过长（{limit + 1}字，最多{limit}字）"
    assert admin.get(f"/api/commitments/{cid}").json()[field] == before[field]
    # exactly the limit is stored, on both engines
    r = admin.client.patch(f"/api/commitments/{cid}", json={field: "长" * limit})
    assert r.status_code == 200, r.text[:300]
    assert r.json()[field] == "长" * limit


def test_schema_lengths_come_from_the_limits_table() -> None:
    from luoshi.ledger import models as m
    from luoshi.ledger.limits import LIMITS

    tables = {"government": m.Government, "unit": m.Unit, "report": m.Report, "section": m.Section,
              "commitment": m.Commitment, "progress": m.ProgressReport, "evidence": m.Evidence,
              "evaluation": m.Evaluation, "calendar": m.CalendarDay, "user": m.User, "audit": m.AuditEvent,
              "notice": m.Notice, "comment": m.Comment, "settings": m.LedgerSettings}
    sized = 0
    for key, limit in LIMITS.items():
        table, _, column = key.partition(".")
        col = tables[table].__table__.c[column]
        if getattr(col.type, "length", None) is not None:
            assert col.type.length == limit.max, (key, col.type.length, limit.max)
            sized += 1
    assert sized == 25  # 21 + the deadline words and the three 公文 office names


def test_new_commitment_with_an_over_long_title_is_refused(web_any: Any) -> None:
    r = web_any.token("admin").post("/api/commitments", json={"report_id": web_any.seeded.report_id,
                                                              "title": "题" * 201})
    assert r.status_code == 422, r.text[:300]
    assert "标题过长（201字，最多200字）" in r.text


def test_huge_narrative_and_answer_are_refused(web_any: Any) -> None:
    liaison = web_any.token("liaison_a")
    cid = commitment_of(web_any, 3)
    period = web_any.seeded.periods[2]
    url = f"/api/commitments/{cid}/progress"
    r = liaison.post(url, json={"period_id": period, "percent": 40, "narrative": "进" * 5001})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["error"] == "进展情况过长（5001字，最多5000字）"
    r = liaison.post(url, json={"period_id": period, "percent": 40, "narrative": "进" * 5_000_000})
    assert r.status_code in (413, 422), r.status_code  # refused by the body limit or by the ledger
    from luoshi.ledger.models import ProgressReport

    assert db_scalar(web_any, select(func.count()).select_from(ProgressReport)
                     .where(ProgressReport.commitment_id == cid)) == 0  # nothing stored
    # a notice answer: 5,001 characters refused, 5,000 stored
    nid = _notice_for(web_any, cid)
    r = liaison.post(f"/api/notices/{nid}/answer", json={"answer": "答" * 5001})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["error"] == "答复内容过长（5001字，最多5000字）"
    r = liaison.post(f"/api/notices/{nid}/answer", json={"answer": "答" * 5000})
    assert r.status_code == 200, r.text[:300]


@pytest.mark.parametrize("kind", DB_KINDS)
def test_cli_refuses_over_long_text_with_exit_2(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    env = _cli_database(kind, request, tmp_path)
    path = tmp_path / "report.txt"
    path.write_text(report_text("临沂市", 2025), encoding="utf-8")
    assert luoshi(env, "import", str(path)).returncode == 0
    done = luoshi(env, "ledger", "units", "add", "单" * 101)
    assert done.returncode == 2
    assert _one_line_error(done).endswith("单位名称过长（101字，最多100字）")


# ------------------------------------------------------------------ 7. unpublished report


def test_unpublished_new_report_stays_private_and_keeps_the_public_ledger(web_any: Any) -> None:
    new = next_year_report(web_any)
    assert new["year"] == 2025 and new["id"] != web_any.seeded.report_id
    secrets = [new["title"], new["sha256"], new["source_name"], "临沂"]
    anon = web_any.anonymous()
    # the public default is the latest published ledger, with its items
    listing = anon.get("/api/commitments").json()
    assert listing["report"]["id"] == web_any.seeded.report_id
    assert listing["total"] > 0
    dashboard = anon.get("/api/dashboard").json()
    assert dashboard["report"]["id"] == web_any.seeded.report_id and dashboard["total"] > 0
    areas = anon.get("/api/areas")
    assert areas.json() == anon.get(f"/api/areas?report={web_any.seeded.report_id}").json() and areas.json()
    for url in ("/api/commitments", "/api/dashboard", "/api/areas", "/api/units", "/api/reports", "/api/periods",
                "/api/evaluations", "/", "/screen"):
        body = anon.get(url).text
        for secret in secrets:
            assert secret not in body, (url, secret)
    first = listing["items"][0]["title"]
    for page in ("/", "/screen"):
        html = anon.get(page).text
        assert first[:10] in html, page
    for url in (f"/api/reports/{new['id']}", f"/api/areas?report={new['id']}", f"/api/units?report={new['id']}",
                f"/api/dashboard?report={new['id']}", f"/api/commitments?report={new['id']}"):
        assert anon.get(url).status_code == 404, url
    # the office still works on the new report
    assert web_any.token("admin").get("/api/dashboard").json()["report"]["id"] == new["id"]


def test_unit_counts_only_count_published_items(web_any: Any) -> None:
    from luoshi.ledger.models import Assignment, Commitment

    admin = web_any.token("admin")
    hidden = commitment_of(web_any, 4)
    r = admin.client.patch(f"/api/commitments/{hidden}", json={"published": False})
    assert r.status_code == 200, r.text
    unit = web_any.seeded.unit_a
    published = db_scalar(web_any, select(func.count()).select_from(Assignment).join(Commitment).where(
        Assignment.unit_id == unit, Commitment.report_id == web_any.seeded.report_id,
        Commitment.published.is_(True)))
    rows = {u["id"]: u for u in web_any.anonymous().get(f"/api/units?report={web_any.seeded.report_id}").json()}
    assert rows[unit]["assignments"] == published
    assert web_any.token("admin").get(f"/api/units?report={web_any.seeded.report_id}").json()
    admin.client.patch(f"/api/commitments/{hidden}", json={"published": True})


# ------------------------------------------------------------------ 8. history privacy


def _notice_for(web: Any, cid: int) -> int:
    admin = web.token("admin")
    admin.post(f"/api/periods/{web.seeded.periods[0]}/notices")
    notices = [n for n in admin.get("/api/notices").json() if n["commitment_id"] == cid]
    assert notices, "no notice was issued for the commitment"
    return notices[0]["id"]


def test_supporting_unit_reads_no_notice_answer_or_override_reason_in_history(web_any: Any) -> None:
    admin = web_any.token("admin")
    cid = next(c for c in reversed(web_any.seeded.led["liaison_a"])
               if admin.get(f"/api/commitments/{c}").json()["kind"] == "measure")
    units = {u["id"]: u["name"] for u in admin.get(f"/api/units?report={web_any.seeded.report_id}").json()}
    r = admin.request("PUT", f"/api/commitments/{cid}/assignments",
                      json={"lead": units[web_any.seeded.unit_a], "support": [units[web_any.seeded.unit_b]]})
    assert r.status_code == 200, r.text
    nid = _notice_for(web_any, cid)
    answer, reason = "答复机密内容XJ7", "改判理由机密QZ9"
    r = web_any.token("liaison_a").post(f"/api/notices/{nid}/answer", json={"answer": answer})
    assert r.status_code == 200, r.text
    for result, why in (("基本完成", "初评理由"), ("未完成", reason)):  # an override, then its revision
        r = admin.request("PUT", f"/api/commitments/{cid}/evaluation", json={"result": result, "reason": why})
        assert r.status_code == 200, r.text

    support = web_any.token("liaison_b")
    assert answer not in support.get("/api/notices").text  # the resource itself hides it …
    history = support.get(f"/api/commitments/{cid}/history")
    assert history.status_code == 200
    assert answer not in history.text and reason not in history.text  # … and so does its history
    assert "初评理由" not in history.text
    evaluation = [e for e in history.json() if e["entity"] == "Evaluation"]
    assert [e["after"]["result"] for e in evaluation] == ["基本完成", "未完成"]  # the result is not secret
    lead = web_any.token("liaison_a").get(f"/api/commitments/{cid}/history").text
    assert answer in lead and reason not in lead
    office = admin.get(f"/api/commitments/{cid}/history").text
    assert answer in office and reason in office
    for page in (f"/admin/commitments/{cid}", f"/dashboard/c/{cid}"):
        assert reason in web_any.session("admin").get(page).text


# ------------------------------------------------------------------ 16. bidi controls

BIDI = "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_are_stripped_from_user_text(web_any: Any) -> None:
    admin = web_any.token("admin")
    cid = commitment_of(web_any, 5)
    r = admin.client.patch(f"/api/commitments/{cid}", json={"title": "完成\u202e工程gnp.exe"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "完成工程gnp.exe"
    r = web_any.token("liaison_a").post(f"/api/commitments/{cid}/progress", json={
        "period_id": web_any.seeded.periods[2], "percent": 30, "narrative": f"进展{BIDI}顺利\n第二行\x07"})
    assert r.status_code == 201, r.text
    assert r.json()["narrative"] == "进展顺利\n第二行"
    r = admin.post(f"/api/commitments/{cid}/comments", json={"body": f"请{BIDI}加快"})
    assert r.status_code == 201, r.text
    assert r.json()["body"] == "请加快"
    # the file name as raw bytes in the part header (a client library would percent-encode the NUL)
    boundary = "luoshi-attack-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="报告\u202etxt.exe\x00.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n{report_text('威海市', 2025)}\r\n--{boundary}--\r\n").encode()
    r = admin.post("/api/reports", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 201, r.text[:300]
    assert r.json()["report"]["source_name"] == "报告txt.exe.txt"


def test_stored_bidi_controls_are_shown_escaped_on_pages(web_any: Any) -> None:
    from luoshi.ledger.models import Commitment

    cid = commitment_of(web_any, 6)
    with web_any.engine.begin() as conn:  # stored before the ledger stripped them
        conn.execute(Commitment.__table__.update().where(Commitment.id == cid)
                     .values(title="旧数据\u202e反转"))
    html = web_any.anonymous().get(f"/c/{cid}").text
    assert "旧数据\\u202e反转" in html
    assert "\u202e" not in html


def test_normalisation_keeps_text_and_drops_only_controls() -> None:
    from luoshi.errors import ValidationError
    from luoshi.ledger.limits import clean, clean_filename, fit

    assert clean("progress.narrative", f" 第一行\r\n第二行\t{BIDI}\x00\x1b结束 ", multiline=True) == "第一行\n第二行\t结束"
    assert clean("commitment.title", "标题\n换行\u2028") == "标题 换行"
    assert clean("commitment.title", f"{BIDI} ") is None
    with pytest.raises(ValidationError, match=r"^答复内容不能为空$"):
        clean("notice.answer", "\u202e", required=True)
    with pytest.raises(ValidationError, match=r"^意见过长（2001字，最多2000字）$"):
        clean("comment.body", "意" * 2001, multiline=True)
    assert fit("commitment.indicator", "指" * 300) == "指" * 199 + "…"
    assert clean_filename("C:\\Users\\x\\..\\报告\u202eexe.txt\x00") == "报告exe.txt"
    assert clean_filename("\u202e\x00") == "report.txt"
    assert len(clean_filename("长" * 400 + ".docx")) == 300 and clean_filename("长" * 400 + ".docx").endswith(".docx")


def test_every_kind_of_colliding_write_is_one_conflict_message() -> None:
    import sqlite3

    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
    from sqlalchemy.orm.exc import StaleDataError

    from luoshi.ledger.conflicts import ConcurrentWriteError, as_conflict

    class PgError(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    cases = {
        StaleDataError("UPDATE statement on table 'commitments' expected to update 1 row(s); 0 were matched."):
            "记录已被他人同时修改，请刷新后重试",
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: governments.name")):
            "相同的数据刚被他人同时创建，请刷新后重试",
        IntegrityError("INSERT", {}, PgError("23505")): "相同的数据刚被他人同时创建，请刷新后重试",
        OperationalError("UPDATE", {}, PgError("40001")): "数据正被他人同时修改，请稍后重试",
        OperationalError("UPDATE", {}, PgError("40P01")): "数据正被他人同时修改，请稍后重试",
        OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked")):
            "数据库正忙（他人正在写入），请稍后重试",
    }
    for exc, message in cases.items():
        conflict = as_conflict(exc)
        assert isinstance(conflict, ConcurrentWriteError) and conflict.message == message, exc
        assert conflict.http_status == 409 and conflict.exit_code == 2 and conflict.retry_after == 1
    # a broken statement or a foreign-key violation is not a collision: it stays a bug (500)
    assert as_conflict(IntegrityError("INSERT", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed"))) is None
    assert as_conflict(ProgrammingError("SELECT", {}, PgError("42601"))) is None
    assert as_conflict(ValueError("x")) is None
