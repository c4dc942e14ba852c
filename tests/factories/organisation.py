"""The tests' organisation: one province with its service center, departments, vertical branches and communes, and
officials holding roles per agency; created through the real auth services (policy, hashing, agency paths).

It is the tests' own copy, so a change to the demo data set (`app/demo`) cannot change what a test sees. Codes and
usernames are the ones the tests type (login forms, agency pickers); the BPMN models' agency keys map onto them.
"""
from __future__ import annotations

from sqlalchemy import select

from app.auth import services as auth
from app.auth.models import Agency, RoleAssignment, User
from app.extensions import db

PASSWORD = "motcua-demo"  # noqa: S105 - what the tests type in the login form for every official below
CENTER = "H38.TTPVHCC"  # the provincial public administration service center (counter of most procedures)
COMMUNES = ("14797", "15880", "16195")

# (code, e-identifier, name, English name, level, parent code): parents before children.
AGENCIES = [
    ("38", "000.00.00.H38", "UBND tỉnh Thanh Hóa", "Thanh Hoa Provincial People's Committee", "province", None),
    (CENTER, "000.00.12.H38", "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
     "Thanh Hoa Public Administration Service Center", "center", "38"),
    ("H38.SNV", "000.00.05.H38", "Sở Nội vụ (lĩnh vực lao động)", "Department of Home Affairs (labour)",
     "department", "38"),
    ("H38.SXD", "000.00.08.H38", "Sở Xây dựng", "Department of Construction", "department", "38"),
    ("H38.STP", "000.00.10.H38", "Sở Tư pháp", "Department of Justice", "department", "38"),
    ("H38.CA", "000.00.30.H38", "Công an tỉnh Thanh Hóa", "Provincial Police", "vertical", "38"),
    ("H38.BHXH", "000.00.31.H38", "Bảo hiểm xã hội tỉnh Thanh Hóa", "Provincial Social Insurance", "vertical", "38"),
    ("H38.BHXH.CS1", "000.31.01.H38", "Bảo hiểm xã hội cơ sở Hạc Thành", "Hac Thanh Social Insurance Office",
     "vertical", "H38.BHXH"),
    ("14797", "000.01.23.H38", "UBND phường Hạc Thành", "Hac Thanh Ward People's Committee", "commune", "38"),
    ("15880", "000.02.23.H38", "UBND xã Đông Sơn", "Dong Son Commune People's Committee", "commune", "38"),
    ("16195", "000.03.23.H38", "UBND xã Quảng Xương", "Quang Xuong Commune People's Committee", "commune", "38"),
    ("14797.CA", "000.30.01.H38", "Công an phường Hạc Thành", "Hac Thanh Ward Police", "vertical", "H38.CA"),
    ("15880.CA", "000.30.02.H38", "Công an xã Đông Sơn", "Dong Son Commune Police", "vertical", "H38.CA"),
    ("16195.CA", "000.30.03.H38", "Công an xã Quảng Xương", "Quang Xuong Commune Police", "vertical", "H38.CA"),
]

# The models' symbolic agency keys (bpmn/procedures.json, `agency` properties) → the agencies above.
AGENCY_KEYS = {
    "labour": "H38.SNV", "home_affairs": "H38.SNV", "construction": "H38.SXD", "justice": "H38.STP",
    "police": "H38.CA", "commune_police": "{commune}.CA", "social_insurance": "H38.BHXH.CS1",
    "province_committee": "38", "center": CENTER, "commune": "14797",
}

_DESK = ("specialist", "leader", "clerk")  # a small unit where one official does every step of its part

# username → (full name, grants "role" or "role@agency code"). Lookups take the lowest id: list order matters.
# Only who the tests sign in as or the models route work to (the justice department and the provincial police
# and social insurance headquarters have no official: no procedure sends them a step).
OFFICIALS = {
    "admin": ("Quản trị hệ thống", ["admin"]),
    "designer": ("Nguyễn Thị Thiết Kế", ["designer"]),
    "auditor": ("Trần Văn Thanh Tra", ["auditor"]),
    "tiepnhan": ("Lê Thị Tiếp Nhận", [f"receiver@{CENTER}", f"returner@{CENTER}"]),
    "chuyenvien.snv": ("Phạm Văn Thụ Lý", ["specialist@H38.SNV"]),
    "lanhdao.snv": ("Hoàng Văn Lãnh Đạo", ["leader@H38.SNV"]),
    "vanthu.snv": ("Đỗ Thị Văn Thư", ["clerk@H38.SNV"]),
    "chuyenvien.sxd": ("Vũ Minh Xây Dựng", ["specialist@H38.SXD"]),
    "lanhdao.sxd": ("Bùi Quang Duyệt", ["leader@H38.SXD"]),
    "vanthu.sxd": ("Ngô Thị Đóng Dấu", ["clerk@H38.SXD"]),
    "hacthanh": ("Trịnh Thị Một Cửa", ["receiver@14797", "returner@14797", "specialist@14797"]),
    "lanhdao.hacthanh": ("Cao Văn Chủ Tịch", ["leader@14797", "clerk@14797"]),
    "congan.hacthanh": ("Lương Văn Cư Trú", [f"{r}@14797.CA" for r in _DESK]),
    "congan.dongson": ("Kiều Văn Hộ Khẩu", [f"{r}@15880.CA" for r in _DESK]),
    "bhxh.hacthanh": ("Phùng Thị Thẻ Y Tế", [f"{r}@H38.BHXH.CS1" for r in _DESK]),
    "lanhdao.tinh": ("Lê Văn Chủ Tịch Tỉnh", ["leader@38", "clerk@38"]),
    "vanthu.ttpvhcc": ("Phan Thị Trả Kết Quả", [f"returner@{CENTER}", f"clerk@{CENTER}"]),
    "giamsat.tinh": ("Nguyễn Thị Giám Sát", ["supervisor@38"]),
    "dongson": ("Hà Thị Đông Sơn", [f"{r}@15880" for r in ("receiver", "returner", *_DESK)]),
}


def build_organisation() -> None:
    """Every agency and official above (the caller commits)."""
    for code, edoc, name, name_en, level, parent in AGENCIES:
        auth.create_agency(None, code=code, name=name, level=level, parent_code=parent, edoc_code=edoc,
                           name_en=name_en)
    for username, (full_name, grants) in OFFICIALS.items():
        add_official(username, *grants, full_name=full_name)


def add_official(username: str, *grants: str, full_name: str = "Cán bộ Thử Nghiệm") -> User:
    """One more official: add_official("chuyenvien2.snv", "specialist@H38.SNV"); signs in with PASSWORD."""
    return auth.create_user(None, username=username, full_name=full_name, password=PASSWORD,
                            grants=[auth.RoleGrant.parse(grant) for grant in grants])


def agency(code: str) -> Agency:
    return auth.get_agency_by_code(code)


def official(role: str | None, agency: Agency | int | str | None) -> User | None:
    """The first (lowest id, so deterministic) official holding `role` at exactly `agency` (object, id or code)."""
    if isinstance(agency, str):
        agency = auth.get_agency_by_code(agency)
    agency_id = agency.id if isinstance(agency, Agency) else agency
    query = (select(User).join(RoleAssignment)
             .where(RoleAssignment.role == role, RoleAssignment.agency_id == agency_id)
             .order_by(User.id).limit(1))
    return db.session.scalar(query)
