"""REST API under /api/v1 (flask-smorest + marshmallow): one module per resource, calling the UI's services."""
from __future__ import annotations

from flask import Flask

from app.extensions import csrf

RESOURCES = ("procedures", "dossiers", "tasks", "lookup", "stats", "process_models", "audit")


def init_api(app: Flask) -> None:
    """Mount the API blueprints, the spec and the docs; token auth replaces cookies under /api/."""
    import importlib

    from app.api.auth import install_token_auth
    from app.api.docs import bp as docs_bp
    from app.api.spec import build_api

    api = build_api(app)
    app.extensions["motcua_api"] = api
    install_token_auth(app)
    for name in RESOURCES:
        blp = importlib.import_module(f"app.api.{name}").blp
        csrf.exempt(blp)  # bearer tokens, never cookies: no cross-site request can carry credentials
        api.register_blueprint(blp)
    csrf.exempt(docs_bp)
    app.register_blueprint(docs_bp)
