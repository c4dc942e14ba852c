"""The dossier's append-only, hash-chained history: written by the lifecycle, read by the auditor's features."""
