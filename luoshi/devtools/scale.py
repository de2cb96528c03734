"""A province-wide ledger of any size, generated straight into the database for scale benchmarks.

Shape (``Scale``): ``cities`` governments (the 16 cities of 山东省 by default names), each with one
ledger — a 五年规划-style report whose plan runs ``months`` months from January of ``first_year`` —
holding ``commitments`` targets, milestones and measures, a directory of departments, districts
and parks, one lead and up to two supporting units per commitment, monthly periods, and one
progress report per commitment and month (most accepted, some submitted, returned or late, a few
missing). Every text is built from templates and word lists in this module: a report text per city
with its sections (parts and areas), and every commitment's quote and span pointing into it.

The full form (16 × 3,000 × 60) is 48,000 commitments and about 2.8 million progress reports.

This writes with SQLAlchemy Core ``insert()`` executemany on SQLite and ``COPY`` on PostgreSQL,
bypassing the ledger services and therefore the audit trail *on purpose*: the rows are benchmark
data, not a history of anybody's work, and going through the per-row ORM services (one audit event
per row) would take hours at this size. Never point it at a real ledger: it refuses a database
that already holds governments. Generation is deterministic for a given ``seed``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text

from luoshi.errors import ConflictError
from luoshi.ledger import changes
from luoshi.ledger.models import Base

CITIES = ["济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂", "德州",
          "聊城", "滨州", "菏泽"]
DEPARTMENTS = [
    ("市发展改革委", "发展改革委"), ("市工业和信息化局", "工信局"), ("市教育局", "教育局"), ("市科技局", "科技局"),
    ("市公安局", "公安局"), ("市民政局", "民政局"), ("市财政局", "财政局"), ("市人力资源社会保障局", "人社局"),
    ("市自然资源和规划局", "自然资源规划局"), ("市生态环境局", "生态环境局"), ("市住房城乡建设局", "住建局"),
    ("市交通运输局", "交通运输局"), ("市水务局", "水务局"), ("市农业农村局", "农业农村局"), ("市商务局", "商务局"),
    ("市文化和旅游局", "文旅局"), ("市卫生健康委", "卫健委"), ("市退役军人事务局", "退役军人局"),
    ("市应急管理局", "应急局"), ("市审计局", "审计局"), ("市国资委", "国资委"), ("市市场监管局", "市场监管局"),
    ("市体育局", "体育局"), ("市统计局", "统计局"), ("市医保局", "医保局"), ("市城市管理局", "城管局"),
    ("市行政审批服务局", "行政审批局"), ("市大数据局", "大数据局"), ("市地方金融监管局", "金融监管局"),
    ("市能源局", "能源局"), ("市投资促进局", "投资促进局"), ("市住房公积金管理中心", "公积金中心"),
]
DISTRICTS = ["市中区", "城东区", "城西区", "北城区", "南湖区", "新城区", "东山县", "西河县", "滨河县", "青山市"]
PARKS = ["高新技术产业开发区", "经济技术开发区", "综合保税区"]

AREAS = [
    ("坚持创新驱动，加快建设科技强市", ["科技", "研发", "创新平台", "高新技术企业", "人才"]),
    ("聚力产业升级，构建现代产业体系", ["先进制造业", "数字经济", "新材料", "工业技改", "规上工业"]),
    ("扩大有效需求，推动经济稳中向好", ["固定资产投资", "社会消费品零售", "重点项目", "招商引资", "外贸"]),
    ("深化改革开放，激发市场主体活力", ["营商环境", "国企改革", "政务服务", "民营经济", "开放平台"]),
    ("全面推进乡村振兴，加快农业农村现代化", ["高标准农田", "粮食", "农村人居环境", "特色产业", "集体经济"]),
    ("统筹城乡建设，提升城市功能品质", ["城市更新", "老旧小区", "道路", "地下管网", "公园游园"]),
    ("加强生态环境保护，推动绿色低碳发展", ["空气质量", "河湖治理", "节能降碳", "新能源", "植树造林"]),
    ("办好民生实事，增进人民群众福祉", ["就业", "教育", "医疗", "养老", "住房保障"]),
    ("繁荣文化事业，建设文化旅游强市", ["文化惠民", "旅游景区", "文物保护", "全民健身", "文明创建"]),
    ("统筹发展和安全，建设更高水平平安城市", ["安全生产", "防灾减灾", "食品药品安全", "社会治理", "金融风险"]),
    ("加强政府自身建设，提升履职效能", ["法治政府", "政务公开", "审计监督", "廉政建设", "效能督查"]),
    ("推进交通水利能源基础设施建设", ["高速公路", "铁路", "水库", "供水", "电网"]),
]
# (indicator, metric, unit, low, high, decimals, comparator, department short name)
INDICATORS = [
    ("地区生产总值", "增长", "%", 5.0, 7.5, 1, "~", "发展改革委"),
    ("一般公共预算收入", "增长", "%", 4.0, 8.0, 1, ">=", "财政局"),
    ("规上工业增加值", "增长", "%", 6.0, 9.0, 1, ">=", "工信局"),
    ("固定资产投资", "增长", "%", 6.0, 12.0, 1, ">=", "发展改革委"),
    ("社会消费品零售总额", "增长", "%", 5.0, 8.0, 1, "~", "商务局"),
    ("进出口总额", "增长", "%", 3.0, 10.0, 1, ">=", "商务局"),
    ("城镇新增就业", "新增", "万人", 1.5, 9.0, 1, ">=", "人社局"),
    ("城镇调查失业率", "控制", "%", 5.0, 5.5, 1, "<=", "人社局"),
    ("居民人均可支配收入", "增长", "%", 5.0, 7.0, 1, ">=", "统计局"),
    ("高新技术企业", "达到", "家", 600, 2500, 0, ">=", "科技局"),
    ("研发经费投入强度", "达到", "%", 2.0, 3.2, 2, ">=", "科技局"),
    ("PM2.5平均浓度", "控制", "微克/立方米", 32, 48, 0, "<=", "生态环境局"),
    ("空气质量优良天数比例", "达到", "%", 65, 80, 1, ">=", "生态环境局"),
    ("新增高标准农田", "建设", "万亩", 5, 30, 1, ">=", "农业农村局"),
    ("粮食总产量", "稳定在", "万吨", 80, 500, 0, ">=", "农业农村局"),
    ("改造老旧小区", "改造", "个", 40, 260, 0, ">=", "住建局"),
    ("新增城市绿地", "新增", "万平方米", 30, 200, 0, ">=", "城管局"),
    ("新开工保障性租赁住房", "筹集", "套", 800, 6000, 0, ">=", "住建局"),
    ("新增养老床位", "新增", "张", 300, 3000, 0, ">=", "民政局"),
    ("新建改扩建中小学幼儿园", "新建", "所", 10, 60, 0, ">=", "教育局"),
    ("新增新能源装机", "新增", "万千瓦", 20, 150, 0, ">=", "能源局"),
    ("单位地区生产总值能耗", "下降", "%", 2.0, 4.0, 1, ">=", "发展改革委"),
    ("实际使用外资", "达到", "亿美元", 3, 40, 1, ">=", "投资促进局"),
    ("新登记市场主体", "新增", "万户", 2, 15, 1, ">=", "市场监管局"),
]
MODALITY_WEIGHTS = (("预期", 5), ("确保", 3), ("力争", 2), ("争取", 1))
PROJECT_PLACES = ["城东", "城西", "北部新区", "南湖片区", "高新区", "滨河", "老城", "临港", "东部产业园", "西部新城"]
FACILITIES = ["综合客运枢纽", "污水处理厂", "智慧产业园", "人民医院新院区", "会展中心", "体育中心", "城市书房",
              "职业教育园区", "数据中心", "水库除险加固工程", "220千伏输变电工程", "快速路", "地下综合管廊",
              "垃圾焚烧发电项目", "物流园", "科创中心", "中医院", "妇幼保健院", "滨河公园", "文化艺术中心"]
MILESTONE_VERBS = [("开工建设", "开工"), ("建成", "建成"), ("完成", "完成"), ("建成投用", "投用"), ("启动", "启动")]
MEASURE_VERBS = ["深入实施", "持续推进", "加快推进", "全面落实", "积极稳妥推进", "大力实施", "扎实开展", "健全完善",
                 "深化拓展", "统筹推进"]
MEASURE_OBJECTS = ["“放管服”改革", "“一网通办”", "专精特新企业培育行动", "城市更新行动", "乡村建设行动",
                   "河湖长制", "林长制", "“双招双引”", "科技成果转化", "新型基础设施建设", "数字政府建设",
                   "安全生产专项整治", "医疗联合体建设", "义务教育优质均衡发展", "公共文化服务体系建设",
                   "稳岗扩岗政策", "消费提振行动", "企业上市培育", "标准化厂房建设", "老年助餐服务"]
MEASURE_TAILS = ["，确保取得实效", "，形成一批可复制推广的经验", "，持续优化发展环境", "，让群众有更多获得感",
                 "，切实提升服务效能", "，推动高质量发展", "，年底前形成长效机制", "，扩大覆盖面"]
NARRATIVES = ["已完成阶段性任务，正按计划推进", "召开专题调度会，协调解决用地问题", "项目主体工程施工中",
              "已完成招标，施工单位进场", "受资金到位影响，进度略有滞后", "完成年度投资计划的{p}%",
              "相关政策文件已印发实施", "已完成现场核查，佐证材料齐全", "组织专班推进，每周调度一次",
              "阶段目标已完成，转入常态化推进", "因审批手续调整，进度滞后，已制定赶超措施"]
RETURN_REASONS = ["佐证材料不足，请补充现场照片", "完成比例与所附材料不符", "请说明滞后原因及下步措施"]


@dataclass(frozen=True)
class Scale:
    """Size of a generated province: governments × commitments each × monthly periods."""

    cities: int = 2
    commitments: int = 300
    months: int = 12
    first_year: int = 2021

    @property
    def progress_reports(self) -> int:
        """Upper bound (every commitment reports every month; the generator leaves ~3% missing)."""
        return self.cities * self.commitments * self.months

    def label(self) -> str:
        return f"{self.cities}×{self.commitments}×{self.months}"


FULL = Scale(16, 3000, 60)
REDUCED = Scale(2, 300, 12)
LEADER = "scale_leader"
ADMIN = "scale_admin"


@dataclass
class Generated:
    scale: Scale
    counts: dict[str, int]
    seconds: float
    report_ids: list[int]
    sample_commitment: int  # a published commitment of the report the pages show by default
    today: dt.date  # a day after the last period's due date (LUOSHI_TODAY for the pages)
    phases: dict[str, float] = field(default_factory=dict)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def months(scale: Scale) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    for i in range(scale.months):
        y, m = scale.first_year + i // 12, i % 12 + 1
        out.append((f"{y}-{m:02d}", dt.date(y, m, 1), month_end(y, m)))
    return out


def last_day(scale: Scale) -> dt.date:
    return months(scale)[-1][2] + dt.timedelta(days=10)


# --------------------------------------------------------------------------- text generation

@dataclass
class Item:
    kind: str
    text: str
    area: int
    fields: dict[str, Any]
    lead: str  # department short name, district or park that leads


def _target(rng: random.Random, area: int) -> Item:
    ind, metric, unit, lo, hi, dec, comp, dept = rng.choice(INDICATORS)
    value = round(rng.uniform(lo, hi), dec) if dec else float(rng.randint(int(lo), int(hi)))
    shown = f"{value:.{dec}f}" if dec else str(int(value))
    modality = rng.choices([m for m, _ in MODALITY_WEIGHTS], [w for _, w in MODALITY_WEIGHTS])[0]
    suffix = {"~": "左右", ">=": "以上", "<=": "以内", "=": ""}[comp]
    lead_in = "" if modality == "预期" else modality
    if unit == "微克/立方米":
        body = f"{ind}{metric}在每立方米{shown}微克以下"
    else:
        body = f"{ind}{metric}{shown}{unit}{suffix}"
    return Item("target", f"{lead_in}{body}。", area,
                {"indicator": ind, "metric": metric, "value": value, "unit": unit, "comparator": comp,
                 "modality": modality}, dept)


def _milestone(rng: random.Random, area: int, city: str) -> Item:
    verb, metric = rng.choice(MILESTONE_VERBS)
    place = rng.choice(PROJECT_PLACES)
    fac = rng.choice(FACILITIES)
    n = rng.randint(2, 40)
    if rng.random() < 0.5:
        body = f"{verb}{city}{place}{fac}"
    else:
        body = f"{verb}{n}个{rng.choice(AREAS[area][1])}重点项目"
    return Item("milestone", body + "。", area, {"metric": metric, "modality": "预期"},
                rng.choice([d[1] for d in DEPARTMENTS]))


def _measure(rng: random.Random, area: int) -> Item:
    topic = rng.choice(AREAS[area][1])
    body = f"{rng.choice(MEASURE_VERBS)}{rng.choice(MEASURE_OBJECTS)}，{rng.choice(MEASURE_VERBS)}{topic}工作" \
           f"{rng.choice(MEASURE_TAILS)}"
    return Item("measure", body + "。", area, {"modality": "预期"}, rng.choice([d[1] for d in DEPARTMENTS]))


def city_items(rng: random.Random, city: str, n: int) -> list[Item]:
    out = []
    for _ in range(n):
        area = rng.randrange(len(AREAS))
        r = rng.random()
        out.append(_target(rng, area) if r < 0.3 else _milestone(rng, area, city) if r < 0.6 else _measure(rng, area))
    return out


def report_text(city: str, scale: Scale, items: list[Item]) -> tuple[str, list[dict[str, Any]], list[tuple[int, int]]]:
    """The report text of one city, its sections and each item's (start, end) span in it."""
    end_year = scale.first_year + (scale.months - 1) // 12
    buf = io.StringIO()
    pos = 0

    def write(s: str) -> tuple[int, int]:
        nonlocal pos
        buf.write(s)
        start, pos = pos, pos + len(s)
        return start, pos

    sections: list[dict[str, Any]] = []
    write(f"{city}市国民经济和社会发展规划纲要实施方案（{scale.first_year}—{end_year}年）\n")
    s, _ = write(f"一、{scale.first_year - 1}年工作回顾\n")
    write(f"过去一年，全市上下坚持稳中求进工作总基调，{city}经济社会发展取得新成效。地区生产总值增长6.1%，"
          "一般公共预算收入增长7.2%，城镇新增就业4.1万人。\n")
    sections.append({"key": "1", "parent_key": None, "level": 1, "title": f"一、{scale.first_year - 1}年工作回顾",
                     "start": s, "end": pos})
    s2, _ = write("二、目标任务和重点工作\n")
    by_area: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_area.setdefault(it.area, []).append(i)
    spans: list[tuple[int, int]] = [(0, 0)] * len(items)
    numerals = "一二三四五六七八九十"
    for k, area in enumerate(sorted(by_area)):
        title = f"（{numerals[k] if k < 10 else numerals[9] + numerals[k - 10]}）{AREAS[area][0]}"
        start, _ = write(title + "\n")
        for i in by_area[area]:
            spans[i] = write(items[i].text)
        write("\n")
        sections.append({"key": f"2.{k + 1}", "parent_key": "2", "level": 2, "title": title, "start": start,
                         "end": pos, "area": area})
    sections.insert(1, {"key": "2", "parent_key": None, "level": 1, "title": "二、目标任务和重点工作",
                        "start": s2, "end": pos})
    return buf.getvalue(), sections, spans


