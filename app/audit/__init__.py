"""Tamper-evident history of every dossier: an append-only, hash-chained event log."""
