"""``luoshi demo``: a ready-to-click ledger of the seed report, served on 127.0.0.1.

Creates or upgrades the SQLite database under $LUOSHI_HOME (default ./var), imports the seed
report once, confirms the suggested units, publishes the plan, creates one account per role with
fresh printed passwords, adds clearly labelled demo progress, builds the cross-year corpus from the
reports folder next to the seed (once), and serves the web app.
"""

from __future__ import annotations

import click


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-progress", is_flag=True, help="不生成演示进度数据")
@click.option("--no-serve", is_flag=True, help="只准备数据和账号，不启动服务")
def demo(file: str | None, port: int, host: str, no_progress: bool, no_serve: bool) -> None:
    """演示：导入种子报告、分配发布、创建演示账号并启动 Web 服务。"""
    from luoshi.ledger.db import default_engine, luoshi_home, transaction
    from luoshi.ledger.migrate import upgrade
    from luoshi.web import demo_data
    from luoshi.web.config import Settings

    path = demo_data.seed_path(file)
    home = luoshi_home()
    engine = default_engine()
    upgrade(engine)
    settings = Settings.from_env()
    with transaction(engine, actor="demo") as db:
        report, status = demo_data.import_report(db, path)
        click.echo(f"报告：{report.government.name} {report.year}（{'已导入' if status == 'new' else '已存在，未重复导入' if status == 'unchanged' else '已更新'}）")
        assigned, published = demo_data.confirm_and_publish(db, report)
        click.echo(f"确认分配 {assigned} 项，发布 {published} 项")
        accounts = demo_data.ensure_accounts(db, report)
        as_of = demo_data.fix_statistics_date(db, report)
        if not no_progress:
            n = demo_data.generate_progress(db, report, through=as_of)
            click.echo(f"生成演示进度 {n} 条（标注“{demo_data.DEMO_LABEL}”，截至 {as_of}）")
    from luoshi.web.corpus import corpus_file

    click.echo(demo_data.ensure_corpus(corpus_file(settings)))
    click.echo(f"数据目录：{home}；统计日期：{as_of}（台账设置，luoshi ledger settings --statistics-date 可改）")
    click.echo("演示账号（密码每次启动重新生成）：")
    labels = {"admin": "督查室", "leader": "领导", "liaison": "联络员"}
    for a in accounts:
        unit = f"  {a.unit}" if a.unit else ""
        click.echo(f"  {a.username:<10} {a.password}  {labels[a.role]}{unit}")
    url = f"http://{host}:{port}/"
    click.echo(f"打开 {url}")
    if no_serve:
        return
    from luoshi.commands.serve import run_server

    run_server(host, port)