# --------------------------------------------------------------------------- bulk writing

class Writer:
    """Bulk rows into one table: Core executemany (SQLite) or COPY (PostgreSQL), in chunks."""

    CHUNK = 20_000

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def fill(self, table: Table, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Complete each row with the columns' Python defaults (COPY does not know them)."""
        missing: list[tuple[str, Any]] | None = None
        for row in rows:
            if missing is None:
                missing = []
                for col in table.columns:
                    if col.name in row or col.default is None:
                        continue
                    d = col.default
                    missing.append((col.name, d.arg(None) if d.is_callable else d.arg))  # type: ignore[attr-defined]
            for name, value in missing:
                row[name] = value
            yield row

    def write(self, table_name: str, rows: Iterable[dict[str, Any]]) -> int:
        table = Base.metadata.tables[table_name]
        n = 0
        chunk: list[dict[str, Any]] = []
        for row in self.fill(table, rows):
            chunk.append(row)
            if len(chunk) >= self.CHUNK:
                n += self._flush(table, chunk)
                chunk = []
        if chunk:
            n += self._flush(table, chunk)
        self.counts[table_name] = self.counts.get(table_name, 0) + n
        return n

    def _flush(self, table: Table, rows: list[dict[str, Any]]) -> int:
        if not self.pg:
            with self.engine.begin() as conn:
                conn.execute(insert(table), rows)
            return len(rows)
        cols = list(rows[0])
        json_cols = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            names = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:  # type: ignore[attr-defined]
                for r in rows:
                    cp.write_row([json.dumps(r[c], ensure_ascii=False) if c in json_cols and r[c] is not None
                                  else r[c] for c in cols])
            raw.commit()
        finally:
            raw.close()
        return len(rows)

    def reset_sequences(self) -> None:
        if not self.pg:
            return
        with self.engine.begin() as conn:
            for name in self.counts:
                table = Base.metadata.tables[name]
                if "id" in table.columns:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                      f"COALESCE((SELECT max(id) FROM \"{name}\"), 1))"))


