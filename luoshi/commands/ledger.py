"""``luoshi ledger ...``: the supervision workflow on the command line (thin layer over the services).

Every subcommand accepts ``--json``; changes are recorded under the actor given by the group's
``--as``/``--actor`` option (default ``$USER``). The ledger is chosen with ``--government`` /
``--year`` (default: the most recent report). ``--today`` judges the ledger on another day (as
``LUOSHI_TODAY`` does); without either, the ledger's statistics date or the machine's date counts
(one clock for the CLI and the web: ``luoshi.ledger.clock``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from luoshi.commands.output import echo_json, table

JSON = click.option("--json", "as_json", is_flag=True, help="输出 JSON")


class Ctx:
    def __init__(self, actor: str | None, government: str | None, year: int | None,
                 today: str | None = None) -> None:
        self.actor, self.government, self.year, self.today = actor, government, year, today

    def work(self):  # type: ignore[no-untyped-def]
        from luoshi.commands.support import unit_of_work

        return unit_of_work(self.actor)

    def report(self, session: Any) -> Any:
        from luoshi.ledger.services.common import report_for

        return report_for(session, self.government, self.year)

    def rules(self, session: Any, report: Any) -> Any:
        """The ledger's rules, judged on the day of the one clock (``--today`` overrides it)."""
        from luoshi.ledger.rules import rules

        return rules(session, report, today=self.today)

    @property
    def who(self) -> str:
        from luoshi.ledger.db import default_actor

        return self.actor or default_actor()


pass_ctx = click.make_pass_decorator(Ctx)


@click.group("ledger")
@click.option("--as", "--actor", "actor", default=None, help="审计记录中的操作人（默认 $USER）")
@click.option("--government", default=None, help="政府名称（默认最近导入的报告）")
@click.option("--year", type=int, default=None, help="计划年份")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="按这一天评判（默认 $LUOSHI_TODAY，再默认台账的统计日期，再默认今天）")
@click.pass_context
def ledger(ctx: click.Context, actor: str | None, government: str | None, year: int | None,
           today: str | None) -> None:
    """任务台账：分工、报送、督办、评价。"""
    if today is not None:
        from luoshi.ledger.clock import parse_day

        parse_day(today, "--today")
    ctx.obj = Ctx(actor, government, year, today)


def _lead(c: Any) -> str:
    lead = c.lead
    if lead is None:
        return "-"
    return (lead.unit.short_name or lead.unit.name) + ("" if lead.confirmed else "?")


@ledger.command("list")
@click.option("--kind", type=click.Choice(["target", "milestone", "measure"]))
@click.option("--state", type=click.Choice(["draft", "active", "closed"]))
@click.option("--unit", default=None, help="只看某单位（牵头或配合）")
@click.option("--section", default=None, help="章节编号，如 2.1")
@JSON
@pass_ctx
def list_cmd(obj: Ctx, kind: str | None, state: str | None, unit: str | None, section: str | None, as_json: bool) -> None:
    """列出任务（牵头单位后的 ? 表示尚未确认的建议）。"""
    from luoshi.ledger.services import commitments, units

    with obj.work() as s:
        report = obj.report(s)
        u = units.resolve(s, report.government_id, unit) if unit else None
        rows = commitments.list_commitments(s, report, kind=kind, state=state, unit=u, section=section)
        if as_json:
            echo_json([commitments.to_dict(c) for c in rows])
            return
        click.echo(table(["ID", "编号", "类型", "状态", "牵头单位", "时限", "内容"],
                         [[c.id, c.code, c.kind, c.state, _lead(c), c.deadline, c.title] for c in rows]))  # fmt: skip
        click.echo(f"共 {len(rows)} 项")


