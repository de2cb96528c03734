"""Corpus mode: many reports extracted into one queryable SQLite file.

Separate from the ledger database on purpose: a corpus is a research artefact (every report of a
province over ten years, say) that can be rebuilt from its folder at any time.
"""
