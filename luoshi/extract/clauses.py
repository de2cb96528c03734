"""Reading the quantified statements of one sentence: who (indicator), does what (metric), how much.

Shared by targets (plan part) and actuals (review part): both are "indicator + verb + quantity"
statements and differ only in which part of the report they come from. The reading works clause
by clause (a clause ends at ，；：。) and handles the list forms of the report language:

* lists that share a verb, each item with its own value: ``新建改造公园游园90处、城区道路绿化节点50处``;
* one value distributed by ``均``: ``开发区工业投资和规上工业总产值均增长12%以上`` (two statements);
* two lists paired by ``分别`` or by position: ``粮食播种面积和产量稳定在426万亩、183万吨以上``;
* one verb with several values: ``建设旅游公路11条、101公里``;
* a count before its noun, governed by any verb (``优化3家国家大学科技园``), by a preposition or
  把/将 (``为10万名残疾人提供…``), or opening a clause with its result (``21个产业创新聚集区启动建设``);
* a share before its noun: ``60%的城市污水处理厂完成提标改造``;
* a subject written once for a paired list (``生产安全事故起数、死亡人数分别下降…``), in the clause or
  sentence before (``…。产值突破1300亿元``), and one value for a list of measures without 均/分别.

Numbers that name or qualify rather than measure are left out: those in quotes or titles, years,
durations (``连续6年``), ordinals (``第三批``), thresholds of a category (``500万元以上技改项目``,
``过500万元工业技改项目``, ``集体收入20万元以上村``), attributes (``总投资44亿元的…工程``), a
count that only qualifies the indicator of a later value (``9个国省控河流断面优良水体比例达到100%``),
capacities in a project's name (``70万千瓦热电项目``), ranks (``居全国前3位``) and definitions.
"""

from __future__ import annotations

import re

from luoshi.extract import counts as ct
from luoshi.extract import heads as hd
from luoshi.extract import lexicon as lx
from luoshi.extract import lists as ls
from luoshi.extract import scope as sc
from luoshi.extract import statement as stm
from luoshi.extract.numbers import COUNT_UNITS, MEASURE_UNITS, Quantity, find_quantities
from luoshi.extract.statement import Statement

_PUNCT_AFTER = set("，。；、：！？）)”’》,.;:!?")
_CONJ_AFTER = set("和及与")
_CJK = re.compile(r"[\u4e00-\u9fff“《]")
# words between a verb and the count it governs that belong to the counted noun (提振消费)
_BETWEEN_RE = re.compile(r"[\u4e00-\u9fff]{2,6}")
# a verb right before the count it governs (实施79个, 完成了3个) and anywhere before it
_VERB_FIRST_END_LE_RE = re.compile(rf"(?:{lx.VERB_FIRST})(?:了)?$")
_VERB_FIRST_ANY_RE = re.compile(rf"(?:{lx.VERB_FIRST})")
_ITEM_SEP_RE = re.compile(r"[、，；。]")
_REACHES_RE = re.compile(r"(?:年限|寿命|年龄)(?:达到|提高到|提高至|为)$")


