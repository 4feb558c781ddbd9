"""Reads and aggregates over companies and applications."""

import datetime

from django.db.models import Count, QuerySet

from participants.models import Application, ApplicationStatus


def approved_as_of(as_of: datetime.date) -> QuerySet[Application]:
    """Applications that counted as approved on ``as_of``, whatever happened to them later.

    An application counts from its decision date on: approved then (and since perhaps started,
    completed or stopped), or approved and withdrawn only after ``as_of``.
    """
    return (
        Application.objects.filter(decided_on__lte=as_of)
        .exclude(status=ApplicationStatus.REJECTED)
        .exclude(status=ApplicationStatus.WITHDRAWN, ended_on__lte=as_of)
    )


def approved_company_counts(as_of: datetime.date) -> dict[str, int]:
    """Distinct companies with an approved application, per traject code (answer 1 of question 244)."""
    rows = (
        approved_as_of(as_of)
        .values("traject__code")
        .annotate(companies=Count("company", distinct=True))
        .order_by()
    )
    return {row["traject__code"]: row["companies"] for row in rows}


def approved_size_class_counts(as_of: datetime.date, traject_code: str) -> dict[str, int]:
    """Distinct approved companies of one traject per size class (answer 2 of question 244)."""
    rows = (
        approved_as_of(as_of)
        .filter(traject__code=traject_code)
        .values("company__size_class")
        .annotate(companies=Count("company", distinct=True))
        .order_by()
    )
    return {row["company__size_class"]: row["companies"] for row in rows}


def companies_in_any_traject(as_of: datetime.date) -> int:
    """Distinct companies with an approved application in one or more trajects."""
    return approved_as_of(as_of).aggregate(companies=Count("company", distinct=True))["companies"]


def application_history(application: Application) -> list[dict]:
    """The status changes of an application: who, when, from, to and why, oldest first."""
    records = application.history.select_related("history_user").order_by("history_date", "history_id")
    changes, previous = [], None
    for record in records:
        if previous is None or record.status != previous:
            changes.append(
                {
                    "at": record.history_date,
                    "by": record.history_user.get_username() if record.history_user else None,
                    "from": previous,
                    "to": record.status,
                    "reason": record.history_change_reason or "",
                }
            )
        previous = record.status
    return changes
