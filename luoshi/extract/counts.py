"""Counts and shares written before their noun, and when such a number is no statement.

Reports govern a count with verbs no list can hold (建好30家…, 遴选10个左右…), bring it in with a
preposition (为10万名残疾人提供…), open a clause with it and its result (21个产业创新聚集区启动建设),
or write a share before the set it is a share of (60%的城市污水处理厂完成…). The same position
holds numbers that only name or qualify: capacities in a project's name, ranks, definitions,
size classes, the count of where another value is (在…13个国家投运海外仓36个).
"""

from __future__ import annotations

import re

from luoshi.extract import heads as hd
from luoshi.extract import lexicon as lx
from luoshi.extract import lists as ls
from luoshi.extract import statement as stm
from luoshi.extract.numbers import COUNT_UNITS, Quantity
from luoshi.extract.statement import Statement

MAGNITUDES = frozenset({"万", "亿", "万亿"})
PEOPLE_UNITS = frozenset({"人", "人次", "名", "户"})
CJK_ONLY_RE = re.compile(r"[\u4e00-\u9fff]+")
_SHARE_HEAD_END_RE = re.compile(rf"(?:{lx.VERB_FIRST}|{lx.VERB_AFTER}|在|对|为|向|选择|推动|推进|使|让)(?:到|至|在)?$")


def share_opens(sent: str, s: int) -> bool:
    """Nothing but lead words, a verb or a preposition stands before the share in its clause
    (含油量66%的油菜品种 has a noun there: the share is a property of what follows)."""
    clause_start = max((sent.rfind(c, 0, s) for c in "，；：。、"), default=-1) + 1
    head, _ = hd.strip_lead(sent[clause_start:s], 0)
    return not head or _SHARE_HEAD_END_RE.search(head) is not None


def qualifies_next(head: str, rest: str, q: Quantity, listed: bool) -> bool:
    """A count followed, in the same item, by another value only qualifies it when it names where
    (在…等13个国家投运海外仓36个) or of what (8所高校14个学科, 9个断面…比例达到100%); a count
    that is the subject of a verb governing the next value (10个中心镇实施建设项目389个) or an
    item of a list (3个万亿级优势产业和5个…集群) is a statement of its own."""
    if lx.VERB_AFTER_END_RE.search(rest):
        return True
    if q.chinese or listed:
        return False
    if re.match(r"^[、，；：]?(?:[\u4e00-\u9fff]{0,2}是)?在", head) or head.endswith("在"):
        return True
    return lx.VERB_FIRST_ANY_RE.search(rest) is None and lx.PREDICATE_START_RE.search(rest) is None


_LEVEL_VERB_RE = re.compile(r"(?:到|至|在|达到|达|突破|超过)$")
# what follows a percentage that is a property of a rule, not a share of a set: 6%一档的税率,
# 加计扣除75%政策, 5%的增速
_SHARE_OF_RATE_RE = re.compile(
    r"^(?:的)?(?:增速|增长|增幅|水平|幅度|速度|比例|比重|左右|以上|以下|目标|政策|一?档|税率|费率|利率|部分|标准|优惠)"
)
def metric_of(head: str) -> str:
    """The verb of a head that ends in a verb no list names (优化, 建强, 分类推进 → 推进)."""
    runs = CJK_ONLY_RE.findall(head)
    if not runs or not head.endswith(runs[-1]):
        return ""
    run = runs[-1]
    if len(head) > len(run) and head[-len(run) - 1].isdigit() and (run[0] in COUNT_UNITS or run[:2] in COUNT_UNITS):
        return ""  # 8所高校14个学科入选…: a counted noun before the count, not its verb
    core = lx.ADVERB_LEAD_RE.sub("", runs[-1])  # 在第15届全国运动会上冬夏项目共获得 → 获得
    if not core or core[-1] in "和及与或" or lx.SCOPE_RE.fullmatch(core):
        return ""  # 力争10个学科…, 年内110项高频事项…, 七大主导产业和12个…: what follows is the subject
    return core if len(core) <= 4 else core[-2:]


def drop_enumeration(head: str) -> tuple[str, bool]:
    """The head without the named members listed right before a count.

    ``推进中核汇能通榆、华电榆树、天楹辽源等`` → ``推进中核汇能通榆`` (its first item keeps the verb);
    ``支持长白山、三江、吉光`` → ``支持长白山``; a head with no 、 or 等 is kept.
    """
    body = head[:-1] if head.endswith("等") else head
    quoted = ls.quoted_spans(body)
    seps = [m.start() for m in re.finditer("、", body) if not ls.inside(m.start(), quoted)]
    if not seps:
        return (body, True) if body is not head else (head, False)
    return body[: seps[0]], True