@ledger.command("show")
@click.argument("commitment_id", type=int)
@JSON
@pass_ctx
def show(obj: Ctx, commitment_id: int, as_json: bool) -> None:
    """显示一项任务：原文、指标、责任单位、各期进度。"""
    from sqlalchemy import select

    from luoshi.ledger.models import ProgressReport
    from luoshi.ledger.services import commitments, common

    with obj.work() as s:
        c = common.commitment(s, commitment_id)
        data = commitments.to_dict(c)
        data["reports"] = [
            {"id": r.id, "period": r.period.label, "percent": r.percent, "value": r.reported_value, "state": r.state,
             "late": r.late, "author": r.author, "narrative": r.narrative, "return_reason": r.return_reason,
             "evidence": [e.filename for e in r.evidence]}
            for r in s.scalars(select(ProgressReport).where(ProgressReport.commitment_id == c.id).order_by(ProgressReport.id))
        ]  # fmt: skip
    if as_json:
        echo_json(data)
        return
    for k in ("id", "code", "kind", "state", "section", "indicator", "metric", "value", "value_max", "unit",
              "comparator", "modality", "deadline", "version"):  # fmt: skip
        if data[k] is not None:
            click.echo(f"{k:>10}: {data[k]}")
    click.echo(f"{'text':>10}: {data['text']}")
    for a in data["assignments"]:
        role = "牵头" if a["role"] == "lead" else "配合"
        click.echo(f"{role:>8}: {a['unit']}{'' if a['confirmed'] else '（建议，触发词：' + '、'.join(a['suggested_by']) + '）'}")
    for r in data["reports"]:
        click.echo(f"{'进度':>8}: {r['period']} {r['percent']:g}% {r['state']}{' 逾期' if r['late'] else ''} {r['narrative']}")


@ledger.command("assign")
@click.argument("commitment_ids", type=int, nargs=-1)
@click.option("--lead", default=None, help="牵头单位（名称、简称或别名）")
@click.option("--support", default=None, help="配合单位，逗号分隔（空字符串 = 无）")
@click.option("--all-suggested", is_flag=True, help="确认所有有建议牵头单位的草稿任务")
@click.option("--version", "expected_version", type=int, default=None, help="编辑所基于的版本（乐观锁）")
@JSON
@pass_ctx
def assign_cmd(obj: Ctx, commitment_ids: tuple[int, ...], lead: str | None, support: str | None, all_suggested: bool, expected_version: int | None, as_json: bool) -> None:
    """确认或改派责任单位；确认后任务进入督办（active）。"""
    from luoshi.errors import ValidationError
    from luoshi.ledger.services import assign, commitments, common

    with obj.work() as s:
        if all_suggested:
            targets = [c for c in commitments.list_commitments(s, obj.report(s), state="draft") if c.lead]
        elif commitment_ids:
            targets = [common.commitment(s, i) for i in commitment_ids]
        else:
            raise ValidationError("请给出任务 ID，或使用 --all-suggested")
        sup = None if support is None else [x.strip() for x in support.replace("，", ",").split(",") if x.strip()]
        done = [assign.assign(s, c, lead=lead, support=sup, expected_version=expected_version) for c in targets]
        data = [commitments.to_dict(c) for c in done]
    if as_json:
        echo_json(data)
    else:
        for d in data:
            units = "；".join(f"{'牵头' if a['role'] == 'lead' else '配合'} {a['unit']}" for a in d["assignments"])
            click.echo(f"任务 {d['id']}：{units}")


