"""Documents offices print, fill in and send back: the 分工方案 (xlsx/docx), progress templates
(xlsx) and the 督查通报 (docx).

Writers take plain data (``luoshi.export.model``) and return bytes, so they can be tested without a
database; ``luoshi.export.source`` builds that data from the ledger and ``luoshi.export.plan_import`` /
``luoshi.export.template_import`` write edits back through the ledger services.
``luoshi.export.downloads`` is the entry point for the web app and the CLI.
"""