def open_count(
    sent: str,
    base: int,
    head_text: str,
    cursor: int,
    q: Quantity,
    rest: str,
    rest_end: int,
    cs: int,
    ce: int,
    prev: hd.Head | None,
) -> Statement | None:
    """A count written before its noun that no listed verb governs: a statement unless it names.

    Reports govern counts with verbs no list can hold (建好30家…, 遴选10个左右…, 优化3家…), bring
    them in with a preposition (为10万名残疾人提供…, 在500个行政村实施…), or open a clause with
    them (21个产业创新聚集区启动建设, 西延、西康等5条高铁加快建设). Left out: a count the word before
    it turns into an attribute, ordinal, duration, rank or threshold (的, 第, 连续, 前, 超), the
    capacity of a named project (50万吨甲醇制乙醇项目), a rank (14种农产品产量居全国第1位) and a
    people counted as a whole (560万人民群众).
    """
    if (
        not rest
        or lx.PEOPLE_AS_WHOLE_RE.match(rest)
        or lx.RANK_RE.search(rest)
        or "的" in rest[1:]
        or rest.endswith("之一")  # 成为全国首批5个国家公园之一: one of a set, not a count
        or lx.RANK_RE.search(head_text[-12:] + rest)  # 指数居全国204个参评城市第一: a rank
        or (rest.startswith("人口") and re.search("城市|都市|县城|城镇", rest[:8]))  # 100万人口区域中心城市
    ):
        return None  # 把14亿多中国人的饭碗…: the count qualifies a possessor
    head = head_text.rstrip()
    if lx.COUNT_NOT_GOVERNED_RE.search(head):
        return None
    core = head.lstrip("、，；：,;: ")
    core_start = cursor + len(head_text) - len(head_text.lstrip("、，；：,;: "))
    if q.prefix and core.endswith(q.prefix):
        core = core[: -len(q.prefix)]  # 促进约1亿农业转移人口…: 约 qualifies the number
    m_prep = lx.COUNT_PREPOSITION_RE.search(core)
    counted = q.base_unit in COUNT_UNITS or q.base_unit in PEOPLE_UNITS or q.unit in MAGNITUDES
    if not counted and not (m_prep and m_prep.group("prep") in "把将"):
        return None  # 用好1800亿元引导基金: an amount or measure before a noun describes it
    m_after = lx.VERB_AFTER_END_RE.search(core)
    if m_after and _LEVEL_VERB_RE.search(m_after.group(0)):
        h = hd.read_head(head_text, base + cursor, prev)
        if len(h.indicator) >= 2:
            # 试点扩大到1000个县, 能繁母猪存栏量保持在16万头合理区间: a level the indicator reaches
            return stm.make_statement(sent, base, h.indicator, h.metric, q, h.quote_start, base + rest_end, cs, ce)
    if m_prep:
        # 为10万名残疾人提供基本康复服务: the beneficiaries, then the action done for them
        m_v = lx.VERB_FIRST_ANY_RE.search(rest, 2) or lx.PREDICATE_START_RE.search(rest, 2)
        ind = rest[: m_v.start()] if m_v else rest
        metric = m_v.group(0) if m_v else m_prep.group("prep")
        start = base + core_start + m_prep.start("prep")
        return stm.make_statement(sent, base, ind, metric, q, start, base + rest_end, cs, ce)
    verb_part, enumerated = drop_enumeration(core)
    if core.endswith("的"):
        metric = ""  # 纳入国家102项重大工程的285个计划新开工项目全部开工: what follows 的 is the subject
    elif enumerated:
        # 推进中核汇能通榆、华电榆树等5个…项目建设: the verb opens the first named member; named
        # subjects with a predicate of their own (兰州新区、西固2个化工园区入围全国百强) have none
        named = lx.ADVERB_LEAD_RE.sub("", re.split(r"[”’》」）)\"]", verb_part)[-1])
        has_predicate = lx.PREDICATE_START_RE.search(rest, 2) is not None
        verb = named[:2]
        metric = verb if len(named) >= 3 and not has_predicate and CJK_ONLY_RE.fullmatch(verb) else ""
    else:
        metric = metric_of(verb_part) if verb_part else ""
    if metric in ("包括", "包含", "涵盖", "即", "是") or (
        enumerated and re.search("包括|包含|涵盖|(?:^|[”」])(?:即|是)", verb_part)
    ):
        return None  # 包括都江堰灌区、…6个工程: a definition, not a statement
    if metric:
        return stm.make_statement(sent, base, rest, metric, q, base + core_start, base + rest_end, cs, ce)
    # a counted subject and what it did or reached: 21个产业创新聚集区启动建设
    m_h = lx.SUBJECT_PREDICATE_RE.search(rest)
    if m_h is not None and m_h.start() > 0:
        # 8个贫困县全部摘帽: the adverbs before the predicate belong to neither
        end = base + rest_end - len(rest) + m_h.end()
        return stm.make_statement(sent, base, rest[: m_h.start()], m_h.group("verb"), q, base + core_start, end, cs, ce)
    m_p = lx.PREDICATE_START_RE.search(rest, 2) or lx.PREDICATE_VERB_RE.search(rest, 2)
    if m_p is None and sent[rest_end : rest_end + 1] == "、":
        # 10家单位、10名个人获全国…表彰: the items of a list of counted subjects share the predicate
        m_later = lx.PREDICATE_VERB_RE.search(sent, rest_end + 1, ce)
        if m_later is not None:
            return stm.make_statement(sent, base, rest, m_later.group(0), q, base + core_start, base + rest_end, cs, ce)
    if m_p is None and not enumerated:
        return None  # 20家企业参展, 我国有2.9亿在校学生: a counted subject with no result
    ind = rest[: m_p.start()] if m_p else rest
    metric = m_p.group(0) if m_p else ""
    if m_p is not None and lx.PLACE_START_RE.fullmatch(metric):
        m_v = lx.PREDICATE_VERB_RE.search(rest, m_p.end())
        metric = m_v.group(0) if m_v else ""  # 3名运动员在杭州亚运会摘得…: the verb after the place
    return stm.make_statement(sent, base, ind, metric, q, base + core_start, base + rest_end, cs, ce)


