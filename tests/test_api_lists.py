"""Every API list sorts (``?ordering=``) and filters (django-filter), as the OpenAPI contract says.

Ordering: a list takes the fields of its view's ``ordering_fields``, ascending or with a leading ``-``
descending, the primary key breaking ties (``voorsprong.api.StableOrderingFilter``). An unknown field is
ignored, as DRF's OrderingFilter does: the answer is 200 with the list's default order, not a 400.

Filters: a value of the wrong type (a date, a yes/no, a choice, an id) answers 400 with the message per
filter; a well-formed value that matches nothing (a traject code no traject has) is an empty list.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from funding.models import BudgetOverride, Declaration, DeclarationStatus
from participants.models import Application, ApplicationStatus, Company, Referral
from reporting.models import ReportFormat, ReportRequest, ReportStatus
from tests.clients import api_collections, client_for
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    DeclarationFactory,
    OrganisationFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import CapacityPeriod, OrganisationKind, Traject
from voorsprong.roles import Role

# list url -> (model, ordering fields); the test below checks this matches the views.
LISTS = {
    "/api/v1/companies/": (Company, ["name", "kbo_number", "size_class", "province"]),
    "/api/v1/trajects/": (Traject, ["code", "name", "start_date"]),
    "/api/v1/capacity-periods/": (CapacityPeriod, ["start", "end", "places"]),
    "/api/v1/applications/": (
        Application,
        ["submitted_on", "decided_on", "started_on", "ended_on", "status"],
    ),
    "/api/v1/referrals/": (Referral, ["referred_on", "follow_progress"]),
    "/api/v1/declarations/": (
        Declaration,
        ["declared_on", "period_start", "amount", "status", "decided_on", "paid_on"],
    ),
    "/api/v1/report-requests/": (
        ReportRequest,
        ["created_at", "as_of", "status", "format", "finished_at"],
    ),
    "/api/v1/budget-overrides/": (BudgetOverride, ["requested_at", "status", "decided_at"]),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the world once, rolled back at the module's end; the tests only read."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _build() -> dict:
    officer = UserFactory(username="lists-officer", role=Role.OFFICER, is_staff=True)
    leren = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=datetime.date(2023, 5, 1))
    werk = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2024, 1, 1))
    TrajectFactory(code="motivatie", name="Voorsprong in motivatie", start_date=datetime.date(2024, 6, 1))
    leren_2025 = CapacityPeriodFactory(
        traject=leren, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31), places=10
    )
    CapacityPeriodFactory(
        traject=leren, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30), places=30
    )
    werk_2025 = CapacityPeriodFactory(
        traject=werk, start=datetime.date(2025, 2, 1), end=datetime.date(2025, 11, 30), places=20
    )

    micro = CompanyFactory(
        name="Atelier BV",
        staff_headcount=4,
        turnover=Decimal("500000.00"),
        balance_sheet_total=Decimal("300000.00"),
        postal_code="2000",
        municipality="Antwerpen",
    )
    small = CompanyFactory(name="Zonnewerk BV", postal_code="9000", municipality="Gent")
    medium = CompanyFactory(
        name="Metaal NV",
        staff_headcount=120,
        turnover=Decimal("30000000.00"),
        balance_sheet_total=Decimal("20000000.00"),
        postal_code="3000",
        municipality="Leuven",
    )
    ApplicationFactory(company=micro, traject=leren, status=ApplicationStatus.DRAFT, submitted_on=None)
    ApplicationFactory(company=small, traject=leren, submitted_on=datetime.date(2025, 4, 2))
    running = {"status": ApplicationStatus.IN_PROGRESS, "started_on": datetime.date(2025, 3, 1)}
    day = datetime.date
    approved = ApplicationFactory(
        company=medium, traject=leren, submitted_on=day(2025, 1, 5), decided_on=day(2025, 1, 20),
        capacity_period=leren_2025, **running,
    )  # fmt: skip
    in_werk = ApplicationFactory(
        company=small, traject=werk, submitted_on=day(2025, 2, 10), decided_on=day(2025, 2, 12),
        capacity_period=werk_2025, **running,
    )  # fmt: skip
    ApplicationFactory(
        company=micro, traject=werk, submitted_on=day(2025, 2, 11), decided_on=day(2025, 2, 28),
        capacity_period=werk_2025, status=ApplicationStatus.COMPLETED, started_on=day(2025, 3, 2),
        ended_on=day(2025, 9, 1),
    )  # fmt: skip

    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    for company, traject, referred_on, follow in (
        (micro, leren, datetime.date(2025, 1, 2), True),
        (small, werk, datetime.date(2025, 5, 6), False),
        (medium, leren, datetime.date(2025, 3, 4), True),
    ):
        ReferralFactory(
            company=company,
            traject=traject,
            referred_on=referred_on,
            follow_progress=follow,
            sector_fund=fund,
            consultant=consultant,
        )

    DeclarationFactory(application=approved, amount=Decimal("250.00"), declared_on=datetime.date(2025, 5, 2))
    DeclarationFactory(
        application=approved,
        amount=Decimal("75.50"),
        period_start=datetime.date(2025, 3, 1),
        declared_on=datetime.date(2025, 4, 3),
        status=DeclarationStatus.APPROVED,
        decided_on=datetime.date(2025, 4, 10),
        decided_by=officer,
    )
    DeclarationFactory(
        application=in_werk,
        amount=Decimal("1000.00"),
        period_start=datetime.date(2025, 3, 15),
        declared_on=datetime.date(2025, 4, 20),
        status=DeclarationStatus.PAID,
        decided_on=datetime.date(2025, 4, 22),
        paid_on=datetime.date(2025, 5, 1),
        decided_by=officer,
    )

    # Approvals over the budget in each status, requested and decided at other moments.
    colleague = UserFactory(role=Role.OFFICER)
    for application, requested, status, decided in (
        (ApplicationFactory(traject=werk, submitted_on=day(2025, 4, 1)), day(2025, 5, 1), "pending", None),
        (approved, day(2025, 1, 15), "signed_off", day(2025, 1, 20)),
        (
            ApplicationFactory(traject=leren, submitted_on=day(2025, 5, 2)),
            day(2025, 6, 1),
            "refused",
            day(2025, 6, 2),
        ),
    ):
        BudgetOverride.objects.create(
            application=application,
            reason="Bijkrediet",
            status=status,
            requested_by=officer,
            requested_at=_moment(requested),
            decided_by=colleague if decided else None,
            decided_at=_moment(decided) if decided else None,
            refusal_reason="Geen bijkrediet" if status == "refused" else "",
        )

    now = timezone.now()
    for days_ago, as_of, fmt, status in (
        (3, datetime.date(2025, 11, 26), ReportFormat.JSON, ReportStatus.DONE),
        (1, datetime.date(2025, 10, 1), ReportFormat.CSV, ReportStatus.FAILED),
        (2, datetime.date(2025, 12, 1), ReportFormat.PDF, ReportStatus.QUEUED),
    ):
        report = ReportRequest(kind="pq244", as_of=as_of, format=fmt, status=status, requested_by=officer)
        if status == ReportStatus.DONE:
            report.progress = 100
            report.file.save("pq244.json", ContentFile(b"{}"), save=False)
            report.finished_at = now - datetime.timedelta(days=days_ago - 1)
        if status == ReportStatus.FAILED:
            report.error = "Time limit exceeded."
            report.finished_at = now - datetime.timedelta(hours=1)
        report.save()
        ReportRequest.objects.filter(pk=report.pk).update(created_at=now - datetime.timedelta(days=days_ago))
    return {"officer": officer, "approved": approved.pk}


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def _get(world, url, **params):
    return client_for(world["officer"]).get(url, params)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_every_list_viewset_names_its_filters_and_ordering():
    lists = {f"/api/v1/{prefix}/": viewset for prefix, viewset, _basename in api_collections()}

    assert set(lists) == set(LISTS)
    for url, viewset in lists.items():
        assert viewset.filterset_class is not None, url
        assert viewset.ordering_fields == LISTS[url][1], url
        assert viewset.ordering, url


@pytest.mark.parametrize(
    ("url", "field", "descending"),
    [
        pytest.param(url, field, descending, id=f"{url.split('/')[3]}-{'-' if descending else ''}{field}")
        for url, (_model, fields) in LISTS.items()
        for field in fields
        for descending in (False, True)
    ],
)
def test_ordering_by_each_field(world, db, url, field, descending):
    model = LISTS[url][0]
    key = f"-{field}" if descending else field

    found = _ids(_get(world, url, ordering=key))

    # The database's own order (NULLs where it puts them), the primary key breaking ties.
    expected = list(model.objects.order_by(key, "-pk" if descending else "pk").values_list("pk", flat=True))
    assert found == expected
    opposite = _ids(_get(world, url, ordering=field if descending else f"-{field}"))
    assert found != opposite, "the data set should tell the two directions apart"


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_ordering_field_is_ignored(world, db, url):
    default = _ids(_get(world, url))

    assert _ids(_get(world, url, ordering="notes")) == default
    assert _ids(_get(world, url, ordering="-no_such_field,company__contact_email")) == default


def test_ordering_by_two_fields(world, db):
    found = _ids(_get(world, "/api/v1/applications/", ordering="status,-submitted_on"))

    expected = Application.objects.order_by("status", "-submitted_on", "-pk").values_list("pk", flat=True)
    assert found == list(expected)


def _filtered(world, url, **params) -> set[int]:
    return set(_ids(_get(world, url, **params)))


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("/api/v1/referrals/", {"traject": "werk"}, Referral.objects.filter(traject__code="werk")),
        ("/api/v1/referrals/", {"follow_progress": "false"}, Referral.objects.filter(follow_progress=False)),
        ("/api/v1/referrals/", {"follow_progress": "true"}, Referral.objects.filter(follow_progress=True)),
        (
            "/api/v1/referrals/",
            {"referred_after": "2025-03-04", "referred_before": "2025-05-05"},
            Referral.objects.filter(referred_on=datetime.date(2025, 3, 4)),
        ),
        ("/api/v1/declarations/", {"status": "paid"}, Declaration.objects.filter(status="paid")),
        (
            "/api/v1/declarations/",
            {"traject": "werk"},
            Declaration.objects.filter(application__traject__code="werk"),
        ),
        ("/api/v1/trajects/", {"code": "werk"}, Traject.objects.filter(code="werk")),
        (
            "/api/v1/capacity-periods/",
            {"traject": "leren"},
            CapacityPeriod.objects.filter(traject__code="leren"),
        ),
        ("/api/v1/report-requests/", {"status": "failed"}, ReportRequest.objects.filter(status="failed")),
        ("/api/v1/report-requests/", {"file_format": "pdf"}, ReportRequest.objects.filter(format="pdf")),
        (
            "/api/v1/budget-overrides/",
            {"status": "pending"},
            BudgetOverride.objects.filter(status="pending"),
        ),
        (
            "/api/v1/budget-overrides/",
            {"traject": "leren"},
            BudgetOverride.objects.filter(application__traject__code="leren"),
        ),
    ],
)
def test_each_new_filter_filters(world, db, url, params, expected):
    found = _filtered(world, url, **params)

    assert found == set(expected.values_list("pk", flat=True))
    assert found != set(_ids(_get(world, url))) or not found


def test_declarations_filter_on_an_application(world, db):
    found = _filtered(world, "/api/v1/declarations/", application=world["approved"])

    assert found == set(
        Declaration.objects.filter(application=world["approved"]).values_list("pk", flat=True)
    )
    assert len(found) == 2


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/referrals/", {"follow_progress": "maybe"}),
        ("/api/v1/referrals/", {"referred_after": "yesterday"}),
        ("/api/v1/referrals/", {"referred_before": "2025-13-01"}),
        ("/api/v1/referrals/", {"traject": "le\x00ren"}),
        ("/api/v1/declarations/", {"status": "lost"}),
        ("/api/v1/declarations/", {"application": "abc"}),
        ("/api/v1/declarations/", {"application": "999999"}),
        ("/api/v1/declarations/", {"traject": "\x00"}),
        ("/api/v1/declarations/", {"traject": "nope"}),
        ("/api/v1/trajects/", {"code": "\x00"}),
        ("/api/v1/capacity-periods/", {"traject": "\x00"}),
        ("/api/v1/report-requests/", {"status": "lost"}),
        ("/api/v1/report-requests/", {"file_format": "exe"}),
        ("/api/v1/budget-overrides/", {"status": "waiting"}),
        ("/api/v1/budget-overrides/", {"application": "abc"}),
        ("/api/v1/budget-overrides/", {"traject": "\x00"}),
    ],
)
def test_a_bad_filter_value_answers_400(world, db, url, params):
    response = _get(world, url, **params)

    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid"
    # The trajects' own ?code= would collide with the body's code: its message is a general one.
    fields = {"non_field_errors" if name == "code" else name for name in params}
    assert set(body) - {"detail", "code"} == fields


def test_the_api_index_lists_every_collection(world):
    response = client_for(world["officer"]).get("/api/v1/")

    assert response.status_code == 200
    assert set(response.json()) == {prefix for prefix, _viewset, _basename in api_collections()}
    assert response.json()["applications"].endswith("/api/v1/applications/")


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"page_size": "veel"}, "page_size", "Een geldig getal is vereist."),
        ({"page_size": "5.0"}, "page_size", "Een geldig getal is vereist."),
        ({"page_size": "0"}, "page_size", "groter is dan of gelijk is aan 1."),
        ({"page_size": "501"}, "page_size", "kleiner is dan of gelijk is aan 500."),
        ({"page": "last"}, "page", "Een geldig getal is vereist."),
        ({"page": "-1"}, "page", "Een geldig getal is vereist."),
        ({"page": "0"}, "page", "groter is dan of gelijk is aan 1."),
    ],
)
def test_a_page_or_page_size_that_is_no_whole_number_in_range_answers_400(world, db, params, field, words):
    response = _get(world, "/api/v1/capacity-periods/", **params)

    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert (body["code"], list(body[field])) == ("invalid", [body[field][0]])
    assert words in body[field][0]


def test_a_page_size_in_range_is_taken_and_a_page_past_the_last_is_not_found(world, db):
    periods = CapacityPeriod.objects.count()
    first = _get(world, "/api/v1/capacity-periods/", page_size="1")
    assert (first.json()["count"], len(first.json()["results"])) == (periods, 1)
    past = _get(world, "/api/v1/capacity-periods/", page=str(periods + 1), page_size="1")
    assert (past.status_code, past.json()["code"]) == (404, "not_found")