def _is_name_or_qualifier(q: Quantity, sent: str, base: int, quoted: list[tuple[int, int]]) -> bool:
    """True for a number that names or qualifies something instead of measuring it."""
    s, e = q.start - base, q.end - base
    if q.unit is None or ls.inside(s, quoted):
        return True
    if q.base_unit in ("年", "个月") or q.unit in ("年", "个月"):
        # years and durations (2024年, 连续6年, 三年行动) name things; a level reached in years
        # (人均受教育年限达到11.5年) is a measure
        return not (_REACHES_RE.search(sent, 0, s) and q.value < 1000)
    before = sent[s - 1] if s > 0 else ""
    if before and before in "第届":
        return True  # 第三批, 十二届四次全会
    if before == "前" and q.unit in ("%", "位", "名"):
        return True  # 进入ESI全球前1%, 居全国前3位: a rank
    after = sent[e] if e < len(sent) else ""
    if q.chinese and after and _CJK.match(after) and q.base_unit == "元":
        return True  # 华鲁恒升二元酸: a numeral inside a product's name
    if (q.chinese and q.base_unit == "期") or q.unit == "方":
        return True  # 三期扩建: a phase; 方 measures only with a magnitude (370亿方)
    if q.chinese and q.value == 1 and q.value_max is None:
        return True  # 一张蓝图, 一批: words, not counts
    if lx.SET_COUNT_RE.match(sent, s):
        return True  # 56个民族, 八项规定: a count that is part of a set phrase
    after = sent[e] if e < len(sent) else ""
    if after == "的":
        # 总投资44亿元的城乡供水一体化工程 is an attribute; 用于1500万人次以上的职工培训 is the
        # promise itself: the number is the object of the verb standing right before it
        head = sent[max(0, s - 8) : s - len(q.prefix or "")] if q.prefix else sent[max(0, s - 8) : s]
        if q.unit == "%" and ct.share_opens(sent, s - len(q.prefix or "")):
            return False  # 60%的城市污水处理厂完成…, 扩大到60%的县: a share of what follows
        return lx.VERB_FIRST_END_RE.search(head) is None
    if q.prefix in ("过", "超", "逾") and after and after not in _PUNCT_AFTER and q.base_unit not in COUNT_UNITS:
        return True  # 过500万元工业技改项目, 生产总值超200亿元县（区）
    if q.chinese and q.base_unit == "人" and after and _CJK.match(after):
        return True  # 二人转: a numeral inside a word
    if (
        q.suffix in ("以上", "及以上", "以下", "及以下")
        and q.base_unit not in COUNT_UNITS  # 8家以上龙头企业 counts; 500万元以上技改项目 qualifies
        and q.unit != "%"  # 建成区45%以上面积达标: a share of what follows
        and after
        and after not in _PUNCT_AFTER
        and after not in _CONJ_AFTER
    ):
        return True  # 500万元以上技改项目, 集体收入20万元以上村
    if q.base_unit not in COUNT_UNITS and q.unit != "%" and _class_after_equivalent(sent, s, e):
        return True  # 5亿元（3000万美元）以上产业项目: an amount and its equivalent name a class
    return False


# an amount in brackets beside another (its equivalent in another currency), then the threshold
_EQUIVALENT_RE = re.compile(r"[（(][^（）()，。；]{0,16}\d[^（）()，。；]{0,16}[）)]")
_CLASS_AFTER_RE = re.compile(r"(?:及)?以[上下][\u4e00-\u9fff]")


def _class_after_equivalent(sent: str, s: int, e: int) -> bool:
    after = sent[e] if e < len(sent) else ""
    if after in ("（", "("):
        m = _EQUIVALENT_RE.match(sent, e)
        return m is not None and _class_follows(sent, m.end())
    if after in ("）", ")") and s > 0 and sent[s - 1] in ("（", "("):
        return _class_follows(sent, e + 1)
    return False


def _class_follows(sent: str, pos: int) -> bool:
    m = _CLASS_AFTER_RE.match(sent, pos)
    return m is not None and sent[m.end() - 1] not in _CONJ_AFTER


