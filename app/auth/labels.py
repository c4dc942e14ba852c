"""Human labels of role and agency-level codes (Vietnamese source strings, English from the catalog)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE = {"receiver": _l("Tiếp nhận"), "specialist": _l("Chuyên viên"), "leader": _l("Lãnh đạo"),
        "clerk": _l("Văn thư"), "returner": _l("Trả kết quả"), "admin": _l("Quản trị"),
        "designer": _l("Thiết kế quy trình"), "auditor": _l("Thanh tra"), "supervisor": _l("Giám sát")}
LEVEL = {"province": _l("Tỉnh"), "district": _l("Huyện (trước 01/7/2025)"), "commune": _l("Xã, phường"),
         "department": _l("Sở, ngành"), "center": _l("Trung tâm Phục vụ hành chính công"),
         "vertical": _l("Cơ quan ngành dọc")}
