"""Four eyes as a property (issue 12, item 5; decision 0005): over every approval chain — the
support decision, judicial assistance under any ZHICHI_ASSISTANCE_CHAIN / _URGENT_CHAIN /
_SPECIAL_ROLE, suggestions, reopening, and a bare request from any proposing role — with or
without a second head and a second chief, no approval is ever decided by the person who proposed
it, and an approval moves a level up exactly when its proposer is the only one holding the
step's role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assistance.conftest import application_data, opinion_data
from tests.conftest import PASSWORD
from tests.supervision.conftest import DRAFT
from tests.transfers.conftest import wage_case
from zhichi.accounts.models import Role, User
from zhichi.assistance import services as assistance
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus
from zhichi.cases import rules
from zhichi.cases.models import Approval, ApprovalKind, ApprovalStatus, Case
from zhichi.cases.selectors import approvals_inbox as pending_approvals_for
from zhichi.cases.services import approvals, disposal, reopening
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.supervision import services as supervision

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ROLES = st.sampled_from([Role.HEAD, Role.CHIEF])
CHAINS = st.lists(ROLES, min_size=1, max_size=3)


@dataclass(frozen=True)
class World:
    kind: str
    proposer: str  # a username of the fixture users
    chain: list[str]
    urgent_chain: list[str]
    special_role: str
    urgent: bool
    above_cap: bool
    second_head: bool
    second_chief: bool
    asked_role: str  # for the bare request


worlds = st.builds(
    World,
    kind=st.sampled_from(["support", "assistance", "suggestion", "reopening", "request"]),
    proposer=st.sampled_from(["civil1", "civilhead", "chief"]),
    chain=CHAINS,
    urgent_chain=CHAINS,
    special_role=ROLES,
    urgent=st.booleans(),
    above_cap=st.booleans(),
    second_head=st.booleans(),
    second_chief=st.booleans(),
    asked_role=ROLES,
)


class Rollback(Exception):
    """Ends an example: everything it made is rolled back before the next one."""


def _extra(users, username: str, role: str, department) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        organisation=users["chief"].organisation,
        department=department,
        role=role,
        is_demo=True,  # a demo account: no second factor asked (tests/settings.py)
    )


def _asked(approval: Approval, application: AssistanceApplication | None) -> str:
    """The role the chain asked for at this step, before four eyes moved it."""
    if approval.kind == ApprovalKind.ASSISTANCE:
        return application.steps[approval.payload["step_index"]]["role"]
    if approval.kind == ApprovalKind.SUGGESTION:
        return Role.CHIEF
    if approval.kind == "request":
        return approval.payload["asked"]
    return Role.HEAD  # the support decision, reopening


def _start(w: World, users, case: Case, proposer: User):
    """Open the chain as ``proposer``; the assistance application, if any."""
    if w.kind == "support":
        disposal.propose_support_decision(
            case_id=case.pk, actor=proposer, data={"decision": "support", "reasons": "符合条件"}
        )
    elif w.kind == "suggestion":
        supervision.draft_suggestion(case_id=case.pk, actor=proposer, data=DRAFT)
    elif w.kind == "reopening":
        case.refresh_from_db()
        disposal.close_case(
            case_id=case.pk,
            actor=proposer,
            data={"outcome": "withdrawn"},
            version=case.version,
        )
        reopening.reopen_case(case_id=case.pk, actor=users["civilhead"], data={"reason": "复查"})
    elif w.kind == "assistance":
        amounts = (
            {"requested_amount": "400000.00"} if w.above_cap else {"requested_amount": "30000.00"}
        )
        application = assistance.record_application(
            case_id=case.pk,
            actor=users["civil1"],
            data=application_data(
                case, urgent=w.urgent, urgent_reason="急需手术" if w.urgent else "", **amounts
            ),
        )
        opinion = (
            opinion_data(proposed_amount="350000.00", court_award_limit="400000.00")
            if w.above_cap
            else opinion_data()
        )
        assistance.submit_opinion(application_id=application.pk, actor=proposer, data=opinion)
        return AssistanceApplication.objects.get(pk=application.pk)
    else:
        approvals.request_approval(
            case=case,
            kind="request",
            required_role=w.asked_role,
            actor=proposer,
            payload={"asked": w.asked_role},
            text="x",
        )
    return None


def _may_start(w: World, proposer: User) -> bool:
    """Who may open each chain at all (the services' own rules, not four eyes)."""
    if w.kind in ("support", "suggestion", "assistance"):
        return proposer.role in (Role.OFFICER, Role.HEAD)
    if w.kind == "reopening":  # the head reopens; the proposer is whoever closed the case
        return proposer.role in (Role.OFFICER, Role.HEAD)
    return True


def _run(w: World, users) -> None:
    everyone = [u for u in users.values() if u.role in (Role.HEAD, Role.CHIEF)]
    if w.second_head:
        everyone.append(_extra(users, "civilhead2", Role.HEAD, users["civilhead"].department))
    if w.second_chief:
        everyone.append(_extra(users, "deputychief", Role.CHIEF, None))
    case = wage_case(users, consent=False, seq="47")
    proposer = users[w.proposer]
    if not _may_start(w, proposer):
        return
    try:
        application = _start(w, users, case, proposer)
    except InvalidInput as exc:
        # only the chief procurator's own proposal, with no other chief, is refused
        assert [e.code for e in exc.errors] == ["no_other_approver"]
        assert (w.kind, proposer.role, w.asked_role, w.second_chief) == (
            "request",
            Role.CHIEF,
            Role.CHIEF,
            False,
        )
        return
    if w.kind == "reopening":
        # whoever closed it proposes the reopening only when it is the head's own closure
        proposer = users["civilhead"]
        if w.proposer != "civilhead":
            assert Approval.objects.filter(case=case).count() == 0
            return
    decided = 0
    while approval := Approval.objects.filter(case=case, status=ApprovalStatus.PENDING).first():
        if application is not None:
            application.refresh_from_db()
        asked = _asked(approval, application)
        alone = list(approvals.approvers(case, asked)) == [proposer]
        assert approval.requested_by == proposer
        assert approval.escalated_from == (asked if alone else "")
        assert approval.required_role == (approvals.NEXT_LEVEL[asked] if alone else asked)
        assert approval not in pending_approvals_for(proposer)
        assert not rules.can_approve(proposer, approval)
        with pytest.raises(NotPermitted):
            approvals.decide_approval(approval_id=approval.pk, actor=proposer, approve=True)
        deciders = [u for u in everyone if rules.can_approve(u, approval)]
        assert deciders, approval
        assert all(approval in pending_approvals_for(u) for u in deciders)
        approvals.decide_approval(approval_id=approval.pk, actor=deciders[-1], approve=True)
        decided += 1
    assert decided >= 1
    for a in Approval.objects.filter(case=case):
        assert a.status == ApprovalStatus.APPROVED
        assert a.decided_by_id != a.requested_by_id
    if application is not None:
        application.refresh_from_db()
        assert application.status == AssistanceStatus.GRANTED


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(w=worlds)
def test_no_approval_is_ever_decided_by_its_proposer_item5(users, w):
    chains = {
        "ASSISTANCE_CHAIN": w.chain,
        "ASSISTANCE_URGENT_CHAIN": w.urgent_chain,
        "ASSISTANCE_SPECIAL_ROLE": w.special_role,
    }
    with override_settings(ZHICHI={**django_settings.ZHICHI, **chains}):
        try:
            with transaction.atomic():
                _run(w, users)
                raise Rollback
        except Rollback:
            pass
