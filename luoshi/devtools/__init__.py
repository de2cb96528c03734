"""Tools for testing luoshi itself: invariant checks, data generators, benchmark helpers.

Nothing in the application imports this package; the hardening tests and ``bench/`` scripts do.
"""
