"""What the coaching changed, per traject as of a date: the outcome figures of question 244, of the
breakdowns and of the cabinet's page, computed once here and masked once here.

The database aggregates (``participants.selectors.outcome_aggregates``) in one grouped query, whatever
the number of companies, applications, evaluations or situations; this module turns a group's aggregates
into its figures (:func:`outcomes`) and masks the small ones (:func:`disclosed`).

Choices (issue 17; the minister's answer of 26 November 2025 stays as it was):

- as of a date: an evaluation or follow-up counts when it was submitted (the day in Europe/Brussels) on
  or before ``as_of`` for a trajectory completed by then (``ended_on <= as_of``); a baseline (the learning
  situation at intake) when ``recorded_on <= as_of``, whatever the trajectory's status since; the
  situation at closing likewise, and only for a company whose evaluation counts;
- ``response_rate``: evaluations received ÷ trajectories completed, in percent with one decimal rounded
  half up, as a string like the size-class shares; ``null`` while nothing was completed;
- ``follow_up_rate``: follow-ups received ÷ completed trajectories whose follow-up fell due by then (six
  months after the end, ``participants.models.FOLLOW_UP_AFTER``); ``null`` while none fell due.
  ``follow_ups`` gives both counts (``due``, ``received``);
- ``staff_reached`` (``total``, ``low_skilled``, ``aged_55_plus``): one figure per completed trajectory,
  the closing evaluation's counts when an evaluation with counts was received by then, else the
  promoter's count at completion (``Application.staff_reached``); a trajectory with neither adds
  nothing, and the sessions' ``employees_present`` never count. ``null`` while no trajectory gives one;
- ``training_policy`` (``before``, ``after``): shares (percent, one decimal) of the responding companies
  with both a baseline and a situation at closing ("paired"): with a training policy at intake, at closing;
- ``barriers``: per barrier code, ``met_at_intake`` (companies whose baseline met it) and ``removed``
  (paired companies that met it at intake and no longer at closing);
- ``average_scores``: learning transfer and motivation, like the four other scores: exact sums, two
  decimals half up, over the evaluations received that gave them; ``null`` without any;
- ``stop_reasons`` (a traject's, not its evaluations'): per stop reason code, every code listed, the
  trajectories stopped by then for it;
- companies are counted distinct within a group; trajectories, evaluations and follow-ups each.

Disclosure control: only aggregates reach the cabinet, and a figure resting on one to four companies is
the string ``"< 5"`` (:data:`MASKED`) in every output, by :func:`disclosed` alone:

- a count resting on 1 to 4 companies (barriers, stop reasons, follow-ups) is ``"< 5"``; 0 stays 0. A
  count of trajectories rests on the distinct companies behind them: one company that completed a traject
  five times is still one company;
- a share or average whose base has 1 to 4 companies is ``"< 5"`` (a base of 0 gives ``null`` as
  usual): the response rate rests on the companies of the completed trajectories, the follow-up rate on
  those of the trajectories due, the training policy on the paired companies, an average on the companies
  that gave the score;
- ``staff_reached``: all three ``"< 5"`` when fewer than five companies give a figure.

Question 244's figures that existed before (approved companies, completed trajectories, evaluations
received, the four scores) are not masked, so its answer of 26 November 2025 does not change.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import TypedDict

from participants.models import OUTCOME_SCORE_FIELDS, Barrier, StopReason
from participants.selectors import outcome_aggregates, outcome_rows
from trajects.models import Traject
from voorsprong.money import to_cents, to_tenths

# What a figure resting on one to four companies is shown as, everywhere.
MASKED = "< 5"
FEWEST_COMPANIES = 5

CountOrMasked = int | str  # a count, or MASKED
Share = str | None  # a percentage with one decimal ("61.5"), MASKED, or None without a base


def disclosed(value, companies: int):
    """Return ``value``, or :data:`MASKED` when it rests on one to four ``companies`` (none: as it is)."""
    return MASKED if 0 < companies < FEWEST_COMPANIES else value


def is_masked(value) -> bool:
    """Return whether a figure is :data:`MASKED`."""
    return value == MASKED


def percentage(part: int, whole: int) -> str | None:
    """Return ``part`` in percent of ``whole`` with one decimal, half up; None when ``whole`` is 0."""
    return str(to_tenths(Decimal(part * 100) / whole)) if whole else None


def average(total: int | None, given: int) -> str | None:
    """Return the exact average of ``given`` scores summing to ``total``, two decimals half up; None
    without any."""
    return str(to_cents(Decimal(total) / given)) if given else None


# -- the figures' types (documented field by field in ``reporting.questions.pq244.schema``) ---------------
class FollowUps(TypedDict):
    due: CountOrMasked
    received: CountOrMasked


class StaffReached(TypedDict):
    total: int | str | None
    low_skilled: int | str | None
    aged_55_plus: int | str | None


class TrainingPolicy(TypedDict):
    before: Share
    after: Share


class BarrierChange(TypedDict):
    met_at_intake: CountOrMasked
    removed: CountOrMasked


class Outcomes(TypedDict):
    """The outcome figures of one group of applications (a traject, a breakdown's cell). ``completed``
    and ``responses`` (trajectories, with the ``_companies`` behind them), ``paired`` and
    ``staff_companies`` are the bases as counted, not masked: question 244
    shows the first two as it always did; anything else showing a base masks it (:func:`disclosed`)."""

    completed: int
    completed_companies: int
    responses: int
    responses_companies: int
    paired: int
    staff_companies: int
    response_rate: Share
    follow_ups: FollowUps
    follow_up_rate: Share
    average_scores: dict[str, Share]  # learning_transfer, motivation
    staff_reached: StaffReached
    training_policy: TrainingPolicy
    barriers: dict[str, BarrierChange]
    stop_reasons: dict[str, CountOrMasked]


def masked_count(value: int, companies: int | None = None) -> CountOrMasked:
    """Return a count, masked when the ``companies`` behind it (the count itself: a count of companies) are
    one to four."""
    return disclosed(value, value if companies is None else companies)


def outcomes(row: Mapping) -> Outcomes:
    """Return the outcome figures, masked, of one group's aggregates (``outcome_aggregates``'s names)."""
    completed, responses, due = row["completed"], row["responses"], row["follow_ups_due"]
    paired, contributors = row["paired"], row["staff_companies"]
    staff = {
        name: None if not contributors else disclosed(row[f"staff_{name}"] or 0, contributors)
        for name in ("total", "low_skilled", "aged_55_plus")
    }
    return {
        "completed": completed,
        "completed_companies": row["completed_companies"],
        "responses": responses,
        "responses_companies": row["responses_companies"],
        "paired": paired,
        "staff_companies": contributors,
        "response_rate": disclosed(percentage(responses, completed), row["completed_companies"]),
        "follow_ups": {
            "due": masked_count(due, row["follow_ups_due_companies"]),
            "received": masked_count(row["follow_ups"], row["follow_ups_companies"]),
        },
        "follow_up_rate": disclosed(percentage(row["follow_ups"], due), row["follow_ups_due_companies"]),
        "average_scores": {
            score: disclosed(average(row[f"{score}_sum"], row[f"{score}_count"]), row[f"{score}_companies"])
            for score in OUTCOME_SCORE_FIELDS
        },
        "staff_reached": staff,
        "training_policy": {
            "before": disclosed(percentage(row["policy_before"], paired), paired),
            "after": disclosed(percentage(row["policy_after"], paired), paired),
        },
        "barriers": {
            barrier: {
                "met_at_intake": masked_count(row[f"met_{barrier}"]),
                "removed": masked_count(row[f"removed_{barrier}"]),
            }
            for barrier in Barrier.values
        },
        "stop_reasons": {
            reason: masked_count(row[f"stopped_{reason}"], row[f"stopped_{reason}_companies"])
            for reason in StopReason.values
        },
    }


def no_outcomes() -> Outcomes:
    """Return the outcome figures of a group without any application."""
    return outcomes(defaultdict(int))


def outcomes_by_traject(as_of: datetime.date) -> dict[int, Outcomes]:
    """Return the outcome figures as of ``as_of`` per traject id, in one query; a traject without
    applications is left out (:func:`no_outcomes`)."""
    rows = (
        outcome_rows(as_of).values("traject_id").annotate(**outcome_aggregates(as_of)).order_by("traject_id")
    )
    return {row["traject_id"]: outcomes(row) for row in rows}


class TrajectOutcomes(TypedDict):
    code: str
    name: str
    outcomes: Outcomes


def traject_outcomes(as_of: datetime.date) -> list[TrajectOutcomes]:
    """Return every traject by start date with its outcome figures as of ``as_of``, in two queries: the
    cabinet's page."""
    found = outcomes_by_traject(as_of)
    trajects = Traject.objects.order_by("start_date", "code").values("pk", "code", "name")
    return [
        {
            "code": traject["code"],
            "name": traject["name"],
            "outcomes": found.get(traject["pk"]) or no_outcomes(),
        }
        for traject in trajects
    ]