def share_before_noun(
    sent: str,
    base: int,
    head_text: str,
    cursor: int,
    q: Quantity,
    rest: str,
    rest_end: int,
    cs: int,
    ce: int,
    prev: hd.Head | None,
) -> Statement | None:
    """A share written before the set it is a share of: 60%的城市污水处理厂完成提标改造.

    The indicator names the set and what the share of it does (优质公办幼儿园覆盖乡镇, 城市建成区
    面积达标); a rate written after the number (6.5%的增速) is not a share of a set.
    """
    if not rest or _SHARE_OF_RATE_RE.match(rest) or lx.RANK_RE.search(rest) or re.search("税|优惠|补贴标准", rest[:5]):
        return None
    head = head_text.rstrip()
    if re.search(r"(?:的|第|有|占|是)$", head):
        return None
    stripped, hpos = hd.strip_lead(head_text, base + cursor)
    if q.prefix and stripped.endswith(q.prefix):
        stripped = stripped[: -len(q.prefix)]  # 超80%的省科技攻坚项目: 超 qualifies the share
    m_after = lx.VERB_AFTER_END_RE.search(stripped)
    if m_after and _LEVEL_VERB_RE.search(m_after.group(0)):
        h = hd.read_head(head_text, base + cursor, prev)
        if len(h.indicator) >= 2:
            # 试点范围扩大到60%的县（市、区）
            return stm.make_statement(sent, base, h.indicator, h.metric, q, h.quote_start, base + rest_end, cs, ce)
    m_v = lx.VERB_FIRST_END_RE.search(stripped)
    if m_v:
        # 优质公办幼儿园覆盖92%乡镇, 选择20%的集镇实施…
        ind = stripped[: m_v.start()] + m_v.group(0) + rest if m_v.start() > 0 else rest
        return stm.make_statement(sent, base, ind, m_v.group(0), q, hpos, base + rest_end, cs, ce)
    m_p = lx.PREDICATE_START_RE.search(rest, 1)
    metric = m_p.group(0) if m_p else ""
    stripped = re.sub(r"(?:在|对|向|为)$", "", stripped)  # 在70%左右的地市开展…
    # 城市建成区44%以上面积达标, 50%县区基本达到…标准
    return stm.make_statement(sent, base, hd.strip_trail(stripped) + rest, metric, q, hpos, base + rest_end, cs, ce)


# a verb of focus or support opening a clause, the count its (near) object or a member of it:
# 聚焦建设四个特色产业集群, 服务保障北沿江高铁及三条过江通道建设
_SCOPE_HEAD_RE = re.compile(r"^(?:聚焦|围绕|紧扣|紧盯|服务保障|依托)(?:建设|打造|培育|发展)?(?:[^，；。]*(?:及|和|、|与))?$")
# a verb of degree whose object is a property of the counted things: 提升22个国考断面…水质
_DEGREE_CLAUSE_RE = re.compile(
    r"^(?:不断|持续|进一步|着力|全面)?(?:提升|改善|提高|优化)[^，；。]*(?:水质|质量|水平|品质|能级)$"
)


def names_scope(text: str, st: Statement) -> bool:
    """A count before its noun that names the set an effort is about, not a quantity delivered:
    the clause's verb is one of focus or support (聚焦建设四个特色产业集群, 服务保障…三条过江通道建设),
    or of degree with a property of the counted things as its object (提升22个国考断面水质)."""
    q = st.quantity
    if q.base_unit not in COUNT_UNITS or q.unit_end >= st.clause_end or not CJK_ONLY_RE.match(text, q.unit_end):
        return False
    if _SCOPE_HEAD_RE.match(text[st.clause_start : q.start]):
        return True
    return _DEGREE_CLAUSE_RE.match(text[st.clause_start : st.clause_end].rstrip("，；。 ")) is not None


# a count of the report's own indicators: 20项主要经济指标中，15项增幅高于全省
_TALLY_RE = re.compile(r"(?:[^，；。]{0,8}指标|增幅|增速)")


def tallies_indicators(text: str, st: Statement) -> bool:
    """How many of the indicators did well is a summary of other figures, not a result or target."""
    q = st.quantity
    return q.unit == "项" and _TALLY_RE.match(text, q.unit_end) is not None
