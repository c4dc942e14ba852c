"""Import every feature's models so SQLAlchemy metadata (and Alembic autogenerate) sees all tables."""
from app.audit import models as audit_models  # noqa: F401
from app.auth import models as auth_models  # noqa: F401
from app.calendar import models as calendar_models  # noqa: F401
from app.catalog import models as catalog_models  # noqa: F401
from app.citizen import models as citizen_models  # noqa: F401
from app.designer import models as designer_models  # noqa: F401
from app.documents import models as document_models  # noqa: F401
from app.dossiers import models as dossier_models  # noqa: F401
from app.history import models as history_models  # noqa: F401
from app.inbox import models as inbox_models  # noqa: F401
from app.notify import models as notify_models  # noqa: F401
from app.payments import models as payment_models  # noqa: F401
from app.postal import models as postal_models  # noqa: F401
from app.reports import models as report_models  # noqa: F401
from app.scheduler import models as scheduler_models  # noqa: F401
from app.tokens import models as token_models  # noqa: F401
from app.workflow import models as workflow_models  # noqa: F401
