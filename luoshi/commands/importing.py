"""``luoshi import FILE``: load a report's commitments into the ledger (diff on a revised text)."""

from __future__ import annotations

import click

from luoshi.commands.output import echo_json, table

ACTOR = click.option("--as", "--actor", "actor", default=None, help="审计记录中的操作人（默认 $USER）")


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--government", default=None, help="政府名称，如 枣庄市（默认从报告识别）")
@click.option("--year", type=int, default=None, help="计划年份（默认从报告识别）")
@click.option("--dry-run", is_flag=True, help="只显示将发生的变化，不写入")
@click.option("--no-suggest", is_flag=True, help="不自动建议责任单位")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@ACTOR
def import_cmd(path: str, government: str | None, year: int | None, dry_run: bool, no_suggest: bool, as_json: bool, actor: str | None) -> None:
    """导入政府工作报告：抽取目标与任务，写入台账（同一文件再次导入 → 无变化；修订稿 → 先显示差异）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.ledger.services import importing

    extraction, text = importing.extract_for_import(path, government=government, year=year)
    # what the extraction could not find is said before anything is written (no silent zeros)
    for w in extraction.report.warnings:
        click.echo(f"警告[{w['code']}] {path}: {w['message']}", err=True)
    with unit_of_work(actor) as session:
        plan, report = importing.import_extraction(session, extraction, government=government, year=year,
                                                   source_text=text, source_name=path, dry_run=dry_run,
                                                   suggest=not no_suggest)
        summary = plan.summary()
        report_id = report.id if report is not None else plan.report_id
        summary["report_id"] = report_id
        summary["applied"] = report is not None
        summary["warnings"] = list(extraction.report.warnings)
    if as_json:
        echo_json(summary)
        return
    head = f"{plan.government} {plan.year} 年报告（sha256 {plan.sha256[:12]}…）"
    if plan.status == "unchanged":
        click.echo(f"{head}：与已导入版本相同，无变化（报告 {report_id}）")
        return
    if plan.status == "new":
        kinds = {k: sum(1 for c in plan.added if c.fields["kind"] == k) for k in ("target", "milestone", "measure")}
        click.echo(f"{head}：新导入 {len(plan.added)} 项（目标 {kinds['target']}，节点 {kinds['milestone']}，举措 {kinds['measure']}）")
    else:
        click.echo(f"{head}：修订稿，新增 {len(plan.added)}，删除 {len(plan.removed)}，修改 {len(plan.changed)}")
        rows = [["+", c.code, c.fields["kind"], c.quote] for c in plan.added]
        rows += [["-", c.code, c.kind, c.quote or c.text] for c in plan.removed]
        rows += [["~", ch.code, ch.candidate.fields["kind"], "; ".join(f"{k}: {ch.before[k]} → {ch.after[k]}" for k in ch.before)] for ch in plan.changed]
        if rows:
            click.echo(table(["", "编号", "类型", "内容"], rows, max_col=80))
    click.echo("（预演，未写入）" if dry_run else f"已写入台账（报告 {report_id}）")
