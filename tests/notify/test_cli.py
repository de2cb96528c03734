"""``luoshi notify`` on bad input: one precise line on stderr and a non-zero exit, never a traceback;
and secrets never printed."""

from __future__ import annotations

import json

import pytest

from luoshi.cli import main


@pytest.fixture
def cli(engine, ledger, luoshi_home, monkeypatch, capsys):
    monkeypatch.setenv("LUOSHI_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            main(list(args))
        out = capsys.readouterr()
        return int(done.value.code or 0), out.out, out.err

    return run


def secret(tmp_path, name, value, mode=0o600):
    p = tmp_path / name
    p.write_text(value + "\n", encoding="utf-8")
    p.chmod(mode)
    return str(p)


def test_channel_and_subscription_mistakes_are_explained(cli, tmp_path):
    url = secret(tmp_path, "u", "https://oapi.dingtalk.com/robot/send?access_token=tok123")
    assert cli("notify", "channel", "add", "群", "--kind", "dingtalk", "--url-file", str(tmp_path / "none")) == (
        2, "", f"luoshi: {tmp_path / 'none'}: 文件不存在\n")
    assert cli("notify", "channel", "add", "群", "--kind", "dingtalk", "--url-file", secret(tmp_path, "x", "ftp://x")) == (
        2, "", "luoshi: 机器人/Webhook 渠道须给出以 http:// 或 https:// 开头的完整地址\n")
    code, out, _ = cli("notify", "channel", "add", "群", "--kind", "dingtalk", "--url-file", url)
    assert code == 0 and out == "已新增渠道 群（钉钉群机器人）：https://oapi.dingtalk.com/robot/send\n"
    assert cli("notify", "channel", "add", "群", "--kind", "wecom", "--url-file", url)[2] == "luoshi: 渠道 群 已存在\n"
    assert cli("notify", "channel", "add", "邮件", "--kind", "email")[2] == \
        "luoshi: 邮件渠道须指定 SMTP 服务器（--smtp-host）\n"
    assert cli("notify", "channel", "add", "邮件", "--kind", "email", "--smtp-host", "mail.gov.test",
               "--sender", "not-an-address")[2] == "luoshi: 发件人地址无效：'not-an-address'\n"
    assert cli("notify", "channel", "add", "邮件", "--kind", "email", "--smtp-host", "mail.gov.test")[0] == 0
    assert cli("notify", "subscribe", "邮件", "--unit", "发改委")[2] == \
        "luoshi: 邮件渠道的订阅须填写有效的收件邮箱（--address）\n"
    assert cli("notify", "subscribe", "群", "--address", "a@b.test")[2] == "luoshi: 只有邮件渠道的订阅需要收件邮箱\n"
    assert cli("notify", "subscribe", "群", "--events", "notice_issued,lunch")[2] == (
        "luoshi: 未知事件 lunch；可选：notice_issued, notice_overdue, report_returned, report_accepted, "
        "deadline_soon, comment, evaluation, daily_digest\n")
    assert cli("notify", "subscribe", "群", "--quiet", "25:00-07:00")[2] == \
        "luoshi: 免打扰时段应写作 22:00-07:00（北京时间），而不是 '25:00-07:00'\n"
    assert cli("notify", "subscribe", "群", "--unit", "不存在局")[2].startswith("luoshi: 未知单位“不存在局”")
    assert cli("notify", "subscribe", "没有这个", "--unit", "发改委")[2] == \
        "luoshi: 没有名为 没有这个 的通知渠道（luoshi notify channel list 查看）\n"
    assert cli("notify", "retry", "99")[2] == "luoshi: 没有编号为 99 的消息\n"
    assert cli("notify", "unsubscribe", "99")[2] == "luoshi: 没有编号为 99 的订阅（luoshi notify subscriptions 查看）\n"
    code, out, _ = cli("notify", "channel", "list")
    assert code == 0 and "tok123" not in out and "https://oapi.dingtalk.com/robot/send" in out
    code, out, _ = cli("notify", "channel", "list", "--json")
    assert "tok123" not in out


def test_a_secret_file_readable_by_others_is_flagged(cli, tmp_path):
    url = secret(tmp_path, "u", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", mode=0o644)
    code, _, err = cli("notify", "channel", "add", "群", "--kind", "wecom", "--url-file", url)
    assert code == 0 and err == f"luoshi: 提示：{url} 对其他用户可读，密钥文件应仅本人可读（chmod 600）\n"


def test_secrets_stay_out_of_the_audit_trail(cli, tmp_path, engine):
    from sqlalchemy import select

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import AuditEvent

    cli("notify", "channel", "add", "群", "--kind", "dingtalk", "--url-file",
        secret(tmp_path, "u", "https://oapi.dingtalk.com/robot/send?access_token=tok123"),
        "--sign-secret-file", secret(tmp_path, "s", "SECabc"))
    with transaction(engine) as s:
        [ev] = s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "NotifyChannel"))
        assert ev.after["secrets"] == "(set)" and ev.after["name"] == "群"
        assert "tok123" not in str(ev.after) and "SECabc" not in str(ev.after)


def test_channel_test_enable_disable_remove_and_subscriptions(cli, tmp_path, receiver, engine):
    good = secret(tmp_path, "g", receiver.url + "/wecom/cgi-bin/webhook/send?key=wecom-key")
    bad = secret(tmp_path, "b", receiver.url + "/wecom/cgi-bin/webhook/send?key=revoked")
    assert cli("notify", "channel", "add", "好群", "--kind", "wecom", "--url-file", good)[0] == 0
    assert cli("notify", "channel", "add", "坏群", "--kind", "wecom", "--url-file", bad)[0] == 0
    assert cli("notify", "channel", "test", "好群") == (0, "渠道 好群 测试消息已送达\n", "")
    assert receiver.accepted()[0].text == "【落实】测试消息\n这是渠道 好群 的测试消息。"
    assert cli("notify", "channel", "test", "坏群") == (
        2, "", f"luoshi: 渠道 坏群 测试失败：{receiver.url}/wecom/cgi-bin/webhook/send 拒收（错误码 310000：invalid webhook url）\n")
    assert cli("notify", "subscribe", "好群", "--unit", "发改委", "--events", "notice_issued")[0] == 0
    assert cli("notify", "subscribe", "好群", "--quiet", "22:30-06:30")[0] == 0
    out = cli("notify", "subscriptions", "--json")[1]
    assert json.loads(out) == [
        {"id": 1, "channel": "好群", "for": "单位 市发展和改革委员会", "events": ["notice_issued"], "address": None,
         "quiet": None},
        {"id": 2, "channel": "好群", "for": "全部", "events": [], "address": None, "quiet": "22:30-06:30"}]
    assert cli("notify", "channel", "disable", "好群") == (0, "已停用渠道 好群\n", "")
    listed = {c["name"]: c["active"] for c in json.loads(cli("notify", "channel", "list", "--json")[1])}
    assert listed == {"好群": False, "坏群": True}
    assert cli("notify", "channel", "enable", "好群") == (0, "已启用渠道 好群\n", "")
    assert cli("notify", "unsubscribe", "2") == (0, "已删除订阅 2\n", "")
    assert cli("notify", "channel", "remove", "好群") == (0, "已删除渠道 好群\n", "")
    assert cli("notify", "subscriptions", "--json")[1].strip() == "[]"
    assert cli("notify", "channel", "test", "好群")[2] == "luoshi: 没有名为 好群 的通知渠道（luoshi notify channel list 查看）\n"
