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
from dataclasses import dataclass

from luoshi.extract import lexicon as lx
from luoshi.extract import lists as ls
from luoshi.extract.numbers import COUNT_UNITS, MEASURE_UNITS, Quantity, find_quantities

_PUNCT_AFTER = set("，。；、：！？）)”’》,.;:!?")
_CONJ_AFTER = set("和及与")
_CJK = re.compile(r"[\u4e00-\u9fff“《]")
# words between a verb and the count it governs that belong to the counted noun (提振消费)
_BETWEEN_RE = re.compile(r"[\u4e00-\u9fff]{2,6}")
# a number with its measure word inside a list item (9个, 8届), not a digit of a name (PM2.5)
_OWN_COUNT_RE = re.compile(r"(?<![A-Za-z.\d])\d+(?:\.\d+)?[\u4e00-\u9fff]")
_MAGNITUDES = frozenset({"万", "亿", "万亿"})
_PEOPLE_UNITS = frozenset({"人", "人次", "名", "户"})
# a verb right before the count it governs (实施79个, 完成了3个) and anywhere before it
_VERB_FIRST_END_LE_RE = re.compile(rf"(?:{lx.VERB_FIRST})(?:了)?$")
_VERB_FIRST_ANY_RE = re.compile(rf"(?:{lx.VERB_FIRST})")
_ITEM_SEP_RE = re.compile(r"[、，；。]")
_REACHES_RE = re.compile(r"(?:年限|寿命|年龄)(?:达到|提高到|提高至|为)$")


@dataclass
class Statement:
    """One quantified statement found in a sentence (offsets into the document text)."""

    indicator: str
    metric: str
    quantity: Quantity
    comparator: str
    modality: str
    start: int
    end: int
    clause_start: int
    clause_end: int


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
        if q.unit == "%" and _share_opens(sent, s - len(q.prefix or "")):
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
    return False


_SHARE_HEAD_END_RE = re.compile(rf"(?:{lx.VERB_FIRST}|{lx.VERB_AFTER}|在|对|为|向|选择|推动|推进|使|让)(?:到|至|在)?$")


def _share_opens(sent: str, s: int) -> bool:
    """Nothing but lead words, a verb or a preposition stands before the share in its clause
    (含油量66%的油菜品种 has a noun there: the share is a property of what follows)."""
    clause_start = max((sent.rfind(c, 0, s) for c in "，；：。、"), default=-1) + 1
    head, _ = _strip_lead(sent[clause_start:s], 0)
    return not head or _SHARE_HEAD_END_RE.search(head) is not None


def _continues(head: str) -> bool:
    """The text before a value opens with a list separator: the list goes on (``、城区道路绿化节点``)."""
    return head[:1] in ("、", "和", "及", "与")


def _strip_lead(text: str, start: int) -> tuple[str, int]:
    m = lx.LEAD_RE.match(text)
    if m:
        return text[m.end() :], start + m.end()
    return text, start


def _strip_trail(text: str) -> str:
    text = lx.FROM_RE.sub("", text)
    text = re.sub(r"(?:(?:较|比)[^，、；]{0,5}前|(?:[一二三四五六七八九十]+|\d+)年)$", "", text)
    text = re.sub(r"[、，,和及与等]+$", "", text)
    return lx.TRAIL_RE.sub("", text)


@dataclass
class _Head:
    indicator: str
    ind_start: int
    metric: str
    quote_start: int
    distribute: bool


