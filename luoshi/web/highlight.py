"""Mark commitment spans in the report text (escaped), for the side-by-side review page.

Spans may nest (a target inside its task's sentence); a span that overlaps another partially is
clipped to its container so the HTML stays well formed. Each mark gets ``id="s<commitment id>"``
(the anchor the commitment list links to) and a small link back to ``#c<commitment id>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def mark_spans(text: str, spans: Iterable[tuple[int, int, int, str]]) -> Markup:
    """``spans`` = (start, end, commitment id, css kind); returns the marked-up text."""
    items = sorted(((s, e, cid, kind) for s, e, cid, kind in spans if 0 <= s < e <= len(text)),
                   key=lambda t: (t[0], -t[1], t[2]))
    # opening/closing events, clipping to the enclosing span
    out: list[str] = []
    stack: list[int] = []  # end offsets of open marks
    pos = 0

    def close_until(limit: int) -> None:
        nonlocal pos
        while stack and stack[-1] <= limit:
            end = stack.pop()
            out.append(str(escape(text[pos:end])))
            pos = end
            out.append("</mark>")

    for start, end, cid, kind in items:
        close_until(start)
        if stack:
            end = min(end, stack[-1])
            if end <= start:
                continue
        out.append(str(escape(text[pos:start])))
        pos = start
        out.append(f'<mark class="span {escape(kind)}" id="s{cid}" data-commitment="{cid}">'
                   f'<a class="ref" href="#c{cid}" aria-label="任务 {cid}">{cid}</a>')
        stack.append(end)
    close_until(len(text))
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
