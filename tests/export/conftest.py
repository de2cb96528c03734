"""Fixtures for the export tests: small hand-built documents (no database)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy import Engine

from luoshi.export.model import (
    Bulletin,
    BulletinItem,
    Plan,
    PlanGroup,
    PlanRow,
    Template,
    TemplateRow,
    UnitRank,
)
from luoshi.paths import seed_report


def make_plan(*, with_leader: bool = True) -> Plan:
    return Plan(
        government="枣庄市人民政府",
        year=2024,
        report_id=1,
        with_leader=with_leader,
        groups=[
            PlanGroup(
                "一、主要预期目标",
                [
                    PlanRow(11, "地区生产总值增长5.5%左右", ["市发展改革委"], ["市统计局"], dt.date(2024, 12, 31), version=1),
                    PlanRow(12, "城镇调查失业率控制在5.5%以内", ["市人力资源社会保障局"], [], dt.date(2024, 12, 31), version=2),
                ],
                headline=True,
            ),
            PlanGroup(
                "二、聚力加快产业升级，夯实高质量发展支撑",
                [
                    PlanRow(21, "=HYPERLINK(\"http://example.invalid\",\"点击\")", ["市工业和信息化局"], [], dt.date(2024, 6, 30),
                            leader="张三", version=1),
                    PlanRow(22, "新增省级以上智能工厂、数字化车间、智能制造场景10个", ["市工业和信息化局"],
                            ["市科技局", "市财政局"], dt.date(2024, 9, 15), version=1),
                ],
                section_id=7,
            ),
        ],
    )


def make_template() -> Template:
    return Template(
        government="枣庄市人民政府",
        year=2024,
        report_id=1,
        unit_id=5,
        unit="市工业和信息化局",
        period_id=3,
        period="2024Q1",
        period_end=dt.date(2024, 3, 31),
        due=dt.date(2024, 4, 8),
        rows=[
            TemplateRow(21, "规上工业增加值增长8%", "牵头", "增长8%", dt.date(2024, 12, 31), 24.6, None, "%", 1),
            TemplateRow(22, "新增智能工厂10个", "牵头", "新增10个", dt.date(2024, 9, 30), 33.3, 10.0, "个", 4),
            TemplateRow(23, "@SUM(A1:A2) 实施技改项目", "牵头", "", None, None, None, None, 1, quantified=False),
        ],
    )


def make_bulletin() -> Bulletin:
    return Bulletin(
        government="枣庄市人民政府",
        year=2024,
        period="2024Q1",
        period_title="2024年第一季度",
        issued=dt.date(2024, 4, 12),
        total=5,
        green=2,
        yellow=1,
        red=2,
        missing=1,
        reported=4,
        late=1,
        red_items=[
            BulletinItem(3, "建成投用枣菏高速", "市交通运输局", 30.0, 5.0, "落后时序进度25个百分点"),
            BulletinItem(4, "新增规上工业企业200家", "市工业和信息化局", 30.0, None, "逾期未报送"),
        ],
        yellow_items=[BulletinItem(5, "实施老旧小区改造79个", "市住房城乡建设局", 30.0, 18.0, "落后时序进度12个百分点")],
        ranking=[
            UnitRank(1, "市发展改革委", 2, 2, 0, 0, 0, 100.0),
            UnitRank(2, "市住房城乡建设局", 1, 0, 1, 0, 0, 80.0),
            UnitRank(3, "市交通运输局", 1, 0, 0, 1, 0, 60.0),
            UnitRank(4, "市工业和信息化局", 2, 0, 0, 1, 1, 40.0),
        ],
    )


@pytest.fixture
def sample_plan() -> Plan:
    return make_plan()


@pytest.fixture
def sample_template() -> Template:
    return make_template()


@pytest.fixture
def sample_bulletin() -> Bulletin:
    return make_bulletin()


# --- a ledger holding the seed report (both engines, via the shared ``engine`` fixture) ---

SEED = seed_report()


@lru_cache(maxsize=1)
def seed_extraction():  # type: ignore[no-untyped-def]
    from luoshi.ledger.services.importing import extract_for_import

    return extract_for_import(SEED, government="枣庄市", year=None)


@dataclass
class Ledger:
    engine: Engine
    report_id: int

    def session(self, actor: str = "tester"):  # type: ignore[no-untyped-def]
        from luoshi.ledger.db import transaction

        return transaction(self.engine, actor=actor)


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    """The seed report imported, suggested units confirmed (through the services), periods generated."""
    from sqlalchemy import select

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.ledger.services import assign, importing, periods

    extraction, text = seed_extraction()
    with transaction(engine, actor="setup") as s:
        plan = importing.plan_import(s, extraction, source_text=text, source_name=SEED.name)
        report = importing.apply_plan(s, plan)
        for c in s.scalars(select(Commitment).where(Commitment.report_id == report.id).order_by(Commitment.id)):
            if c.state == "draft" and c.lead is not None:
                assign.assign(s, c)
        periods.generate_periods(s, report)
        rid = report.id
    return Ledger(engine, rid)


# --- LibreOffice, driven headless: files saved and printed by a real office suite ---

DRIVER = Path(__file__).with_name("unodriver.py")
OUTPUT = Path(__file__).resolve().parents[1] / "output"  # page images and PDFs to look at (git-ignored)


def _uno_python() -> str | None:
    """A Python that can ``import uno`` (Debian's python3-uno is for the system python3)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


@dataclass
class LibreOffice:
    """One headless soffice for the test session (private profile), and what a person does with it."""

    python: str
    pipe: str
    work: Path

    def run(self, data: bytes, suffix: str, out_suffix: str, ops: list[dict] | None = None) -> bytes:
        name = uuid.uuid4().hex
        src, out = self.work / f"{name}{suffix}", self.work / f"{name}.out{out_suffix}"
        src.write_bytes(data)
        done = subprocess.run([self.python, str(DRIVER), self.pipe, str(src), str(out), json.dumps(ops or [])],
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"LibreOffice failed: {done.stderr[-2000:]}"
        return out.read_bytes()

    def edit(self, data: bytes, ops: list[dict], suffix: str = ".xlsx", save_as: str | None = None) -> bytes:
        """Open ``data`` in LibreOffice, apply ``ops`` (see unodriver.apply) and save it as LibreOffice does."""
        return self.run(data, suffix, save_as or suffix, ops)

    def pdf(self, data: bytes, suffix: str) -> bytes:
        """Print ``data`` to PDF with LibreOffice."""
        return self.run(data, suffix, ".pdf")


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibreOffice]:
    soffice = shutil.which("soffice")
    python = _uno_python()
    if soffice is None or python is None:
        pytest.skip("LibreOffice is not installed here (soffice and python3-uno; scripts/test installs them)")
    base = tmp_path_factory.mktemp("libreoffice")
    pipe = f"luoshi_test_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [soffice, f"-env:UserInstallation={(base / 'profile').as_uri()}", "--headless", "--invisible",
         "--norestore", "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    work = base / "files"
    work.mkdir()
    try:
        yield LibreOffice(python, pipe, work)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