def _read_head(head: str, start: int, prev: _Head | None) -> _Head:
    """Indicator and metric from the text before a value (``start`` = its offset)."""
    text, pos = _strip_lead(head, start)
    text = lx.NEGATED_CMP_RE.sub("", text)
    text_np = lx.NUM_PREFIX_RE.sub("", text) if not lx.VERB_AFTER_END_RE.search(text) else text
    # indicator first: 生产总值增长, 规上工业企业达到, 城镇调查失业率全年控制在
    m_after = lx.VERB_AFTER_END_RE.search(text_np)
    m_first = lx.VERB_FIRST_RE.match(text_np)
    if m_first and (not m_after or m_after.start() < m_first.end() or m_first.end() == m_after.end()):
        rest = text_np[m_first.end() :]
        ind = _strip_trail(rest)
        ind_off = pos + m_first.end()
        if not ind and prev is not None:
            return _Head(prev.indicator, prev.ind_start, m_first.group(0), pos, False)
        return _Head(ind or rest, ind_off, m_first.group(0), pos, False)
    if m_after:
        before = text_np[: m_after.start()]
        m_light = lx.LIGHT_VERB_RE.match(before)
        if m_light:
            before, pos = before[m_light.end() :], pos + m_light.end()  # 实现有效发明专利增长
        distribute = bool(lx.DISTRIBUTE_RE.search(before))
        cut = _finished_items_end(before)
        if cut and not _strip_trail(before[cut:]):
            # nothing left: what the finished item counted names it (举办8届全国双创活动周、超过…)
            last = list(_OWN_COUNT_RE.finditer(before, 0, cut))
            if last:
                cut = last[-1].end()
        before, pos = before[cut:], pos + cut
        ind = _strip_trail(before)
        verb = m_after.group("verb")
        if not ind:
            if prev is not None:
                return _Head(prev.indicator, prev.ind_start, verb, pos, False)
            return _Head("", pos, verb, pos, False)
        return _Head(ind, pos, verb, pos, distribute)
    m_end = lx.VERB_FIRST_END_RE.search(text_np)
    if m_end and m_end.start() > 0:
        # 从失业保险基金结余中拿出1000亿元: what the money comes from names it
        source = re.sub(r"^(?:从|由)(.+?)(?:中|里)?$", r"\1", text_np[: m_end.start()])
        return _Head(_strip_trail(source), pos, m_end.group(0), pos, False)
    m_any = lx.VERB_FIRST_ANY_RE.search(text_np)
    continues = prev is not None and _continues(head)
    if (
        m_any
        and m_any.end() < len(text_np)
        and not continues
        and not ls.inside(m_any.start(), ls.quoted_spans(text_np))
    ):
        # 城镇新增就业1100万人: the verb sits inside the indicator
        return _Head(_strip_trail(text_np), pos, m_any.group(0), pos, False)
    ind = _strip_trail(text_np)
    metric = prev.metric if prev is not None and _continues(head) else ""
    if not ind and prev is not None:
        return _Head(prev.indicator, prev.ind_start, metric, pos, False)
    return _Head(ind, pos, metric, pos, False)


def _finished_items_end(text: str) -> int:
    """Where the indicator starts after list items that are clauses of their own.

    ``黑臭水体动态清零、9个国省控河流断面优良水体比例``: the item before 、 has its own predicate
    (清零) or its own number, so it is no part of the indicator that follows.
    """
    cut = 0
    for m in re.finditer("、", text):
        piece = text[cut : m.start()]
        if lx.PREDICATE_END_RE.search(piece) or _OWN_COUNT_RE.search(piece):
            cut = m.end()
    return cut


def _modality(sent: str, upto: int) -> str:
    found = "预期"
    scope = 0
    for m in lx.MODAL_SCOPE_END_RE.finditer(sent, 0, upto):
        scope = m.end()
    for m in lx.MODAL_RE.finditer(sent, scope, upto):
        found = lx.MODALITY[m.group(0)]
    return found


