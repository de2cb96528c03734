"""Reading report files (TXT in any common encoding, PDF, DOCX) and cleaning their text."""

from luoshi.ingest.clean import clean
from luoshi.ingest.document import Document, OffsetMap, RawText

__all__ = ["Document", "OffsetMap", "RawText", "clean"]
