"""Motcua: case management for Vietnamese one-stop public administration centers."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from app.config import build_config
from app.core.db import configure_sqlite, install_read_commit
from app.core.headers import CSP
from app.core.jsonguard import GuardedJSONProvider
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application; `config` overrides the environment (tests pass theirs)."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = GuardedJSONProvider(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(build_config(Path(app.instance_path)))
    app.config.update(config or {})

    from app.core.logging import configure_logging

    configure_logging(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _install_web_hooks(app)
    _connect_signals()
    _init_workflow(app)
    _init_documents(app)
    return app


def _select_locale() -> str:
    if not has_request_context():  # CLI, scheduler, demo loader: messages in the legal language
        return "vi"
    lang = session.get("lang")
    if lang in ("vi", "en"):
        return lang
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    return "vi"


def _init_extensions(app: Flask) -> None:
    importlib.import_module("app.models")  # registers every table before anything queries

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10_000))
    install_read_commit(app, db)  # after init_app: its teardown must run before the session's
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    _init_limiter(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"

    from app.auth.models import User

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        """The session's user, unless disabled or the session predates a logout / password change."""
        from app.auth.views import SESSION_VERSION_KEY

        user = db.session.get(User, int(user_id))
        if user is None or not user.is_enabled or session.get(SESSION_VERSION_KEY) != user.session_version:
            return None
        return user


def _init_limiter(app: Flask) -> None:
    """One limiter for the app; its storage is RATELIMIT_STORAGE_URI (Redis, shared by every worker)."""
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://") and not (app.debug or app.testing):
        app.logger.warning("Rate limits kept in memory: per worker and lost on restart. "
                           "Set MOTCUA_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 in production.")
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.api import init_api
    from app.audit.views import bp as audit_bp
    from app.auth.admin_views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.catalog.views import bp as catalog_bp
    from app.citizen.views import bp as citizen_bp
    from app.designer.views import bp as designer_bp
    from app.documents.views import bp as documents_bp
    from app.dossiers.views import bp as dossiers_bp
    from app.inbox.views import bp as inbox_bp
    from app.main.views import bp as main_bp
    from app.notify.admin_views import bp as message_templates_bp
    from app.notify.views import bp as notify_bp
    from app.payments.views import bp as payments_bp
    from app.postal.views import bp as postal_bp
    from app.reports.views import bp as reports_bp
    from app.scheduler.views import bp as scheduler_bp
    from app.tokens.views import bp as tokens_bp

    for blueprint in (main_bp, auth_bp, admin_bp, inbox_bp, dossiers_bp, citizen_bp, tokens_bp, designer_bp,
                      audit_bp, catalog_bp, notify_bp, message_templates_bp, scheduler_bp, reports_bp, documents_bp,
                      payments_bp, postal_bp):
        app.register_blueprint(blueprint)
    init_api(app)


def _register_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.calendar.cli import calendar_cli
    from app.catalog.cli import catalog_cli
    from app.demo.cli import demo_cli
    from app.designer import cli as _designer_cli  # noqa: F401  (adds `models migrate` to models_cli)
    from app.scheduler.cli import scheduler_cli, timers_cli
    from app.tokens.cli import tokens_cli
    from app.workflow.cli import models_cli

    for group in (users_cli, demo_cli, models_cli, catalog_cli):
        app.cli.add_command(group)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(timers_cli)
    from app.audit.cli import audit_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(tokens_cli)
    from app.ops.cli import backup_command, partitions_cli, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(partitions_cli)
    from app.reports.cli import reports_cli

    app.cli.add_command(reports_cli)
    from app.documents.cli import documents_cli

    app.cli.add_command(documents_cli)




def _init_workflow(app: Flask) -> None:
    """The app's own engine runtime, with the working-time helpers BPMN scripts may call."""
    from app.calendar.script_helpers import SCRIPT_HELPERS
    from app.workflow import services as workflow

    workflow.init_app(app, SCRIPT_HELPERS)


def _init_documents(app: Flask) -> None:
    from app.documents import storage

    storage.init_app(app)


def _connect_signals() -> None:
    from app.core.signals import dossier_event_recorded, dossier_page_sections, files_submitted
    from app.documents import attachments
    from app.documents import services as documents
    from app.notify.services import on_event_recorded, page_section
    from app.reports.maintain import install as install_stat_classification

    install_stat_classification()  # Dossier.stat_* kept current in the transaction of each change
    dossier_event_recorded.connect(on_event_recorded)  # idempotent: blinker keeps one connection per receiver
    dossier_page_sections.connect(page_section)
    dossier_event_recorded.connect(documents.on_event_recorded)  # the slip an event issues, in its transaction
    dossier_page_sections.connect(documents.page_section)
    files_submitted.connect(attachments.on_files_submitted)
    from app.core.signals import fee_outstanding, intake_form_sections
    from app.documents.reuse import intake_section
    from app.payments.services import fee_outstanding as payment_fee_outstanding

    intake_form_sections.connect(intake_section)
    from app.payments.services import page_section as payment_section

    dossier_page_sections.connect(payment_section)
    fee_outstanding.connect(payment_fee_outstanding)
    from app.postal.services import page_section as postal_section

    dossier_page_sections.connect(postal_section)


def _install_web_hooks(app: Flask) -> None:
    from app.core.errors import register_error_handlers
    from app.core.jsonguard import limit_body_size, refuse_nul_characters
    from app.core.permissions import install_default_deny
    from app.core.timefmt import register_filters

    register_error_handlers(app)
    install_default_deny(app)
    limit_body_size(app)  # after the API's token check: a token holder gets the signed-in limit
    refuse_nul_characters(app)  # after the body limit: reading a form field reads the body
    register_filters(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "vi"), "request_path": request.full_path.rstrip("?")}
