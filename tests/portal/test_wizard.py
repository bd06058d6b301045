"""The portal's application wizard through its pages (issue 18 items 1-5): every step, saving
and resuming with a code, evidence photos, consent, the receipt and the status lookup."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import make_credit_code, make_id
from tests.evidence import samples
from zhichi.accounts.models import Role, User
from zhichi.audit.models import AuditEntry
from zhichi.evidence.models import Attachment
from zhichi.intake.models import Lead, LeadParty
from zhichi.parties.models import Party, PartyKind
from zhichi.portal import throttle
from zhichi.portal.models import Draft, DraftFile, Filing, Notice, NoticeKind
from zhichi.portal.services import PRIVACY_NOTICE_VERSION

pytestmark = pytest.mark.integration

PHONE = "13912345678"

WHAT = {"category": "wages", "summary": "工地干了四个月，老板不给钱。"}
WHO = {
    "kind": "organisation",
    "name": "昆明某某建筑劳务有限公司",
    "credit_code": "",
    "address": "五华区",
    "labour_relationship": "contractor_crew",
    "has_iou": "yes",
}
MONEY = {"amount": "12000", "since": "2026-08"}


def you(**overrides) -> dict:
    answers = {
        "filed_by": "self",
        "name": "张三",
        "phone": PHONE,
        "id_number": make_id(),
        "address": "",
        "groups": ["migrant_worker"],
        "hardship": ["economic_hardship", "no_legal_knowledge"],
        "helper_name": "",
        "helper_relation": "",
        "helper_phone": "",
        "office": "WHPROC",
    }
    answers.update(overrides)
    return answers


CONSENT = {"consent_voluntary": "on", "consent_sms": "on"}


def post(client: Client, step: str, data: dict, **extra):
    return client.post(f"/portal/apply/{step}/", data, **extra)


def begin(client: Client):
    """Agree to the privacy notice, which comes before anything typed is kept."""
    answer = client.post("/portal/apply/start/", {"consent_sensitive": "on"})
    assert answer["Location"] == "/portal/apply/what/"
    return answer


def fill_to_consent(client: Client, **you_overrides) -> Draft:
    begin(client)
    for step, data in (("what", WHAT), ("who", WHO), ("money", MONEY)):
        answer = post(client, step, data)
        assert answer.status_code == 302, answer.content.decode()[:2000]
    answer = post(client, "you", you(**you_overrides))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert answer["Location"] == "/portal/apply/evidence/"
    answer = post(client, "evidence", {"action": "next"})
    assert answer["Location"] == "/portal/apply/consent/"
    return Draft.objects.get(code=client.session["portal_draft"])


def submit(client: Client, consent: dict | None = None):
    return post(client, "consent", consent or CONSENT)


def receipt_code(answer) -> str:
    match = re.fullmatch(r"/portal/receipt/([A-Z0-9]{10})/", answer["Location"])
    assert match, answer["Location"]
    return match[1]


@pytest.fixture
def client(orgs):
    return Client()


def test_portal_pages_open_without_an_account(client):
    for path in (
        "/portal/",
        "/portal/about/",
        "/portal/privacy/",
        "/portal/status/",
        "/portal/resume/",
        "/portal/apply/start/",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "12309" in answer.content.decode(), path


def test_a_step_cannot_be_skipped(client):
    assert client.get("/portal/apply/")["Location"] == "/portal/apply/start/"
    for step in ("what", "you", "evidence", "consent"):
        assert client.get(f"/portal/apply/{step}/")["Location"] == "/portal/apply/", step
    assert client.get("/portal/apply/nope/").status_code == 404
    begin(client)
    assert client.get("/portal/apply/you/")["Location"] == "/portal/apply/"
    assert client.get("/portal/apply/")["Location"] == "/portal/apply/what/"


def test_nothing_is_kept_before_the_privacy_notice_is_agreed_to_issue18_item2(client):
    page = client.get("/portal/apply/start/").content.decode()
    assert "/portal/privacy/" in page
    refused = client.post("/portal/apply/start/", {})
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) == {"consent_sensitive"}
    # answers sent without the agreement are not kept either
    assert post(client, "what", WHAT)["Location"] == "/portal/apply/"
    assert not Draft.objects.exists()
    begin(client)
    draft = Draft.objects.get()
    assert (draft.privacy_notice, draft.answers) == (PRIVACY_NOTICE_VERSION, {})
    assert draft.consented_at is not None
    entry = AuditEntry.objects.get(action="portal.draft.create")
    assert entry.detail == {"privacy_notice": PRIVACY_NOTICE_VERSION, "consent_sensitive": True}


def test_the_first_step_makes_a_draft_with_a_resume_code_and_encrypted_answers(client):
    begin(client)
    answer = post(client, "what", WHAT)
    assert answer["Location"] == "/portal/apply/who/"
    draft = Draft.objects.get()
    assert re.fullmatch(r"[A-Z2-9]{10}", draft.code)
    assert draft.step == 2
    assert draft.answers == {"what": WHAT}
    assert "老板" not in draft.answers_enc  # kept encrypted
    page = client.get("/portal/apply/who/").content.decode()
    assert f"{draft.code[:5]}-{draft.code[5:]}" in page
    assert "第 2 步，共 6 步" in page or "Step 2 of 6" in page


def test_field_errors_are_shown_at_the_field_and_nothing_is_kept(client):
    begin(client)
    answer = post(client, "what", {"category": "", "summary": ""})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert page.count('class="pt-error"') == 2
    assert 'role="alert"' in page
    assert Draft.objects.get().answers == {}


def test_a_wage_claim_needs_an_amount_and_a_month_in_the_past(client):
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", WHO)
    answer = post(client, "money", {"amount": "", "since": "2099-01"})
    assert answer.status_code == 200
    form = answer.context["form"]
    assert set(form.errors) == {"amount", "since"}


def test_identifiers_are_checked_on_the_step_that_asks_them(client):
    begin(client)
    post(client, "what", WHAT)
    answer = post(client, "who", {**WHO, "credit_code": "91530102MA6K2P3Q0X"})
    assert "credit_code" in answer.context["form"].errors
    post(client, "who", WHO)
    post(client, "money", MONEY)
    answer = post(client, "you", you(id_number="530102198503121230", phone="12345"))
    assert set(answer.context["form"].errors) == {"id_number", "phone"}


def test_a_helper_gives_their_own_name_relation_and_phone(client):
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", WHO)
    post(client, "money", MONEY)
    answer = post(client, "you", you(filed_by="helper"))
    assert set(answer.context["form"].errors) == {"helper_name", "helper_relation", "helper_phone"}


def test_the_whole_application_files_a_portal_lead_with_consents(client):
    draft = fill_to_consent(client)
    answer = submit(client)
    code = receipt_code(answer)
    lead = Lead.objects.get(receipt_code=code)
    assert lead.source == "portal"
    assert lead.organisation.code == "WHPROC"
    assert lead.department.code == "civil"
    assert lead.category == "wages"
    assert lead.voluntary is True  # rule SP-5
    assert lead.consent_to_share is False
    assert lead.labour_relationship == "contractor_crew"
    assert lead.has_iou is True
    claimant = LeadParty.objects.get(lead=lead, role="claimant")
    assert claimant.party.name == "张三"
    assert claimant.amount_claimed == 12000
    assert claimant.months_unpaid == 4  # 2026-08 to the suite's 2026-12
    assert claimant.groups == ["migrant_worker"]
    assert claimant.vulnerability_basis == ["economic_hardship", "no_legal_knowledge"]
    respondent = LeadParty.objects.get(lead=lead, role="respondent").party
    assert (respondent.kind, respondent.name) == (PartyKind.ORGANISATION, WHO["name"])
    filing = Filing.objects.get(lead=lead)
    assert filing.filed_by == "self"
    assert filing.phone == PHONE
    assert filing.privacy_notice == PRIVACY_NOTICE_VERSION
    assert (filing.consent_sensitive, filing.consent_voluntary, filing.consent_sms) == (
        True,
        True,
        True,
    )
    assert lead.created_by.role == Role.PORTAL
    assert lead.created_by.is_active is False
    assert not lead.created_by.has_usable_password()
    assert list(Notice.objects.filter(filing=filing).values_list("kind", flat=True)) == [
        NoticeKind.RECEIVED
    ]
    draft.refresh_from_db()
    assert draft.lead == lead
    assert draft.answers_enc == ""  # the lead holds the answers now
    entry = AuditEntry.objects.filter(action="portal.submit").get()
    assert entry.object_id == str(lead.pk)
    assert entry.detail["consent_voluntary"] is True


def test_sending_twice_files_once_and_the_next_application_starts_afresh(client):
    draft = fill_to_consent(client)
    first = receipt_code(submit(client))
    # a second tap on the old page files nothing more
    assert submit(client)["Location"] == "/portal/apply/"
    assert Lead.objects.count() == 1
    # the receipt stays reachable, and "ask for help" starts a new application (a helper
    # filing for several people on one phone)
    assert client.get(f"/portal/receipt/{first}/").status_code == 200
    assert client.get("/portal/apply/")["Location"] == "/portal/apply/start/"
    begin(client)
    post(client, "what", WHAT)
    assert Draft.objects.exclude(pk=draft.pk).get().answers == {"what": WHAT}


def test_consent_is_required_and_a_helper_confirms_the_persons_consent(client):
    fill_to_consent(
        client,
        filed_by="helper",
        helper_name="李四",
        helper_relation="relative",
        helper_phone="13800001111",
    )
    answer = submit(client, {"consent_sms": "on"})
    assert set(answer.context["form"].errors) == {"consent_voluntary", "helper_confirms_consent"}
    assert not Lead.objects.exists()
    code = receipt_code(submit(client, {**CONSENT, "helper_confirms_consent": "on"}))
    filing = Filing.objects.get(lead__receipt_code=code)
    assert (filing.filed_by, filing.helper_name, filing.helper_relation) == (
        "helper",
        "李四",
        "relative",
    )
    assert filing.helper_phone == "13800001111"
    assert filing.helper_confirms_consent is True


def test_the_receipt_shows_the_code_large_with_a_qr_code_only_to_its_browser(client):
    fill_to_consent(client)
    code = receipt_code(submit(client))
    page = client.get(f"/portal/receipt/{code}/").content.decode()
    assert f"{code[:5]}-{code[5:]}" in page
    assert "<svg" in page
    assert f"/portal/status/?code={code}" in page
    stranger = Client()
    assert stranger.get(f"/portal/receipt/{code}/")["Location"] == f"/portal/status/?code={code}"


def test_status_lookup_with_the_right_and_wrong_phone_digits(client):
    fill_to_consent(client)
    code = receipt_code(submit(client))
    stranger = Client()
    wrong = stranger.post("/portal/status/", {"code": code, "last4": "0000"})
    assert wrong.status_code == 200
    unknown = stranger.post("/portal/status/", {"code": "ABCDEFGHJK", "last4": PHONE[-4:]})
    # the same words whether the code or the digits were wrong: nothing to enumerate
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert stranger.get(f"/portal/status/{code}/")["Location"] == f"/portal/status/?code={code}"
    right = stranger.post(
        "/portal/status/", {"code": code.lower()[:5] + "-" + code[5:], "last4": PHONE[-4:]}
    )
    assert right["Location"] == f"/portal/status/{code}/"
    page = stranger.get(f"/portal/status/{code}/").content.decode()
    assert f"{code[:5]}-{code[5:]}" in page
    assert "张三" not in page and PHONE not in page  # the status page shows no personal data
    outcomes = list(
        AuditEntry.objects.filter(action="portal.status").values_list("outcome", flat=True)
    )
    assert outcomes == ["denied", "denied", "ok"]


def test_wrong_digits_lock_the_code_after_the_limit(client):
    fill_to_consent(client)
    code = receipt_code(submit(client))
    limit = throttle.LIMITS["lookup_code"][0]
    for n in range(limit):
        Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post(
            "/portal/status/", {"code": code, "last4": "0000"}
        )
    # from yet another address, even the right digits are refused for now
    late = Client(REMOTE_ADDR="10.0.1.1").post(
        "/portal/status/", {"code": code, "last4": PHONE[-4:]}
    )
    assert late.status_code == 200
    assert "too many wrong tries" in str(late.context["form"].non_field_errors()).lower() or (
        "次数" in str(late.context["form"].non_field_errors())
    )


def test_resume_on_another_phone_with_the_code(client):
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", WHO)
    draft = Draft.objects.get()
    other = Client()
    empty = other.post("/portal/resume/", {})
    assert set(empty.context["form"].errors) == {"code"}
    wrong = other.post("/portal/resume/", {"code": "ZZZZZ-ZZZZZ"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    answer = other.post("/portal/resume/", {"code": f"{draft.code[:5].lower()} {draft.code[5:]}"})
    assert answer["Location"] == "/portal/apply/"
    assert other.get("/portal/apply/")["Location"] == "/portal/apply/money/"
    page = other.get("/portal/apply/who/").content.decode()
    assert WHO["name"] in page  # the answers given on the first phone


def test_evidence_photos_are_checked_kept_and_become_the_leads_attachments(client):
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", WHO)
    post(client, "money", MONEY)
    post(client, "you", you())
    photo = SimpleUploadedFile("iou.png", samples.png(), content_type="image/png")
    answer = post(client, "evidence", {"action": "add", "kind": "iou", "file": photo})
    assert answer["Location"] == "/portal/apply/evidence/"
    script = SimpleUploadedFile("x.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")
    refused = post(client, "evidence", {"action": "add", "kind": "photo", "file": script})
    assert refused.status_code == 200 and refused.context["form"].errors["file"]
    assert DraftFile.objects.count() == 1
    assert AuditEntry.objects.filter(action="portal.file.add", outcome="denied").count() == 1
    post(client, "evidence", {"action": "next"})
    code = receipt_code(submit(client))
    attachment = Attachment.objects.get()
    assert attachment.lead.receipt_code == code
    assert (attachment.kind, attachment.content_type) == ("iou", "image/png")
    assert not DraftFile.objects.exists()


def test_a_file_can_be_removed_again(client):
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", WHO)
    post(client, "money", MONEY)
    post(client, "you", you())
    photo = SimpleUploadedFile("a.png", samples.png(), content_type="image/png")
    post(client, "evidence", {"action": "add", "kind": "photo", "file": photo})
    kept = DraftFile.objects.get()
    post(client, "evidence", {"action": "remove", "file": str(kept.pk)})
    assert not DraftFile.objects.exists()


def test_no_more_files_than_the_limit(client, settings):
    settings.ZHICHI = {**settings.ZHICHI, "PORTAL_MAX_FILES": 1}
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", WHO)
    post(client, "money", MONEY)
    post(client, "you", you())
    for name in ("a.png", "b.png"):
        post(
            client,
            "evidence",
            {"action": "add", "kind": "photo", "file": SimpleUploadedFile(name, samples.png())},
        )
    assert DraftFile.objects.count() == 1


def test_the_honeypot_keeps_nothing_and_is_audited(client):
    begin(client)
    answer = post(client, "what", {**WHAT, "website": "http://spam.example"})
    assert answer.status_code == 400
    assert Draft.objects.get().answers == {}
    assert AuditEntry.objects.filter(action="portal.honeypot", outcome="denied").count() == 1


def test_a_name_on_record_under_the_id_number_is_never_revealed(client):
    known = Party(kind=PartyKind.PERSON, name="王五")
    known.set_id_number(make_id())
    known.save()
    fill_to_consent(client)  # typed 张三 with 王五's ID number
    answer = submit(client)
    code = receipt_code(answer)
    page = client.get(f"/portal/receipt/{code}/").content.decode()
    assert "王五" not in page
    filing = Filing.objects.get(lead__receipt_code=code)
    assert filing.typed_name == "张三"
    assert LeadParty.objects.get(lead=filing.lead, role="claimant").party == known


def test_staff_see_the_portal_lead_in_intake(client, users, web):
    fill_to_consent(client)
    code = receipt_code(submit(client))
    lead = Lead.objects.get(receipt_code=code)
    officer = web("civil1")
    listing = officer.get("/leads/?source=portal").content.decode()
    assert code in listing
    assert officer.get(f"/leads/{lead.pk}/").status_code == 200
    assert web("outsider").get(f"/leads/{lead.pk}/").status_code == 404
    assert web("hrss1").get(f"/leads/{lead.pk}/").status_code == 404


def test_the_portal_account_is_not_changed_from_the_security_console(client, users, web):
    fill_to_consent(client)
    submit(client)
    account = User.objects.get(role=Role.PORTAL)
    assert account.username == "portal.WHPROC"
    secadmin = web("secadmin")
    answer = secadmin.post(f"/security/users/{account.pk}/active/", {"active": "1"})
    account.refresh_from_db()
    assert account.is_active is False
    assert answer.status_code in {403, 404}


def test_a_portal_account_name_taken_by_a_person_is_refused(client, orgs):
    User.objects.create_user(
        username="portal.WHPROC", password="x", role=Role.OFFICER, organisation=orgs["proc"]
    )
    fill_to_consent(client)
    with pytest.raises(RuntimeError):
        submit(client)
    assert not Lead.objects.exists()


def test_credit_code_is_kept_for_a_company(client):
    begin(client)
    post(client, "what", WHAT)
    post(client, "who", {**WHO, "credit_code": make_credit_code()})
    post(client, "money", MONEY)
    post(client, "you", you())
    post(client, "evidence", {"action": "next"})
    code = receipt_code(submit(client))
    respondent = LeadParty.objects.get(lead__receipt_code=code, role="respondent").party
    assert respondent.credit_code == make_credit_code()


def test_the_receipts_qr_link_uses_the_portals_public_address(client, settings):
    settings.ZHICHI = {**settings.ZHICHI, "PORTAL_URL": "https://zhichi.example.gov.cn"}
    fill_to_consent(client)
    code = receipt_code(submit(client))
    page = client.get(f"/portal/receipt/{code}/").content.decode()
    assert f"https://zhichi.example.gov.cn/portal/status/?code={code}" in page
