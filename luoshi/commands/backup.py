"""``luoshi backup FILE`` / ``luoshi restore FILE``: portable JSON-lines dump of the whole ledger."""

from __future__ import annotations

import click


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """把整个台账导出为可移植的备份文件（JSON Lines，可恢复到 SQLite 或 PostgreSQL）。"""
    from luoshi.ledger.cli_support import checked_engine
    from luoshi.ledger.services.backup import backup as dump

    counts = dump(checked_engine(), path)
    click.echo(f"已备份 {sum(counts.values())} 行（{len(counts)} 张表）到 {path}")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="目标数据库非空时先清空")
def restore(path: str, replace: bool) -> None:
    """从备份文件恢复台账（目标数据库须已 luoshi db upgrade）。"""
    from luoshi.ledger.cli_support import checked_engine
    from luoshi.ledger.services.backup import restore as load

    counts = load(checked_engine(), path, replace=replace)
    click.echo(f"已恢复 {sum(counts.values())} 行（{len(counts)} 张表）")
