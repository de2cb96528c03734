"""``luoshi notify``: the notification worker, its status, channels and subscriptions.

Secrets (robot webhook URLs carry their token, signing secrets, SMTP passwords) are read from a
file (``--url-file``, ``--sign-secret-file``, ``--password-file``; first line) or a hidden prompt,
never from the command line where shell history and ``ps`` would keep them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import threading
from pathlib import Path
from typing import Any

import click

from luoshi.commands.output import echo_json, table
from luoshi.errors import InputError, ValidationError

JSON = click.option("--json", "as_json", is_flag=True, help="输出 JSON")


def _read_secret(path: str | None, prompt: str | None) -> str | None:
    if path is None:
        return click.prompt(prompt, hide_input=True, err=True).strip() if prompt else None
    p = Path(path)
    try:
        mode = p.stat().st_mode
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{p}: 文件不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: 无法读取（{type(exc).__name__}）") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        click.echo(f"luoshi: 提示：{p} 对其他用户可读，密钥文件应仅本人可读（chmod 600）", err=True)
    value = lines[0].strip() if lines else ""
    if not value:
        raise InputError(f"{p}: 文件第一行为空")
    return value


def _time(value: str) -> dt.time:
    try:
        hh, _, mm = value.partition(":")
        return dt.time(int(hh), int(mm))
    except ValueError:
        raise click.BadParameter(f"时间应写作 HH:MM，而不是 {value!r}") from None


@click.group()
def notify() -> None:
    """通知：站内消息、邮件、企业微信/政务微信、钉钉、飞书/Lark 群机器人与 Webhook。"""


@notify.command("run")
@click.option("--once", is_flag=True, help="只处理一轮（扫描、分发、发送）后退出")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600), help="空闲时轮询间隔（秒）")
@click.option("--remind-days", default=3, show_default=True, type=click.IntRange(0, 30),
              help="报送截止前几个工作日提醒")
@click.option("--digest-at", default="08:30", show_default=True, help="领导每日摘要的发送时间（北京时间）")
@click.option("--scan-every", default=300.0, show_default=True, type=click.FloatRange(1, 86400),
              help="逾期/截止/摘要扫描间隔（秒）")
@click.option("--parent-pid", type=int, hidden=True,
              help="该进程（luoshi serve）退出时随之退出，即使它被强行终止")
def run(once: bool, interval: float, remind_days: int, digest_at: str, scan_every: float,
        parent_pid: int | None) -> None:
    """运行通知发送进程（luoshi serve 默认已随之启动，除非 --no-notify）。"""
    import signal

    from luoshi.commands.support import checked_engine
    from luoshi.notify.worker import Config, Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # httpx logs every request URL at INFO — a robot's URL carries its token and signature
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    worker = Worker(checked_engine(), Config(interval=interval, remind_days=remind_days,
                                             digest_at=_time(digest_at), scan_every=scan_every))
    try:
        if once:
            result = worker.run_once(scan_now=True)
            click.echo(f"分发事件 {result.routed} 个，送达 {result.sent} 条，待重试 {result.retried} 条，"
                       f"失败 {result.failed} 条，待核实 {result.recovered} 条", err=True)
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker.run(stop, parent=parent_pid)
    finally:
        worker.close()


@notify.command("status")
@JSON
def status(as_json: bool) -> None:
    """发送情况：各状态的消息数，以及失败、待核实、正在重试的消息。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config, worker

    with unit_of_work(None) as s:
        counts = worker.counts(s)
        rows = [config.delivery_dict(d) for d in worker.problems(s)]
    if as_json:
        echo_json({"counts": counts, "problems": rows})
        return
    labels = {**config.STATE_LABELS, "unrouted": "未分发事件"}
    click.echo("，".join(f"{labels[k]} {v}" for k, v in counts.items()))
    if rows:
        click.echo(table(["编号", "渠道", "收件", "事件", "状态", "次数", "原因"],
                         [[r["id"], r["channel"], r["address"] or "", r["title"], r["state_label"], r["attempts"],
                           r["error"] or ""] for r in rows], max_col=60))
        click.echo("处理：luoshi notify retry 编号（重发）；待核实的消息核实已送达后用 luoshi notify confirm 编号")


