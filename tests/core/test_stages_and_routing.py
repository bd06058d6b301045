import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhichi.core import stages
from zhichi.core.routing import arbitration_first

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("relationship", "iou", "expected"),
    [
        ("employee", False, True),
        ("employee", True, False),  # rule SP-6: the IOU exception
        ("contractor_crew", False, False),
        ("none", False, False),
        ("unknown", False, False),
    ],
)
def test_sp6_arbitration_first(relationship, iou, expected):
    assert arbitration_first(labour_relationship=relationship, has_iou=iou) is expected


def test_sp7_allowed_moves_table():
    assert stages.allowed_targets("review") == ("pre_litigation", "litigation", "closed")
    assert stages.allowed_targets("pre_litigation") == ("litigation", "post_litigation", "closed")
    assert stages.allowed_targets("litigation") == ("post_litigation", "closed")
    assert stages.allowed_targets("post_litigation") == ("closed",)
    assert stages.allowed_targets("closed") == ()


@given(st.sampled_from(stages.STAGES), st.sampled_from(stages.STAGES))
def test_sp7_no_stage_moves_to_itself_or_out_of_closed(current, target):
    if current == target or current == stages.CLOSED:
        assert not stages.is_allowed(current, target)


@given(st.sampled_from(stages.STAGES), st.sampled_from(stages.STAGES))
def test_sp7_moves_only_go_forward(current, target):
    if stages.is_allowed(current, target):
        assert stages.STAGES.index(target) > stages.STAGES.index(current)
