"""One clock: ``luoshi ledger status`` and the dashboard judge the same period and lights on one day.

The web fixture's ledger (2024, quarterly) gets reports that make the lights differ from quarter
to quarter: A on pace in Q1 then behind in Q2, B silent in Q1 then ahead in Q2. The command line
(JSON and table) and the API (/api/dashboard, /api/commitments, /api/scorecard) are then asked on
the same day — fixed by ``LUOSHI_TODAY``, by the ledger's statistics date, by ``--today``, and by
the machine's date — and must name the same period, the same day and the same light for each item.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from luoshi.cli import main

pytestmark = pytest.mark.postgres


def run(*args: str, ok: bool = True) -> str:
    """``luoshi ARGS`` as the console script runs it: (stdout) or, refused, the one-line error."""
    runner = CliRunner()
    code: int | str | None = 0
    with runner.isolation() as streams:
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    out, err = streams[0].getvalue().decode(), streams[1].getvalue().decode()
    if ok:
        assert code == 0, out + err
        return out
    assert code == 2 and "Traceback" not in err, out + err
    return err


@pytest.fixture
def reported(engine, ledger, monkeypatch):
    """The fixture's ledger with Q1/Q2 reports; the CLI pointed at the same database."""
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Period
    from luoshi.ledger.services import progress

    monkeypatch.setenv("LUOSHI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with transaction(engine, actor="fixture") as db:
        a, b = db.get_one(Commitment, ledger.a), db.get_one(Commitment, ledger.b)
        q1, q2 = db.get_one(Period, ledger.q1), db.get_one(Period, ledger.q2)
        at = dt.datetime(2024, 4, 3, 9, tzinfo=dt.UTC)
        progress.report(db, a, q1, author="liaison1", percent=25, now=at)
        progress.report(db, a, q2, author="liaison1", percent=30, now=at.replace(month=7))
        progress.report(db, b, q2, author="liaison2", percent=60, now=at.replace(month=7))
    return ledger


def _cli(*extra: str) -> dict:
    return json.loads(run("ledger", *extra, "status", "--json"))


def _web(client) -> tuple[dict, dict[int, str], list]:
    dash = client.get("/api/dashboard").json()
    items = client.get("/api/commitments", params={"limit": 500}).json()["items"]
    return dash, {i["id"]: i["light"] for i in items}, client.get("/api/scorecard").json()


def _agree(cli: dict, web: tuple[dict, dict[int, str], list], period: str, day: str) -> None:
    dash, lights, _ = web
    assert (cli["period"], cli["on"]) == (dash["period"], dash["on"]) == (period, day)
    assert {i["commitment_id"]: i["light"] for i in cli["items"]} == lights
    assert {k: cli["lights"][k] for k in ("green", "yellow", "red")} == \
        {k: dash["lights"][k] for k in ("green", "yellow", "red")}


def test_cli_and_dashboard_judge_the_same_period_and_lights(reported, as_user, monkeypatch) -> None:
    admin = as_user("admin")
    a, b, c = reported.a, reported.b, reported.c

    # LUOSHI_TODAY (the fixture's 2024-05-15): Q1 is the latest ended period for both
    cli = _cli()
    _agree(cli, _web(admin), "2024Q1", "2024-05-15")
    assert cli["clock"] == "environment"
    by_id = {i["commitment_id"]: i for i in cli["items"]}
    assert (by_id[a]["light"], by_id[a]["percent"], by_id[a]["expected"]) == ("green", 25, 24.7)
    assert (by_id[b]["light"], by_id[b]["missing"], by_id[b]["percent"]) == ("yellow", True, None)
    assert by_id[c]["light"] == "yellow"  # C is tracked although unpublished
    table = run("ledger", "status")
    assert "统计日期 2024-05-15（LUOSHI_TODAY），评判周期 2024Q1：绿 1，黄 2，红 0，缺报 2" in table

    # the ledger's statistics date, with no override: both judge Q2 on 2024-08-20
    monkeypatch.delenv("LUOSHI_TODAY")
    out = json.loads(run("ledger", "settings", "--statistics-date", "2024-08-20", "--json"))
    assert out["statistics_date"] == "2024-08-20"
    cli = _cli()
    web = _web(admin)
    _agree(cli, web, "2024Q2", "2024-08-20")
    assert cli["clock"] == "ledger"
    by_id = {i["commitment_id"]: i for i in cli["items"]}
    assert (by_id[a]["light"], by_id[a]["behind"]) == ("yellow", 19.6)
    assert (by_id[b]["light"], by_id[b]["missing"]) == ("green", False)
    assert by_id[c]["light"] == "red"  # nothing reported at 49.6% 时序进度
    # the ranking on the dashboard is the ledger's ranking of the same period
    ranking = json.loads(run("ledger", "scorecard", "--period", "2024Q2", "--json"))
    assert [(r["unit_id"], r["score"], r["rank"]) for r in ranking] == \
        [(r["unit_id"], r["score"], r["rank"]) for r in web[2]]

    # a named period and a light filter: the counts still speak of the whole ledger
    red = json.loads(run("ledger", "status", "--period", "2024Q2", "--light", "red", "--json"))
    assert (red["period"], [i["commitment_id"] for i in red["items"]], red["total"]) == ("2024Q2", [c], 3)
    err = run("ledger", "status", "--period", "2024Q9", ok=False)
    assert "周期“2024Q9”不存在；现有周期：2024Q1、2024Q2、2024Q3、2024Q4" in err

    # an explicit --today overrides the ledger's date for that command only
    cli = _cli("--today", "2024-04-01")
    assert (cli["period"], cli["on"], cli["clock"]) == ("2024Q1", "2024-04-01", "override")
    # LUOSHI_TODAY overrides the ledger's date for both
    monkeypatch.setenv("LUOSHI_TODAY", "2024-11-15")
    _agree(_cli(), _web(admin), "2024Q3", "2024-11-15")

    # without either, the machine's date (every 2024 quarter has ended): the last one for both
    monkeypatch.delenv("LUOSHI_TODAY")
    run("ledger", "settings", "--statistics-date", "", "--json")
    today = dt.date.today().isoformat()
    cli = _cli()
    _agree(cli, _web(admin), "2024Q4", today)
    assert cli["clock"] == "machine"


def test_bad_days_are_refused_plainly(reported, monkeypatch) -> None:
    assert "--today 不是有效日期" in run("ledger", "--today", "2024-13-01", "status", ok=False)
    monkeypatch.setenv("LUOSHI_TODAY", "明天")
    assert "LUOSHI_TODAY 不是有效日期" in run("ledger", "status", ok=False)
    monkeypatch.delenv("LUOSHI_TODAY")
    err = run("ledger", "settings", "--statistics-date", "1999-01-01", ok=False)
    assert "统计日期 1999-01-01 应在计划年度 2024 年前后" in err


def test_the_office_sets_and_clears_the_statistics_date_on_the_periods_page(as_user, ledger, monkeypatch) -> None:
    """The day the ledger is judged on is set in the browser as on the command line, and every
    judgement follows it: the dashboard's day and period."""
    from .conftest import csrf_from

    monkeypatch.delenv("LUOSHI_TODAY", raising=False)
    admin = as_user("admin")
    page = admin.get(f"/admin/periods?report={ledger.report}").text
    r = admin.post("/admin/periods", data={"report": str(ledger.report), "op": "statdate",
                                           "statistics_date": "2024-07-20", "csrf_token": csrf_from(page)})
    assert r.status_code == 200 and "统计日期已设为 2024-07-20" in r.text  # the page it returns to
    page = admin.get(f"/admin/periods?report={ledger.report}").text
    assert 'value="2024-07-20"' in page and "统计日期：2024-07-20" in page
    board = admin.get("/api/dashboard", params={"report": ledger.report}).json()
    assert (board["on"], board["period"]) == ("2024-07-20", "2024Q2")
    r = admin.post("/admin/periods", data={"report": str(ledger.report), "op": "statdate",
                                           "statistics_date": "", "csrf_token": csrf_from(page)})
    assert "统计日期已清除：按当天日期评判" in r.text
    page = admin.get(f"/admin/periods?report={ledger.report}").text
    assert admin.get("/api/dashboard", params={"report": ledger.report}).json()["on"] == dt.date.today().isoformat()
    bad = admin.post("/admin/periods", data={"report": str(ledger.report), "op": "statdate",
                                             "statistics_date": "2024-13-40", "csrf_token": csrf_from(page)})
    assert "不是有效日期" in bad.text
