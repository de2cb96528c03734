"""luoshi (落实): from a government work report to a supervised implementation ledger."""

__version__ = "0.1.0"
