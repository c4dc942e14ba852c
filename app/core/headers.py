"""The Content-Security-Policy every page gets, and its one widening: a page whose form goes to a payment gateway."""
from __future__ import annotations

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def csp_with_form_target(origin: str) -> str:
    """The policy with `origin` (scheme://host:port) allowed as a form target (Chrome checks redirects too)."""
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}") if origin else CSP
