"""Demo applications through the public portal for seed_demo (C15): written step by step and sent
through the portal's own services, as a person (or a helper) would from a phone. One is a
migrant worker's wage claim with a photo of the IOU, one an older man's claim for support filed
by a community worker, and one that civil1 has accepted, so its status page has a step to show.

The summary of seed_demo prints each one's receipt code and the phone's last 4 digits, so the
status lookup can be tried at once."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from zhichi.accounts.models import User
from zhichi.core.identifiers import id_check_char
from zhichi.intake.services import accept_lead
from zhichi.portal import services
from zhichi.portal.models import Filing

CONSENT = {
    "consent_voluntary": True,
    "consent_to_share": True,
    "consent_sms": True,
}


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


def _png() -> bytes:
    """A small grey picture standing in for a photo of a paper."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    width = height = 8
    rows = b"".join(b"\x00" + b"\xaa" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


APPLICATIONS = [
    {
        "what": {
            "category": "wages",
            "summary": "在工地上干了四个月钢筋工，包工头说老板没给钱，一直拖着不发。",
        },
        "who": {
            "kind": "person",
            "name": "刘大军",
            "credit_code": "",
            "address": "五华区普吉路工地",
            "labour_relationship": "contractor_crew",
            "has_iou": "yes",
        },
        "money": {"amount": "18400.00", "since": "2026-07"},
        "you": {
            "filed_by": "self",
            "name": "杨小平",
            "phone": "13888123456",
            "id_number": _id("53262719900214451"),
            "address": "文山州丘北县",
            "groups": ["migrant_worker"],
            "hardship": ["economic_hardship", "no_legal_knowledge"],
            "helper_name": "",
            "helper_relation": "",
            "helper_phone": "",
        },
        "photo": ("欠条.png", "iou"),
        "days_ago": 1,
    },
    {
        "what": {
            "category": "support_payment",
            "summary": "老人七十六岁，三个儿子都不给赡养费，生病也没人管。",
        },
        "who": {
            "kind": "person",
            "name": "王建华",
            "credit_code": "",
            "address": "",
            "labour_relationship": "none",
            "has_iou": "no",
        },
        "money": {"amount": "", "since": "2025-10"},
        "you": {
            "filed_by": "helper",
            "name": "王德福",
            "phone": "13577001234",
            "id_number": "",
            "address": "五华区龙翔街道",
            "groups": ["elderly"],
            "hardship": ["age_or_health", "economic_hardship"],
            "helper_name": "赵丽",
            "helper_relation": "community_worker",
            "helper_phone": "13908712345",
        },
        "helper_confirms_consent": True,
        "days_ago": 3,
    },
    {
        "what": {
            "category": "wages",
            "summary": "在餐馆做服务员三个月，老板关门走了，工资一分没给。",
        },
        "who": {
            "kind": "person",
            "name": "何老板",
            "credit_code": "",
            "address": "五华区篆塘路",
            "labour_relationship": "employee",
            "has_iou": "no",
        },
        "money": {"amount": "9000.00", "since": "2026-08"},
        "you": {
            "filed_by": "self",
            "name": "李春燕",
            "phone": "15087654321",
            "id_number": _id("53011120010517402"),
            "address": "",
            "groups": ["woman", "migrant_worker"],
            "hardship": ["no_legal_knowledge", "evidence_difficulty"],
            "helper_name": "",
            "helper_relation": "",
            "helper_phone": "",
        },
        "accepted_by": "civil1",
        "days_ago": 6,
    },
]


def seed_portal(users: dict[str, User], clock, now: datetime) -> list[Filing]:
    """File the demo applications (once: seed_demo runs this with the rest of its history)."""
    office = users["civil1"].organisation.code
    filed = []
    for application in APPLICATIONS:
        at = now - timedelta(days=application["days_ago"], hours=2)
        clock.set(at)
        draft = services.start(language="zh-hans")  # the privacy notice agreed to first
        for step in services.STEPS[:4]:
            answers = dict(application[step])
            if step == "you":
                answers["office"] = office
            draft = services.save_step(draft=draft, step=step, answers=answers, language="zh-hans")
            at += timedelta(minutes=2)
            clock.set(at)
        if "photo" in application:
            name, kind = application["photo"]
            services.add_file(draft=draft, file=SimpleUploadedFile(name, _png()), kind=kind)
        files = draft.files.count()
        services.save_step(
            draft=draft, step="evidence", answers={"files": files}, language="zh-hans"
        )
        consent = {
            **CONSENT,
            "helper_confirms_consent": application.get("helper_confirms_consent", False),
        }
        filing = services.submit(draft=draft, consent=consent)
        if "accepted_by" in application:
            clock.set(at + timedelta(days=1, hours=3))
            accept_lead(lead_id=filing.lead_id, actor=users[application["accepted_by"]])
        filed.append(filing)
    return filed