@notify.group("channel")
def channel() -> None:
    """管理通知渠道（督查室）。"""


@channel.command("add")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["email", "wecom", "dingtalk", "feishu", "lark", "webhook"]),
              help="email 邮件；wecom 企业微信/政务微信；dingtalk 钉钉；feishu 飞书；lark Lark；webhook 通用 JSON")
@click.option("--url-file", type=click.Path(dir_okay=False), help="机器人/Webhook 完整地址（含令牌）所在文件")
@click.option("--sign-secret-file", type=click.Path(dir_okay=False), help="钉钉加签/飞书签名/Webhook 签名密钥所在文件")
@click.option("--smtp-host", help="SMTP 服务器")
@click.option("--smtp-port", type=click.IntRange(1, 65535), help="端口（默认 starttls 587、ssl 465、none 25）")
@click.option("--security", default="starttls", show_default=True, type=click.Choice(["starttls", "ssl", "none"]))
@click.option("--username", help="SMTP 登录用户名")
@click.option("--password-file", type=click.Path(dir_okay=False), help="SMTP 密码所在文件（不给则提示输入）")
@click.option("--sender", help="发件人地址（默认同用户名）")
@click.option("--cafile", type=click.Path(exists=True, dir_okay=False), help="内网 CA 证书（校验 SMTP 服务器证书）")
def channel_add(name: str, kind: str, url_file: str | None, sign_secret_file: str | None, smtp_host: str | None,
                smtp_port: int | None, security: str, username: str | None, password_file: str | None,
                sender: str | None, cafile: str | None) -> None:
    """新增渠道。密钥从文件或隐藏输入读取，不出现在命令行。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    kwargs: dict[str, Any] = {}
    if kind == "email":
        kwargs = {"host": smtp_host, "port": smtp_port, "security": security, "username": username,
                  "sender": sender, "cafile": str(Path(cafile).resolve()) if cafile else None,
                  "password": _read_secret(password_file, "SMTP 密码" if username else None)}
    else:
        if smtp_host or username or password_file:
            raise ValidationError("--smtp-host/--username/--password-file 只用于邮件渠道")
        kwargs = {"url": _read_secret(url_file, "机器人/Webhook 地址"),
                  "sign_secret": _read_secret(sign_secret_file, None)}
    with unit_of_work(None) as s:
        ch = config.add_channel(s, name, kind, **kwargs)
        d = config.channel_dict(ch)
    click.echo(f"已新增渠道 {d['name']}（{d['kind_label']}）：{d['target']}")


@channel.command("list")
@JSON
def channel_list(as_json: bool) -> None:
    """列出渠道（不显示密钥）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        rows = [config.channel_dict(c) for c in config.channels_list(s)]
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("还没有通知渠道（luoshi notify channel add）")
    else:
        click.echo(table(["名称", "类型", "地址", "启用"],
                         [[r["name"], r["kind_label"], r["target"], "是" if r["active"] else "否"] for r in rows]))


def _toggle(name: str, active: bool) -> None:
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        config.set_active(s, name, active)
    click.echo(f"已{'启用' if active else '停用'}渠道 {name}")


@channel.command("enable")
@click.argument("name")
def channel_enable(name: str) -> None:
    """启用渠道。"""
    _toggle(name, True)


@channel.command("disable")
@click.argument("name")
def channel_disable(name: str) -> None:
    """停用渠道（新事件不再发往该渠道）。"""
    _toggle(name, False)


