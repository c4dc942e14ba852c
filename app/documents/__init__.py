"""Documents: standard slips as PDF, scanned attachments, signed electronic results (issue 21)."""