@ledger.command("report")
@click.argument("commitment_id", type=int)
@click.option("--period", "label", required=True, help="周期，如 2024Q1")
@click.option("--percent", default=None, help="完成百分比 0–100")
@click.option("--value", default=None, help="报送值（量化目标）")
@click.option("--narrative", default="", help="进展情况")
@click.option("--evidence", "files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="证明材料（可多个）")
@click.option("--draft", is_flag=True, help="只保存草稿，不提交")
@click.option("--at", "at", default=None, help="提交时间（ISO，默认现在；用于补录）")
@JSON
@pass_ctx
def report_cmd(obj: Ctx, commitment_id: int, label: str, percent: str | None, value: str | None, narrative: str, files: tuple[str, ...], draft: bool, at: str | None, as_json: bool) -> None:
    """报送一项任务某周期的进度（默认保存并提交）。"""
    from luoshi.ledger.services import common, periods, progress

    when = _when(at)
    with obj.work() as s:
        c = common.commitment(s, commitment_id)
        rules = obj.rules(s, c.report)
        now = when or rules.clock.now()
        p = periods.period(s, c.report, label)
        pr = progress.save_draft(s, c, p, author=obj.who, percent=percent, value=value, narrative=narrative)
        for f in files:
            progress.attach(s, pr, Path(f).name, Path(f).read_bytes(), max_bytes=rules.max_evidence_bytes)
        if not draft:
            progress.submit(s, pr, now=now)
        data = {"id": pr.id, "commitment": c.id, "period": p.label, "percent": pr.percent, "value": pr.reported_value,
                "state": pr.state, "late": pr.late, "evidence": [e.sha256 for e in pr.evidence]}  # fmt: skip
    if as_json:
        echo_json(data)
    else:
        click.echo(f"进度报告 {data['id']}：任务 {c.id} {p.label} {data['percent']:g}% {data['state']}{'（逾期提交）' if data['late'] else ''}")


def _when(at: str | None) -> dt.datetime | None:
    if at is None:
        return None
    from luoshi.errors import ValidationError

    try:
        t = dt.datetime.fromisoformat(at)
    except ValueError:
        raise ValidationError(f"--at 不是有效时间：{at!r}") from None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _review(obj: Ctx, report_id: int, reason: str | None, as_json: bool) -> None:
    from luoshi.ledger.models import ProgressReport
    from luoshi.ledger.services import common, progress

    with obj.work() as s:
        pr = common.get(s, ProgressReport, report_id)
        if reason is None:
            progress.accept(s, pr)
        else:
            progress.return_report(s, pr, reason)
        data = {"id": pr.id, "state": pr.state, "return_reason": pr.return_reason}
    echo_json(data) if as_json else click.echo(f"进度报告 {data['id']}：{data['state']}")


@ledger.command("accept")
@click.argument("report_id", type=int)
@JSON
@pass_ctx
def accept_cmd(obj: Ctx, report_id: int, as_json: bool) -> None:
    """审核通过一份进度报告。"""
    _review(obj, report_id, None, as_json)


@ledger.command("return")
@click.argument("report_id", type=int)
@click.option("--reason", required=True, help="退回原因")
@JSON
@pass_ctx
def return_cmd(obj: Ctx, report_id: int, reason: str, as_json: bool) -> None:
    """退回一份进度报告（须写明原因）。"""
    _review(obj, report_id, reason, as_json)


@ledger.command("periods")
@click.option("--cycle", type=click.Choice(["月", "季"]), default=None, help="报送周期（生成前设置）")
@click.option("--generate", is_flag=True, help="生成本年度周期")
@click.option("--close", "close_label", default=None, help="关闭某周期")
@JSON
@pass_ctx
def periods_cmd(obj: Ctx, cycle: str | None, generate: bool, close_label: str | None, as_json: bool) -> None:
    """查看、生成、关闭报送周期（截止日 = 周期末 + N 个工作日）。"""
    from luoshi.ledger.services import periods

    with obj.work() as s:
        report = obj.report(s)
        if cycle:
            periods.configure(s, report, cycle=cycle)
        if generate:
            periods.generate_periods(s, report)
        if close_label:
            periods.close_period(s, periods.period(s, report, close_label))
        rows = [{"label": p.label, "start": p.start, "end": p.end, "due": p.due, "closed": p.closed} for p in periods.periods(s, report)]
    if as_json:
        echo_json(rows)
    else:
        click.echo(table(["周期", "开始", "结束", "报送截止", "已关闭"], [list(r.values()) for r in rows]))


@ledger.command("publish")
@JSON
@pass_ctx
def publish_cmd(obj: Ctx, as_json: bool) -> None:
    """发布分工方案：公开所有已确认责任单位的任务，并生成本年度报送周期（可重复执行）。"""
    from luoshi.ledger.services import publication

    with obj.work() as s:
        report = obj.report(s)
        done = publication.publish(s, report)
        data = {"report": report.id, "year": report.year, "government": report.government.name,
                "published": done.published, "already_published": done.already,
                "unassigned": done.unassigned, "periods": done.periods}
    if as_json:
        echo_json(data)
        return
    click.echo(f"{data['government']} {data['year']}：新发布 {done.published} 项，此前已发布 {done.already} 项，"
               f"报送周期 {done.periods} 个")
    if done.unassigned:
        click.echo(f"另有 {done.unassigned} 项尚未确认责任单位，未发布（luoshi ledger assign）")


@ledger.command("settings")
@click.option("--yellow", type=float, default=None, help="黄灯：落后时序进度的点数")
@click.option("--red", type=float, default=None, help="红灯：落后时序进度的点数")
@click.option("--tolerance", type=float, default=None, help="“左右”/基本完成的相对容差，如 0.05")
@click.option("--notice-days", type=int, default=None, help="督办单答复期限（工作日）")
@click.option("--report-days", type=int, default=None, help="周期结束后报送期限（工作日）")
@click.option("--notice-prefix", default=None, help="督办单编号前缀，如“督”→ 督〔2024〕1号")
@click.option("--weights", "weights_arg", default=None, metavar="FILE|JSON",
              help='差异化考核权重：JSON 文本或 JSON/YAML 文件，如 \'{"modality": {"确保": 2}}\'；只改给出的项')  # fmt: skip
@click.option("--reset-weights", is_flag=True, help="权重恢复默认值")
@click.option("--statistics-date", "statistics_date", default=None, metavar="YYYY-MM-DD",
              help="统计日期：台账按这一天评判（空字符串清除，恢复按今天评判）")
@click.option("--version", "expected_version", type=int, default=None, help="编辑所基于的版本（乐观锁）")
@JSON
@pass_ctx
def settings_cmd(obj: Ctx, yellow: float | None, red: float | None, tolerance: float | None, notice_days: int | None, report_days: int | None, notice_prefix: str | None, weights_arg: str | None, reset_weights: bool, statistics_date: str | None, expected_version: int | None, as_json: bool) -> None:
    """查看或修改台账设置（阈值、容差、期限、督办单编号前缀、差异化考核权重、统计日期）。"""
    from luoshi.errors import ValidationError
    from luoshi.ledger.services import periods

    if weights_arg is not None and reset_weights:
        raise ValidationError("--weights 与 --reset-weights 不能同时使用")
    changes = _read_weights(weights_arg) if weights_arg is not None else None
    with obj.work() as s:
        report = obj.report(s)
        new_weights: dict[str, Any] | None = {} if reset_weights else None
        if changes is not None:
            new_weights = periods.merge_weights(periods.settings(s, report).weights, changes)
        extra: dict[str, Any] = {} if statistics_date is None else {"statistics_date": statistics_date}
        st = periods.configure(s, report, yellow_behind=yellow, red_behind=red, tolerance=tolerance,
                               notice_due_days=notice_days, report_due_days=report_days, weights=new_weights,
                               notice_prefix=notice_prefix, expected_version=expected_version, **extra)  # fmt: skip
        data = {"cycle": st.cycle, "yellow_behind": st.yellow_behind, "red_behind": st.red_behind, "tolerance": st.tolerance,
                "notice_due_days": st.notice_due_days, "report_due_days": st.report_due_days, "notice_prefix": st.notice_prefix,
                "weights": periods.weights(st), "custom_weights": st.weights or {}, "statistics_date": st.statistics_date,
                "version": st.version}  # fmt: skip
    if as_json:
        echo_json(data)
    else:
        for k, v in data.items():
            click.echo(f"{k}: {v}")


def _read_weights(value: str) -> Any:
    """``--weights``: inline JSON (starts with “{”) or a JSON/YAML file."""
    import json

    import yaml

    from luoshi.errors import InputError, ValidationError

    text = value.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"--weights 不是有效的 JSON：{exc.msg}（第 {exc.pos + 1} 个字符）") from None
    path = Path(value)
    if not path.is_file():
        raise InputError(f"--weights：文件 {value} 不存在（或直接给出 JSON 文本）")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{value}: 不是 UTF-8 文本") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{value}: JSON/YAML 格式错误：{str(exc).splitlines()[0]}") from None


