"""Row-level problems in an uploaded workbook.

An import is all or nothing: every problem found is collected as a :class:`RowError` (sheet, row,
column, what is wrong) and the whole upload is refused with one :class:`WorkbookRejected`, so that
the office can fix the sheet and send it again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from luoshi.errors import ValidationError

MAX_LISTED = 20


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # 1-based Excel row number; None for a sheet-level problem
    column: str | None  # header text (with letter), e.g. "F列（完成时限）"
    message: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”"
        if self.row is not None:
            where += f"第{self.row}行"
        if self.column:
            where += f" {self.column}"
        return f"{where}：{self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


class WorkbookRejected(ValidationError):
    """The workbook has problems; nothing was applied. ``errors`` lists them row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.sheet != "_luoshi", e.row or 0))
        shown = "；".join(str(e) for e in self.errors[:MAX_LISTED])
        more = f"；另有{len(self.errors) - MAX_LISTED}处问题" if len(self.errors) > MAX_LISTED else ""
        super().__init__(f"工作簿有{len(self.errors)}处问题，未导入任何数据：{shown}{more}")

    def to_dict(self) -> dict:
        return {"message": self.message, "errors": [e.to_dict() for e in self.errors]}
