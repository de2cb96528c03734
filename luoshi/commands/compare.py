"""``luoshi compare``: headline targets of many governments for one year, or of one government over years."""

from __future__ import annotations

import json

import click

from luoshi.commands.output import table
from luoshi.corpus.query import load_reports
from luoshi.errors import ValidationError
from luoshi.reconcile.service import compare_view, table_rows, to_csv


@click.command("compare")
@click.option("--corpus", "corpus", required=True, type=click.Path(dir_okay=False), help="语料库文件")
@click.option("--year", "-y", type=int, help="比较各政府该年的主要预期目标")
@click.option("--government", "-g", help="列出该政府历年的主要预期目标及兑现情况")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV")
def compare(corpus: str, year: int | None, government: str | None, as_json: bool, as_csv: bool) -> None:
    """主要预期目标横向（多个政府同一年）或纵向（同一政府多年）对比。"""
    if as_json and as_csv:
        raise ValidationError("--json and --csv are exclusive")
    if (year is None) == (government is None):
        raise ValidationError("give exactly one of --year or --government")
    view = compare_view(load_reports(corpus), year=year, government=government)
    t = view["table"]
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    if as_csv:
        click.echo(to_csv(table_rows(t)), nl=False)
        return

    def cell(c: dict | None) -> str:
        if not c:
            return ""
        if c.get("status") == "qualitative":
            return c["target"]
        if "status_label" in c:
            actual = f" 实际{c['actual']}" if c.get("actual") else ""
            return f"{c['target']}{actual}（{c['status_label']}）"
        return c["target"]

    click.echo(t["title"])
    click.echo(table(["指标", *t["columns"]], [[r["indicator"], *[cell(r["cells"].get(col)) for col in t["columns"]]]
                                               for r in t["rows"]], max_col=36, empty=""))
