"""``luoshi import-xlsx FILE``: bring back an edited 分工方案 or a filled 进度填报模板.

The kind is read from the workbook's marker. Everything is checked first and reported row by row;
if anything is wrong nothing is written. ``--dry-run`` shows what would change.
"""

from __future__ import annotations

import click

from luoshi.commands.output import echo_json, table


@click.command("import-xlsx")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只显示将发生的变化，不写入")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--as", "--actor", "actor", default=None, help="审计记录中的操作人（默认 $USER）")
def import_xlsx(path: str, dry_run: bool, as_json: bool, actor: str | None) -> None:
    """导入修改后的分工方案或填好的进度填报模板（全部校验通过才写入）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.export.downloads import import_upload
    from luoshi.export.plan_import import PlanDiff

    with unit_of_work(actor) as session:
        diff = import_upload(session, path, apply=not dry_run, author=session.actor)
    if as_json:
        echo_json(diff.to_dict())
        return
    if isinstance(diff, PlanDiff):
        click.echo(f"分工方案：修改 {len(diff.updates)} 项，新增 {len(diff.creations)} 项，未变 {diff.unchanged} 项")
        rows = [[r.row, r.commitment_id or "新增", c.field, c.before, c.after]
                for r in [*diff.updates, *diff.creations] for c in r.changes]
        if rows:
            click.echo(table(["行", "编号", "字段", "原值", "新值"], rows, max_col=60))
        for w in diff.warnings:
            click.echo(f"注意：{w}")
        if diff.created_ids:
            click.echo(f"新增任务编号：{', '.join(map(str, diff.created_ids))}")
    else:
        same = f"，与已报送相同 {diff.unchanged} 项" if diff.unchanged else ""
        click.echo(f"进度填报：{diff.unit} {diff.period}，报送 {len(diff.rows)} 项{same}，未填 {diff.skipped} 项")
        if not diff.rows:
            click.echo("无变化：本表内容与已报送的进度相同")
            return
        rows = [[r.row, r.commitment_id, r.percent, "" if r.reported_value is None else r.reported_value, r.narrative]
                for r in diff.rows]
        if rows:
            click.echo(table(["行", "编号", "完成进度%", "完成值", "进展情况"], rows, max_col=50))
    click.echo("（预演，未写入）" if dry_run else "已写入台账")
