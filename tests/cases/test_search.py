"""Issue 13, item 3: the case list's search and flag filter, on the page and in the API.

- a case number in any bracket form (〔〕 [] () 【】, full or half width, with or without 号);
- a whole ID number or phone finds that person's cases through the blind index, never by
  comparing the identifier itself (rule ID-3);
- an officer's name (display name or username) finds their cases;
- everything within what the searcher may see;
- the flag filter works on SQLite (it answered 500 there) and PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import lead_payload, make_credit_code, make_id
from zhichi.cases.models import Case, Flag
from zhichi.core.identifiers import validate_credit_code
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.parties import crypto

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CASES = "/api/v1/cases"
EN = {"Accept-Language": "en"}
ID_WANG = make_id(seq="111")
PHONE_WANG = "13800001111"
ID_ZHAO = make_id(birth="19700707", seq="333")
PHONE_ZHAO = "13900003333"


def accept(users, *, officer: str = "civil1", filer: str = "civil1", **facts) -> Case:
    """A case of ``officer`` from a lead ``filer`` filed (a partner agency's lead carries its
    consent to share, so the agency sees the case)."""
    lead = intake_services.create_lead(
        actor=users[filer], data=validate_lead(lead_payload(**facts))
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users[officer])


def person(name: str, id_number: str, phone: str = "", amount: str = "3000.00") -> dict:
    row = {"name": name, "id_number": id_number, "amount_claimed": amount, "months_unpaid": 1}
    if phone:
        row["phone"] = phone
    return row


@pytest.fixture
def two_cases(users):
    """Wang's case (civil1's) and Zhao's case (civil2's), different employers."""
    wang = accept(users, claimants=[person("王建国", ID_WANG, PHONE_WANG)])
    zhao = accept(
        users,
        officer="civil2",
        claimants=[person("赵小梅", ID_ZHAO, PHONE_ZHAO)],
        respondents=[
            {
                "kind": "organisation",
                "name": "昆明某餐饮店",
                "credit_code": make_credit_code("91530102MA6K2P3Q1"),
            }
        ],
    )
    return wang, zhao


def page_ids(web, username: str, **params) -> list[int]:
    r = web(username).get("/cases/", params)
    assert r.status_code == 200, r.status_code
    return [c.pk for c in r.context["page_obj"]]


def api_ids(api, username: str, **params) -> list[int]:
    r = api(username).get(CASES, params)
    assert r.status_code == 200, r.content
    return [item["id"] for item in r.json()["items"]]


# --- a case number in any bracket form ---------------------------------------------------------
def number_forms(year: int, serial: int) -> list[str]:
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    y, n = str(year), str(serial)
    return [
        f"〔{y}〕{n}号",
        f"[{y}]{n}号",
        f"[{y}]{n}",
        f"({y}){n}号",
        f"({y}){n}",
        f"（{y}）{n}号",
        f"（{y.translate(wide)}）{n.translate(wide)}号",
        f"【{y}】{n}号",
        f"【{y}】{n}",
        f"［{y}］{n}",
        f"〔{y}〕{n}",
        f"五华检民支[{y}]{n}号",
        f"五华检民支（{y}）{n}",
    ]


@pytest.mark.parametrize("form", range(len(number_forms(2026, 1))))
def test_issue13_item3_a_case_number_is_found_in_any_bracket_form(web, api, users, form):
    first = accept(users, claimants=[person("王建国", ID_WANG)])
    second = accept(users, claimants=[person("赵小梅", ID_ZHAO)])
    assert (first.serial, second.serial) == (1, 2)
    query = number_forms(timezone.localdate().year, 2)[form]

    assert page_ids(web, "civil1", q=query) == [second.pk]
    assert api_ids(api, "civil1", q=query) == [second.pk]


def test_issue13_item3_a_case_stored_before_is_found_in_any_bracket_form_after_the_migration(
    web, users
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("zhichi.cases.migrations.0013_search_text_in_search_form")
    case = accept(users, claimants=[person("王建国", ID_WANG)])
    # the search text as it was stored before: the number with its paper brackets, lower-cased
    Case.objects.filter(pk=case.pk).update(search_text=f"{case.number} 王建国".lower())
    query = number_forms(timezone.localdate().year, 1)[0]
    assert page_ids(web, "civil1", q=query) == []

    migration.forwards(apps, None)

    for query in number_forms(timezone.localdate().year, 1):
        assert page_ids(web, "civil1", q=query) == [case.pk], query


def test_issue13_item3_with_hao_the_number_is_not_a_longer_one(users, web):
    cases = [
        accept(users, claimants=[person(f"工人{i}", make_id(seq=f"4{i:02d}"))]) for i in range(10)
    ]
    year = timezone.localdate().year
    assert cases[-1].serial == 10

    assert page_ids(web, "civil1", q=f"[{year}]1号") == [cases[0].pk]
    # without 号 the number is a substring like any other: 1 is in 1 and in 10
    assert sorted(page_ids(web, "civil1", q=f"[{year}]1")) == [cases[0].pk, cases[-1].pk]


def test_decision_0002_chinese_substrings_are_still_found(web, api, two_cases):
    wang, zhao = two_cases

    assert page_ids(web, "civil1", q="王建") == [wang.pk]
    assert api_ids(api, "civil1", q="餐饮") == [zhao.pk]
    assert api_ids(api, "civil1", q="拖欠") == [zhao.pk, wang.pk]  # the summary


# --- ID numbers and phones: exact, through the blind index --------------------------------------
def assert_no_plaintext(queries, *values: str) -> None:
    sql = "\n".join(q["sql"] for q in queries)
    for value in values:
        assert value not in sql, f"{value} was sent to the database in clear"


@pytest.mark.parametrize(
    "typed, field",
    [
        (ID_WANG, "id"),
        (ID_WANG.lower(), "id"),  # a lower-case x is the same number
        (" ".join([ID_WANG[:6], ID_WANG[6:14], ID_WANG[14:]]), "id"),  # typed with spaces
        (PHONE_WANG, "phone"),
        ("138 0000 1111", "phone"),
        ("+86 138-0000-1111", "phone"),
    ],
)
def test_issue13_item3_an_id_number_or_phone_finds_that_persons_cases_by_blind_index(
    web, api, users, two_cases, typed, field
):
    wang, _zhao = two_cases
    # a second case of Wang's, in another employer's dispute
    later = accept(
        users,
        claimants=[person("王建国", ID_WANG, PHONE_WANG)],
        respondents=[
            {
                "kind": "organisation",
                "name": "昆明某物业公司",
                "credit_code": make_credit_code("91530102MA6K2P3Q2"),
            }
        ],
    )
    index = crypto.blind_index(field, ID_WANG if field == "id" else PHONE_WANG)

    with CaptureQueriesContext(connection) as page_queries:
        found = page_ids(web, "civil1", q=typed)
    with CaptureQueriesContext(connection) as api_queries:
        listed = api_ids(api, "civil1", q=typed)

    assert found == [later.pk, wang.pk]
    assert listed == [later.pk, wang.pk]
    for queries in (page_queries.captured_queries, api_queries.captured_queries):
        assert_no_plaintext(queries, ID_WANG, PHONE_WANG, ID_WANG[:17])
        assert any(index in q["sql"] for q in queries), "the blind index was not used"


def test_issue13_item3_a_whole_id_number_of_nobody_finds_nothing(web, api, two_cases):
    stranger = make_id(birth="19601010", seq="999")

    with CaptureQueriesContext(connection) as queries:
        assert page_ids(web, "civil1", q=stranger) == []
    assert api_ids(api, "civil1", q=stranger) == []
    assert_no_plaintext(queries.captured_queries, stranger)


def test_issue13_item3_an_id_number_with_a_wrong_check_digit_is_refused_at_q(web, api, two_cases):
    # the same 17 digits with a check character that fits neither an ID nor a credit code
    wrong = next(
        ID_WANG[:17] + c
        for c in "0123456789X"
        if c != ID_WANG[17] and not validate_credit_code(ID_WANG[:17] + c).valid
    )

    with CaptureQueriesContext(connection) as queries:
        page = web("civil1").get("/cases/", {"q": wrong}, headers=EN)
    r = api("civil1").get(CASES, {"q": wrong}, headers=EN)

    assert page.status_code == 422
    assert "not a valid one" in page.context["filters"].errors["q"][0]
    assert list(page.context["page_obj"]) == []
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("q", "id_number")]
    assert_no_plaintext(queries.captured_queries, wrong)


def test_issue13_item3_nobody_finds_a_case_by_an_id_they_may_not_see(web, api, users, two_cases):
    # a case hrss1 referred with the person's consent: hrss1 sees it, and finds it by the ID
    referred = accept(users, filer="hrss1", claimants=[person("孙大力", make_id(seq="555"))])

    assert api_ids(api, "hrss1", q=make_id(seq="555")) == [referred.pk]
    for username in ("hrss1", "wf1", "outsider"):
        assert api_ids(api, username, q=ID_WANG) == []
        assert page_ids(web, username, q=ID_WANG) == []
        assert page_ids(web, username, q=PHONE_WANG) == []


# --- an officer's name ---------------------------------------------------------------------------
@pytest.fixture
def named_officers(users):
    users["civil2"].first_name = "赵志强"
    users["civil2"].save(update_fields=["first_name"])
    return users


@pytest.mark.parametrize("typed", ["赵志强", "赵 志强", "civil2", "CIVIL2"])
def test_issue13_item3_an_officers_name_finds_their_cases(
    web, api, named_officers, two_cases, typed
):
    _wang, zhao = two_cases

    assert page_ids(web, "civil1", q=typed) == [zhao.pk]
    assert api_ids(api, "civilhead", q=typed) == [zhao.pk]


def test_issue13_item3_a_partner_does_not_find_cases_by_who_handles_them(api, web, named_officers):
    # hrss1 sees this case (it referred it), but not who handles it (C8)
    accept(named_officers, filer="hrss1", officer="civil2", claimants=[person("钱多多", ID_ZHAO)])

    assert api_ids(api, "hrss1", q="赵志强") == []
    assert page_ids(web, "hrss1", q="civil2") == []


# --- the flag filter ---------------------------------------------------------------------------
@pytest.fixture
def flagged(users):
    """One criminal-lead candidate (25,000 yuan over 4 months is above every province's figure;
    no order to pay yet), one waiting for Yunnan's figure, one without either flag."""
    candidate = accept(
        users, claimants=[person("王建国", ID_WANG, amount="25000.00") | {"months_unpaid": 4}]
    )
    waiting = accept(
        users,
        claimants=[person("赵小梅", ID_ZHAO, amount="12000.00") | {"months_unpaid": 4}],
        has_iou=True,
    )
    plain = accept(users, claimants=[person("孙大力", make_id(seq="555"))], has_iou=True)
    return candidate, waiting, plain


