"""The app's route table as (method, path) pairs, whichever way FastAPI stores included routers.

Recent FastAPI keeps ``include_router`` results as lazy ``_IncludedRouter`` entries whose own
routes carry the router's prefix, and the include adds its own prefix on top; older versions copy
every route into ``app.routes``. The permission matrix and the security-header sweep walk all of
them, so that a new route is covered without editing a list.
"""

from __future__ import annotations

from typing import Any


def _walk(routes: list[Any], prefix: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            out += _walk(list(original.routes), prefix + (getattr(context, "prefix", "") or ""))
            continue
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", None)
        if methods and path is not None:
            out += [(m, prefix + path) for m in methods]
    return out


def route_table(app: Any) -> list[tuple[str, str]]:
    """Every (HTTP method, path template) the app answers, sorted, without duplicates."""
    return sorted(set(_walk(list(app.routes), "")))
