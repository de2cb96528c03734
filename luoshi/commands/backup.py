"""``luoshi backup FILE`` / ``luoshi restore FILE``: one checked archive of the ledger and its evidence."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

ARCHIVE_NAME = re.compile(r"luoshi-\d{8}T\d{6}Z\.zip")


def archive_path(directory: Path, now: dt.datetime | None = None) -> Path:
    """A new archive's name in ``directory``: ``luoshi-YYYYMMDDTHHMMSSZ.zip`` (UTC, so names sort by age)."""
    now = now or dt.datetime.now(dt.UTC)
    return directory / f"luoshi-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.zip"


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives this command named in ``directory``; returns the deleted.

    Only files named like :func:`archive_path` are considered, so other files put beside the
    backups (a hand-made archive, a checksum list) are never touched.
    """
    archives = sorted(p for p in directory.iterdir() if p.is_file() and ARCHIVE_NAME.fullmatch(p.name))
    doomed = archives[:-keep] if keep else archives
    for p in doomed:
        p.unlink()
    return doomed


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="写入此目录，文件名按时间生成（luoshi-YYYYMMDDTHHMMSSZ.zip），供定时备份使用")
@click.option("--keep", type=click.IntRange(1, 10000),
              help="与 --dir 同用：备份成功后只保留该目录中最新的 N 个归档，删除更早的")
def backup(path: str | None, directory: Path | None, keep: int | None) -> None:
    """把整个台账和证明材料文件备份为一个归档（含校验和，可恢复到 SQLite 或 PostgreSQL；文件仅本账号可读）。"""
    from luoshi.commands.support import checked_engine
    from luoshi.errors import ValidationError
    from luoshi.ledger.services.backup import backup as dump

    if (path is None) == (directory is None):
        raise ValidationError("请给出备份文件路径，或用 --dir 指定备份目录（二者选一）")
    if keep is not None and directory is None:
        raise ValidationError("--keep 只能与 --dir 同用（只清理本命令在该目录中生成的归档）")
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = archive_path(directory)
        if target.exists():
            raise ValidationError(f"备份文件已存在：{target}（同一秒内重复运行？）")
        path = str(target)
    assert path is not None
    result = dump(checked_engine(), path)
    click.echo(
        f"已备份 {sum(result.counts.values())} 行（{len(result.counts)} 张表）和 {result.evidence_files} 个证明材料文件到 {path}"
    )
    click.echo(f"审计链校验值：{result.audit_chain}（请另行保存，恢复时可核对）" + ("；清单已签名" if result.signed else ""))
    if result.missing_evidence:
        click.echo(f"注意：{result.missing_evidence} 个证明材料文件在磁盘上缺失或已损坏，未能备份", err=True)
    if directory is not None and keep is not None:
        removed = prune(directory, keep)
        if removed:
            click.echo(f"按保留策略（最新 {keep} 个）删除了 {len(removed)} 个旧归档：" + "、".join(p.name for p in removed))


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
