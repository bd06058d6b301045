"""The calculators page (/tools/calculators/) and the law library page (/tools/law-library/):
who sees them, each calculator's result with its rule id and source, errors at the field (422),
htmx partials, and the system administrator's edit forms (403 for everyone else).

Assertions use rule ids, figures, sources, ids and data- attributes, not translated text.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from zhichi.audit.models import AuditEntry
from zhichi.rulebook import loaders, services
from zhichi.rulebook.models import AverageWage, CriminalThreshold, HolidayYear, RuleSetting
from zhichi.rulebook.words import VERDICT_NAMES as VERDICTS

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CALCULATORS = "/tools/calculators/"
LIBRARY = "/tools/law-library/"
ALL_USERS = [
    "civil1",
    "civil2",
    "civilhead",
    "criminal1",
    "chief",
    "registrar1",
    "hrss1",
    "wf1",
    "sysadmin",
    "secadmin",
    "auditor",
    "outsider",
]
NON_EDITORS = ["civil1", "auditor", "secadmin"]
HTMX = {"HTTP_HX_REQUEST": "true"}
ON_POST = "urban_non_private_on_post"
EMPLOYED = "urban_non_private_employed"


def html_of(response) -> str:
    return response.content.decode()


def result_block(html: str, name: str) -> str:
    """The result area of one calculator (from its data-testid to the end of its card body)."""
    marker = f'data-testid="result-{name}"'
    assert marker in html, f"no result for {name}"
    return html[html.index(marker) :]


def field_error(html: str, field: str) -> bool:
    # each form on a page has its own id prefix (id_deadline_start, id_threshold_province …)
    return re.search(rf'id="id_(?:[a-z]+_){{0,2}}{field}_error"', html) is not None


def duplicate_ids(html: str) -> list[str]:
    counts = Counter(re.findall(r'\sid="([^"]+)"', html))
    return sorted(i for i, n in counts.items() if n > 1)


def zh(message) -> str:
    """A UI text as the page shows it (zh-hans, HTML-escaped)."""
    with translation.override("zh-hans"):
        return escape(str(message))


def seeded_source(province: str) -> str:
    """The source of a province's seeded CR-4 figures, as the page shows it."""
    return escape(CriminalThreshold.objects.get(province=province).source)


def wage_source(year: int = 2023, series: str = ON_POST) -> str:
    return escape(AverageWage.objects.get(province="53", wage_year=year, series=series).source)


def calc(client: Client, name: str, *, htmx: bool = False, **fields):
    return client.post(CALCULATORS, {"calc": name, **fields}, **(HTMX if htmx else {}))


# --- the calculators page ----------------------------------------------------------------------
@pytest.mark.parametrize("username", ALL_USERS)
def test_calculators_page_is_open_to_every_signed_in_role(web, username):
    r = web(username).get(CALCULATORS)
    assert r.status_code == 200
    html = html_of(r)
    for name in ("deadline", "criminal", "cap", "wages", "capital"):
        assert f'id="calc-{name}"' in html
        assert f'name="calc" value="{name}"' in html
    assert 'aria-current="page"' in html
    assert 'data-testid="result-' not in html


def test_calculators_page_sends_anonymous_users_to_sign_in(db):
    r = Client().get(CALCULATORS)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
    r = Client().post(CALCULATORS, {"calc": "capital", "amount": "1"})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_calculators_page_has_no_duplicate_element_ids(web):
    # every label's for= must point at its own calculator's field (criminal and cap both ask
    # for a province)
    html = html_of(web("civil1").get(CALCULATORS))
    duplicates = duplicate_ids(html)
    assert not duplicates, f"ids used more than once: {duplicates}"


def test_tl4_deadline_calculator_shows_due_date_rule_and_basis(web):
    r = calc(
        web("civil1"), "deadline", kind="appeal_judgment", start="2026-02-05", unit="", count=""
    )
    assert r.status_code == 200
    block = result_block(html_of(r), "deadline")
    assert 'data-testid="due">2026-02-24<' in block
    assert "2026-02-20" in block  # rolled from
    assert "TL-4" in block
    assert "民事诉讼法第171条" in block  # the source of the period
    assert "alert-warning" not in block


