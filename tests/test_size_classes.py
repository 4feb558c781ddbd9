"""The EU SME definition (2003/361/EC) at each of its boundaries."""

from decimal import Decimal

import pytest

from trajects.size_classes import SizeClass, classify

MILLION = Decimal(1_000_000)


def size(staff, turnover=None, balance=None, non_profit=False):
    return classify(
        is_non_profit=non_profit, staff_headcount=staff, turnover=turnover, balance_sheet_total=balance
    )


@pytest.mark.parametrize(
    ("staff", "expected"),
    [
        (0, SizeClass.MICRO),
        (9, SizeClass.MICRO),
        (10, SizeClass.SMALL),
        (49, SizeClass.SMALL),
        (50, SizeClass.MEDIUM),
        (249, SizeClass.MEDIUM),
        (250, SizeClass.LARGE),
        (5000, SizeClass.LARGE),
    ],
)
def test_staff_boundaries_decide_when_no_financial_figures_are_known(staff, expected):
    assert size(staff) == expected


@pytest.mark.parametrize(
    ("staff", "turnover", "balance", "expected"),
    [
        # micro: turnover or balance sheet at most EUR 2M
        (9, 2 * MILLION, 5 * MILLION, SizeClass.MICRO),
        (9, 5 * MILLION, 2 * MILLION, SizeClass.MICRO),
        (9, 2 * MILLION + 1, 2 * MILLION + 1, SizeClass.SMALL),
        # small: at most EUR 10M
        (49, 10 * MILLION, 20 * MILLION, SizeClass.SMALL),
        (49, 20 * MILLION, 10 * MILLION, SizeClass.SMALL),
        (49, 10 * MILLION + 1, 10 * MILLION + 1, SizeClass.MEDIUM),
        # medium: turnover at most EUR 50M or balance sheet at most EUR 43M
        (249, 50 * MILLION, 100 * MILLION, SizeClass.MEDIUM),
        (249, 100 * MILLION, 43 * MILLION, SizeClass.MEDIUM),
        (249, 50 * MILLION + 1, 43 * MILLION + 1, SizeClass.LARGE),
        # the staff ceiling applies whatever the money
        (250, Decimal(1), Decimal(1), SizeClass.LARGE),
        (10, Decimal(1), Decimal(1), SizeClass.SMALL),
    ],
)
def test_financial_ceilings_at_their_limits(staff, turnover, balance, expected):
    assert size(staff, turnover, balance) == expected


def test_one_known_financial_figure_is_enough():
    assert size(5, turnover=3 * MILLION) == SizeClass.SMALL
    assert size(5, balance=Decimal(1_500_000)) == SizeClass.MICRO


def test_non_profit_is_its_own_class_whatever_its_size():
    assert size(3, non_profit=True) == SizeClass.NON_PROFIT
    assert size(4000, 900 * MILLION, 900 * MILLION, non_profit=True) == SizeClass.NON_PROFIT
