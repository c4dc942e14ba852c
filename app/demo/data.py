"""The demo organisation: Thanh Hóa province after the 1 Jul 2025 two-level reform (illustrative codes)."""
from __future__ import annotations

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - published demo credential

# (code, e-identifier, name, english name, level, parent code)
AGENCIES = [
    ("38", "000.00.00.H38", "UBND tỉnh Thanh Hóa", "Thanh Hoa Provincial People's Committee", "province", None),
    ("H38.TTPVHCC", "000.00.12.H38", "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
     "Thanh Hoa Public Administration Service Center", "center", "38"),
    ("H38.SNV", "000.00.05.H38", "Sở Nội vụ (lĩnh vực lao động)", "Department of Home Affairs (labour)",
     "department", "38"),
    ("H38.SXD", "000.00.08.H38", "Sở Xây dựng", "Department of Construction", "department", "38"),
    ("H38.STP", "000.00.10.H38", "Sở Tư pháp", "Department of Justice", "department", "38"),
    ("H38.CA", "000.00.30.H38", "Công an tỉnh Thanh Hóa", "Provincial Police", "vertical", "38"),
    ("H38.BHXH", "000.00.31.H38", "Bảo hiểm xã hội tỉnh Thanh Hóa", "Provincial Social Insurance",
     "vertical", "38"),
    ("14797", "000.01.23.H38", "UBND phường Hạc Thành", "Hac Thanh Ward People's Committee", "commune", "38"),
    ("15880", "000.02.23.H38", "UBND xã Đông Sơn", "Dong Son Commune People's Committee", "commune", "38"),
    ("16195", "000.03.23.H38", "UBND xã Quảng Xương", "Quang Xuong Commune People's Committee", "commune", "38"),
    # Commune police (residence registration since 1 Jul 2025) under the provincial police: code "<commune>.CA".
    ("14797.CA", "000.30.01.H38", "Công an phường Hạc Thành", "Hac Thanh Ward Police", "vertical", "H38.CA"),
    ("15880.CA", "000.30.02.H38", "Công an xã Đông Sơn", "Dong Son Commune Police", "vertical", "H38.CA"),
    ("16195.CA", "000.30.03.H38", "Công an xã Quảng Xương", "Quang Xuong Commune Police", "vertical", "H38.CA"),
    # Social insurance: the provincial unit and a grassroots unit seconded to the provincial center.
    ("H38.BHXH.CS1", "000.31.01.H38", "Bảo hiểm xã hội cơ sở Hạc Thành", "Hac Thanh Social Insurance Office",
     "vertical", "H38.BHXH"),
]

# (username, full name, [role@agency ...])
USERS = [
    ("admin", "Quản trị hệ thống", ["admin"]),
    ("designer", "Nguyễn Thị Thiết Kế", ["designer"]),
    ("auditor", "Trần Văn Thanh Tra", ["auditor"]),
    ("tiepnhan", "Lê Thị Tiếp Nhận", ["receiver@H38.TTPVHCC", "returner@H38.TTPVHCC"]),
    ("chuyenvien.snv", "Phạm Văn Thụ Lý", ["specialist@H38.SNV"]),
    ("lanhdao.snv", "Hoàng Văn Lãnh Đạo", ["leader@H38.SNV"]),
    ("vanthu.snv", "Đỗ Thị Văn Thư", ["clerk@H38.SNV"]),
    ("chuyenvien.sxd", "Vũ Minh Xây Dựng", ["specialist@H38.SXD"]),
    ("lanhdao.sxd", "Bùi Quang Duyệt", ["leader@H38.SXD"]),
    ("vanthu.sxd", "Ngô Thị Đóng Dấu", ["clerk@H38.SXD"]),
    ("chuyenvien.stp", "Đặng Văn Tư Pháp", ["specialist@H38.STP"]),
    ("lanhdao.stp", "Lý Thị Phê Duyệt", ["leader@H38.STP"]),
    ("vanthu.stp", "Mai Văn Ấn", ["clerk@H38.STP"]),
    ("hacthanh", "Trịnh Thị Một Cửa", ["receiver@14797", "returner@14797", "specialist@14797"]),
    ("lanhdao.hacthanh", "Cao Văn Chủ Tịch", ["leader@14797", "clerk@14797"]),
    ("congan", "Đinh Văn Công An", ["specialist@H38.CA", "leader@H38.CA", "clerk@H38.CA"]),
    ("bhxh", "Tạ Thị Bảo Hiểm", ["specialist@H38.BHXH", "leader@H38.BHXH", "clerk@H38.BHXH"]),
    ("congan.hacthanh", "Lương Văn Cư Trú", ["specialist@14797.CA", "leader@14797.CA", "clerk@14797.CA"]),
    ("congan.dongson", "Kiều Văn Hộ Khẩu", ["specialist@15880.CA", "leader@15880.CA", "clerk@15880.CA"]),
    ("congan.quangxuong", "Âu Thị Thường Trú", ["specialist@16195.CA", "leader@16195.CA", "clerk@16195.CA"]),
    ("bhxh.hacthanh", "Phùng Thị Thẻ Y Tế", ["specialist@H38.BHXH.CS1", "leader@H38.BHXH.CS1", "clerk@H38.BHXH.CS1"]),
    ("lanhdao.tinh", "Lê Văn Chủ Tịch Tỉnh", ["leader@38", "clerk@38"]),
    ("vanthu.ttpvhcc", "Phan Thị Trả Kết Quả", ["returner@H38.TTPVHCC", "clerk@H38.TTPVHCC"]),
    ("giamsat.tinh", "Nguyễn Thị Giám Sát", ["supervisor@38"]),
    ("dongson", "Hà Thị Đông Sơn", ["receiver@15880", "returner@15880", "specialist@15880", "leader@15880",
                                     "clerk@15880"]),
]

# Symbolic agency keys used by bpmn/procedures.json and the models' `agency` properties.
AGENCY_KEYS = {
    "labour": "H38.SNV", "home_affairs": "H38.SNV", "construction": "H38.SXD", "justice": "H38.STP",
    "police": "H38.CA", "commune_police": "{commune}.CA", "social_insurance": "H38.BHXH.CS1",
    "province_committee": "38", "center": "H38.TTPVHCC",
    "commune": "14797",
}
