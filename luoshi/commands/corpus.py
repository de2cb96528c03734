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


_ROLE_LABELS = {"review": "回顾", "plan": "计划", "five_year": "五年", "other": "其他"}


@corpus.command("status")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--check", "check_dir", type=click.Path(file_okay=False),
              help="体检：重新抽取此文件夹的全部报告，逐份列出政府、年度、各部分、主要目标、数量和警告")
@click.option("--index", "index", type=click.Path(dir_okay=False),
              help="与索引文件（制表符分隔：file、government、plan_year）核对政府和年度")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def status_cmd(file: str | None, check_dir: str | None, index: str | None, workers: int | None,
               as_json: bool) -> None:
    """列出语料库 FILE 中的文件及其抽取结果；或用 --check DIR 体检一个文件夹的报告。

    体检发现问题（无法抽取、与索引不符、目标或实绩为零却没有警告）时以非零状态退出。
    """
    if check_dir is not None:
        if file is not None:
            raise click.UsageError("--check 检查文件夹，不能同时指定语料库文件")
        _check(check_dir, index, workers, as_json)
        return
    if file is None:
        raise click.UsageError("请指定语料库文件，或用 --check DIR 体检一个文件夹")
    if index is not None:
        raise click.UsageError("--index 只能与 --check 一起使用")
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


def _check(directory: str, index: str | None, workers: int | None, as_json: bool) -> None:
    from luoshi.corpus.health import check

    health = check(directory, index=index, workers=workers)
    if as_json:
        click.echo(json.dumps(health.to_dict(), ensure_ascii=False, indent=2))
    else:
        for r in health.reports:
            mark = "✗" if r.problems else "✓"
            click.echo(f"{mark} {r.path}\t{r.government or '（未识别政府）'} {r.year or '（未识别年度）'}")
            if r.error is None:
                parts = "；".join(f"{t[:16]}〔{_ROLE_LABELS.get(role, role)}〕" for t, role in r.parts) or "未找到"
                click.echo(f"  部分：{parts}")
                click.echo(f"  主要目标 {r.headline} 项{'' if r.headline else '（未找到主要目标段落）'}；"
                           f"目标 {r.targets}，实绩 {r.actuals}，任务 {r.tasks}")
            for code, message in r.warnings:
                click.echo(f"  警告[{code}] {message}")
            for problem in r.problems:
                click.echo(f"  问题：{problem}")
        t = health.totals()
        click.echo(f"共 {t['reports']} 份：抽取失败 {t['failed']}，有主要目标 {t['with_headline']}，"
                   f"目标为零 {t['zero_targets']}，实绩为零 {t['zero_actuals']}，有警告 {t['with_warnings']}，"
                   f"政府未识别 {t['government_unknown']}，年度未识别 {t['year_unknown']}")
        if t["indexed"]:
            click.echo(f"与索引核对 {t['indexed']} 份：政府正确 {t['government_right']}/{t['indexed']}，"
                       f"年度正确 {t['year_right']}/{t['indexed']}")
        if t["warnings"]:
            click.echo("警告：" + "，".join(f"{c} {n}" for c, n in t["warnings"].items()))
        click.echo(f"有问题的报告 {t['problems']} 份" if t["problems"] else "全部通过")
    if not health.ok:
        raise SystemExit(1)
