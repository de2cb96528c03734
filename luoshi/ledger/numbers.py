"""Numbers as people type them, read one way wherever they come from.

A progress value reaches the ledger from a web form, the JSON API, a command-line option or a
cell of a filled-in spreadsheet; all of them go through :func:`typed_number`, so a value accepted
in one place is not refused in another. People type 12, 12.5, 12%, 1,200 and, with a Chinese input
method left in full-width mode, １２．５％ or １，２００ — all read as the number meant. Anything else
(约两成, 12万, 2024-06-30) is refused rather than guessed at, and so are NaN and infinities, which
would poison every average they enter.

Pure (no database): the spreadsheet reader uses it before anything is stored.
"""

from __future__ import annotations

import math

# the full-width forms a Chinese input method produces for the characters of a number
_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "，": ",", "％": "%", "－": "-", "＋": "+", "　": " "}
)


class NotANumber(ValueError):
    """The value is not a number a person could have meant."""


class NotFinite(NotANumber):
    """The value reads as a number, but an infinite or undefined one (inf, NaN, 1e999)."""


def typed_number(value: object) -> float | None:
    """``value`` as a float; None when nothing was typed (None, '', blanks).

    Thousands separators and one trailing percent sign are dropped (the percent is the unit of the
    field, not a division by 100). Raises :class:`NotANumber` for text that is not a number, for
    booleans, and :class:`NotFinite` for NaN and infinities.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber(value)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise NotFinite(value) from None
    else:
        text = str(value).translate(_FULL_WIDTH).strip()
        if not text:
            return None
        text = text.replace(",", "").rstrip("%")
        try:
            number = float(text)
        except ValueError:
            raise NotANumber(value) from None
    if not math.isfinite(number):
        raise NotFinite(value)
    return number
