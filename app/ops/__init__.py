"""Operations: backup and restore of the database (and the audit anchor witness that proves it)."""