def test_tl1_deadline_calculator_custom_working_days(web):
    r = calc(
        web("civil1"), "deadline", kind="custom", start="2026-02-12", unit="working_days", count="3"
    )
    assert r.status_code == 200
    block = result_block(html_of(r), "deadline")
    assert 'data-testid="due">2026-02-24<' in block
    assert "TL-1" in block


def test_tl1_deadline_calculator_warns_when_2027_is_not_loaded(web):
    r = calc(web("civil1"), "deadline", kind="appeal_judgment", start="2026-12-18")
    assert r.status_code == 200
    block = result_block(html_of(r), "deadline")
    assert 'data-testid="due">2027-01-04<' in block
    warning = re.search(r'<div class="alert alert-warning[^>]*>(.*?)</div>', block, re.S)
    assert warning and "2027" in warning.group(1)


def test_cr4_criminal_calculator_shows_verdict_rules_and_the_figures_source(web):
    r = calc(
        web("criminal1"),
        "criminal",
        province="52",
        as_of="2026-11-20",
        workers="12000 4\n3000，2",
        order_issued_on="2026-10-01",
        order_deadline="2026-10-31",
        evasion=["absconded"],
    )
    assert r.status_code == 200
    block = result_block(html_of(r), "criminal")
    assert 'data-testid="verdict"' in block
    assert zh(VERDICTS["transfer"]) in block
    for rule in ("CR-3", "CR-4", "CR-5", "CR-8"):
        assert rule in block
    assert seeded_source("52") in block  # the source of the figure used
    assert "2013-01-23" in block  # its effective date
    assert "10,000.00" in block


def test_cr4_criminal_calculator_yunnan_depends_on_the_province_config(web):
    r = calc(web("civil1"), "criminal", province="53", as_of="2026-11-20", workers="12000 4")
    assert r.status_code == 200
    block = result_block(html_of(r), "criminal")
    assert zh(VERDICTS["depends_on_province_config"]) in block
    assert "单个劳动者标准" in block
    assert seeded_source("00") in block
    assert "20,000.00" in block


def test_ja5_cap_calculator_shows_cap_series_and_source(web):
    r = calc(web("civil1"), "cap", province="53", wage_year="2023", series="")
    assert r.status_code == 200
    block = result_block(html_of(r), "cap")
    assert 'data-testid="cap">¥338,724.00<' in block
    assert "¥9,409.00" in block
    assert "人民币叁拾叁万捌仟柒佰贰拾肆元整" in block
    assert wage_source() in block
    assert "2024-06-03" in block
    assert "JA-4" in block


def test_ja5_cap_calculator_other_series(web):
    r = calc(web("chief"), "cap", province="53", wage_year="2023", series=EMPLOYED)
    assert r.status_code == 200
    block = result_block(html_of(r), "cap")
    assert 'data-testid="cap">¥320,307.00<' in block
    assert "¥8,897.42" in block


def test_la_wage_calculator_shows_each_item_with_its_rule_and_the_total(web):
    r = calc(
        web("civil1"),
        "wages",
        monthly_wage="6000",
        months_unpaid="3",
        amount_paid="2000",
        service_start="2025-03-01",
        service_end="2026-01-31",
        local_avg_monthly_wage="",
        order_deadline_passed="on",
        # written_contract unticked: no written contract
    )
    assert r.status_code == 200
    block = result_block(html_of(r), "wages")
    for rule in ("LA-1", "LA-3", "LA-4", "LA-5"):
        assert f"<td>{rule}</td>" in block
    assert "¥16,000.00" in block
    assert "¥60,000.00" in block
    assert "¥8,000.00 – ¥16,000.00" in block
    assert 'data-testid="total">¥90,000.00 – ¥98,000.00<' in block


def test_la4_wage_calculator_with_a_written_contract_has_no_double_wages(web):
    r = calc(
        web("civil1"),
        "wages",
        monthly_wage="6000",
        months_unpaid="3",
        service_start="2025-03-01",
        written_contract="on",
    )
    assert r.status_code == 200
    block = result_block(html_of(r), "wages")
    assert "<td>LA-1</td>" in block
    assert "<td>LA-4</td>" not in block
    assert "<td>LA-3</td>" not in block
    assert 'data-testid="total">¥18,000.00<' in block


