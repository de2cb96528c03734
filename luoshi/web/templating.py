"""Jinja2 environment (autoescaping on for every template) and the ``render`` helper.

Every HTML page has its JSON twin by one convention: the page's own URL with ``?format=json``
answers the data the page was rendered from (the keyword arguments a view gives :func:`render`),
as JSON. A view therefore passes the page only JSON-ready data (the shapes of
``luoshi.web.serializers``); anything else fails loudly on the twin instead of leaking objects.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from luoshi.errors import ValidationError
from luoshi.ledger import vocabulary as words
from luoshi.ledger.limits import BIDI_CONTROLS
from luoshi.ledger.services.notices import REASON_LABELS
from luoshi.web import charts, promise_charts
from luoshi.web import flash as flash_banner
from luoshi.web.context import Ctx

HERE = Path(__file__).resolve().parent

# the words of the pages are the ledger's (luoshi.ledger.vocabulary); templates read them as
# ``words.…`` or by these older names
KIND_LABELS = words.COMMITMENT_KINDS
STATE_LABELS = words.COMMITMENT_STATES
REPORT_STATE_LABELS = words.PROGRESS_STATES
ROLE_LABELS = words.ASSIGNMENT_ROLES
NOTICE_REASONS = REASON_LABELS  # the ledger names the reasons
assert NOTICE_REASONS == words.NOTICE_REASONS


def _date(value: dt.date | dt.datetime | str | None, fmt: str = "%Y-%m-%d") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return value.strftime(fmt + " %H:%M")
    return value.strftime(fmt)


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else "?"


_BIDI_SHOWN = {ord(ch): f"\\u{ord(ch):04x}" for ch in BIDI_CONTROLS}


def show_bidi(value: Any) -> Any:
    """Every ``{{ … }}`` output: bidi controls shown as ``\\u202e`` instead of acting on the page.

    New text loses them at the ledger's boundary (``luoshi.ledger.limits``); this keeps text stored
    before that, or quoted from a report, from reversing what a page shows around it.
    """
    if isinstance(value, Markup):
        return Markup(str(value).translate(_BIDI_SHOWN))
    if isinstance(value, str):
        return value.translate(_BIDI_SHOWN)
    return value


@pass_context
def _kept(context: Context, name: str, default: Any = "", action: str | None = None) -> Any:
    """What was typed into field ``name`` of the form posting to ``action`` before it was refused,
    else ``default`` (the stored value): a refused form never forgets what the person typed."""
    typed = context.get("typed") or {}
    if name in typed and (action is None or typed.get("_action") in (None, action)):
        return typed[name]
    return default


@pass_context
def _url(context: Context, name: str, **params: Any) -> str:
    """The path of the named route (no scheme or host: pages link within the site)."""
    return context["request"].url_for(name, **params).path


def make_env() -> Environment:
    env = Environment(
        finalize=show_bidi,
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no file-system check per render
    )
    from luoshi.web.summary import light_rows

    env.filters.update(date=_date, pct=_pct, num=_num)
    env.globals["light_rows"] = light_rows
    env.globals.update(
        charts=charts, query=_query, KIND_LABELS=KIND_LABELS, STATE_LABELS=STATE_LABELS,
        REPORT_STATE_LABELS=REPORT_STATE_LABELS, ROLE_LABELS=ROLE_LABELS, NOTICE_REASONS=NOTICE_REASONS,
        LIGHT_LABELS=charts.LIGHT_LABELS, promise_charts=promise_charts, url=_url,
        kept=_kept, words=words,
    )
    return env


templates = Jinja2Templates(env=make_env())


def compile_all() -> int:
    """Compile every page template now (≈0.2 s for all), so that a worker does it before it takes
    connections instead of the first visitor of each page waiting for it; the number compiled."""
    names = [n for n in templates.env.list_templates() if n.endswith(".html")]
    for name in names:
        templates.env.get_template(name)
    return len(names)


FORMAT = "format"
"""The query parameter that asks a page for its twin: ``?format=json``."""


def page_format(request: Request, offered: tuple[str, ...] = ("html", "json")) -> str:
    """The form a page is asked for: ``html`` (the default), ``json``, or another it ``offered``."""
    value = request.query_params.get(FORMAT, "html")
    if value not in offered:
        raise ValidationError(f"format 只能是 {'、'.join(offered)}，收到 {value!r}")
    return value


def wants_twin(request: Request) -> bool:
    """Whether the caller asked for a page's data rather than the page (any ``format`` but html)."""
    return request.query_params.get(FORMAT, "html") != "html"


def plain(value: Any, where: str = "data") -> Any:
    """``value`` as JSON-ready data: mappings, sequences, text, numbers, booleans, dates.

    Refuses anything else (an ORM object, a function) rather than guess at its fields: the twin
    must say exactly what the page shows, through the serialisers.
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where} is a {type(value).__name__}, not JSON-ready data; serialise it first")


def render(ctx: Ctx, name: str, status_code: int = 200, **data: Any) -> Response:
    """The page ``name`` rendered from ``data``, or with ``?format=json`` that same data as JSON."""
    if page_format(ctx.request) == "json":  # a page offering more (CSV) answers those before
        return JSONResponse(plain(data), status_code=status_code)
    shown, used = flash_banner.banner(ctx.request, ctx.settings.secret_key)
    typed, typed_used = flash_banner.typed(ctx.request, ctx.settings.secret_key)
    context = {
        "request": ctx.request,
        "user": ctx.user,
        "csrf_token": ctx.csrf_token,
        "path": ctx.request.url.path,
        "flash": shown["msg"],
        "flash_error": shown["err"],
        "typed": typed,  # what was typed before a refusal: forms show it instead of the stored values
        **data,
    }
    response = templates.TemplateResponse(ctx.request, name, context, status_code=status_code)
    if used:
        flash_banner.forget(response)
    if typed_used:
        flash_banner.forget_typed(response)
    return response
