"""The report's eight service categories (8类党员志愿服务) and the default point rules.

Data, not code: the migration and the demo load them from here, and the admin
edits them afterwards.
"""

from decimal import Decimal

# (code, Chinese name, English name)
CATEGORIES: list[tuple[str, str, str]] = [
    ("party_building", "基层党建", "Grassroots party building"),
    ("convenience", "便民服务", "Convenience services"),
    ("science", "科普宣传", "Science outreach"),
    ("legal_aid", "法律援助", "Legal aid"),
    ("medical", "医疗卫生", "Medical and health"),
    ("environment", "环境保护", "Environmental protection"),
    ("care_relief", "爱心帮困", "Care and relief"),
    ("civility", "文明实践", "Civility practice"),
]

# (category code or None, activity kind or "", hours_rate, points_per_hour, points_per_service, note)
DEFAULT_POINT_RULES: list[tuple[str | None, str, Decimal, Decimal, Decimal, str]] = [
    (None, "", Decimal("1"), Decimal("1"), Decimal("1"), "默认：每小时1分，每次服务另加1分"),
    (None, "elderly_care", Decimal("1"), Decimal("1.5"), Decimal("1"), "养老服务计入时间银行，积分1.5倍"),
    (None, "emergency", Decimal("1"), Decimal("2"), Decimal("2"), "应急突击：每小时2分，每次另加2分"),
    (None, "demand", Decimal("1"), Decimal("1.5"), Decimal("2"), "解决群众诉求：每小时1.5分，每次另加2分"),
    ("party_building", "", Decimal("1"), Decimal("1.2"), Decimal("1"), "基层党建类每小时1.2分"),
]
