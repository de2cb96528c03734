"""Each channel's wire format, checked by a receiver that judges it like the real service."""

from __future__ import annotations

import pytest

from luoshi.notify import channels

from .conftest import DING_SECRET, FEISHU_SECRET, HOOK_SECRET, SMTP_PASSWORD, SMTP_USER


def msg(key: str = "k1", address: str | None = None) -> channels.Message:
    return channels.Message(key=key, kind="notice_issued", title="督办单：全年实施省市重点项目260个以上",
                            body="市发展和改革委员会：任务被督办，请于 2024-05-22 前答复。", link="https://luoshi.test/my/notices",
                            address=address, data={"notice_id": 1})


EXPECTED_TEXT = ("【落实】督办单：全年实施省市重点项目260个以上\n市发展和改革委员会：任务被督办，请于 2024-05-22 前答复。\n"
                 "https://luoshi.test/my/notices")


@pytest.mark.parametrize(("kind", "path", "secret"), [
    ("wecom", "/wecom/cgi-bin/webhook/send?key=wecom-key", None),
    ("dingtalk", "/dingtalk/robot/send?access_token=ding-token", DING_SECRET),
    ("dingtalk", "/dingtalk-nosign/robot/send?access_token=ding-token", None),
    ("feishu", "/feishu/open-apis/bot/v2/hook/abc", FEISHU_SECRET),
    ("lark", "/lark/open-apis/bot/v2/hook/abc", FEISHU_SECRET),
    ("webhook", "/webhook/sms", HOOK_SECRET),
])
def test_robot_formats_accepted_by_the_receiver(receiver, kind, path, secret):
    secrets = {"url": receiver.url + path, **({"sign_secret": secret} if secret else {})}
    channels.send(kind, {}, secrets, msg())
    [got] = receiver.got
    assert got.ok, got.error
    assert got.text == EXPECTED_TEXT
    assert got.key == "k1"


def test_dingtalk_wrong_secret_is_refused_with_the_services_words(receiver):
    secrets = {"url": receiver.url + "/dingtalk/robot/send?access_token=ding-token", "sign_secret": "wrong"}
    with pytest.raises(channels.SendError) as err:
        channels.send("dingtalk", {}, secrets, msg())
    assert err.value.message == f"{receiver.url}/dingtalk/robot/send 拒收（错误码 310000：sign not match）"
    assert "ding-token" not in err.value.message and "wrong" not in err.value.message  # no secret in messages
    assert [g.error for g in receiver.got] == ["sign not match"]


def test_feishu_without_its_secret_is_refused(receiver):
    with pytest.raises(channels.SendError, match="错误码 19021"):
        channels.send("feishu", {}, {"url": receiver.url + "/feishu/hook"}, msg())


def test_http_500_is_a_temporary_error_and_404_a_permanent_one(receiver):
    receiver.fail_next = 1
    with pytest.raises(channels.SendError) as err:
        channels.send("wecom", {}, {"url": receiver.url + "/wecom/send?key=wecom-key"}, msg())
    assert (err.value.message, err.value.permanent) == (f"{receiver.url}/wecom/send 返回 HTTP 500", False)
    with pytest.raises(channels.SendError) as err:
        channels.send("webhook", {}, {"url": receiver.url + "/webhook", "sign_secret": "bad"}, msg())
    assert err.value.permanent and "HTTP 400" in err.value.message


def test_unreachable_robot_is_reported_without_its_token():
    with pytest.raises(channels.SendError) as err:
        channels.send("wecom", {}, {"url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=secret-key"}, msg())
    assert err.value.message.startswith("http://127.0.0.1:9/cgi-bin/webhook/send 连接失败")
    assert "secret-key" not in err.value.message


def _mail_settings(box, security: str, **kw):
    return {"host": "127.0.0.1", "port": box.port, "security": security, "username": SMTP_USER,
            "sender": SMTP_USER, "cafile": str(box.cert), **kw}


def test_email_over_starttls_with_login(smtp):
    channels.send("email", _mail_settings(smtp, "starttls"), {"password": SMTP_PASSWORD},
                  msg("abc123", address="liaison1@fgw.test"))
    [mail] = smtp.mails
    assert mail.to == ["liaison1@fgw.test"]
    assert mail.subject == "【落实】督办单：全年实施省市重点项目260个以上"
    assert mail.message_id == "<abc123@gov.test>"  # the idempotency key, for deduplicating mail systems
    assert "请于 2024-05-22 前答复" in mail.body and "https://luoshi.test/my/notices" in mail.body


def test_email_over_implicit_tls(smtps):
    channels.send("email", _mail_settings(smtps, "ssl"), {"password": SMTP_PASSWORD}, msg(address="a@b.test"))
    assert [m.to for m in smtps.mails] == [["a@b.test"]]


def test_email_wrong_password_is_permanent(smtp):
    with pytest.raises(channels.SendError) as err:
        channels.send("email", _mail_settings(smtp, "starttls"), {"password": "nope"}, msg(address="a@b.test"))
    assert err.value.permanent
    assert err.value.message == f"smtp://127.0.0.1:{smtp.port} 登录失败（用户名或密码不对）"
    assert smtp.mails == []


def test_email_refuses_an_untrusted_certificate(smtp):
    settings = _mail_settings(smtp, "starttls", cafile=None)
    with pytest.raises(channels.SendError, match="发送失败：SSLCertVerificationError"):
        channels.send("email", settings, {"password": SMTP_PASSWORD}, msg(address="a@b.test"))
    assert smtp.mails == []