def _comparator(q: Quantity, metric: str) -> str:
    if q.comparator != "=":
        return q.comparator
    if metric in ("突破", "超过"):
        return ">="
    if metric in ("控制", "控制在"):
        return "<="
    if q.value_max is not None:
        return ">="  # 增长5%—5.5%, 培育2—3个: the lower end is the floor, value_max the aim
    return "="


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
        if 2 <= len(subject) <= 8 and _CJK_ONLY_RE.fullmatch(subject):
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
    prev: _Head | None = None
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
            if i < len(cqs) and not sep and _qualifies_next(sent[cursor:qs_], rest, q, conj is not None):
                # 9个国省控河流断面优良水体比例达到100%, 8所高校14个学科入选…: a count followed by
                # another value of its own item only says where or of what
                continue
            head_text = sent[cursor:qs_]
            stripped, hpos = _strip_lead(head_text, base + cursor)
            countable = (
                q.base_unit in COUNT_UNITS
                or q.base_unit in MEASURE_UNITS
                or (q.unit in _MAGNITUDES and not q.chinese)  # 3700多万学生受益: people counted
            )
            m_verb = _VERB_FIRST_END_LE_RE.search(stripped) if countable else None
            if rest.startswith("方面") or (q.base_unit == "次" and lx.ANY_VERB_START_RE.match(rest)):
                cursor = rest_end  # 8个方面90项政策措施, 先后4次降准: not counts of results
                continue
            if m_verb is None and lx.ANY_VERB_START_RE.match(rest):
                # 赤字率按2.8%左右安排: a value followed by its verb
                h = _read_head(head_text, base + cursor, prev)
                verb = lx.ANY_VERB_START_RE.match(rest).group(0)  # type: ignore[union-attr]
                metric = h.metric or verb
                # the quote runs through the verb: 赤字率拟按2.8%左右安排
                out.append(
                    _stmt(sent, base, h.indicator, metric, q, h.quote_start, q.end + len(verb), cs, ce)
                )
                prev, cursor = h, qe
                continue
            if not countable:
                if q.unit == "%" and not q.chinese:
                    st = _share_before_noun(sent, base, head_text, cursor, q, rest, rest_end, cs, ce, prev)
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
            if m_verb is None and not stripped and prev is not None and _continues(head_text):
                # 争创2个省级齐鲁样板示范区、1个省级衔接推进区: the verb is shared; a last item
                # with its own predicate names the subject only (…、28个全国重点实验室在川布局)
                m_own = lx.PREDICATE_START_RE.search(ind, 2)
                if m_own is not None:
                    ind = ind[: m_own.start()]
                out.append(_stmt(sent, base, ind, prev.metric, q, q.start, base + rest_end, cs, ce))
                cursor = rest_end
                continue
            if m_verb is not None and ind:
                out.append(
                    _stmt(sent, base, ind, m_verb.group(0), q, hpos + m_verb.start(), base + rest_end, cs, ce)
                )
                prev = _Head(ind, base + qe, m_verb.group(0), hpos + m_verb.start(), False)
            elif m_verb is None and not q.chinese:
                st = _open_count(sent, base, head_text, cursor, q, rest, rest_end, cs, ce, prev)
                if st is not None:
                    out.append(st)
                    prev = _Head(st.indicator, base + qe, st.metric, st.start, False)
                    cursor = rest_end
                    continue
            elif m_verb is None and not stripped:
                # a counted subject and its result or honour: 3家企业入选…, 8个贫困县全部摘帽
                m_h = lx.SUBJECT_PREDICATE_RE.search(rest)
                if m_h is not None and m_h.start() > 0:
                    out.append(
                        _stmt(
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
        h = _read_head(head_text, base + cursor, prev)
        if not h.metric and not _continues(head_text) and last_metric and re.match(r"^其中", head_text):
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
                out.append(_stmt(sent, base, _strip_trail(ind), h.metric, gq, off, gq.end, cs, ce))
        elif len(group) == 1 and h.distribute and len(items) > 1:
            for ind, off in items:
                out.append(
                    _stmt(sent, base, _strip_trail(ind), h.metric, group[0], off, group[0].end, cs, ce)
                )
        else:
            for gq in group:
                out.append(_stmt(sent, base, h.indicator, h.metric, gq, h.quote_start, gq.end, cs, ce))
        prev = h
        cursor = group[-1].end - base
        i = j
    return out


def _qualifies_next(head: str, rest: str, q: Quantity, listed: bool) -> bool:
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
_CJK_ONLY_RE = re.compile(r"[\u4e00-\u9fff]+")
# what follows a percentage that is a property of a rule, not a share of a set: 6%一档的税率,
# 加计扣除75%政策, 5%的增速
_SHARE_OF_RATE_RE = re.compile(
    r"^(?:的)?(?:增速|增长|增幅|水平|幅度|速度|比例|比重|左右|以上|以下|目标|政策|一?档|税率|费率|利率|部分|标准|优惠)"
)


def _metric_of(head: str) -> str:
    """The verb of a head that ends in a verb no list names (优化, 建强, 分类推进 → 推进)."""
    runs = _CJK_ONLY_RE.findall(head)
    if not runs or not head.endswith(runs[-1]):
        return ""
    run = runs[-1]
    if len(head) > len(run) and head[-len(run) - 1].isdigit() and (run[0] in COUNT_UNITS or run[:2] in COUNT_UNITS):
        return ""  # 8所高校14个学科入选…: a counted noun before the count, not its verb
    core = lx.ADVERB_LEAD_RE.sub("", runs[-1])  # 在第15届全国运动会上冬夏项目共获得 → 获得
    if not core or core[-1] in "和及与或" or lx.SCOPE_RE.fullmatch(core):
        return ""  # 力争10个学科…, 年内110项高频事项…, 七大主导产业和12个…: what follows is the subject
    return core if len(core) <= 4 else core[-2:]


def _drop_enumeration(head: str) -> tuple[str, bool]:
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


def _open_count(
    sent: str,
    base: int,
    head_text: str,
    cursor: int,
    q: Quantity,
    rest: str,
    rest_end: int,
    cs: int,
    ce: int,
    prev: _Head | None,
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
    counted = q.base_unit in COUNT_UNITS or q.base_unit in _PEOPLE_UNITS or q.unit in _MAGNITUDES
    if not counted and not (m_prep and m_prep.group("prep") in "把将"):
        return None  # 用好1800亿元引导基金: an amount or measure before a noun describes it
    m_after = lx.VERB_AFTER_END_RE.search(core)
    if m_after and _LEVEL_VERB_RE.search(m_after.group(0)):
        h = _read_head(head_text, base + cursor, prev)
        if len(h.indicator) >= 2:
            # 试点扩大到1000个县, 能繁母猪存栏量保持在16万头合理区间: a level the indicator reaches
            return _stmt(sent, base, h.indicator, h.metric, q, h.quote_start, base + rest_end, cs, ce)
    if m_prep:
        # 为10万名残疾人提供基本康复服务: the beneficiaries, then the action done for them
        m_v = lx.VERB_FIRST_ANY_RE.search(rest, 2) or lx.PREDICATE_START_RE.search(rest, 2)
        ind = rest[: m_v.start()] if m_v else rest
        metric = m_v.group(0) if m_v else m_prep.group("prep")
        start = base + core_start + m_prep.start("prep")
        return _stmt(sent, base, ind, metric, q, start, base + rest_end, cs, ce)
    verb_part, enumerated = _drop_enumeration(core)
    if core.endswith("的"):
        metric = ""  # 纳入国家102项重大工程的285个计划新开工项目全部开工: what follows 的 is the subject
    elif enumerated:
        # 推进中核汇能通榆、华电榆树等5个…项目建设: the verb opens the first named member; named
        # subjects with a predicate of their own (兰州新区、西固2个化工园区入围全国百强) have none
        named = lx.ADVERB_LEAD_RE.sub("", re.split(r"[”’》」）)\"]", verb_part)[-1])
        has_predicate = lx.PREDICATE_START_RE.search(rest, 2) is not None
        verb = named[:2]
        metric = verb if len(named) >= 3 and not has_predicate and _CJK_ONLY_RE.fullmatch(verb) else ""
    else:
        metric = _metric_of(verb_part) if verb_part else ""
    if metric in ("包括", "包含", "涵盖", "即", "是") or (
        enumerated and re.search("包括|包含|涵盖|(?:^|[”」])(?:即|是)", verb_part)
    ):
        return None  # 包括都江堰灌区、…6个工程: a definition, not a statement
    if metric:
        return _stmt(sent, base, rest, metric, q, base + core_start, base + rest_end, cs, ce)
    # a counted subject and what it did or reached: 21个产业创新聚集区启动建设
    m_h = lx.SUBJECT_PREDICATE_RE.search(rest)
    if m_h is not None and m_h.start() > 0:
        # 8个贫困县全部摘帽: the adverbs before the predicate belong to neither
        end = base + rest_end - len(rest) + m_h.end()
        return _stmt(sent, base, rest[: m_h.start()], m_h.group("verb"), q, base + core_start, end, cs, ce)
    m_p = lx.PREDICATE_START_RE.search(rest, 2) or lx.PREDICATE_VERB_RE.search(rest, 2)
    if m_p is None and sent[rest_end : rest_end + 1] == "、":
        # 10家单位、10名个人获全国…表彰: the items of a list of counted subjects share the predicate
        m_later = lx.PREDICATE_VERB_RE.search(sent, rest_end + 1, ce)
        if m_later is not None:
            return _stmt(sent, base, rest, m_later.group(0), q, base + core_start, base + rest_end, cs, ce)
    if m_p is None and not enumerated:
        return None  # 20家企业参展, 我国有2.9亿在校学生: a counted subject with no result
    ind = rest[: m_p.start()] if m_p else rest
    return _stmt(sent, base, ind, m_p.group(0) if m_p else "", q, base + core_start, base + rest_end, cs, ce)


def _share_before_noun(
    sent: str,
    base: int,
    head_text: str,
    cursor: int,
    q: Quantity,
    rest: str,
    rest_end: int,
    cs: int,
    ce: int,
    prev: _Head | None,
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
    stripped, hpos = _strip_lead(head_text, base + cursor)
    m_after = lx.VERB_AFTER_END_RE.search(stripped)
    if m_after and _LEVEL_VERB_RE.search(m_after.group(0)):
        h = _read_head(head_text, base + cursor, prev)
        if len(h.indicator) >= 2:
            # 试点范围扩大到60%的县（市、区）
            return _stmt(sent, base, h.indicator, h.metric, q, h.quote_start, base + rest_end, cs, ce)
    m_v = lx.VERB_FIRST_END_RE.search(stripped)
    if m_v:
        # 优质公办幼儿园覆盖92%乡镇, 选择20%的集镇实施…
        ind = stripped[: m_v.start()] + m_v.group(0) + rest if m_v.start() > 0 else rest
        return _stmt(sent, base, ind, m_v.group(0), q, hpos, base + rest_end, cs, ce)
    m_p = lx.PREDICATE_START_RE.search(rest, 1)
    metric = m_p.group(0) if m_p else ""
    stripped = re.sub(r"(?:在|对|向|为)$", "", stripped)  # 在70%左右的地市开展…
    # 城市建成区44%以上面积达标, 50%县区基本达到…标准
    return _stmt(sent, base, _strip_trail(stripped) + rest, metric, q, hpos, base + rest_end, cs, ce)


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


def _stmt(
    sent: str, base: int, indicator: str, metric: str, q: Quantity, qstart: int, qend: int, cs: int, ce: int
) -> Statement:
    start = min(qstart, q.start)
    return Statement(
        indicator=indicator.strip("，、；：,;: "),
        metric=metric,
        quantity=q,
        comparator=_comparator(q, metric),
        modality=_modality(sent, q.start - base),
        start=start,
        end=max(qend, q.end),
        clause_start=base + cs,
        clause_end=base + ce,
    )