def test_doc2_capital_calculator_shows_the_numerals_and_rule(web):
    r = calc(web("hrss1"), "capital", amount="1680.32")
    assert r.status_code == 200
    block = result_block(html_of(r), "capital")
    assert 'data-testid="capital">人民币壹仟陆佰捌拾元零叁角贰分<' in block
    assert "DOC-2" in block
    assert "¥1,680.32" in block


CALCULATOR_ERRORS = [
    ("deadline", {"kind": "appeal_judgment", "start": "2026-02-30"}, "start"),
    ("deadline", {"kind": "appeal_judgment", "start": ""}, "start"),
    ("deadline", {"kind": "custom", "start": "2026-02-05", "unit": "days", "count": "0"}, "count"),
    ("deadline", {"kind": "custom", "start": "2026-02-05", "unit": "days", "count": "x"}, "count"),
    ("deadline", {"kind": "custom", "start": "2026-02-05"}, "count"),
    ("deadline", {"kind": "nonsense", "start": "2026-02-05"}, "kind"),
    ("criminal", {"province": "52", "workers": "abc 4"}, "workers"),
    ("criminal", {"province": "52", "workers": "-5 4"}, "workers"),
    ("criminal", {"province": "99", "workers": "12000 4"}, "province"),
    ("criminal", {"province": "52", "workers": "12000 4", "as_of": "2026-02-30"}, "as_of"),
    (
        "criminal",
        {
            "province": "52",
            "workers": "12000 4",
            "order_issued_on": "2026-10-31",
            "order_deadline": "2026-10-01",
        },
        "order_deadline",
    ),
    (
        "criminal",
        {"province": "52", "workers": "12000 4", "order_issued_on": "2026-02-30"},
        "order_issued_on",
    ),
    ("criminal", {"province": "52", "workers": "12000 4", "evasion": ["bribery"]}, "evasion"),
    ("cap", {"province": "53", "wage_year": "2024"}, "wage_year"),
    ("cap", {"province": "53", "wage_year": "abc"}, "wage_year"),
    ("cap", {"province": "53", "wage_year": "2023", "series": "median"}, "series"),
    ("wages", {"monthly_wage": "-1"}, "monthly_wage"),
    ("wages", {"monthly_wage": ""}, "monthly_wage"),
    ("wages", {"monthly_wage": "6000", "months_unpaid": "601"}, "months_unpaid"),
    (
        "wages",
        {"monthly_wage": "6000", "service_start": "2026-03-01", "service_end": "2026-02-01"},
        "service_end",
    ),
    ("capital", {"amount": "-1"}, "amount"),
    ("capital", {"amount": "1.005"}, "amount"),
    ("capital", {"amount": "1000000000000"}, "amount"),
    ("capital", {"amount": "abc"}, "amount"),
]


@pytest.mark.parametrize(("name", "fields", "field"), CALCULATOR_ERRORS)
def test_calculator_bad_input_is_422_with_the_error_at_the_field(web, name, fields, field):
    r = calc(web("civil1"), name, **fields)
    assert r.status_code == 422
    html = html_of(r)
    assert "<html" in html
    assert field_error(html, field), f"no error shown at {field}"
    assert 'id="form-errors"' in html
    assert f'data-testid="result-{name}"' not in html


def test_calculator_bad_input_keeps_what_was_typed(web):
    r = calc(web("civil1"), "criminal", province="52", workers="abc 4", as_of="2026-11-20")
    assert r.status_code == 422
    section = html_of(r).split('id="calc-criminal"', 1)[1].split('id="calc-cap"', 1)[0]
    assert "abc 4</textarea>" in section
    assert 'value="2026-11-20"' in section


