"""The real ``luoshi notify`` commands in subprocesses: configure, run, kill, resume.

- Acceptance: a liaison gets the 督办单 on the group robot and by e-mail within a minute of its issue.
- A worker killed with SIGKILL in the middle of a batch is restarted; counting what the receivers
  got, every message arrives exactly once (the one in flight at the kill, if any, is held as
  待核实 and settled by the administrator — confirmed if it arrived, resent if not — never resent
  blindly).
- ``luoshi serve`` starts the worker and takes it down with it, even when killed.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from luoshi.ledger.db import transaction
from luoshi.ledger.models import Commitment, User
from luoshi.ledger.notify_models import Delivery
from luoshi.ledger.services import comments

from .conftest import DING_SECRET, SMTP_PASSWORD, SMTP_USER

CLI = [sys.executable, "-c", "import sys; from luoshi.cli import main; main(sys.argv[1:])"]
ROOT = Path(__file__).resolve().parents[2]


def env_for(engine, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(LUOSHI_DATABASE_URL=engine.url.render_as_string(hide_password=False), LUOSHI_HOME=str(home),
               LUOSHI_SITE_URL="https://luoshi.test", PYTHONPATH=str(ROOT))
    return env


def luoshi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def start(env: dict[str, str], *args: str, quiet: bool = False) -> subprocess.Popen[str]:
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen([*CLI, *args], env=env, stdout=out, stderr=out, text=True)


def secret_file(tmp_path: Path, name: str, value: str) -> str:
    p = tmp_path / name
    p.write_text(value + "\n", encoding="utf-8")
    p.chmod(0o600)
    return str(p)


def wait_for(check, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return bool(check())


def test_liaison_gets_the_notice_on_the_robot_and_by_email_within_a_minute(engine, ledger, luoshi_home, tmp_path,
                                                                          receiver, smtp):
    env = env_for(engine, luoshi_home)
    url = secret_file(tmp_path, "url", receiver.url + "/dingtalk/robot/send?access_token=ding-token")
    r = luoshi(env, "notify", "channel", "add", "发改委群", "--kind", "dingtalk", "--url-file", url,
               "--sign-secret-file", secret_file(tmp_path, "sign", DING_SECRET))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"已新增渠道 发改委群（钉钉群机器人）：{receiver.url}/dingtalk/robot/send，加签"
    r = luoshi(env, "notify", "channel", "add", "邮件", "--kind", "email", "--smtp-host", "127.0.0.1", "--smtp-port",
               str(smtp.port), "--username", SMTP_USER, "--password-file", secret_file(tmp_path, "pw", SMTP_PASSWORD),
               "--cafile", str(smtp.cert))
    assert r.returncode == 0, r.stderr
    assert luoshi(env, "notify", "subscribe", "发改委群", "--unit", "发改委").stdout.strip() == \
        "已订阅（编号 1）：渠道 发改委群，单位 市发展和改革委员会，全部事件"
    r = luoshi(env, "notify", "subscribe", "邮件", "--user", "liaison1", "--address", "liaison1@fgw.test",
               "--events", "notice_issued,report_returned")
    assert r.stdout.strip() == "已订阅（编号 2）：渠道 邮件，用户 liaison1，notice_issued、report_returned"
    listing = luoshi(env, "notify", "channel", "list").stdout
    assert "ding-token" not in listing and DING_SECRET not in listing and SMTP_PASSWORD not in listing

    worker = start(env, "notify", "run", "--interval", "1")
    try:
        issued_at = time.monotonic()
        r = luoshi(env, "ledger", "--as", "admin", "notices", "--period", "2024Q1", "--generate", "--on", "2024-05-15")
        assert r.returncode == 0 and "新签发督办单 3 份" in r.stdout, r.stderr
        arrived = wait_for(lambda: len(receiver.accepted()) == 1 and len(smtp.mails) == 1, 60)
        took = time.monotonic() - issued_at
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert arrived, err
    assert worker.returncode == 0, err
    print(f"\n督办单 on the robot and by e-mail {took:.1f} s after it was issued")
    assert took < 60
    [got] = receiver.accepted()
    assert got.text.startswith("【落实】督办单：全年实施省市重点项目260个以上\n市发展和改革委员会：任务“全年实施省市重点项目260个以上”（2024Q1）被督办（督〔2024〕")
    assert got.text.endswith("请于 2024-05-22 前答复。\nhttps://luoshi.test/my/notices")
    [mail] = smtp.mails
    assert (mail.to, mail.subject) == (["liaison1@fgw.test"], "【落实】督办单：全年实施省市重点项目260个以上")
    assert "请于 2024-05-22 前答复。" in mail.body and "https://luoshi.test/my/notices" in mail.body
    assert "ding-token" not in err and DING_SECRET not in err and SMTP_PASSWORD not in err  # never logged
    status = luoshi(env, "notify", "status").stdout.splitlines()[0]
    assert status == "待发送 0，免打扰暂存 0，发送中 0，已送达 2，发送失败 0，待核实 0，未分发事件 0"


def test_killed_worker_resumes_and_every_message_arrives_exactly_once(engine, ledger, luoshi_home, tmp_path,
                                                                     receiver, smtp):
    env = env_for(engine, luoshi_home)
    url = secret_file(tmp_path, "url", receiver.url + "/wecom/cgi-bin/webhook/send?key=wecom-key")
    assert luoshi(env, "notify", "channel", "add", "全市群", "--kind", "wecom", "--url-file", url).returncode == 0
    assert luoshi(env, "notify", "channel", "add", "邮件", "--kind", "email", "--smtp-host", "127.0.0.1",
                  "--smtp-port", str(smtp.port), "--username", SMTP_USER, "--cafile", str(smtp.cert),
                  "--password-file", secret_file(tmp_path, "pw", SMTP_PASSWORD)).returncode == 0
    assert luoshi(env, "notify", "subscribe", "全市群", "--events", "comment").returncode == 0
    assert luoshi(env, "notify", "subscribe", "邮件", "--events", "comment", "--address", "office@gov.test").returncode == 0
    n = 30
    with transaction(engine, actor="leader") as s:
        leader = s.scalar(select(User).where(User.username == "leader"))
        for i in range(n):
            comments.add(s, s.get(Commitment, ledger.a), leader, f"第{i + 1}条批示：请加快进度")
    receiver.delay = 0.05  # a robot service that takes its time: the kill lands mid-batch

    worker = start(env, "notify", "run", "--interval", "0.2")
    assert wait_for(lambda: len(receiver.accepted()) >= 8, 60), worker.stderr
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    got_before = len(receiver.accepted())
    assert 8 <= got_before < n  # killed in the middle of the batch
    mails_before = len(smtp.mails)

    resumed = luoshi(env, "notify", "run", "--once")
    assert resumed.returncode == 0, resumed.stderr
    with transaction(engine) as s:
        states = collections.Counter(s.scalars(select(Delivery.state)))
        uncertain = list(s.scalars(select(Delivery).where(Delivery.state == "uncertain")))
    assert states["sent"] + states["uncertain"] == 2 * n and states["uncertain"] <= 1
    print(f"\nkilled after {got_before} robot messages and {mails_before} e-mails of {n} each; "
          f"after restart: {states['sent']} sent, {states['uncertain']} uncertain")
    # the administrator settles what was in flight: arrived → confirm, not arrived → resend
    robot_keys = {g.key for g in receiver.accepted()}
    mail_keys = {m.message_id.strip("<>").split("@")[0] for m in smtp.mails}
    for d in uncertain:
        arrived = d.key in robot_keys or d.key in mail_keys
        r = luoshi(env, "notify", "confirm" if arrived else "retry", str(d.id))
        assert r.returncode == 0, r.stderr
    assert luoshi(env, "notify", "run", "--once").returncode == 0

    robot = collections.Counter(g.key for g in receiver.accepted())
    mail = collections.Counter(m.message_id for m in smtp.mails)
    assert len(robot) == n and set(robot.values()) == {1}
    assert len(mail) == n and set(mail.values()) == {1}
    print(f"received: robot {sum(robot.values())} messages ({len(robot)} distinct), "
          f"mailbox {sum(mail.values())} ({len(mail)} distinct)")
    said = {re.search(r"第(\d+)条批示", g.text).group(1) for g in receiver.accepted()}
    assert said == {str(i) for i in range(1, n + 1)}  # thirty different comments, not one thirty times
    assert luoshi(env, "notify", "status").stdout.splitlines()[0] == \
        f"待发送 0，免打扰暂存 0，发送中 0，已送达 {2 * n}，发送失败 0，待核实 0，未分发事件 0"


def test_serve_starts_the_worker_and_takes_it_down_even_when_killed(engine, ledger, luoshi_home):
    psutil = pytest.importorskip("psutil")
    env = env_for(engine, luoshi_home)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start(env, "serve", "--port", str(port), quiet=True)
    try:
        def notifier() -> list:
            try:
                return [c for c in psutil.Process(server.pid).children()
                        if "notify" in c.cmdline() and "run" in c.cmdline()]
            except psutil.NoSuchProcess:
                return []
        assert wait_for(lambda: len(notifier()) == 1, 30)
        child = notifier()[0]
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        child.wait(timeout=30)  # gone by itself: no orphan keeps sending
        assert not child.is_running()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    plain = start(env, "serve", "--port", str(port), "--no-notify", quiet=True)
    try:
        time.sleep(3)
        assert [c for c in psutil.Process(plain.pid).children() if "notify" in c.cmdline()] == []
    finally:
        plain.terminate()
        plain.wait(timeout=30)