@pytest.mark.parametrize("flag", Flag.values)
def test_issue13_item3_the_flag_filter_answers_on_this_database(web, flagged, flag):
    candidate, waiting, plain = flagged
    expected = {
        Flag.CRIMINAL_LEAD_CANDIDATE: [candidate.pk],
        Flag.CRIMINAL_THRESHOLD_UNKNOWN: [waiting.pk],
        Flag.MASS_DISPUTE_RISK: [],
        Flag.ARBITRATION_FIRST: [candidate.pk],
    }[flag]

    r = web("civil1").get("/cases/", {"flag": flag})

    assert r.status_code == 200  # was 500 on SQLite: "contains lookup is not supported"
    assert [c.pk for c in r.context["page_obj"]] == expected
    assert plain.pk not in [c.pk for c in r.context["page_obj"]]


def test_issue13_item3_flags_combine_with_the_other_filters(web, flagged):
    candidate, _waiting, _plain = flagged
    candidate.refresh_from_db()
    level = str(candidate.level)
    other = {"1": "2", "2": "3", "3": "1"}[level]
    flag = "criminal_lead_candidate"

    assert page_ids(web, "civil1", flag=flag, q="王建国") == [candidate.pk]
    assert page_ids(web, "civil1", flag=flag, q="赵小梅") == []
    assert page_ids(web, "civil1", flag=flag, q=ID_WANG) == [candidate.pk]
    assert page_ids(web, "civil1", flag=flag, stage="review", level=level) == [candidate.pk]
    assert page_ids(web, "civil1", flag=flag, stage="review", level=other) == []
    assert page_ids(web, "civil1", flag=flag, stage="litigation") == []
    assert page_ids(web, "civil1", flag=flag, category="wages", mine="on") == [candidate.pk]
    assert page_ids(web, "civil2", flag="criminal_lead_candidate", mine="on") == []


def test_issue13_item3_junk_filter_values_are_refused_at_their_field(web, flagged):
    r = web("civil1").get("/cases/", {"flag": "nonsense", "stage": "x"}, headers=EN)

    assert r.status_code == 422
    assert set(r.context["filters"].errors) == {"flag", "stage"}
    assert list(r.context["page_obj"]) == []


def test_issue13_item3_a_phone_the_person_gave_before_still_finds_their_cases(web, users):
    first = accept(users, claimants=[person("王建国", ID_WANG, PHONE_WANG)])
    # the same person, later, with a new phone: the earlier one stays among their contacts
    second = accept(users, claimants=[person("王建国", ID_WANG, "13700007777")], has_iou=True)

    assert page_ids(web, "civil1", q=PHONE_WANG) == [second.pk, first.pk]
    assert page_ids(web, "civil1", q="13700007777") == [second.pk, first.pk]