@ledger.command("status")
@click.option("--period", "label", default=None, help="周期（默认：统计日期时最近已结束的周期）")
@click.option("--color", "--light", "color", type=click.Choice(["green", "yellow", "red"]), default=None)
@JSON
@pass_ctx
def status_cmd(obj: Ctx, label: str | None, color: str | None, as_json: bool) -> None:
    """各任务的红黄绿灯（时序进度 vs 报送进度）与缺报情况。

    评判的周期与网页看板相同：统计日期（--today / $LUOSHI_TODAY / 台账设置 / 今天）时最近已结束的周期。
    """
    from luoshi.ledger.models import Commitment
    from luoshi.ledger.services import periods, status

    with obj.work() as s:
        report = obj.report(s)
        rules = obj.rules(s, report)
        p = periods.require_current_period(s, report, rules.today, periods.JUDGING, label=label)
        judged = status.ledger_statuses(s, report, p, rules=rules)
        lights = {k: sum(1 for st in judged if st.light == k) for k in ("green", "yellow", "red", "grey")}
        rows = [st for st in judged if color is None or st.light == color]
        by_id = {c.id: c for c in s.scalars(_select_ids(Commitment, [st.commitment_id for st in rows]))}
        items = [{**st.to_dict(), "title": by_id[st.commitment_id].title, "lead": _lead(by_id[st.commitment_id])}
                 for st in rows]
        data = {"on": rules.today, "clock": rules.clock.source, "period": p.label, "total": len(judged),
                "lights": lights, "missing": sum(st.missing for st in judged), "items": items}
    if as_json:
        echo_json(data)
        return
    mark = {"green": "绿", "yellow": "黄", "red": "红"}
    click.echo(table(["ID", "灯", "时序%", "报送%", "落后", "缺报", "逾期", "牵头", "内容"],
                     [[d["commitment_id"], mark[d["light"]], d["expected"], d["percent"], d["behind"], d["missing"], d["overdue"], d["lead"], d["title"]] for d in items]))  # fmt: skip
    source = {"override": "--today", "environment": "LUOSHI_TODAY", "ledger": "台账设置", "machine": "今天"}
    click.echo(f"统计日期 {data['on']}（{source[data['clock']]}），评判周期 {p.label}："
               f"绿 {lights['green']}，黄 {lights['yellow']}，红 {lights['red']}，缺报 {data['missing']}")


