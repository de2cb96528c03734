"""Edit an office file the way a person does in LibreOffice, then let LibreOffice save it.

Runs under the system Python that has LibreOffice's ``uno`` module (not the project's venv):
``python3 unodriver.py PIPE IN OUT OPS_JSON`` connects to a headless soffice listening on the
named pipe PIPE (started by the test session with a private profile), opens IN, applies the
operations of OPS_JSON (a list of objects, see ``apply``) through the same UNO calls the Calc user
interface makes (typing goes through ``.uno:EnterString``, so ``40%`` typed into a General cell
becomes 0.4 in a percent cell exactly as at the keyboard), and stores the document as OUT in the
format its extension names (``.pdf`` prints it). Exit status 0 on success; errors go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.table import CellAddress  # type: ignore[import-not-found]

FILTERS = {".xlsx": "Calc MS Excel 2007 XML", ".ods": "calc8", ".docx": "MS Word 2007 XML",
           ".csv": "Text - txt - csv (StarCalc)"}


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 90
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise SystemExit(f"no soffice listening on pipe {pipe}") from None
            time.sleep(0.3)


def row_index(sheet: object, row: int) -> int:
    return row - 1


def apply(doc: object, ctx: object, op: dict) -> None:
    """One edit. Rows are 1-based as a person reads them; cells are A1 references."""
    smgr = ctx.ServiceManager
    sheet = doc.Sheets.getByName(op["sheet"]) if "sheet" in op else doc.Sheets.getByIndex(0)
    kind = op["op"]
    if kind == "unprotect":
        sheet.unprotect("")
    elif kind == "delete_row":
        sheet.Rows.removeByIndex(row_index(sheet, op["row"]), op.get("count", 1))
    elif kind == "insert_row":
        sheet.Rows.insertByIndex(row_index(sheet, op["row"]), op.get("count", 1))
    elif kind == "set":  # a plain string, as pasted text
        sheet.getCellRangeByName(op["cell"]).setString(op["text"])
    elif kind == "type":  # keyboard input, parsed by Calc as typed
        controller = doc.getCurrentController()
        controller.setActiveSheet(sheet)
        controller.select(sheet.getCellRangeByName(op["cell"]))
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        dispatcher.executeDispatch(controller.getFrame(), ".uno:EnterString", "", 0, (prop("StringName", op["input"]),))
    elif kind == "move_row":  # cut a row and insert it before another (rows as before the move)
        src, dest = op["row"], op["before"]
        sheet.Rows.insertByIndex(dest - 1, 1)
        if src >= dest:
            src += 1
        target = CellAddress(sheet.RangeAddress.Sheet, 0, dest - 1)
        sheet.moveRange(target, sheet.getCellRangeByName(f"A{src}:AMJ{src}").RangeAddress)
        sheet.Rows.removeByIndex(src - 1, 1)
    elif kind == "sort":  # sort a block of rows by one column (0-based within the range)
        rng = sheet.getCellRangeByName(op["range"])
        field = uno.createUnoStruct("com.sun.star.table.TableSortField")
        field.Field = op["column"]
        field.IsAscending = not op.get("descending", False)
        rng.sort((prop("SortFields", uno.Any("[]com.sun.star.table.TableSortField", (field,))),
                  prop("ContainsHeader", False)))
    elif kind == "hide_sheet":
        sheet.IsVisible = False
    else:
        raise SystemExit(f"unknown operation {kind!r}")


def main(argv: list[str]) -> int:
    pipe, src, out, ops_json = argv
    ops = json.loads(ops_json)
    ctx = connect(pipe)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0,
                                       (prop("Hidden", True),))
    if doc is None:
        raise SystemExit(f"LibreOffice could not open {src}")
    try:
        for op in ops:
            apply(doc, ctx, op)
        ext = os.path.splitext(out)[1].lower()
        if ext == ".pdf":
            calc = doc.supportsService("com.sun.star.sheet.SpreadsheetDocument")
            name = "calc_pdf_Export" if calc else "writer_pdf_Export"
        else:
            name = FILTERS[ext]
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)), (prop("FilterName", name),))
    finally:
        doc.close(True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
