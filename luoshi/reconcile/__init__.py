"""Cross-year reconciliation: did the promises of report N come true in report N+1?

Indicator catalogue (``data/indicators.yaml``) and linking, target-vs-actual outcomes, promise
scorecards, the ambition check (targets below last year's results) and cross-government
comparison. Pure functions over extracted items; the corpus database feeds them
(``luoshi.corpus`` imports this package, never the reverse).
"""
