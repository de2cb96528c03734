"""Imports show what they would change before they change it.

Both workbook imports (the plan and progress templates) run their writes inside a savepoint: a
preview rolls it back, an apply keeps it, and any error rolls it back whatever the caller does
with the exception — so a rejected workbook never leaves half its rows behind.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session


def apply_or_preview(session: Session, write: Callable[[], object], *, apply: bool) -> bool:
    """Run ``write`` in a savepoint; keep its changes only when ``apply``. Returns ``apply``."""
    savepoint = session.begin_nested()
    try:
        write()
    except BaseException:
        savepoint.rollback()
        raise
    if apply:
        savepoint.commit()
    else:
        savepoint.rollback()
    return apply