def read_sentence(
    text: str, start: int, end: int, *, skip_future: bool = False, skip_past: bool = False
) -> list[Statement]:
    """All quantified statements of the sentence ``text[start:end]``."""
    sent = text[start:end]
    found = find_quantities(sent, start)
    if not found:
        return []  # most sentences: nothing more to read
    quoted = ls.quoted_spans(sent)
    qs = []
    from_list_end = -1
    for q in found:
        s = q.start - start
        if (s > 0 and sent[s - 1] in "从由") or (s == from_list_end + 1 and sent[s - 1] == "、"):
            from_list_end = q.end - start  # 从50%、75%提高至100%: where a change starts from
            continue
        if not _is_name_or_qualifier(q, sent, start, quoted):
            qs.append(q)
    if not qs:
        return []
    out: list[Statement] = []
    clause_bounds: list[tuple[int, int]] = []
    pos = 0
    for m in lx.CLAUSE_SEP_RE.finditer(sent):
        if quoted and ls.inside(m.start(), quoted):
            continue
        clause_bounds.append((pos, m.end()))
        pos = m.end()
    if pos < len(sent):
        clause_bounds.append((pos, len(sent)))
    last_metric = ""
    for cs, ce in clause_bounds:
        cqs = [q for q in qs if cs <= q.start - start < ce]
        if not cqs:
            continue
        out.extend(_read_clause(sent, start, cs, ce, cqs, skip_future, skip_past, last_metric))
        if out:
            last_metric = out[-1].metric
    if out and lx.BARE_MEASURE_RE.match(out[0].indicator) and not text[start : out[0].start].strip("，, "):
        # 石化产业持续“减油增化提质”…。产值突破1300亿元: the subject opens the sentence before
        prev_start = max(text.rfind("。", 0, max(start - 1, 0)), text.rfind("\n", 0, max(start - 1, 0))) + 1
        m_subj = lx.SUBJECT_END_RE.search(text, prev_start, start)
        subject = text[prev_start : m_subj.start()].strip() if m_subj else ""
        if 2 <= len(subject) <= 8 and ct.CJK_ONLY_RE.fullmatch(subject):
            out[0].indicator = subject + out[0].indicator
    for k in range(1, len(out)):
        if lx.BARE_MEASURE_RE.match(out[k].indicator) and out[k].clause_start != out[k - 1].clause_start:
            # 营业收入增长6%，利润增长8%: the subject of the clause before
            m = lx.BARE_MEASURE_END_RE.search(out[k - 1].indicator)
            if m is not None and m.start() >= 2:
                out[k].indicator = out[k - 1].indicator[: m.start()] + out[k].indicator
        if not out[k].indicator or lx.COMPARED_RE.match(out[k].indicator):
            # 安排专项债券2.15万亿元，比去年增加8000亿元; 比例达到66.25%，超过全国平均水平0.28个百分点
            out[k].indicator = out[k - 1].indicator
        elif lx.ATTRIBUTE_NOUN_RE.match(out[k].indicator):
            # 转移支付增加约1.5万亿元、规模近9.8万亿元: the 规模 of what was just named
            prev_ind = out[k - 1].indicator
            if prev_ind and not lx.ATTRIBUTE_NOUN_RE.match(prev_ind):
                attr = out[k].indicator
                out[k].indicator = prev_ind if prev_ind.endswith(attr) else prev_ind + attr
    sc.apply(sent, start, out, clause_bounds)
    return out


