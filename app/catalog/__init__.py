"""Procedure catalogue: what can be filed, where, in how many working days, with which documents and fees."""
