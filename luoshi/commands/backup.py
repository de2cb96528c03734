"""``luoshi backup FILE`` / ``luoshi restore FILE``: one checked archive of the ledger and its evidence."""

from __future__ import annotations

import click


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """把整个台账和证明材料文件备份为一个归档（含校验和，可恢复到 SQLite 或 PostgreSQL；文件仅本账号可读）。"""
    from luoshi.commands.support import checked_engine
    from luoshi.ledger.services.backup import backup as dump

    result = dump(checked_engine(), path)
    click.echo(
        f"已备份 {sum(result.counts.values())} 行（{len(result.counts)} 张表）和 {result.evidence_files} 个证明材料文件到 {path}"
    )
    click.echo(f"审计链校验值：{result.audit_chain}（请另行保存，恢复时可核对）" + ("；清单已签名" if result.signed else ""))
    if result.missing_evidence:
        click.echo(f"注意：{result.missing_evidence} 个证明材料文件在磁盘上缺失或已损坏，未能备份", err=True)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="目标数据库非空时先清空（不加 --with-accounts 时保留现有账号）")
@click.option("--with-accounts", is_flag=True, help="一并恢复备份中的账号（用户名、密码散列、角色）")
def restore(path: str, replace: bool, with_accounts: bool) -> None:
    """先完整校验备份归档（校验和、行数、结构、引用、审计链），再恢复台账和证明材料（目标数据库须已 luoshi db upgrade）。"""
    from luoshi.commands.support import checked_engine
    from luoshi.ledger.services.backup import restore as load

    result = load(checked_engine(), path, replace=replace, with_accounts=with_accounts)
    click.echo(
        f"已恢复 {sum(result.counts.values())} 行（{len(result.counts)} 张表）和 {result.evidence_files} 个证明材料文件；"
        f"审计链校验值 {result.audit_chain}"
    )
    if not with_accounts:
        click.echo(
            f"未恢复账号：跳过备份中的 {result.skipped_accounts} 个账号，保留目标数据库现有的 {result.kept_accounts} 个账号"
            "（如需恢复账号请加 --with-accounts）"
        )
    for warning in result.warnings:
        click.echo(f"注意：{warning}", err=True)
