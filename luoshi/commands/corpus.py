"""``luoshi corpus``: build a corpus database from a folder of reports, and see what is in it."""

from __future__ import annotations

import json

import click

from luoshi.errors import ValidationError


@click.group("corpus")
def corpus() -> None:
    """语料库：批量抽取一个文件夹的报告到一个可查询的 SQLite 数据库。"""


@corpus.command("build")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="语料库数据库文件（SQLite）")
@click.option("--workers", "-j", type=int, default=None, help="并行进程数（默认：CPU 核数）")
@click.option("--retry-failed", is_flag=True, help="重新处理上次失败且未改动的文件")
@click.option("--force", is_flag=True, help="全部重新抽取（忽略未改动的文件）")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出汇总")
def build_cmd(
    directory: str, out: str, workers: int | None, retry_failed: bool, force: bool, quiet: bool, as_json: bool
) -> None:
    """抽取 DIRECTORY 下的报告（.txt/.pdf/.docx），只处理新增或改动的文件，删除已不存在的文件。"""
    from luoshi.corpus.build import build

    if workers is not None and workers < 1:
        raise ValidationError("--workers must be at least 1")
    res = build(directory, out, workers=workers, retry_failed=retry_failed, force=force, progress=not quiet)
    if as_json:
        click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"扫描 {res.scanned} 个文件：处理 {res.processed}，未改动 {res.unchanged}，"
                   f"删除 {res.removed}，失败 {len(res.failures)}；用时 {res.seconds:.2f} 秒 → {out}")
    for path, reason in res.failures:
        click.echo(f"失败 {path}: {reason}", err=True)


@corpus.command("status")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def status_cmd(file: str, as_json: bool) -> None:
    """列出语料库中的文件及其抽取结果。"""
    from luoshi.corpus.query import file_statuses

    rows = file_statuses(file)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        what = f"{r.government or '？'} {r.year or '？'}" if r.status == "ok" else f"失败：{r.error}"
        click.echo(f"{r.path}\t{what}")
        for code, message in r.warnings:
            click.echo(f"  警告[{code}] {message}")
