"""The operator sees what extraction could not find before trusting the uploaded report's list."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .conftest import csrf_from

# a report with its government and year but no 主要预期目标 block and no results of last year
REPORT = (
    "各位代表：\n现在，我代表无锡市人民政府向大会报告工作，请予审议。\n"
    "一、2023年工作回顾\n过去一年，我们攻坚克难，各项工作取得新进展。\n"
    "二、2024年工作安排\n（一）扩大有效投资。全年实施重点项目120个以上。\n"
    "（二）优化营商环境。年内建成市民服务中心。\n"
).encode()


def test_upload_review_page_lists_the_extraction_warnings(as_user, ledger) -> None:
    admin = as_user("admin")
    page = admin.get("/admin").text
    r = admin.post("/admin/reports", data={"csrf_token": csrf_from(page)},
                   files={"file": ("无锡-2024.txt", REPORT, "text/plain")}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    location = r.headers["location"]
    assert re.match(r"/admin/reports/\d+\?w=[^&]+&msg=done$", location), location
    review = admin.get(location).text
    block = review[review.index('aria-label="抽取警告"'):review.index('<div class="review">')]
    assert "未找到今年的主要预期目标段落" in block
    assert "未提取到任何上年实绩" in block
    # the list comes after the warnings
    assert review.index('aria-label="抽取警告"') < review.index("全年实施重点项目120个以上")

    # the warnings cannot be forged or moved to another report
    token = parse_qs(urlsplit(location).query)["w"][0]
    rid = int(re.search(r"/admin/reports/(\d+)", location).group(1))
    assert "抽取警告" not in admin.get(f"/admin/reports/{rid}?w={token[:-2]}xx").text
    assert "抽取警告" not in admin.get(f"/admin/reports/{ledger.report}?w={token}").text


def test_api_upload_returns_the_warnings(as_user) -> None:
    admin = as_user("admin")
    r = admin.post("/api/reports", files={"file": ("无锡-2024.txt", REPORT, "text/plain")},
                   headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 201, r.text[:300]
    body = r.json()
    assert body["report"]["government"] == "无锡市" and body["report"]["year"] == 2024
    codes = {w["code"]: w["message"] for w in body["warnings"]}
    assert codes["no_headline"] == "未找到今年的主要预期目标段落"
