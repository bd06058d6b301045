"""The joint actions' parts of other pages: a section of the case page, and the case timeline's
headline for a joint action (the cases app knows nothing of this app)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhichi.cases import presenters
from zhichi.cases.partner_view import register_party_records
from zhichi.common.page_sections import Section, register
from zhichi.employers.models import JointAction
from zhichi.employers.presenters import describe_event


def register_all() -> None:
    register(
        "case",
        Section(
            key="joint-actions",
            title=gettext_lazy("Joint actions"),
            template="employers/_case_section.html",
            context=case_section,
            order=50,
            partners=True,  # the joint actions the partner took part in
        ),
    )
    presenters.register_event_label("joint_action", describe_event)
    # on the case timeline, a joint action is seen by those who may see it: its participants
    # (and the procuratorate's staff), not every partner the case is shared with (C8)
    register_party_records(
        "joint_action", events={"joint_action"}, records=party_joint_actions, summary=True
    )


def party_joint_actions(user, case):
    """The case's joint actions ``user`` may see (for a partner: those it took part in)."""
    return JointAction.objects.visible_to(user).filter(case_links__case=case)


def case_section(request, case) -> dict | None:
    """The joint actions of the case the viewer may see; left out when there are none."""
    actions = list(
        JointAction.objects.visible_to(request.user)
        .filter(case_links__case=case)
        .select_related("organisation")
        .order_by("-on", "-id")[:20]
    )
    if not actions:
        return None
    return {"actions": actions}
