"""Money paid on the spot in a joint action, split over the claimants (C8): largest remainder."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhichi.core.allocation import AllocationError, allocate

pytestmark = pytest.mark.unit

D = Decimal


def test_allocation_in_proportion_to_what_is_owed():
    assert allocate(D("3000.00"), {"a": D("2000.00"), "b": D("4000.00")}) == {
        "a": D("1000.00"),
        "b": D("2000.00"),
    }


def test_allocation_gives_the_left_over_fen_to_the_largest_remainders():
    # exact shares 33.333…, 33.333…, 33.333… : one fen left, to the first listed
    assert allocate(D("100.00"), {"a": D("100"), "b": D("100"), "c": D("100")}) == {
        "a": D("33.34"),
        "b": D("33.33"),
        "c": D("33.33"),
    }


def test_allocation_prefers_the_larger_remainder_over_the_order():
    # exact shares: a 0.3333…, b 0.6666… → b keeps the fen that is left
    assert allocate(D("0.01"), {"a": D("1.00"), "b": D("2.00")}) == {
        "a": D("0.00"),
        "b": D("0.01"),
    }


def test_allocation_of_everything_owed_pays_everyone_in_full():
    owed = {1: D("12000.00"), 2: D("8000.50"), 3: D("0.00")}

    assert allocate(D("20000.50"), owed) == owed


def test_allocation_of_nothing_is_zero_for_everyone():
    assert allocate(D("0.00"), {"a": D("5.00")}) == {"a": D("0.00")}


def test_allocation_above_what_is_owed_is_refused():
    with pytest.raises(AllocationError) as exc:
        allocate(D("100.01"), {"a": D("40.00"), "b": D("60.00")})

    assert exc.value.code == "more_than_owed"


def test_allocation_with_no_one_owed_anything_refuses_money():
    with pytest.raises(AllocationError) as exc:
        allocate(D("1.00"), {})

    assert exc.value.code == "more_than_owed"


@pytest.mark.parametrize(
    ("total", "owed", "code"),
    [
        (D("-1.00"), {"a": D("5")}, "negative"),
        (D("1.001"), {"a": D("5")}, "precision"),
        (D("1.00"), {"a": D("-5")}, "negative"),
        (D("NaN"), {"a": D("5")}, "type"),
        (1, {"a": D("5")}, "type"),
    ],
)
def test_allocation_refuses_bad_amounts(total, owed, code):
    with pytest.raises(AllocationError) as exc:
        allocate(total, owed)

    assert exc.value.code == code


def test_allocation_keeps_the_order_of_the_claimants():
    owed = {"z": D("1.00"), "a": D("2.00"), "m": D("3.00")}

    assert list(allocate(D("6.00"), owed)) == ["z", "a", "m"]


# --- properties ----------------------------------------------------------------------------------
FEN = st.integers(min_value=0, max_value=10**11).map(lambda n: (D(n) / 100).quantize(D("0.01")))


@st.composite
def owed_and_total(draw):
    owed = draw(st.dictionaries(st.integers(0, 10**6), FEN, min_size=1, max_size=30))
    whole = int(sum(owed.values()) * 100)
    total = D(draw(st.integers(0, whole))) / 100
    return owed, total.quantize(D("0.01"))


@given(owed_and_total())
def test_property_the_parts_add_up_to_the_total(case):
    owed, total = case

    assert sum(allocate(total, owed).values(), D("0")) == total


@given(owed_and_total())
def test_property_nobody_gets_more_than_owed_nor_less_than_nothing(case):
    owed, total = case

    parts = allocate(total, owed)

    assert all(D("0") <= parts[k] <= owed[k] for k in owed)


@given(owed_and_total())
def test_property_each_part_is_within_one_fen_of_its_exact_share(case):
    owed, total = case
    whole = sum(owed.values())

    parts = allocate(total, owed)

    for key, part in parts.items():
        exact = total * owed[key] / whole if whole else D("0")
        assert abs(part - exact) < D("0.01")


@given(owed_and_total())
def test_property_parts_are_fen_exact(case):
    owed, total = case

    assert all(p == p.quantize(D("0.01")) for p in allocate(total, owed).values())


@given(owed_and_total(), st.integers(1, 10**6))
def test_property_more_than_owed_is_always_refused(case, extra):
    owed, _total = case
    too_much = sum(owed.values()) + D(extra) / 100

    with pytest.raises(AllocationError):
        allocate(too_much, owed)
