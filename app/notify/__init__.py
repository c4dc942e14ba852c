"""Citizen notifications: an outbox filled in the same transaction as each status change, delivered by the scheduler."""
