"""The demo data's vocabulary (names, places, weights), shared by seed_demo and the bench generator.

Plain data and one helper, no Django: the bench imports it before Django is set up.
"""

from __future__ import annotations

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"

HOME_PLACES = {
    "530102": "昆明市五华区",
    "530103": "昆明市盘龙区",
    "530111": "昆明市官渡区",
    "530112": "昆明市西山区",
    "530113": "昆明市东川区",
    "530381": "宣威市",
    "532128": "镇雄县",
    "533001": "保山市隆阳区",
    "532301": "楚雄市",
}

ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code charset (no I O S V Z)

DISTRICT = "530102"

HRSS_NAME = "五华区人力资源和社会保障局"

EVASIONS = [
    ["absconded"],
    ["refused_summons"],
    ["transferred_assets", "absconded"],
    ["destroyed_records"],
    ["transferred_assets"],
]

CATEGORY_WEIGHTS = [
    ("wages", 64),
    ("support_payment", 10),
    ("domestic_violence", 8),
    ("work_injury", 6),
    ("personal_injury", 5),
    ("guardianship", 4),
    ("other", 3),
]


def names_phrase(people: list[dict]) -> str:
    if len(people) == 1:
        return people[0]["name"]
    if len(people) <= 3:
        return "、".join(p["name"] for p in people)
    return f"{people[0]['name']}等{len(people)}人"


# (source, weight) per category; "agency:<user>" is filed by that partner, the rest by
# officers (walk-ins, calls and their own findings)
SOURCES = {
    "wages": [
        ("walk_in", 35),
        ("hotline", 20),
        ("agency:hrss1", 25),
        ("ex_officio", 10),
        ("internal", 10),
    ],
    "work_injury": [("walk_in", 50), ("agency:hrss1", 30), ("hotline", 20)],
    "support_payment": [("walk_in", 40), ("hotline", 25), ("agency:wf1", 35)],
    "domestic_violence": [("agency:wf1", 55), ("walk_in", 30), ("hotline", 15)],
    "personal_injury": [("walk_in", 60), ("hotline", 40)],
    "guardianship": [("agency:wf1", 40), ("internal", 30), ("walk_in", 30)],
    "other": [("walk_in", 50), ("hotline", 30), ("ex_officio", 20)],
}