def _select_ids(model: Any, ids: list[int]) -> Any:
    """``SELECT model WHERE id IN ids`` (the rows a listing names)."""
    from sqlalchemy import select

    return select(model).where(model.id.in_(ids))


@ledger.command("notices")
@click.option("--period", "label", default=None, help="周期（默认：报送截止日已过的最近一期）")
@click.option("--preview", "--dry-run", "preview", is_flag=True, help="只预览将签发的督办单（按原因计数），不签发")
@click.option("--generate", is_flag=True, help="签发督办单：每项任务每期一份，列明全部原因（可重复执行）")
@click.option("--on", "on", default=None, help="统计/签发日期（默认台账的统计日期，见 luoshi ledger --today）")
@click.option("--answer", "answer", nargs=2, type=(int, str), default=None, help="答复：督办单ID 内容")
@click.option("--close", "close_id", type=int, default=None, help="办结督办单")
@click.option("--open", "open_only", is_flag=True, help="只看未办结")
@JSON
@pass_ctx
def notices_cmd(obj: Ctx, label: str | None, preview: bool, generate: bool, on: str | None, answer: tuple[int, str] | None, close_id: int | None, open_only: bool, as_json: bool) -> None:
    """督办单：预览、签发、查看、答复、办结。"""
    from luoshi.errors import ValidationError
    from luoshi.ledger.models import Notice
    from luoshi.ledger.services import common, notices, periods

    if preview and generate:
        raise ValidationError("--preview 与 --generate 不能同时使用：先预览，确认后再签发")
    with obj.work() as s:
        report = obj.report(s)
        day = common.parse_date(on, "--on") or obj.rules(s, report).today
        if preview or generate:
            p = periods.period(s, report, label) if label else notices.due_period(s, report, on=day)
            plan = notices.preview(s, report, p, on=day)
        if preview:
            if as_json:
                echo_json(plan.to_dict())
            else:
                click.echo(_notice_preview_text(plan))
            return
        if generate:
            created = notices.generate_notices(s, report, p, on=day)
            if not as_json:
                numbers = f"（{created[0].number}—{created[-1].number}）" if created else ""
                click.echo(f"{p.label}：新签发督办单 {len(created)} 份{numbers}")
        if answer:
            notices.answer_notice(s, common.get(s, Notice, answer[0]), answer[1], now=obj.rules(s, report).clock.now())
        if close_id is not None:
            notices.close_notice(s, common.get(s, Notice, close_id))
        data = [{"id": n.id, "number": n.number, "commitment": n.commitment_id, "unit": n.unit.name if n.unit else None,
                 "period": n.period.label if n.period else None, "reason": n.reason, "reasons": notices.reason_labels(n.reasons),
                 "detail": n.detail, "issued": n.issued, "due": n.due, "answered": n.answered_at is not None,
                 "answer": n.answer, "closed": n.closed}
                for n in notices.notices(s, report, open_only=open_only)]  # fmt: skip
    if as_json:
        echo_json(data)
    else:
        click.echo(table(["ID", "编号", "任务", "单位", "周期", "原因", "签发", "答复期限", "已答复", "办结", "说明"],
                         [[d["id"], d["number"], d["commitment"], d["unit"], d["period"], "、".join(d["reasons"]), d["issued"], d["due"], d["answered"], d["closed"], d["detail"]] for d in data]))  # fmt: skip


