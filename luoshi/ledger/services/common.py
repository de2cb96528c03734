"""Small helpers every service uses: lookups that fail with a clear message, version checks."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, NotFoundError, ValidationError
from luoshi.ledger.limits import clean
from luoshi.ledger.models import Base, Commitment, Government, Report
from luoshi.ledger.numbers import NotANumber, NotFinite, typed_number
from luoshi.ledger.vocabulary import ENTITIES, entity_label

M = TypeVar("M", bound=Base)

ENTITY_NAMES = ENTITIES  # the words of luoshi.ledger.vocabulary (never a class name)


def get(session: Session, model: type[M], ident: Any) -> M:
    obj = session.get(model, ident)
    if obj is None:
        name = entity_label(model.__name__)
        raise NotFoundError(f"{name} {ident} 不存在")
    return obj


def check_version(obj: Any, expected: int | None) -> None:
    """Optimistic lock: refuse an edit based on an older version of ``obj``."""
    if expected is not None and obj.version != expected:
        raise ConflictError(
            f"{type(obj).__name__} {obj.id} 已被他人修改（当前版本 {obj.version}，你的版本 {expected}），请刷新后重试"
        )


def government(session: Session, name: str, *, create: bool = False) -> Government:
    gov = session.scalar(select(Government).where(Government.name == name))
    if gov is None:
        if not create:
            raise NotFoundError(f"政府“{name}”不存在（先导入报告或单位名录）")
        name = clean("government.name", name, required=True) or name
        try:
            with session.begin_nested():  # a parallel import may be creating the same government
                gov = Government(name=name)
                session.add(gov)
                session.flush()
        except IntegrityError:
            gov = session.scalar(select(Government).where(Government.name == name))
            if gov is None:
                raise
    return gov


def report_for(session: Session, government_name: str | None = None, year: int | None = None) -> Report:
    """The ledger (report) for government+year; with neither given, the only/most recent one."""
    q = select(Report).join(Government)
    if government_name:
        q = q.where(Government.name == government_name)
    if year:
        q = q.where(Report.year == year)
    reports = list(session.scalars(q.order_by(Report.year.desc(), Report.id.desc())))
    if not reports:
        what = " ".join(str(x) for x in (government_name, year) if x) or "任何政府"
        raise NotFoundError(f"没有找到 {what} 的报告台账（先运行 luoshi import）")
    return reports[0]


def commitment(session: Session, ident: int | str) -> Commitment:
    try:
        key = int(ident)
    except (TypeError, ValueError):
        raise ValidationError(f"任务编号应为数字：{ident!r}") from None
    return get(session, Commitment, key)


def parse_date(value: str | dt.date | None, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field} 不是有效日期（YYYY-MM-DD）：{value!r}") from None


def parse_number(value: Any, field: str) -> float | None:
    """A number typed by a person (:func:`luoshi.ledger.numbers.typed_number`), refused with a
    message naming ``field``."""
    try:
        return typed_number(value)
    except NotFinite:
        raise ValidationError(f"{field} 应为有限数字：{value!r}") from None
    except NotANumber:
        raise ValidationError(f"{field} 应为数字：{value!r}") from None
