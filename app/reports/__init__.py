"""Statistics and reports on dossiers (on-time rate by the legal due date, Circular 01/2018 index 1)."""