@pytest.mark.parametrize(
    ("name", "fields", "marker"),
    [
        ("deadline", {"kind": "appeal_judgment", "start": "2026-02-05"}, "2026-02-24"),
        ("criminal", {"province": "53", "workers": "12000 4"}, "CR-4"),
        ("cap", {"province": "53", "wage_year": "2023"}, "¥338,724.00"),
        ("wages", {"monthly_wage": "6000", "months_unpaid": "2"}, "LA-1"),
        ("capital", {"amount": "1680.32"}, "人民币壹仟陆佰捌拾元零叁角贰分"),
    ],
)
def test_htmx_request_gets_only_the_calculators_partial(web, name, fields, marker):
    r = calc(web("civil1"), name, htmx=True, **fields)
    assert r.status_code == 200
    html = html_of(r)
    assert "<html" not in html
    assert "<nav" not in html
    assert f'name="calc" value="{name}"' in html
    others = {"deadline", "criminal", "cap", "wages", "capital"} - {name}
    assert not any(f'name="calc" value="{other}"' in html for other in others)
    assert marker in result_block(html, name)
    assert f'hx-target="#calc-{name}"' in html


def test_htmx_bad_input_gets_the_partial_with_the_error_and_422(web):
    r = calc(web("civil1"), "capital", htmx=True, amount="-1")
    assert r.status_code == 422
    html = html_of(r)
    assert "<html" not in html
    assert field_error(html, "amount")
    assert 'aria-invalid="true"' in html


def test_htmx_get_of_the_page_is_the_whole_page(web):
    r = web("civil1").get(CALCULATORS, **HTMX)
    assert r.status_code == 200
    assert "<html" in html_of(r)


def test_an_unknown_calculator_is_the_plain_page(web):
    r = calc(web("civil1"), "nonsense", amount="1")
    assert r.status_code == 200
    assert 'data-testid="result-' not in html_of(r)


# --- the law library page --------------------------------------------------------------------
@pytest.mark.parametrize("username", ALL_USERS)
def test_library_page_is_open_to_every_signed_in_role(web, username):
    r = web(username).get(LIBRARY)
    assert r.status_code == 200
    html = html_of(r)
    for section in ("holidays", "thresholds", "wages"):
        assert f'id="{section}"' in html


def test_library_page_sends_anonymous_users_to_sign_in(db):
    r = Client().get(LIBRARY)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
    r = Client().post(f"{LIBRARY}threshold/", {"province": "53"})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
    assert not CriminalThreshold.objects.filter(province="53").exists()


def holiday_section(html: str) -> str:
    return html.split('id="holidays"', 1)[1].split('id="thresholds"', 1)[0]


def test_tl1_library_warns_that_next_years_notice_is_not_loaded(web):
    next_year = timezone.localdate().year + 1
    html = html_of(web("civil1").get(LIBRARY))
    warning = re.search(
        r'<div class="alert alert-warning"[^>]*>(.*?)</div>', holiday_section(html), re.S
    )
    if loaders.holiday_calendar().covers(next_year):
        assert warning is None
    else:
        assert warning is not None, "no warning about next year's holiday notice"
        assert str(next_year) in warning.group(1)
    # the loaded years are listed with their source
    assert escape(HolidayYear.objects.get(year=2026).source) in holiday_section(html)
    assert ">2026<" in holiday_section(html)


def test_tl1_library_warning_goes_once_next_years_notice_is_entered(web, users):
    next_year = timezone.localdate().year + 1
    if not loaders.holiday_calendar().covers(next_year):
        services.enter_holiday_year(
            actor=users["sysadmin"],
            data={
                "year": str(next_year),
                "notice_title": f"国务院办公厅关于{next_year}年部分节假日安排的通知",
                "source": "测试",
                "days": f"{next_year}-01-01 元旦",
            },
        )
    html = html_of(web("civil1").get(LIBRARY))
    assert "alert-warning" not in holiday_section(html)


def test_cr4_library_lists_the_thresholds_with_their_sources(web):
    html = html_of(web("civil1").get(LIBRARY))
    section = html.split('id="thresholds"', 1)[1].split('id="wages"', 1)[0]
    assert seeded_source("00") in section
    assert "¥5,000.00 – ¥20,000.00" in section
    assert "¥30,000.00 – ¥100,000.00" in section
    for province in ("52", "43", "41", "21", "32", "50", "42"):
        assert seeded_source(province) in section
    assert "¥10,000.00" in section and "¥50,000.00" in section
    assert "¥6,000.00" in section and "¥40,000.00" in section  # Hunan
    assert "2013-01-23" in section
    assert escape(CriminalThreshold.objects.get(province="42").note) in section  # Hubei's note
    assert section.count("<tr>") >= 1 + 8  # header + national range + seven provinces


