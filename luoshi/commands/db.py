"""``luoshi db``: create or upgrade the ledger database (Alembic, shipped inside the package)."""

from __future__ import annotations

import click


@click.group("db")
def db() -> None:
    """数据库：升级结构、查看版本。数据库由 LUOSHI_DATABASE_URL 指定，默认 $LUOSHI_HOME/luoshi.db（LUOSHI_HOME 默认为 ./var）。"""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="目标版本")
def upgrade_cmd(revision: str) -> None:
    """把数据库结构升级到最新（新库会被创建）。"""
    from luoshi.ledger.db import default_engine
    from luoshi.ledger.migrate import current_revision, upgrade

    engine = default_engine()
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    click.echo(f"数据库 {url}：{before or '空'} → {after}" if before != after else f"数据库 {url} 已是最新（{after}）")


@db.command("current")
def current_cmd() -> None:
    """显示数据库当前结构版本与最新版本。"""
    from luoshi.ledger.db import default_engine
    from luoshi.ledger.migrate import current_revision, head_revision

    engine = default_engine()
    click.echo(f"current: {current_revision(engine) or '-'}  head: {head_revision()}")
