"""Background jobs (APScheduler): BPMN timer sweeps and deadline alerts, run as their own process."""
