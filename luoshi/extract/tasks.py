"""Task ledger rows: the sentences of the plan part that commit the government to doing something.

A 重点任务分工方案 assigns each commitment of the report to a lead unit. Its rows are, almost
always, the report's sentences of this year's work: one sentence names a measure, a project or a
number one department can own. So a row here is one plan-role sentence that commits — it has an
action verb at the head of a clause (实施, 推进, 开工建设 …) or a modal (要, 将, 力争, 确保, 拟) —
minus what is not a commitment:

* headings (``一是梯次培育助企登高。`` is the section title, not a task);
* context and rhetoric: exclamations (``各位代表！``), sentences that open with the situation
  (``当前，…面临…机遇``, ``2024年是…``), the 总体要求 paragraph, lead-ins ending with ``：``,
  and sentences that recount (perfective 了) without promising anything.

A sentence that holds a target is always a row, whatever its wording; in particular the
主要预期目标 sentence is kept as one row (kind ``quantified``) so the headline targets are
linked to a ledger row like every other target, as a 分工方案 lists them with a lead unit too.

``kind``: ``quantified`` when a target lies inside the row, ``milestone`` when it commits to a
project milestone (开工建设, 建成, 竣工, 投产, 通车, 完成…工程, 启动…项目), else ``measure``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from luoshi.extract.deadlines import deadline_in
from luoshi.extract.model import Target, Task
from luoshi.ingest.document import Document
from luoshi.text.model import Outline

_ACTION = (
    "实施|推进|推动|加快|建设|开展|完善|深化|支持|打造|新增|新建|改造|改建|完成|确保|力争|争取|争创|加强|"
    "坚持|落实|培育|提升|强化|健全|开工|建成|启动|引导|扩大|优化|组织|举办|办好|抓好|抓实|创建|提高|保持|"
    "稳定|严格|规范|做好|探索|促进|实现|构建|增强|巩固|鼓励|引进|整治|治理|保障|用好|筹建|深耕|依托|围绕|"
    "按照|结合|聚焦|突出|统筹|加大|解决|减少|降低|控制|压减|打击|防范|化解|兜牢|守住|畅通|改善|修复|出台|"
    "制定|设立|建立|组建|推行|推广|实行|执行|发挥|拓展|拓宽|延伸|释放|激发|放大|挖掘|盘活|清理|整合|调整|"
    "提供|增加|扩容|织密|丰富|开发|打通|引育|激活|营造|招引|承办|编制|修订|谋划|布局|帮扶|保护|监管|运用|"
    "研发|完成|遏制|维护|弘扬|传承|发展|培养|开拓|部署|下调|降|减免|延续|延长|全面|加快|大力|积极|深入|着力|"
    "持续|进一步|继续|扎实|切实"
)


def _trie(words: set[str]) -> str:
    """An alternation of ``words`` grouped by first character (re tries alternatives one by one)."""
    groups: dict[str, list[str]] = {}
    for w in sorted(words, key=len, reverse=True):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    parts = []
    for head, tails in groups.items():
        alts = "|".join(tails)
        parts.append(re.escape(head) + (f"(?:{alts})" if alts else ""))
    return "|".join(parts)


# an action verb near the head of a clause (leading adverbs and lead-ins of up to 6 characters)
_COMMIT_VERB = re.compile(rf"(?:^|[，；：,;:])[^，；：,;:]{{0,6}}?(?:{_trie(set(_ACTION.split('|')))})")
# a modal anywhere; every alternative starts with a literal (the lookbehind on 要 is written after
# it) so that the regex engine can skip ahead to candidate characters: this runs on every sentence
_MODAL = re.compile(
    r"力争|确保|争取|要(?<![只需重主必纲摘]要)(?![求素点是害闻地件])"
    r"|，(?:我们|各地|政府)?将|；(?:我们|各地|政府)?将|：(?:我们|各地|政府)?将|拟|年内|全年"
)
_MODAL_AT_START = re.compile("(?:我们|各地|政府)?将")
_STRONG_MODAL = re.compile(r"力争|确保|争取|年内|全年")
_PERFECTIVE = re.compile(r"(?<![为除])了(?![解])|近年来|一年来|多年来|日益")
_RHETORIC_START = re.compile(
    r"^(?:各位代表|当前|让我们|20\d\d年是|今年是|过去|面对|回顾|综合研判|综合分析|实践表明|事实证明|我们深知|"
    r"做好今年|完成今年|新的一年)"
)
_OVERALL = re.compile(r"总体要求(?:是|为|：|:)")

_MILESTONE = re.compile(
    r"开工建设|开工|(?<!创)建成(?![率果效])|竣工|投产|通车|交付使用|投入使用|并网|全线贯通|"
    r"完成[^，；。]{0,40}?(?:工程|改造|改建|建设|整治)|启动[^，；。]{0,30}?(?:工程|项目|建设)"
)
_PROJECT_VERB = re.compile(r"开工建设|开工|建成|竣工|投产|通车|完成|启动(?:实施|建设)?")
_PROJECT_TAIL = re.compile(
    r"等(?:\d+个)?(?:重大|重点)?(?:交通|产业|民生)?(?:项目|工程)(?:建设)?$|(?:项目)?建设$"
)


def _commits(s: str) -> bool:
    if not s or s.endswith(("：", ":", "！", "!", "！”")):
        return False
    if _RHETORIC_START.match(s) or _OVERALL.search(s):
        return False
    verb = _COMMIT_VERB.search(s) is not None
    modal = _MODAL_AT_START.match(s) is not None or _MODAL.search(s) is not None
    if not (verb or modal):
        return False
    # recounting what happened (研判了…, 近年来…) promises nothing unless a firm modal says otherwise
    return not (_PERFECTIVE.search(s) and not _STRONG_MODAL.search(s))


def projects_in(text: str) -> list[str]:
    """Named projects a milestone clause commits to (开工建设A、B等项目 → [A, B])."""
    out: list[str] = []
    for clause in re.split(r"[，；。,;]", text):
        m = _MILESTONE.search(clause)
        if m is None:
            continue
        v = _PROJECT_VERB.search(clause, m.start())
        if v is None:
            continue
        obj = clause[v.end() :].strip()
        obj = _PROJECT_TAIL.sub("", obj)
        if not obj or re.match(r"[\d一二三四五六七八九十百千]+[个座条处项]|一批|全部|所有", obj):
            continue
        for name in obj.split("、"):
            name = name.strip()
            if len(name) >= 2 and name not in out:
                out.append(name)
    return out


def find_tasks(doc: Document, outline: Outline, targets: list[Target]) -> list[Task]:
    """The ledger rows of ``doc`` (ids K001… in text order)."""
    text = doc.text
    headings = {s.start for s in outline.sections}
    headline = outline.headline_span
    plan_year = outline.year
    ordered = sorted(targets, key=lambda t: (t.start, t.end))
    starts = [t.start for t in ordered]

    tasks: list[Task] = []
    for sent in outline.sentences_with_role("plan"):
        if sent.start in headings:
            continue
        s = text[sent.start : sent.end]
        linked = []
        i = bisect_left(starts, sent.start)
        while i < len(ordered) and ordered[i].start < sent.end:
            if ordered[i].end <= sent.end:
                linked.append(ordered[i].id)
            i += 1
        # a sentence holding a target promises it, whatever its wording
        is_headline = headline is not None and sent.start < headline[1] and headline[0] < sent.end
        if not linked and not is_headline and not _commits(s):
            continue
        projects = projects_in(s)
        if linked:
            kind = "quantified"
        elif _MILESTONE.search(s):
            kind = "milestone"
        else:
            kind = "measure"
        due: date | None = None
        if plan_year is not None:
            due = deadline_in(s, plan_year) or date(plan_year, 12, 31)
        tasks.append(
            Task(
                id=f"K{len(tasks) + 1:03d}",
                section=sent.section,
                text=s,
                start=sent.start,
                end=sent.end,
                targets=linked,
                kind=kind,
                deadline=due.isoformat() if due else None,
                projects=projects,
            )
        )
    return tasks