def _notice_preview_text(plan: Any) -> str:
    """The preview as the office reads it before confirming: how many, why, and for whom."""
    counts = " · ".join(f"{k} {v}" for k, v in plan.counts.items())
    will = "将签发" if plan.may_issue else "若此后不再报送，到期后将签发"
    head = [f"{plan.period} 督办单预览（统计日期 {plan.on}，报送截止 {plan.due}）：{will} {len(plan.items)} 份",
            f"按原因：{counts}",
            f"已签发过的任务 {plan.already} 项；周期结束后新增、不在本期的任务 {plan.later} 项"]
    if not plan.may_issue:
        head.append(f"现在不能签发：{plan.why_not}")
    rows = [[i.commitment_id, i.unit or "—", "、".join(i.labels), i.title] for i in plan.items]
    return "\n".join(head) + ("\n" + table(["任务", "牵头单位", "原因", "名称"], rows) if rows else "")


@ledger.command("evaluate")
@click.argument("commitment_ids", type=int, nargs=-1)
@click.option("--final-value", default=None, help="最终值（默认最后一次审核通过的报送值）")
@click.option("--result", type=click.Choice(["超额完成", "完成", "基本完成", "未完成"]), default=None)
@click.option("--reason", default=None, help="与规则结果不同时的书面理由；提前定稿时的理由")
@click.option("--all", "all_", is_flag=True, help="按规则评价所有可自动评价的任务（结果为预评价）")
@click.option("--finalise", "--finalize", "finalise", is_flag=True,
              help="定稿：预评价转为正式结果（最后一期报送截止日未过时须写 --reason）")
@click.option("--on", "on", default=None, help="统计日期（默认今天）")
@JSON
@pass_ctx
def evaluate_cmd(obj: Ctx, commitment_ids: tuple[int, ...], final_value: str | None, result: str | None, reason: str | None, all_: bool, finalise: bool, on: str | None, as_json: bool) -> None:
    """年终评价：超额完成/完成/基本完成/未完成。先为预评价，定稿后才是正式结果。"""
    from luoshi.errors import ValidationError
    from luoshi.ledger.services import common, evaluation

    with obj.work() as s:
        report = obj.report(s)
        day = common.parse_date(on, "--on") or dt.date.today()
        if finalise:
            if all_ or commitment_ids or final_value is not None or result is not None:
                raise ValidationError("--finalise 单独使用：先评价，再定稿")
            done_final = evaluation.finalise(s, report, on=day, reason=reason)
            data_final = {"finalised": done_final.count, "early": done_final.early, "reason": done_final.reason}
        skipped: list[tuple[int, str]] = []
        if finalise:
            done = []
        elif all_:
            done, skipped = evaluation.evaluate_all(s, report, by=obj.who, on=common.parse_date(on, "--on"),
                                                    rules=obj.rules(s, report))
        elif commitment_ids:
            done = [evaluation.evaluate(s, common.commitment(s, i), by=obj.who, final_value=final_value, result=result, reason=reason, on=common.parse_date(on, "--on"), rules=obj.rules(s, report)) for i in commitment_ids]
        else:
            raise ValidationError("请给出任务 ID，或使用 --all / --finalise")
        note = None if finalise else evaluation.draft_note(s, report, on=day)
        data = {"evaluated": [{"commitment": e.commitment_id, "result": e.result, "computed": e.computed_result,
                               "final_value": e.final_value, "score": e.score, "override_reason": e.override_reason,
                               "state": e.state} for e in done],
                "skipped": [{"commitment": i, "why": w} for i, w in skipped], "note": note}  # fmt: skip
    if finalise:
        if as_json:
            echo_json(data_final)
        else:
            why = f"（提前定稿，理由：{done_final.reason}）" if done_final.early else ""
            click.echo(f"已定稿 {done_final.count} 项年度评价{why}")
        return
    if as_json:
        echo_json(data)
        return
    if note:
        click.echo(note)
    click.echo(table(["任务", "结果", "规则结果", "最终值", "得分", "理由", "状态"],
                     [[e["commitment"], e["result"], e["computed"], e["final_value"], e["score"], e["override_reason"],
                       "预评价" if e["state"] == "draft" else "已定稿"] for e in data["evaluated"]]))  # fmt: skip
    if skipped:
        click.echo(f"另有 {len(skipped)} 项未评价（需人工评价 --result，或已定稿）")