def _percent_curve(rng: random.Random, n_months: int, due_index: int) -> list[float]:
    """Cumulative reported percent per month: a pace around the plan, some ahead, some stalled."""
    pace = rng.choice([1.15, 1.05, 1.0, 1.0, 0.95, 0.85, 0.7, 0.5])
    stall = rng.randrange(n_months) if rng.random() < 0.08 else None
    out, pct = [], 0.0
    for i in range(n_months):
        if stall is None or i < stall:
            target = min(100.0, 100.0 * (i + 1) / (due_index + 1) * pace)
            pct = max(pct, round(min(100.0, target + rng.uniform(-3, 3)), 1))
        out.append(max(0.0, pct))
    return out


def generate(engine: Engine, scale: Scale = REDUCED, *, seed: int = 20240, sqlite_analyze: bool = False,
             progress: Callable[[str], None] | None = None) -> Generated:
    """Migrate ``engine``'s (empty) database and fill it with a generated province of size ``scale``.

    PostgreSQL gets ``VACUUM ANALYZE`` (autovacuum would do the same soon after a bulk load); SQLite
    gets ``ANALYZE`` only with ``sqlite_analyze`` — luoshi never runs it, so by default the pages
    are measured in the state a real SQLite ledger is in.
    """
    from luoshi.devtools.seeding import password_hash
    from luoshi.ledger.migrate import upgrade

    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    phases: dict[str, float] = {}
    upgrade(engine)
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Base.metadata.tables["governments"])):
            raise ConflictError("数据库中已有数据：规模测试数据只能生成到空数据库中")
    phases["migrate"] = time.perf_counter() - t0
    rng = random.Random(seed)
    w = Writer(engine)
    now = dt.datetime.combine(dt.date(scale.first_year, 3, 1), dt.time(9, 0), tzinfo=dt.UTC)
    cal = months(scale)
    ids = {"unit": 0, "section": 0, "commitment": 0, "assignment": 0, "period": 0, "pr": 0}
    report_ids: list[int] = []
    sample = 0
    t_meta = t_pr = 0.0
    for ci in range(scale.cities):
        t1 = time.perf_counter()
        city = CITIES[ci % len(CITIES)] + ("" if ci < len(CITIES) else f"{ci // len(CITIES) + 1}")
        gid = rid = ci + 1
        report_ids.append(rid)
        w.write("governments", [{"id": gid, "name": f"{city}市人民政府", "created_at": now}])
        units: dict[str, int] = {}
        unit_rows = []
        for name, short in DEPARTMENTS:
            ids["unit"] += 1
            units[short] = ids["unit"]
            unit_rows.append({"id": ids["unit"], "government_id": gid, "name": name, "short_name": short,
                              "aliases": [short], "kind": "部门", "parent_id": None, "note": None, "active": True})
        for name in DISTRICTS:
            ids["unit"] += 1
            units[name] = ids["unit"]
            unit_rows.append({"id": ids["unit"], "government_id": gid, "name": name, "short_name": name,
                              "aliases": [], "kind": "区市", "parent_id": None, "note": None, "active": True})
        for name in PARKS:
            ids["unit"] += 1
            units[name] = ids["unit"]
            unit_rows.append({"id": ids["unit"], "government_id": gid, "name": f"{city}{name}", "short_name": name,
                              "aliases": [], "kind": "园区", "parent_id": None, "note": None, "active": True})
        w.write("units", unit_rows)
        items = city_items(rng, city, scale.commitments)
        body, sections, spans = report_text(city, scale, items)
        w.write("reports", [{"id": rid, "government_id": gid, "year": scale.first_year,
                             "title": f"{city}市国民经济和社会发展规划纲要实施方案", "sha256": f"{rid:064x}",
                             "source_text": body, "source_name": f"{city}-{scale.first_year}.txt", "revision": 1,
                             "imported_at": now}])
        area_section: dict[int, int] = {}
        sec_rows = []
        for s in sections:
            ids["section"] += 1
            if "area" in s:
                area_section[s["area"]] = ids["section"]
            sec_rows.append({"id": ids["section"], "report_id": rid, "key": s["key"], "parent_key": s["parent_key"],
                             "level": s["level"], "title": s["title"], "start": s["start"], "end": s["end"]})
        w.write("sections", sec_rows)
        w.write("ledger_settings", [{"report_id": rid, "cycle": "月", "id": rid}])
        period_ids = []
        prow = []
        for j, (label, start, end) in enumerate(cal):
            ids["period"] += 1
            period_ids.append(ids["period"])
            prow.append({"id": ids["period"], "report_id": rid, "label": label, "start": start, "end": end,
                         "due": end + dt.timedelta(days=7), "closed": j < len(cal) - 1})
        w.write("periods", prow)
        crows, arows = [], []
        plan: list[tuple[int, int, str, float | None]] = []  # (commitment id, due month index, kind, value)
        unit_names = list(units)
        for i, it in enumerate(items):
            ids["commitment"] += 1
            cid = ids["commitment"]
            if it.kind == "target":
                due_idx = min(len(cal) - 1, rng.randrange(12, len(cal) + 12, 12) - 1) if len(cal) >= 12 \
                    else len(cal) - 1
            elif it.kind == "milestone":
                due_idx = rng.randrange(len(cal))
            else:
                due_idx = len(cal) - 1
            start, end = spans[i]
            code = ("T" if it.kind == "target" else "K") + f"{i + 1:04d}"
            title = it.text.rstrip("。")
            crows.append({
                "id": cid, "report_id": rid, "section_id": area_section[it.area], "code": code, "kind": it.kind,
                "title": title[:60], "text": it.text, "quote": it.text, "start": start, "end": end,
                "indicator": it.fields.get("indicator"), "metric": it.fields.get("metric"),
                "value": it.fields.get("value"), "value_max": None, "unit": it.fields.get("unit"),
                "comparator": it.fields.get("comparator"), "modality": it.fields.get("modality", "预期"),
                "headline": it.kind == "target" and rng.random() < 0.1, "deadline": cal[due_idx][2],
                "leader": None, "milestones": None, "published": rng.random() < 0.95, "state": "active",
                "source": "extracted", "created_at": now,
            })
            lead = units.get(it.lead) or units[rng.choice(unit_names)]
            ids["assignment"] += 1
            arows.append({"id": ids["assignment"], "commitment_id": cid, "unit_id": lead, "role": "lead",
                          "suggested_by": [], "confirmed": True})
            for uid in {units[rng.choice(unit_names)] for _ in range(rng.randrange(3))} - {lead}:
                ids["assignment"] += 1
                arows.append({"id": ids["assignment"], "commitment_id": cid, "unit_id": uid, "role": "support",
                              "suggested_by": [], "confirmed": True})
            plan.append((cid, due_idx, it.kind, it.fields.get("value")))
            if ci == scale.cities - 1 and not sample and crows[-1]["published"]:
                sample = cid
        w.write("commitments", crows)
        w.write("assignments", arows)
        t_meta += time.perf_counter() - t1
        t2 = time.perf_counter()
        w.write("progress_reports", _progress_rows(rng, plan, cal, period_ids, ids, city, last_day(scale)))
        t_pr += time.perf_counter() - t2
        say(f"{city}: {len(crows)} commitments, {w.counts['progress_reports']} progress reports so far "
            f"({time.perf_counter() - t0:.0f}s)")
    h = password_hash()
    w.write("users", [
        {"id": 1, "username": ADMIN, "display_name": "省督查室", "password_hash": h, "role": "admin", "unit_id": None,
         "active": True, "api_token_hash": None, "created_at": now},
        {"id": 2, "username": LEADER, "display_name": "省领导", "password_hash": h, "role": "leader", "unit_id": None,
         "active": True, "api_token_hash": None, "created_at": now},
    ])
    w.reset_sequences()
    phases["rows (ledger)"] = t_meta
    phases["rows (progress)"] = t_pr
    t_kept = time.perf_counter()
    with engine.begin() as conn:  # rows written around the ledger: its kept figures start afresh
        changes.record_everything(conn)
    phases["kept trend"] = time.perf_counter() - t_kept
    if w.pg or sqlite_analyze:
        t3 = time.perf_counter()
        analyze(engine)
        phases["analyze"] = time.perf_counter() - t3
    return Generated(scale, dict(w.counts), time.perf_counter() - t0, report_ids, sample, last_day(scale), phases)


