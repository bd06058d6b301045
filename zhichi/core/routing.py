"""Labour routing (rule SP-6): where a labour relationship exists, arbitration comes first."""

from __future__ import annotations

EMPLOYEE = "employee"


def arbitration_first(*, labour_relationship: str, has_iou: bool) -> bool:
    """True when the worker must go to labour arbitration before a court.

    rule SP-6: a labour relationship (employee) means arbitration first, except for a worker
    holding the employer's wage IOU (工资欠条), who may sue on it directly (SPC 劳动争议解释（一）
    art. 15). Crews hired by a 包工头 (contractor_crew) or with no labour relationship bring a
    劳务 claim straight to court; "unknown" is not yet routed.
    """
    return labour_relationship == EMPLOYEE and not has_iou
