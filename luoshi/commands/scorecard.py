"""``luoshi scorecard``: which promises of a government's reports were kept, missed or unverifiable.

Reads a corpus (``--corpus FILE``) or report files given directly. For each plan year N the targets
of report N are judged against the actuals of report N+1; the ambition check lists targets below
the previous year's results.
"""

from __future__ import annotations

import json

import click

from luoshi.commands.output import table
from luoshi.corpus.query import load_reports
from luoshi.errors import ValidationError
from luoshi.reconcile.judge import Tolerance
from luoshi.reconcile.service import (
    government_view,
    pick_government,
    reports_from_files,
    to_csv,
)


def _text(view: dict, *, ambition_only: bool) -> str:
    out: list[str] = []
    if not ambition_only:
        for card in view["scorecards"]:
            y = card["year"]
            review = f"{card['review_year']}年报告" if card["review_year"] else "（尚无下一年报告）"
            out.append(
                f"{view['government']} {y}年目标 → {review}：共{card['total']}项，兑现{card['kept']}，"
                f"未兑现{card['missed']}，无法核验{card['unverifiable']}（无数据{card['no_data']}，定性{card['qualitative']}）"
            )
            out.append(
                f"  主要预期目标：共{card['headline_total']}项，兑现{card['headline_kept']}，未兑现{card['headline_missed']}，"
                f"无法核验{card['headline_unverifiable']}（无数据{card['headline_no_data']}，定性{card['headline_qualitative']}）"
            )
            rows = [
                ("★" if o["headline"] else "", o["status_label"], o["indicator_name"], o["target_text"],
                 "" if o["actual_value"] is None else f"{o['actual_value']:g}{o['actual_unit'] or ''}",
                 "" if o["link_confidence"] is None else f"{o['link_confidence']:.2f}",
                 o["target_quote"], o["actual_quote"] or "")
                for o in view["outcomes"] if o["year"] == y
            ]
            out.append(table(["主要", "结果", "指标", "目标", "实际", "置信度", "目标原文", "实绩原文"], rows, max_col=40, empty=""))
            out.append("")
    flagged = [a for a in view["ambition"] if a["below_last_year"]]
    out.append(f"低于上年实绩的目标（{len(flagged)}项）：")
    rows = [(str(a["year"]), a["indicator"], a["target_text"], f"{a['last_year_value']:g}{a['unit'] or ''}",
             f"{a['link_confidence']:.2f}", a["target_quote"], a["actual_quote"]) for a in flagged]
    out.append(table(["年份", "指标", "目标", "上年实绩", "置信度", "目标原文", "上年实绩原文"], rows, max_col=40, empty=""))
    return "\n".join(out)


@click.command("scorecard")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--corpus", "corpus", type=click.Path(dir_okay=False), help="语料库文件（luoshi corpus build 生成）")
@click.option("--government", "-g", help="政府名称，如 国务院、枣庄市")
@click.option("--year", "-y", type=int, help="只看该年报告的目标")
@click.option("--headline", is_flag=True, help="只列主要预期目标")
@click.option("--ambition", is_flag=True, help="只列低于上年实绩的目标")
@click.option("--tolerance", type=float, default=0.5, show_default=True, help="“左右”目标的容差（百分点）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV")
def scorecard(files: tuple[str, ...], corpus: str | None, government: str | None, year: int | None,
              headline: bool, ambition: bool, tolerance: float, as_json: bool, as_csv: bool) -> None:
    """目标兑现记分卡：第N年报告的目标对照第N+1年报告的实绩。"""
    if bool(files) == bool(corpus):
        raise ValidationError("give either --corpus FILE or report files, not both / neither")
    if as_json and as_csv:
        raise ValidationError("--json and --csv are exclusive")
    if tolerance < 0:
        raise ValidationError("--tolerance must not be negative")
    if corpus and not government:
        raise ValidationError("--government is required with --corpus")
    reports = load_reports(corpus) if corpus else reports_from_files(files)
    gov = pick_government(reports, government)
    view = government_view(reports, gov, year=year, tolerance=Tolerance(rate_pp=tolerance), headline_only=headline)
    if as_json:
        if ambition:
            view = {"government": gov, "year": year, "ambition": [a for a in view["ambition"] if a["below_last_year"]]}
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
    elif as_csv:
        rows = [a for a in view["ambition"] if a["below_last_year"]] if ambition else view["outcomes"]
        click.echo(to_csv(rows), nl=False)
    else:
        click.echo(_text(view, ambition_only=ambition))
