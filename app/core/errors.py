"""Domain errors carry a stable code and a message in Vietnamese and English; handlers render them."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, flash, g, jsonify, redirect, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)

PROBLEM_BASE = "https://motcua.example/problems/"


class AppError(Exception):
    """A business rule refused the request; nothing was changed."""

    status = 400
    code = "bad_request"

    def __init__(self, message_vi: str, message_en: str | None = None, *, code: str | None = None,
                 status: int | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message_en or message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}

    def message(self, locale: str = "vi") -> str:
        return self.message_en if locale == "en" else self.message_vi


class NotFoundError(AppError):
    status = 404
    code = "not_found"


class PermissionDeniedError(AppError):
    status = 403
    code = "forbidden"


class ConflictError(AppError):
    status = 409
    code = "conflict"


class ValidationError(AppError):
    status = 422
    code = "validation_error"


class UploadRefusedError(ValidationError):
    """An uploaded file was refused (its content type, size or pages); the form shows it on the file field."""

    code = "upload_refused"


def _locale() -> str:
    try:
        return str(get_locale() or "vi")
    except (RuntimeError, AttributeError):
        return "vi"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem_response(status: int, code: str, title_vi: str, title_en: str, errors: dict | None = None):
    """Render an RFC 9457 problem document with both languages."""
    body = {
        "type": PROBLEM_BASE + code,
        "title": title_en,
        "status": status,
        "detail": title_vi if _locale() == "vi" else title_en,
        "detail_vi": title_vi,
        "detail_en": title_en,
        "request_id": getattr(g, "request_id", None),
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _handle_app_error(error: AppError):
    logger.info("Refused %s %s: %s / %s", request.method, request.path, error.message_vi, error.message_en)
    if _wants_json():
        return problem_response(error.status, error.code, error.message_vi, error.message_en,
                                error.details.get("errors"))
    if request.method == "POST" and error.status in (409, 422, 400):
        flash(error.message(_locale()), "danger")
        return redirect(request.referrer or request.path)
    return render_template("errors/error.html", status=error.status,
                           message=error.message(_locale())), error.status


HTTP_MESSAGES = {
    400: ("Yêu cầu không hợp lệ.", "Bad request."),
    401: ("Vui lòng đăng nhập.", "Please sign in."),
    403: ("Bạn không có quyền truy cập trang này.", "You do not have permission to access this page."),
    404: ("Không tìm thấy trang yêu cầu.", "The requested page was not found."),
    405: ("Phương thức không được hỗ trợ.", "Method not allowed."),
    410: ("Địa chỉ này không còn được hỗ trợ.", "This address is no longer supported."),
    413: ("Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    429: ("Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests, please retry later."),
    500: ("Đã xảy ra lỗi hệ thống. Vui lòng thử lại.", "An internal error occurred. Please retry."),
}


def _handle_http_error(error: HTTPException):
    status = error.code or 500
    vi, en = HTTP_MESSAGES.get(status, (error.description, error.description))
    if _wants_json():
        return problem_response(status, f"http_{status}", vi, en)
    return render_template("errors/error.html", status=status, message=vi if _locale() == "vi" else en), status


def _handle_csrf_error(error: CSRFError):
    vi, en = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). Vui lòng thử lại.", \
        "The form expired or is invalid (CSRF). Please retry."
    logger.warning("CSRF rejected on %s: %s", request.path, error.description)
    if _wants_json():
        return problem_response(400, "csrf", vi, en)
    return render_template("errors/error.html", status=400, message=vi if _locale() == "vi" else en), 400


def _handle_unexpected(error: Exception):
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    vi, en = HTTP_MESSAGES[500]
    if _wants_json():
        return problem_response(500, "internal", vi, en)
    return render_template("errors/error.html", status=500, message=vi if _locale() == "vi" else en), 500


def register_error_handlers(app: Flask) -> None:
    """Install the single set of error handlers (HTML pages and problem+json for /api)."""
    app.register_error_handler(AppError, _handle_app_error)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, _handle_unexpected)
