"""Flask extension singletons, bound to the app in create_app."""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.core.db import Base, RoutingSession

db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage, prefix and fallback come from RATELIMIT_* in the config (Redis in production: shared by every worker).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
