"""Dossiers (hồ sơ): receipt, lifecycle through the procedure's BPMN model, deadlines and results."""
