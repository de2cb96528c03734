"""Tables of a corpus database (its own SQLite file, its own metadata — not the ledger's)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from luoshi.errors import InputError, NotFoundError

SCHEMA_VERSION = "1"


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "corpus_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SourceFile(Base):
    """One file of the corpus folder, as last seen."""

    __tablename__ = "corpus_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)  # relative to the corpus folder
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # "ok" | "failed"
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    processed_at: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    report: Mapped[Report | None] = relationship(back_populates="file", cascade="all, delete-orphan", uselist=False)


class Report(Base):
    __tablename__ = "corpus_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("corpus_files.id", ondelete="CASCADE"), unique=True)
    government: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))
    file: Mapped[SourceFile] = relationship(back_populates="report")
    targets: Mapped[list[TargetRow]] = relationship(cascade="all, delete-orphan", order_by="TargetRow.start")
    actuals: Mapped[list[ActualRow]] = relationship(cascade="all, delete-orphan", order_by="ActualRow.start")
    warnings: Mapped[list[WarningRow]] = relationship(cascade="all, delete-orphan", order_by="WarningRow.pk")


class _QuantityRow:
    """Columns every extracted quantity has (the JSON contract's shared fields)."""

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("corpus_reports.id", ondelete="CASCADE"), index=True)
    id: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str | None] = mapped_column(Text, nullable=True)
    section: Mapped[str | None] = mapped_column(String(32), nullable=True)
    quote: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class TargetRow(_QuantityRow, Base):
    __tablename__ = "corpus_targets"
    comparator: Mapped[str | None] = mapped_column(String(4), nullable=True)
    modality: Mapped[str | None] = mapped_column(String(8), nullable=True)
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    deadline: Mapped[str | None] = mapped_column(String(10), nullable=True)


class ActualRow(_QuantityRow, Base):
    __tablename__ = "corpus_actuals"
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WarningRow(Base):
    """A warning of the report's extraction (code + Chinese message), as ``luoshi extract`` gives it.

    Its own table, so a corpus file built before it existed gains it on the next build."""

    __tablename__ = "corpus_warnings"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("corpus_reports.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def engine_for(path: str | Path, *, create: bool) -> Engine:
    """An engine on the corpus file; ``create=False`` insists that it exists and is a corpus."""
    p = Path(path)
    if not create and not p.is_file():
        raise NotFoundError(f"{p}: no such corpus file; build one with `luoshi corpus build DIR --out {p}`")
    if create and p.parent and not p.parent.exists():
        raise InputError(f"{p}: directory {p.parent} does not exist")
    engine = create_engine(f"sqlite:///{p}")
    event.listen(engine, "connect", _sqlite_pragmas)
    if create:
        Base.metadata.create_all(engine)
    else:
        try:
            tables = inspect(engine).get_table_names()
        except DatabaseError as exc:
            engine.dispose()
            raise InputError(f"{p}: not an SQLite database ({exc.orig})") from exc
        if "corpus_reports" not in tables:
            engine.dispose()
            raise InputError(f"{p}: not a luoshi corpus database (no corpus_reports table)")
    return engine
