"""Comments on a commitment: leaders read everything and comment (领导批示), the office too.

Append-only: a comment is added and read, never edited or deleted (``__append_only__``: the
audit hook refuses both), and
each one lands in the audit trail like any other ledger row. Who may post or read is decided
by ``luoshi.ledger.policy`` and enforced here, so the web forms, the JSON API and any other caller
share one rule:

- post: active leaders and the supervision office (admin);
- read: those, plus liaisons of a unit assigned (lead or support) to the commitment;
- the public never.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import PermissionDenied, ValidationError
from luoshi.ledger import outbox, policy
from luoshi.ledger.audit import jsonable
from luoshi.ledger.limits import clean, length
from luoshi.ledger.models import Comment, Commitment, User

MAX_LENGTH = length("comment.body")


def add(session: Session, c: Commitment, author: User, body: str) -> Comment:
    """Add ``author``'s comment on ``c`` (checked with ``policy.may_post_comment``)."""
    if not policy.may_post_comment(author):
        raise PermissionDenied(f"用户 {author.username} 不能发表意见（仅领导和督查室）")
    text = clean("comment.body", body, multiline=True)
    if not text:
        raise ValidationError("意见内容不能为空")
    comment = Comment(commitment=c, commitment_id=c.id, author=author, author_id=author.id, body=text)
    session.add(comment)
    session.flush()
    outbox.emit(session, "comment", comment)
    return comment


def list_for(session: Session, c: Commitment, reader: User) -> list[Comment]:
    """Comments on ``c``, oldest first, if ``reader`` may read them (``policy.may_read_comments``)."""
    if not policy.may_read_comments(reader, c):
        raise PermissionDenied(f"用户 {reader.username} 不能查看任务 {c.id} 的意见")
    q = (select(Comment).where(Comment.commitment_id == c.id).options(selectinload(Comment.author))
         .order_by(Comment.created_at, Comment.id))
    return list(session.scalars(q))


def to_dict(comment: Comment) -> dict[str, Any]:
    a = comment.author
    return {"id": comment.id, "commitment_id": comment.commitment_id, "body": comment.body,
            "author": {"id": a.id, "username": a.username, "display_name": a.display_name, "role": a.role},
            "created_at": jsonable(comment.created_at)}