def test_ja5_library_lists_the_wage_figures_and_the_series_in_use(web):
    html = html_of(web("civil1").get(LIBRARY))
    section = html.split('id="wages"', 1)[1]
    assert "¥112,908.00" in section
    assert "¥106,769.00" in section
    assert wage_source(2023, ON_POST) in section
    assert wage_source(2023, EMPLOYED) in section
    assert "2024-06-03" in section
    assert ">2023<" in section
    # the series in use, with the basis of that choice
    assert escape(RuleSetting.objects.get(key="assistance_wage_series").source) in section


def test_library_edit_forms_are_shown_to_the_system_administrator(web):
    html = html_of(web("sysadmin").get(LIBRARY))
    for what in ("holiday", "threshold", "wage", "series", "campaign"):
        assert f'action="/tools/law-library/{what}/"' in html


@pytest.mark.parametrize("username", [u for u in ALL_USERS if u != "sysadmin"])
def test_library_edit_forms_are_hidden_from_everyone_else(web, username):
    html = html_of(web(username).get(LIBRARY))
    assert 'action="/tools/law-library/' not in html
    assert 'name="days"' not in html


def test_library_page_has_no_duplicate_element_ids(web):
    # the four edit forms each have their own source/province/series fields
    html = html_of(web("sysadmin").get(LIBRARY))
    duplicates = duplicate_ids(html)
    assert not duplicates, f"ids used more than once: {duplicates}"


def holiday_post(year: int = 2027) -> dict:
    return {
        "year": str(year),
        "notice_title": f"国务院办公厅关于{year}年部分节假日安排的通知",
        "notice_number": "",
        "published_on": "2026-11-20",  # before the suite's clock (tests/conftest.py TEST_START)
        "source": "测试用通知文本",
        "days": f"{year}-01-01..{year}-01-03 元旦\n{year}-02-14 上班 春节\n{year}-02-05..{year}-02-13 春节",
    }


THRESHOLD_POST = {
    "province": "53",
    "individual": "10000",
    "collective": "50000",
    "effective_from": "2026-01-01",
    "source": "云南省高级人民法院文件（测试）",
    "note": "",
}
WAGE_POST = {
    "province": "53",
    "wage_year": "2024",
    "series": ON_POST,
    "annual": "118000",
    "published_on": "2025-06-01",
    "source": "云南省统计局（测试）",
}
SERIES_POST = {"series": EMPLOYED, "source": "部署决定（测试）"}


def saved(what: str) -> bool:
    if what == "holiday":
        return HolidayYear.objects.filter(year=2027).exists()
    if what == "threshold":
        return CriminalThreshold.objects.filter(province="53").exists()
    if what == "wage":
        return AverageWage.objects.filter(wage_year=2024).exists()
    if what == "province_cap":
        return RuleSetting.objects.filter(key="assistance_province_cap_43").exists()
    return RuleSetting.objects.get(key="assistance_wage_series").value == EMPLOYED


PROVINCE_CAP_POST = {"province": "43", "amount": "50000", "source": "湖南省规定（测试）"}

EDITS = [
    ("holiday", holiday_post(), "rulebook.holidays"),
    ("threshold", THRESHOLD_POST, "rulebook.threshold"),
    ("wage", WAGE_POST, "rulebook.wage"),
    ("series", SERIES_POST, "rulebook.setting"),
    ("province_cap", PROVINCE_CAP_POST, "rulebook.setting"),
]


