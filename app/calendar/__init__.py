"""Working days, holidays and deadlines (domain.md §3): pure rules plus the official schedules table."""
