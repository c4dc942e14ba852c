"""Public pages for citizens: look up a dossier, rate the service, and the counter's rating kiosk."""