@pytest.mark.parametrize(("what", "data", "action"), EDITS, ids=[e[0] for e in EDITS])
def test_system_administrator_saves_library_figures(web, what, data, action):
    client = web("sysadmin")
    r = client.post(f"{LIBRARY}{what}/", data)
    assert r.status_code == 302, html_of(r)[:2000]
    assert r["Location"] == LIBRARY
    assert saved(what)
    (entry,) = AuditEntry.objects.filter(action=action, outcome="ok")
    assert entry.username == "sysadmin"
    assert entry.detail["source"] == data["source"]
    page = client.get(LIBRARY)
    assert "alert-success" in html_of(page)  # the success message after the redirect


def test_saved_threshold_and_wage_are_used_by_the_calculators(web):
    client = web("sysadmin")
    assert client.post(f"{LIBRARY}threshold/", THRESHOLD_POST).status_code == 302
    assert client.post(f"{LIBRARY}wage/", WAGE_POST).status_code == 302
    html = html_of(client.get(LIBRARY))
    assert "云南省高级人民法院文件（测试）" in html
    assert "¥118,000.00" in html
    r = calc(client, "cap", province="53", wage_year="2024")
    assert 'data-testid="cap">¥354,000.00<' in html_of(r)
    r = calc(
        client,
        "criminal",
        province="53",
        as_of="2026-11-20",
        workers="12000 4",
        order_issued_on="2026-10-01",
        order_deadline="2026-10-31",
    )
    block = result_block(html_of(r), "criminal")
    assert zh(VERDICTS["transfer"]) in block
    assert "云南省高级人民法院文件（测试）" in block


def test_saved_series_is_shown_on_the_library_and_the_cap(web):
    client = web("sysadmin")
    assert client.post(f"{LIBRARY}series/", SERIES_POST).status_code == 302
    html = html_of(client.get(LIBRARY))
    assert "部署决定（测试）" in html
    block = result_block(html_of(calc(client, "cap", province="53", wage_year="2023")), "cap")
    assert 'data-testid="cap">¥320,307.00<' in block


@pytest.mark.parametrize(
    ("what", "data", "field"),
    [
        ("threshold", {**THRESHOLD_POST, "individual": "4000"}, "individual"),
        ("threshold", {**THRESHOLD_POST, "collective": "120000"}, "collective"),
        ("threshold", {**THRESHOLD_POST, "effective_from": ""}, "effective_from"),
        ("wage", {**WAGE_POST, "wage_year": "abc"}, "wage_year"),
        ("wage", {**WAGE_POST, "wage_year": "2023"}, "wage_year"),  # already entered
        ("holiday", {**holiday_post(), "days": "2027-02-30 春节"}, "days"),
        ("holiday", {**holiday_post(), "year": ""}, "year"),
        ("series", {"series": "median", "source": "x"}, "series"),
        ("series", {"series": EMPLOYED, "source": ""}, "source"),
        ("province_cap", {**PROVINCE_CAP_POST, "amount": "-1"}, "amount"),
        ("province_cap", {**PROVINCE_CAP_POST, "source": ""}, "source"),
    ],
)
def test_library_edit_errors_are_422_at_the_field_and_nothing_is_saved(web, what, data, field):
    r = web("sysadmin").post(f"{LIBRARY}{what}/", data)
    assert r.status_code == 422
    html = html_of(r)
    assert field_error(html, field), f"no error shown at {field}"
    assert not saved(what)
    assert not AuditEntry.objects.filter(action__startswith="rulebook.", outcome="ok").exists()


@pytest.mark.parametrize("username", NON_EDITORS)
@pytest.mark.parametrize(("what", "data", "action"), EDITS, ids=[e[0] for e in EDITS])
def test_library_edits_are_403_for_everyone_but_the_system_administrator(
    web, username, what, data, action
):
    r = web(username).post(f"{LIBRARY}{what}/", data)
    assert r.status_code == 403
    assert not saved(what)
    denied = AuditEntry.objects.filter(action=action, outcome="denied")
    assert [e.username for e in denied] == [username]


@pytest.mark.parametrize("username", ["sysadmin", "civil1"])
def test_an_unknown_library_edit_is_404(web, username):
    r = web(username).post(f"{LIBRARY}nonsense/", {"x": "1"})
    assert r.status_code == 404


def test_library_edit_only_takes_posts(web):
    r = web("sysadmin").get(f"{LIBRARY}holiday/")
    assert r.status_code == 405
