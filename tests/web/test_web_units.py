"""Pure pieces: signed tokens, SVG charts, span highlighting, passwords."""

from __future__ import annotations

import pytest

from luoshi.errors import ValidationError
from luoshi.web import charts
from luoshi.web.highlight import mark_spans
from luoshi.web.passwords import check_strength, generate_password
from luoshi.web.signing import BadToken, sign, unsign

KEY = b"k" * 32


def test_signed_token_roundtrip_and_rejections() -> None:
    t = sign(KEY, "session", {"u": 1}, ttl=60)
    assert unsign(KEY, "session", t)["u"] == 1
    with pytest.raises(BadToken):
        unsign(KEY, "csrf", t)  # another purpose
    with pytest.raises(BadToken):
        unsign(b"x" * 32, "session", t)  # another key
    raw, _, mac = t.partition(".")
    with pytest.raises(BadToken):
        unsign(KEY, "session", raw + "." + mac[:-2] + "AA")
    with pytest.raises(BadToken):
        unsign(KEY, "session", sign(KEY, "session", {"u": 1}, ttl=-1))
    with pytest.raises(BadToken):
        unsign(KEY, "session", "garbage")


def test_progress_bar_and_donut_are_accessible_svg() -> None:
    bar = str(charts.progress_bar(42.5, "yellow", expected=60))
    assert bar.startswith("<svg") and 'role="img"' in bar and "进度 42.5%" in bar and "fill-yellow" in bar
    assert "style=" not in bar
    assert 'width="0"' in str(charts.progress_bar(None, "bogus"))  # unknown light → grey, empty bar
    assert "100%" in str(charts.donut(140))  # clamped


def test_light_bars_escape_labels() -> None:
    svg = str(charts.light_bars([charts.LightRow("<b>局</b>", 1, 2, 3, 0, href="/?unit=1")]))
    assert "&lt;b&gt;" in svg and "<b>" not in svg and 'href="/?unit=1"' in svg
    assert "暂无数据" in str(charts.light_bars([]))


def test_trend_draws_both_series() -> None:
    svg = str(charts.trend(["2024Q1", "2024Q2"], [("平均进度", "actual", [20, 45]), ("时序进度", "expected", [25, 50])]))
    assert svg.count("<polyline") == 2 and "2024Q2" in svg


def test_mark_spans_nests_clips_and_escapes() -> None:
    text = "甲<乙>丙丁戊己"
    html = str(mark_spans(text, [(0, 6, 1, "measure"), (1, 4, 2, "target"), (3, 7, 3, "x"), (9, 12, 4, "bad")]))
    assert html.count("<mark") == html.count("</mark>") == 3
    assert "&lt;" in html and "&gt;" in html and "<乙" not in html and 'id="s2"' in html and 'href="#c1"' in html
    plain = __import__("re").sub(r"<[^>]+>|\d", "", html).replace("&lt;", "<").replace("&gt;", ">")
    assert plain == text


def test_password_rules() -> None:
    with pytest.raises(ValidationError):
        check_strength("short")
    p = generate_password()
    check_strength(p)
    assert p != generate_password()