@channel.command("remove")
@click.argument("name")
def channel_remove(name: str) -> None:
    """删除渠道及其订阅和发送记录。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        config.remove_channel(s, name)
    click.echo(f"已删除渠道 {name}")


@channel.command("test")
@click.argument("name")
@click.option("--address", help="邮件渠道：测试邮件的收件地址")
def channel_test(name: str, address: str | None) -> None:
    """立即发一条测试消息，检查地址、签名和密码是否正确。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.errors import LuoshiError
    from luoshi.notify import channels, config

    with unit_of_work(None) as s:
        ch = config.get_channel(s, name)
        kind, settings, secrets = ch.kind, dict(ch.settings), dict(ch.secrets)
    if kind == "email" and not address:
        raise ValidationError("邮件渠道测试须指定收件地址（--address）")
    msg = channels.Message(key=f"test-{os.urandom(8).hex()}", kind="test", title="测试消息",
                           body=f"这是渠道 {name} 的测试消息。", link=None, address=address, data={})
    try:
        channels.send(kind, settings, secrets, msg)
    except channels.SendError as exc:
        raise LuoshiError(f"渠道 {name} 测试失败：{exc.message}") from None
    click.echo(f"渠道 {name} 测试消息已送达")


@notify.command("subscribe")
@click.argument("channel_name", metavar="CHANNEL")
@click.option("--unit", help="订阅某单位的事件（全称、简称或别名）")
@click.option("--user", "username", help="订阅某用户的事件（其站内消息同样的事件）")
@click.option("--events", help="只订阅这些事件（逗号分隔）：notice_issued, notice_overdue, report_returned, "
                               "report_accepted, deadline_soon, comment, evaluation, daily_digest；默认全部")
@click.option("--address", help="邮件渠道的收件邮箱")
@click.option("--quiet", help="免打扰时段（北京时间），如 22:00-07:00；期间的消息暂存，结束后发送")
def subscribe(channel_name: str, unit: str | None, username: str | None, events: str | None, address: str | None,
              quiet: str | None) -> None:
    """订阅：渠道 + 单位/用户（都不指定即全部事件，如督查室工作群）。"""
    from sqlalchemy import select

    from luoshi.commands.support import unit_of_work
    from luoshi.errors import NotFoundError
    from luoshi.ledger.models import User
    from luoshi.notify import config
    from luoshi.web.accounts import find_unit_any

    with unit_of_work(None) as s:
        unit_row = find_unit_any(s, unit) if unit else None
        user_row = None
        if username:
            user_row = s.scalar(select(User).where(User.username == username))
            if user_row is None:
                raise NotFoundError(f"没有用户 {username}")
        sub = config.subscribe(s, channel_name, unit=unit_row, user=user_row, events=config.parse_events(events),
                               address=address, quiet=quiet)
        d = config.subscription_dict(sub)
    kinds = "、".join(d["events"]) if d["events"] else "全部事件"
    quiet_note = f"，免打扰 {d['quiet']}" if d["quiet"] else ""
    click.echo(f"已订阅（编号 {d['id']}）：渠道 {d['channel']}，{d['for']}，{kinds}{quiet_note}")


@notify.command("subscriptions")
@JSON
def subscriptions(as_json: bool) -> None:
    """列出订阅。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        rows = [config.subscription_dict(x) for x in config.subscriptions(s)]
    if as_json:
        echo_json(rows)
        return
    click.echo(table(["编号", "渠道", "对象", "事件", "邮箱", "免打扰"],
                     [[r["id"], r["channel"], r["for"], "、".join(r["events"]) or "全部", r["address"] or "",
                       r["quiet"] or ""] for r in rows]))


@notify.command("unsubscribe")
@click.argument("sub_id", type=int)
def unsubscribe(sub_id: int) -> None:
    """删除订阅。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        config.unsubscribe(s, sub_id)
    click.echo(f"已删除订阅 {sub_id}")


@notify.command("retry")
@click.argument("delivery_id", type=int)
def retry(delivery_id: int) -> None:
    """重发一条失败或待核实的消息。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        config.retry(s, delivery_id)
    click.echo(f"消息 {delivery_id} 已排队重发")


@notify.command("confirm")
@click.argument("delivery_id", type=int)
def confirm(delivery_id: int) -> None:
    """确认一条待核实的消息已送达（不再重发）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.notify import config

    with unit_of_work(None) as s:
        config.confirm(s, delivery_id)
    click.echo(f"消息 {delivery_id} 已确认送达")
