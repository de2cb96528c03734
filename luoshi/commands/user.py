"""``luoshi user``: manage accounts of the web app (add, passwd, reset, disable, enable, token).

The same functions (``luoshi.web.accounts``) serve the office's accounts pages in the web app.
"""

from __future__ import annotations

import sys

import click

from luoshi.errors import ValidationError
from luoshi.ledger import policy
from luoshi.web.auth import TOKEN_DAYS


def _read_password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise ValidationError("标准输入中没有密码")
        return value
    return click.prompt("密码", hide_input=True, confirmation_prompt=confirm)


@click.group()
def user() -> None:
    """管理 Web 账号（admin 督查室 / liaison 单位联络员 / leader 领导）。"""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(policy.LOGIN_ROLES), help="角色")
@click.option("--unit", help="所属单位（liaison 必填）：全称、简称或别名")
@click.option("--name", "display_name", help="显示名称")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）")
def add(username: str, role: str, unit: str | None, display_name: str | None, password_stdin: bool) -> None:
    """新建账号。"""
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    password = _read_password(password_stdin)
    with transaction() as db:
        u = accounts.add_user(db, username, role, password, unit=unit, display_name=display_name)
        click.echo(f"已创建用户 {u.username}（{role}{'，单位 ' + u.unit.name if u.unit else ''}）")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（一行）")
def passwd(username: str, password_stdin: bool) -> None:
    """修改密码（该用户的所有会话和 API 令牌随即失效）。"""
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    password = _read_password(password_stdin)
    with transaction() as db:
        accounts.set_password(db, username, password)
    click.echo(f"已修改 {username} 的密码")


@user.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """停用账号（会话和 API 令牌立即失效）。"""
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    with transaction() as db:
        accounts.disable(db, username)
    click.echo(f"已停用 {username}")


@user.command("reset")
@click.argument("username")
def reset(username: str) -> None:
    """重置为一次性密码（只显示这一次；该用户下次登录须先设置自己的密码）。"""
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    with transaction() as db:
        _user, password = accounts.reset_password(db, username)
    click.echo(password)
    click.echo(f"已重置 {username} 的密码：以上一次性密码只显示这一次，登录后须立即修改", err=True)


@user.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """重新启用已停用的账号。"""
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    with transaction() as db:
        accounts.enable(db, username)
    click.echo(f"已启用 {username}")


@user.command("token")
@click.argument("username")
@click.option("--days", type=int, default=TOKEN_DAYS, show_default=True, help="有效天数")
def token(username: str, days: int) -> None:
    """生成新的 API 令牌（替换旧令牌，只显示这一次）：Authorization: Bearer <令牌>。

    令牌到期、修改密码或停用账号后失效。令牌打印到标准输出，有效期打印到标准错误。
    """
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    with transaction() as db:
        value = accounts.issue_token(db, username, days)
        expires = accounts.get_user(db, username).api_token_expires_at
    click.echo(value)
    if expires is not None:
        click.echo(f"有效期至 {expires:%Y-%m-%d %H:%M} UTC（{days} 天）", err=True)
