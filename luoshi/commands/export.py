"""``luoshi export plan|template|bulletin|extraction``: the documents offices print, fill in and send back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from luoshi.errors import InputError

REPORT = click.option("--report", "report_id", type=int, default=None, help="报告（台账）编号，默认最近一年")
OUT = click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="输出文件")


def _write(out: str, download) -> None:  # type: ignore[no-untyped-def]
    path = Path(out)
    try:
        path.write_bytes(download.content)
    except OSError as exc:
        raise InputError(f"无法写入 {path}：{exc.strerror or exc}") from None
    click.echo(f"已导出 {path}（{len(download.content) / 1024:.0f} KB）")


@click.group()
def export() -> None:
    """导出：分工方案（xlsx/docx）、进度填报模板（xlsx）、督查通报（docx）。"""


@export.command("plan")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx"]), default=None,
              help="xlsx（可修改后用 import-xlsx 导回）或 docx（打印）；默认按 --out 的扩展名")
@OUT
@REPORT
@click.option("--with-leader", is_flag=True, help="加“责任领导”列（台账中已有责任领导时总会加上；导回时写入台账）")
@click.option("--number", type=int, default=None, help="docx 印发通知的文号序号（如 3 → 〔2024〕3号；默认留空待填）")
@click.option("--date", "issued", type=click.DateTime(["%Y-%m-%d"]), default=None, help="印发日期（默认今天）")
def plan(fmt: str | None, out: str, report_id: int | None, with_leader: bool, number: int | None,
         issued: dt.datetime | None) -> None:
    """导出《政府工作报告》重点任务分工方案（docx 为印发通知 + 附件）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.export.downloads import plan_download

    fmt = fmt or (Path(out).suffix.lstrip(".").lower() if Path(out).suffix.lower() in (".xlsx", ".docx") else "xlsx")
    with unit_of_work(None) as session:
        download = plan_download(session, report_id, fmt=fmt, with_leader=with_leader, number=number,
                                 issued=issued.date() if issued else None)
    _write(out, download)


@export.command("template")
@click.option("--unit", required=True, help="单位名称、简称、别名或编号")
@click.option("--period", required=True, help="周期，如 2024Q1 或 2024-03")
@OUT
@REPORT
def template(unit: str, period: str, out: str, report_id: int | None) -> None:
    """导出某单位某周期的进度填报模板（填好后用 import-xlsx 导入）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.export.downloads import template_download

    with unit_of_work(None) as session:
        download = template_download(session, unit, period, report=report_id)
    _write(out, download)


@export.command("bulletin")
@click.option("--period", required=True, help="周期，如 2024Q1")
@OUT
@REPORT
@click.option("--date", "issued", type=click.DateTime(["%Y-%m-%d"]), default=None, help="通报日期（默认台账的统计日期，见 luoshi ledger --today）")
@click.option("--number", type=int, default=None, help="期号（第N期）")
def bulletin(period: str, out: str, report_id: int | None, issued: dt.datetime | None, number: int | None) -> None:
    """导出某周期的督查通报（含红黄灯清单、单位排名和图表）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.export.downloads import bulletin_download

    with unit_of_work(None) as session:
        download = bulletin_download(session, period, report=report_id, issued=issued.date() if issued else None,
                                     number=number)
    _write(out, download)


@export.command("extraction")
@OUT
@REPORT
def extraction(out: str, report_id: int | None) -> None:
    """导出报告的抽取结果（目标、任务、上年实绩，xlsx）：与网页“下载与导入”中的文件相同。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.export.downloads import extraction_download

    with unit_of_work(None) as session:
        download = extraction_download(session, report_id)
    _write(out, download)