def _progress_rows(rng: random.Random, plan: list[tuple[int, int, str, float | None]],
                   cal: list[tuple[str, dt.date, dt.date]], period_ids: list[int], ids: dict[str, int],
                   city: str, today: dt.date) -> Iterator[dict[str, Any]]:
    n = len(cal)
    for cid, due_idx, kind, value in plan:
        curve = _percent_curve(rng, n, due_idx)
        author = f"{city}联络员{cid % 37 + 1}"
        for j in range(n):
            if rng.random() < 0.03:  # a missing report
                continue
            if j > 0 and curve[j - 1] >= 100 and rng.random() < 0.7:  # finished: most stop reporting
                continue
            end = cal[j][2]
            late = rng.random() < 0.05
            submitted = dt.datetime.combine(end + dt.timedelta(days=rng.randint(8, 12) if late else rng.randint(1, 6)),
                                            dt.time(10, rng.randrange(60)), tzinfo=dt.UTC)
            recent = j >= n - 2
            r = rng.random()
            state = ("submitted" if r < 0.5 else "draft" if r < 0.6 else "returned" if r < 0.65 else "accepted") \
                if recent else ("returned" if r < 0.01 else "accepted")
            pct = curve[j]
            ids["pr"] += 1
            yield {
                "id": ids["pr"], "commitment_id": cid, "period_id": period_ids[j],
                "reported_value": round(value * pct / 100, 2) if kind == "target" and value is not None else None,
                "percent": pct, "narrative": rng.choice(NARRATIVES).format(p=int(pct)), "author": author,
                "state": state, "return_reason": rng.choice(RETURN_REASONS) if state == "returned" else None,
                "submitted_at": None if state == "draft" else min(submitted, dt.datetime.combine(
                    today, dt.time(8), tzinfo=dt.UTC)),
                "late": late and state != "draft", "created_at": submitted,
            }


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics, as a maintained production database would have them."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def database_bytes(engine: Engine) -> int:
    """Size on disk: pg_database_size, or the SQLite file after a WAL checkpoint."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    from pathlib import Path

    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(engine.url.database or "")
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
