"""Plumbing shared by every feature: database helpers, errors, permissions, logging, formatting."""
