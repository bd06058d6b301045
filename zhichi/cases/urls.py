from django.urls import path

from zhichi.cases import (
    views,
    views_approvals,
    views_closing,
    views_facts,
    views_litigation,
    views_mediation,
    views_parties,
    views_payments,
    views_visits,
)

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("approvals/", views_approvals.approvals_inbox, name="approvals"),
    path(
        "approvals/<int:approval_id>/approve/",
        views_approvals.approval_approve,
        name="approval_approve",
    ),
    path(
        "approvals/<int:approval_id>/reject/",
        views_approvals.approval_reject,
        name="approval_reject",
    ),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/stage/", views.case_move_stage, name="case_move_stage"),
    path("<int:pk>/unmask/", views.case_unmask, name="case_unmask"),
    path("<int:pk>/mediations/", views_mediation.record_mediation, name="case_mediation"),
    path(
        "<int:pk>/mediation-appointments/",
        views_mediation.schedule_mediation,
        name="case_schedule_mediation",
    ),
    path(
        "<int:pk>/mediation-appointments/<int:appointment_id>/cancel/",
        views_mediation.cancel_mediation_appointment,
        name="case_cancel_mediation",
    ),
    path("<int:pk>/support-decision/", views_litigation.propose_support, name="case_support"),
    path("<int:pk>/court-events/", views_litigation.record_court_event, name="case_court_event"),
    path("<int:pk>/payments/", views_payments.record_payment, name="case_payment"),
    path(
        "<int:pk>/payments/<int:payment_id>/reverse/",
        views_payments.reverse_payment,
        name="case_payment_reverse",
    ),
    path("<int:pk>/visits/", views_visits.plan_visit, name="case_plan_visit"),
    path(
        "<int:pk>/visits/<int:visit_id>/record/",
        views_visits.record_visit,
        name="case_record_visit",
    ),
    path("<int:pk>/close/", views_closing.close_case, name="case_close"),
    path("<int:pk>/level/", views_facts.override_level, name="case_level"),
    path("<int:pk>/reopen/", views_closing.reopen_case, name="case_reopen"),
    path("<int:pk>/facts/", views_facts.update_facts, name="case_facts"),
    path(
        "<int:pk>/parties/<int:party_id>/correct/",
        views_parties.correct_party,
        name="case_party_correct",
    ),
    path("shares/<int:share_id>/revoke/", views_facts.revoke_share, name="share_revoke"),
]