@ledger.command("scorecard")
@click.option("--period", "label", default=None, help="按某周期的红黄绿灯计分（默认用年终评价）")
@click.option("--save", is_flag=True, help="保存排名快照（用于下期比较名次变化）")
@JSON
@pass_ctx
def scorecard_cmd(obj: Ctx, label: str | None, save: bool, as_json: bool) -> None:
    """单位得分与排名（差异化权重：确保 > 预期 > 力争，牵头 > 配合）。"""
    from luoshi.ledger.services import evaluation, periods

    with obj.work() as s:
        report = obj.report(s)
        p = periods.period(s, report, label) if label else None
        rows = [r.to_dict() for r in evaluation.scorecard(s, report, period=p, save=save, rules=obj.rules(s, report))]
    if as_json:
        echo_json(rows)
        return

    def arrow(ch: int | None) -> str:
        return "新" if ch is None else ("↑" + str(ch) if ch > 0 else ("↓" + str(-ch) if ch < 0 else "—"))

    if rows:
        click.echo(rows[0]["basis"])
    click.echo(table(["名次", "单位", "得分", "牵头", "配合", "变化"], [[r["rank"], r["unit"], r["score"], r["lead"], r["support"], arrow(r["change"])] for r in rows]))


@ledger.group("units")
def units_grp() -> None:
    """单位名录：查看、导入、新增、改名、别名、合并、停用。"""


@units_grp.command("list")
@JSON
@pass_ctx
def units_list(obj: Ctx, as_json: bool) -> None:
    from luoshi.ledger.services import units

    with obj.work() as s:
        gov = obj.government or obj.report(s).government.name
        rows = [{"id": u.id, "name": u.name, "short_name": u.short_name, "kind": u.kind, "aliases": u.aliases} for u in units.list_units(s, gov)]
    if as_json:
        echo_json(rows)
    else:
        click.echo(table(["ID", "名称", "简称", "类型", "别名"], [[r["id"], r["name"], r["short_name"], r["kind"], "、".join(r["aliases"])] for r in rows]))


@units_grp.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@JSON
@pass_ctx
def units_load(obj: Ctx, path: str, as_json: bool) -> None:
    """从 .xlsx、CSV 或 YAML 导入单位名录（--government 指定政府）。

    新名称的别名或简称中列出现有单位的名称时，视为该单位更名（旧名保留为别名）。
    """
    from luoshi.ledger.services import units

    data = units.read_directory(path)
    with obj.work() as s:
        r = units.load_directory(s, data, obj.government, where=path)
    out = {"government": r.government, "added": r.added, "renamed": r.renamed, "updated": r.updated,
           "unchanged": r.unchanged}
    echo_json(out) if as_json else click.echo(
        f"{r.government}：新增 {r.added}，更名 {r.renamed}，更新 {r.updated}，未变 {r.unchanged}")


@units_grp.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["部门", "区市", "园区", "企业"]), default="部门")
@click.option("--short-name", default=None)
@click.option("--alias", "aliases", multiple=True)
@pass_ctx
def units_add(obj: Ctx, name: str, kind: str, short_name: str | None, aliases: tuple[str, ...]) -> None:
    from luoshi.ledger.services import units

    with obj.work() as s:
        gov = obj.government or obj.report(s).government.name
        u = units.add_unit(s, gov, name, kind=kind, short_name=short_name, aliases=list(aliases))
        click.echo(f"单位 {u.id}：{u.name}")


@units_grp.command("rename")
@click.argument("name")
@click.argument("new_name")
@pass_ctx
def units_rename(obj: Ctx, name: str, new_name: str) -> None:
    """改名（旧名保留为别名）。"""
    from luoshi.ledger.services import units

    with obj.work() as s:
        gov = obj.government or obj.report(s).government.name
        u = units.rename_unit(s, units.find_unit(s, gov, name).id, new_name)
        click.echo(f"单位 {u.id}：{u.name}（别名 {'、'.join(u.aliases)}）")


@units_grp.command("alias")
@click.argument("name")
@click.argument("alias")
@pass_ctx
def units_alias(obj: Ctx, name: str, alias: str) -> None:
    from luoshi.ledger.services import units

    with obj.work() as s:
        gov = obj.government or obj.report(s).government.name
        u = units.add_alias(s, units.find_unit(s, gov, name).id, alias)
        click.echo(f"单位 {u.id}：{u.name}（别名 {'、'.join(u.aliases)}）")


