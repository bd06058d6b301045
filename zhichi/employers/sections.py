"""The joint actions' parts of other pages: a section of the case page, and the case timeline's
headline for a joint action (the cases app knows nothing of this app)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhichi.page_sections import Section, register


def register_all() -> None:
    from zhichi.cases import presenters
    from zhichi.employers.presenters import describe_event

    register(
        "case",
        Section(
            key="joint-actions",
            title=gettext_lazy("Joint actions"),
            template="employers/_case_section.html",
            context=case_section,
            order=50,
        ),
    )
    presenters.register_event_label("joint_action", describe_event)


def case_section(request, case) -> dict | None:
    """The joint actions of the case the viewer may see; left out when there are none."""
    from zhichi.employers.rules import joint_actions_visible_to

    actions = list(
        joint_actions_visible_to(request.user)
        .filter(case_links__case=case)
        .select_related("organisation")
        .order_by("-on", "-id")[:20]
    )
    if not actions:
        return None
    return {"actions": actions}