def _read_clause(
    sent: str,
    base: int,
    cs: int,
    ce: int,
    cqs: list[Quantity],
    skip_future: bool,
    skip_past: bool,
    last_metric: str,
) -> list[Statement]:
    out: list[Statement] = []
    prev: hd.Head | None = None
    cursor = cs
    i = 0
    while i < len(cqs):
        q = cqs[i]
        qs_, qe = q.start - base, q.end - base
        after = sent[qe] if qe < ce else ""
        nxt = cqs[i + 1].start - base if i + 1 < len(cqs) else ce
        if after and _CJK.match(after) and after not in _CONJ_AFTER and after != "等":
            # a count standing before its noun, an honour, or a qualifier of a later value
            rest_end = nxt
            sep = _ITEM_SEP_RE.search(sent, qe, rest_end)
            if sep:
                rest_end = sep.start()
            rest = sent[qe:rest_end]
            conj = re.search(r"[和及与等]+$", rest)
            if conj and not sep:
                rest_end -= len(conj.group(0))
                rest = sent[qe:rest_end]
            if rest.startswith("的"):
                rest = rest[1:]  # 用于1500万人次以上的职工技能培训
            i += 1
            if q.base_unit in lx.CAPACITY_UNITS and lx.PROJECT_NOUN_RE.search(sent, qe, rest_end):
                cursor = rest_end  # 建成榆能西南70万千瓦热电项目: a capacity in the project's name
                continue
            if i < len(cqs) and not sep and ct.qualifies_next(sent[cursor:qs_], rest, q, conj is not None):
                # 9个国省控河流断面优良水体比例达到100%, 8所高校14个学科入选…: a count followed by
                # another value of its own item only says where or of what
                continue
            head_text = sent[cursor:qs_]
            stripped, hpos = hd.strip_lead(head_text, base + cursor)
            countable = (
                q.base_unit in COUNT_UNITS
                or q.base_unit in MEASURE_UNITS
                or (q.unit in ct.MAGNITUDES and not q.chinese)  # 3700多万学生受益: people counted
            )
            m_verb = _VERB_FIRST_END_LE_RE.search(stripped) if countable else None
            if rest.startswith("方面") or (q.base_unit == "次" and lx.ANY_VERB_START_RE.match(rest)):
                cursor = rest_end  # 8个方面90项政策措施, 先后4次降准: not counts of results
                continue
            if m_verb is None and lx.ANY_VERB_START_RE.match(rest):
                # 赤字率按2.8%左右安排: a value followed by its verb
                h = hd.read_head(head_text, base + cursor, prev)
                verb = lx.ANY_VERB_START_RE.match(rest).group(0)  # type: ignore[union-attr]
                metric = h.metric or verb
                # the quote runs through the verb: 赤字率拟按2.8%左右安排
                out.append(
                    stm.make_statement(sent, base, h.indicator, metric, q, h.quote_start, q.end + len(verb), cs, ce)
                )
                prev, cursor = h, qe
                continue
            if not countable:
                if q.unit == "%" and not q.chinese:
                    st = ct.share_before_noun(sent, base, head_text, cursor, q, rest, rest_end, cs, ce, prev)
                    if st is not None:
                        out.append(st)
                cursor = rest_end
                continue
            if m_verb is None and lx.COUNT_NOT_GOVERNED_RE.search(head_text.rstrip()):
                cursor = rest_end  # 实施“三项改革”新20条措施: 新 makes the count part of a name
                continue
            if m_verb is None:
                m_verb = lx.VERB_FIRST_RE.match(stripped)
            if m_verb is None and not q.chinese:
                m_verb = _VERB_FIRST_ANY_RE.search(stripped)
            ind = re.sub(r"[和及与等]+$", "", rest)
            between = stripped[m_verb.end() :] if m_verb is not None else ""
            if (
                between
                and len(between) <= 6
                and _BETWEEN_RE.fullmatch(between)
                and ind
                and between[0] not in "并和及与或等"
            ):
                ind = between + ind  # 出台提振消费13条措施 → 提振消费措施
            if m_verb is None and not stripped and prev is not None and hd.continues(head_text):
                # 争创2个省级齐鲁样板示范区、1个省级衔接推进区: the verb is shared; a last item
                # with its own predicate names the subject only (…、28个全国重点实验室在川布局)
                m_own = lx.PREDICATE_START_RE.search(ind, 2)
                if m_own is not None:
                    ind = ind[: m_own.start()]
                out.append(stm.make_statement(sent, base, ind, prev.metric, q, q.start, base + rest_end, cs, ce))
                cursor = rest_end
                continue
            if m_verb is not None and ind:
                out.append(
                    stm.make_statement(sent, base, ind, m_verb.group(0), q, hpos + m_verb.start(), base + rest_end, cs, ce)
                )
                prev = hd.Head(ind, base + qe, m_verb.group(0), hpos + m_verb.start(), False)
            elif m_verb is None and not q.chinese:
                st = ct.open_count(sent, base, head_text, cursor, q, rest, rest_end, cs, ce, prev)
                if st is not None:
                    out.append(st)
                    prev = hd.Head(st.indicator, base + qe, st.metric, st.start, False)
                    cursor = rest_end
                    continue
            elif m_verb is None and not stripped:
                # a counted subject and its result or honour: 3家企业入选…, 8个贫困县全部摘帽
                m_h = lx.SUBJECT_PREDICATE_RE.search(rest)
                if m_h is not None and m_h.start() > 0:
                    out.append(
                        stm.make_statement(
                            sent,
                            base,
                            rest[: m_h.start()],
                            m_h.group("verb"),
                            q,
                            q.start,
                            base + qe + m_h.end(),
                            cs,
                            ce,
                        )
                    )
            cursor = rest_end
            continue
        # a group of values joined by 、/和: 426万亩、183万吨以上
        group = [q]
        j = i + 1
        while j < len(cqs):
            gap = sent[group[-1].end - base : cqs[j].start - base]
            if not lx.GAP_LIST_RE.match(gap) or gap == "，":
                break
            nq_after_pos = cqs[j].end - base
            nq_after = sent[nq_after_pos] if nq_after_pos < ce else ""
            if nq_after and _CJK.match(nq_after) and nq_after not in _CONJ_AFTER:
                break
            group.append(cqs[j])
            j += 1
        head_text = sent[cursor:qs_]
        if (skip_future and lx.FUTURE_RE.search(head_text)) or (skip_past and lx.PAST_RE.search(head_text)):
            cursor, i = group[-1].end - base, j
            continue
        h = hd.read_head(head_text, base + cursor, prev)
        if not h.metric and not hd.continues(head_text) and last_metric and re.match(r"^其中", head_text):
            h.metric = last_metric
        _share_qualifiers(group)
        items = ls.split_list(h.indicator, h.ind_start) if (len(group) > 1 or h.distribute) else []
        if len(group) == 2 and len(items) == 1:
            items = ls.split_pair_word(h.indicator, h.ind_start) or items
        if len(items) == len(group) > 1 or (len(group) == 1 and h.distribute):
            items = ls.share_subject(ls.share_measure(items))
        elif len(group) == 1 and "等" not in h.indicator:
            shared = ls.one_value_list(h.indicator, h.ind_start)
            if shared:
                items, h.distribute = shared, True  # 规上工业增加值、固定资产投资增长7%
        if len(group) > 1 and len(items) == len(group):
            for (ind, off), gq in zip(items, group, strict=True):
                out.append(stm.make_statement(sent, base, hd.strip_trail(ind), h.metric, gq, off, gq.end, cs, ce))
        elif len(group) == 1 and h.distribute and len(items) > 1:
            for ind, off in items:
                out.append(
                    stm.make_statement(sent, base, hd.strip_trail(ind), h.metric, group[0], off, group[0].end, cs, ce)
                )
        else:
            for gq in group:
                out.append(stm.make_statement(sent, base, h.indicator, h.metric, gq, h.quote_start, gq.end, cs, ce))
        prev = h
        cursor = group[-1].end - base
        i = j
    return out




def _share_qualifiers(group: list[Quantity]) -> None:
    """``45微克、60微克以下``: a trailing qualifier and a 每… rate apply to every value of a list."""
    if len(group) < 2:
        return
    last = group[-1]
    last_mult = last.unit[: len(last.unit) - len(last.base_unit)] if last.unit and last.base_unit else ""
    per = next(
        (g.unit.split("/", 1)[1] for g in group if g.unit and "/" in g.unit and "吨/" not in g.unit), None
    )
    for k, g in enumerate(group):
        unit = g.unit
        if last_mult and unit == last_mult and last.unit != unit:
            unit = last.unit  # 10.6万、3.8万、3.3万平方公里
        if per and unit and "/" not in unit:
            unit = f"{unit}/{per}"
        comparator = g.comparator
        if comparator == "=" and last.suffix and k < len(group) - 1:
            comparator = last.comparator
        if unit != g.unit or comparator != g.comparator:
            group[k] = Quantity(
                g.start,
                g.end,
                g.value,
                g.value_max,
                unit,
                comparator,
                g.prefix,
                g.suffix,
                g.chinese,
                g.unit_end,
            )