@units_grp.command("merge")
@click.argument("name")
@click.argument("into")
@pass_ctx
def units_merge(obj: Ctx, name: str, into: str) -> None:
    """把单位 NAME 合并到 INTO：任务分工、联络员和督办单随之转移，NAME 的各个名称成为 INTO 的别名。"""
    from luoshi.ledger.services import units

    with obj.work() as s:
        gov = obj.government or obj.report(s).government.name
        source = units.find_unit(s, gov, name)
        r = units.merge_units(s, source.id, units.find_unit(s, gov, into).id)
        click.echo(f"已将“{source.name}”并入“{r.target.name}”：转移分工 {r.moved + r.joined} 条，"
                   f"联络员 {r.liaisons} 个，督办单 {r.notices} 份（别名 {'、'.join(r.target.aliases)}）")


@units_grp.command("deactivate")
@click.argument("name")
@pass_ctx
def units_deactivate(obj: Ctx, name: str) -> None:
    """停用单位（仍承担未办结任务时拒绝）。"""
    from luoshi.ledger.services import units

    with obj.work() as s:
        gov = obj.government or obj.report(s).government.name
        u = units.deactivate_unit(s, units.find_unit(s, gov, name).id)
        click.echo(f"已停用单位 {u.id}：{u.name}")


@ledger.command("calendar")
@click.argument("path", type=click.Path(dir_okay=False))
@pass_ctx
def calendar_cmd(obj: Ctx, path: str) -> None:
    """导入本地节假日/调休表（CSV：date,workday,note），用于日历包尚未覆盖的年份。"""
    from luoshi.ledger.services import calendar

    with obj.work() as s:
        n = calendar.load_overrides(s, path)
    click.echo(f"已导入 {n} 天")


@ledger.command("milestones")
@click.argument("commitment_id", type=int)
@click.option("--at", "points", multiple=True, metavar="DATE=PERCENT",
              help="进度节点（可多个），如 --at 2024-06-30=40 --at 2024-09-30=70；替换原有节点")  # fmt: skip
@click.option("--clear", is_flag=True, help="删除节点，恢复按时间线性的时序进度")
@click.option("--version", "expected_version", type=int, default=None, help="编辑所基于的版本（乐观锁）")
@JSON
@pass_ctx
def milestones_cmd(obj: Ctx, commitment_id: int, points: tuple[str, ...], clear: bool, expected_version: int | None, as_json: bool) -> None:
    """查看或设置一项任务的时序进度曲线（各节点应完成的百分比）。"""
    from luoshi.errors import ValidationError
    from luoshi.ledger.services import common, periods, status

    if points and clear:
        raise ValidationError("--at 与 --clear 不能同时使用")
    with obj.work() as s:
        c = common.commitment(s, commitment_id)
        if points or clear:
            status.set_milestones(s, c, [status.parse_milestone(p) for p in points], expected_version=expected_version)
        curve = [{"period": p.label, "end": p.end, "expected": round(status.expected_percent(c, p.end, c.report.year), 1)}
                 for p in periods.periods(s, c.report)]  # fmt: skip
        data = {"id": c.id, "deadline": c.deadline, "milestones": c.milestones or [], "expected": curve, "version": c.version}
    if as_json:
        echo_json(data)
        return
    if data["milestones"]:
        nodes = "，".join(f"{m['date']} {m['percent']:g}%" for m in data["milestones"])
        click.echo(f"任务 {c.id} 进度节点：{nodes}（完成时限 {data['deadline']}）")
    else:
        click.echo(f"任务 {c.id} 无进度节点：时序进度按时间线性推进至完成时限 {data['deadline']}")
    if curve:
        click.echo(table(["周期", "结束", "时序进度%"], [[r["period"], r["end"], r["expected"]] for r in curve]))


def _set_actor(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Ctx).actor = value


def _add_actor_option(cmd: click.Command) -> None:
    """``--as/--actor`` on every subcommand too, so it can follow the subcommand name."""
    cmd.params.append(
        click.Option(["--as", "--actor", "actor_"], default=None, expose_value=False, is_eager=True,
                     callback=_set_actor, help="审计记录中的操作人（默认 $USER）")
    )
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _add_actor_option(sub)


for _cmd in ledger.commands.values():
    _add_actor_option(_cmd)
