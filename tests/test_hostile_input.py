"""Hostile input on every write path: each bad value is refused with 400 (or a row / file error for
the imports) naming the field, and leaves the database exactly as it was.

Covered: every POST/PUT/PATCH under /api/v1/ (the token endpoint and every action included), the
portal forms (logging a session, the situation at intake, closing a trajectory, the referral steps), the
application import (the service and the admin page) and the KBO extract import.

Strings that are legitimate free text (HTML-looking text, SQL-looking text, emoji, right-to-left
override, zero-width characters, very long notes) are accepted where a free-text field takes them: those
cases assert the text is stored verbatim and shown escaped on the page that shows it. NUL bytes and
lone surrogates are never accepted: PostgreSQL cannot store a NUL, and a lone surrogate cannot be
encoded at all.
"""

import datetime
import functools
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from demo.kbo_extract import HEADERS
from funding.models import BudgetLine, BudgetOverride, Declaration, DeclarationStatus
from funding.services import request_budget_override
from participants import services
from participants.models import Application, ApplicationStatus, CoachingSession, Company, KboImport, Referral
from participants.services import KboImportStopped, import_kbo_extract
from participants.spreadsheets import SpreadsheetError
from reporting.models import ReportRequest, ReportStatus
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApplicationFundingFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    DeclarationFactory,
    FundingRuleFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
    valid_kbo_number,
)
from trajects.models import OrganisationKind
from voorsprong.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
TODAY = timezone.localdate()
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# -- the database, before and after ------------------------------------------------------------------
# Tables a refused request may legitimately write: django-axes records every failed log-in (that is
# the lock-out's purpose), and the session table belongs to the test client's log-in.
NOT_COMPARED = {"axes", "sessions"}


@functools.cache
def _compared_tables() -> list[tuple[str, str]]:
    """Return (table, primary key column) of every model, historical models and many-to-many tables
    included; a proxy shares its concrete model's table."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in NOT_COMPARED and not meta.proxy:
            tables[meta.db_table] = meta.pk.column
    return sorted(tables.items())


def snapshot() -> dict[str, list[tuple]]:
    """Return every row of every compared table, read with one plain query per table: the ORM's query
    building was most of this module's time, and comparing the rows themselves needs no hash."""
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for table, pk in _compared_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            state[table] = cursor.fetchall()
    return state


def assert_unchanged(before: dict, *, but: tuple[str, ...] = ()) -> None:
    """Assert that no table changed since ``before``, apart from the tables ``but`` names."""
    after = snapshot()
    changed = [table for table in before if before[table] != after[table] and table not in but]
    assert not changed, f"the refused input changed {changed}"


def test_the_snapshot_sees_every_kind_of_write(world):
    """The check every case ends with notices an insert, an update, a delete, a many-to-many link and a
    history row."""
    writes = [
        lambda: CompanyFactory(),
        lambda: Company.objects.filter(pk=world.free_company.pk).update(postal_code="9999"),
        lambda: Declaration.objects.filter(pk=world.declaration.pk).delete(),
        lambda: world.project.organisations.add(world.fund),
        lambda: world.in_progress.history.all().delete(),
    ]
    for write in writes:
        before = snapshot()
        with transaction.atomic():
            write()
            with pytest.raises(AssertionError, match="the refused input changed"):
                assert_unchanged(before)
            transaction.set_rollback(True)
        assert_unchanged(before)


# -- the corpus --------------------------------------------------------------------------------------
NUL = "abc\x00def"
SURROGATE = "abc\ud800def"
LONG = "x" * 10_000
SQL = "'; DROP TABLE participants_company; --"
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RTL = "Bakkerij \u202egnissab\u202c"
ESCAPE = "Bakkerij\x1b[31m"
ZERO_WIDTH = "Bak\u200bker\u200dij\ufeff"
EMOJI = "Bakkerij 🥐🇧🇪👩‍🍳"

BAD_KBO = [
    ("wrong-check-digits", "0403170702"),
    ("letter-o", "0403.17O.701"),
    ("too-short", "12345"),
    ("too-long", "04031707011"),
    ("underscores", "0403_170_701"),
    ("commas", "0403,170,701"),
    ("zero-width-inside", "0403\u200b170701"),
    ("arabic-indic-digits", "\u0660\u0664\u0660\u0663\u0661\u0667\u0660\u0667\u0660\u0661"),
    ("starts-with-2", "2403170796"),
    ("nul", "0403170701\x00"),
    ("sql", SQL),
    ("html", HTML),
    ("blank", ""),
]
BAD_DECIMAL = [
    ("negative", "-1"),
    ("huge", "1e20"),
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("too-many-decimals", "1.001"),
    ("letters", "twelve"),
    ("list", [1]),
    ("object", {"amount": 1}),
    ("nul", "1\x00"),
]
BAD_INT = [
    ("negative", -1),
    ("huge", 10**20),
    ("huge-string", "1e20"),
    ("fraction", 1.5),
    ("nan", "NaN"),
    ("letters", "ten"),
    ("list", [1]),
]
BAD_DATE = [
    ("february-30", "2025-02-30"),
    ("day-first", "30/02/2025"),
    ("letters", "yesterday"),
    ("number", 20250101),
    ("list", ["2025-01-01"]),
    ("nul", "2025-01-01\x00"),
]
BAD_CHOICE = [
    ("unknown", "sideways"),
    ("list", ["intake"]),
    ("object", {"code": "intake"}),
    ("number", 1),
    ("nul", "intake\x00"),
    ("sql", SQL),
]
BAD_FK = [
    ("unknown", 99_999_999),
    ("letters", "abc"),
    ("list", [1]),
    ("sql", SQL),
]
BAD_TRAJECT_CODE = [
    ("unknown", "sideways"),
    ("number", 1),
    ("list", ["leren"]),
    ("object", {"code": "leren"}),
    ("nul", "leren\x00"),
    ("sql", SQL),
    ("html", HTML),
]
# Text the field must refuse whatever it holds, and text a free-text field keeps as it is.
BAD_TEXT = [
    ("nul", NUL),
    ("escape", ESCAPE),
    ("rtl-override", RTL),
    ("lone-surrogate", SURROGATE),
    ("list", ["a"]),
    ("object", {"a": "b"}),
]
LONG_TEXT = [("10000-chars", LONG)]
FREE_TEXT = [
    ("sql", SQL),
    ("html", HTML),
    ("zero-width", ZERO_WIDTH),
    ("emoji", EMOJI),
]
BAD_BOOL = [("word", "maybe"), ("list", [True]), ("object", {"a": True})]

KINDS = {
    "kbo": BAD_KBO,
    "decimal": BAD_DECIMAL,
    "int": BAD_INT,
    "date": BAD_DATE,
    "choice": BAD_CHOICE,
    "fk": BAD_FK,
    "traject": BAD_TRAJECT_CODE,
    "text": BAD_TEXT + LONG_TEXT,  # a limited text field: 10,000 characters are too many
    # free text: only control characters, direction overrides, surrogates and wrong types are refused
    "free": BAD_TEXT,
    "bool": BAD_BOOL,
}


# -- the world the requests act on -------------------------------------------------------------------
class World:
    pass


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the world once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of it (the ``db`` fixture), so what an accepted request writes never reaches the next
    test. The clients are made once too: a new test client loads the middleware again, and
    WhiteNoise's scan of the static files alone took a third of every test's time."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> World:
    w = World()
    w.officer = officer = UserFactory(role=Role.OFFICER, is_staff=True)
    w.voka = OrganisationFactory(name="Voka")
    w.promoter = UserFactory(role=Role.PROMOTER, organisation=w.voka, password=PASSWORD)
    w.fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    w.consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=w.fund)
    w.leren = TrajectFactory(code="leren", name="Voorsprong in leren")
    w.werk = TrajectFactory(code="werk", name="Voorsprong in werk", allowed_size_classes=["micro", "small"])
    w.project = ProjectFactory(traject=w.leren, organisations=[w.voka])
    w.period = CapacityPeriodFactory(
        traject=w.leren, start=TODAY - datetime.timedelta(days=400), end=TODAY + datetime.timedelta(days=30)
    )
    w.free_company = CompanyFactory()
    w.draft = ApplicationFactory(
        traject=w.leren, project=w.project, status=ApplicationStatus.DRAFT, submitted_on=None
    )
    w.submitted = ApplicationFactory(traject=w.leren, project=w.project, submitted_on=TODAY)
    w.in_progress = ApprovedApplicationFactory(
        traject=w.leren,
        project=w.project,
        capacity_period=w.period,
        status=ApplicationStatus.IN_PROGRESS,
        decided_on=datetime.date(2025, 3, 15),
        started_on=datetime.date(2025, 4, 1),
    )
    for code, amount in (("eu", "400.00"), ("flemish", "600.00")):
        ApplicationFundingFactory(
            application=w.in_progress, source=FundingSourceFactory(code=code), amount=Decimal(amount)
        )
    w.declaration = DeclarationFactory(application=w.in_progress, declared_by=w.promoter)
    w.approved_declaration = DeclarationFactory(
        application=w.in_progress,
        declared_by=w.promoter,
        status=DeclarationStatus.APPROVED,
        decided_on=TODAY,
        decided_by=officer,
        period_start=datetime.date(2025, 5, 1),
        period_end=datetime.date(2025, 5, 31),
    )
    # Approvals over the budget: motivatie's budget (100.00 euro) is short of an approval (5,000.00 euro).
    w.officer2 = UserFactory(role=Role.OFFICER, is_staff=True)
    w.finance = UserFactory(role=Role.FINANCE, is_staff=True)
    motivatie = TrajectFactory(code="motivatie", name="Voorsprong in motivatie")
    CapacityPeriodFactory(traject=motivatie, start=w.period.start, end=w.period.end)
    BudgetLine.objects.create(
        traject=motivatie, source=FundingSourceFactory(code="eu"), amount=Decimal("100.00")
    )
    FundingRuleFactory(traject=motivatie, default_planned_cost=Decimal("5000.00"))
    w.over_budget = ApplicationFactory(traject=motivatie, submitted_on=TODAY)
    w.override = request_budget_override(
        ApplicationFactory(traject=motivatie, submitted_on=TODAY), by=officer, reason="Bijkrediet toegezegd"
    )
    w.failed_report = ReportRequest.objects.create(
        kind="pq244",
        as_of=datetime.date(2025, 11, 26),
        format="json",
        status=ReportStatus.FAILED,
        requested_by=officer,
        error="Time limit exceeded",
    )
    w.api = {None: APIClient()}
    for role in ("officer", "officer2", "finance", "promoter", "consultant"):
        w.api[role] = client_for(getattr(w, role))
    # Logged in once, in the module's transaction: the session outlives every test's savepoint.
    w.portal = {}
    for role in ("officer", "promoter", "consultant"):
        client = Client()
        client.force_login(getattr(w, role))
        w.portal[role] = (client, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return w


def portal_client(w, role) -> Client:
    """Return the role's logged-in page client, holding only its session cookie (no message or CSRF
    cookie of an earlier test)."""
    client, session_key = w.portal[role]
    client.cookies.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


BASELINE = {
    "barriers": ["situational", "financial"],
    "main_barrier": "financial",
    "has_training_policy": False,
    "has_learning_jobs": False,
    "headcount": 30,
    "low_skilled": 10,
    "aged_55_plus": 5,
    "learning_forms": ["informal"],
}


# -- the API endpoints ---------------------------------------------------------------------------------
class Endpoint:
    def __init__(self, method, url, user, base=None, fields=None, stored=None, missing=()):
        self.method, self.url, self.user = method, url, user
        self.base = base or (lambda w: {})
        self.fields = fields or {}  # field -> kind of the corpus
        self.stored = stored or {}  # free-text field -> how to read it back once accepted
        self.missing = missing  # required fields, each tried absent


def detail(name, attr):
    return lambda w: reverse(name, args=[getattr(w, attr).pk])


def company_payload(w):
    return {
        "kbo_number": valid_kbo_number(9_000),
        "name": "Bakkerij Janssens",
        "legal_form": "bv",
        "staff_headcount": 12,
        "turnover": "1500000.00",
        "postal_code": "2000",
    }


COMPANY_FIELDS = {
    "kbo_number": "kbo",
    "name": "text",
    "legal_form": "choice",
    "staff_headcount": "int",
    "turnover": "decimal",
    "balance_sheet_total": "decimal",
    "founded_on": "date",
    "contact_email": "text",
    "is_non_profit": "bool",
}

ENDPOINTS = {
    "token": Endpoint(
        "post",
        lambda w: reverse("api-token"),
        None,
        base=lambda w: {"username": w.promoter.username, "password": PASSWORD},
        fields={"username": "free", "password": "free"},
        missing=("username", "password"),
    ),
    "company-create": Endpoint(
        "post",
        lambda w: reverse("company-list"),
        "officer",
        base=company_payload,
        fields=COMPANY_FIELDS,
        stored={"name": lambda w: Company.objects.get(kbo_number=valid_kbo_number(9_000)).name},
        # Staff may be left out (or null): not declared, the size class is then unknown.
        missing=("kbo_number", "name", "legal_form"),
    ),
    "company-put": Endpoint(
        "put",
        lambda w: reverse("company-detail", args=[w.in_progress.company_id]),
        "officer",
        base=company_payload,
        # The fields' values are tried on create and patch; a put adds what a whole object needs.
        fields={"kbo_number": "kbo", "legal_form": "choice"},
        missing=("kbo_number", "name", "legal_form"),
    ),
    "sme-declaration-create": Endpoint(
        "post",
        lambda w: reverse("company-sme-declarations", args=[w.free_company.pk]),
        "officer",
        base=lambda w: {
            "reference_year": TODAY.year - 1,
            "staff_awu": "12.50",
            "turnover": "1500000.00",
            "balance_sheet_total": "900000.00",
        },
        fields={
            "reference_year": "int",
            "staff_awu": "decimal",
            "turnover": "decimal",
            "balance_sheet_total": "decimal",
        },
        missing=("reference_year", "staff_awu", "turnover", "balance_sheet_total"),
    ),
    "company-patch": Endpoint(
        "patch",
        lambda w: reverse("company-detail", args=[w.in_progress.company_id]),
        "officer",
        base=lambda w: {"name": "Bakkerij Janssens"},
        fields=COMPANY_FIELDS,
        stored={"name": lambda w: Company.objects.get(pk=w.in_progress.company_id).name},
    ),
    "capacity-period-create": Endpoint(
        "post",
        lambda w: reverse("capacity-period-list"),
        "officer",
        base=lambda w: {"traject": "werk", "start": "2026-01-01", "end": "2026-12-31", "places": 20},
        fields={"traject": "traject", "start": "date", "end": "date", "places": "int"},
        missing=("traject", "start", "end", "places"),
    ),
    "capacity-period-put": Endpoint(
        "put",
        detail("capacity-period-detail", "period"),
        "officer",
        base=lambda w: {"places": 20},
        fields={"places": "int"},
        missing=("places",),
    ),
    "capacity-period-patch": Endpoint(
        "patch",
        detail("capacity-period-detail", "period"),
        "officer",
        base=lambda w: {"places": 20},
        fields={"places": "int"},
    ),
    "application-create": Endpoint(
        "post",
        lambda w: reverse("application-list"),
        "officer",
        base=lambda w: {"company": w.free_company.pk, "traject": "leren", "project": w.project.pk},
        fields={"company": "fk", "traject": "traject", "project": "fk", "planned_cost": "decimal"},
        missing=("company", "traject"),
    ),
    "application-patch": Endpoint(
        "patch",
        detail("application-detail", "submitted"),
        "officer",
        base=lambda w: {"planned_cost": "25000.00"},
        fields={"project": "fk", "planned_cost": "decimal"},
    ),
    "application-submit": Endpoint("post", detail("application-submit", "draft"), "officer"),
    # A reason to approve over the budget is refused (409 sign_off_required) once it is a valid text.
    "application-approve": Endpoint(
        "post",
        detail("application-approve", "submitted"),
        "officer",
        fields={"budget_override_reason": "text"},
    ),
    "application-reject": Endpoint(
        "post",
        detail("application-reject", "submitted"),
        "officer",
        base=lambda w: {"reason": "Geen kmo"},
        fields={"reason": "text"},
        stored={"reason": lambda w: Application.objects.get(pk=w.submitted.pk).reason},
        missing=("reason",),
    ),
    "application-withdraw": Endpoint(
        "post",
        detail("application-withdraw", "submitted"),
        "officer",
        base=lambda w: {"reason": "Op vraag van het bedrijf"},
        fields={"reason": "text"},
        stored={"reason": lambda w: Application.objects.get(pk=w.submitted.pk).reason},
        missing=("reason",),
    ),
    "application-complete": Endpoint(
        "post",
        detail("application-complete", "in_progress"),
        "promoter",
        base=lambda w: {"staff_reached": 12, "staff_reached_low_skilled": 3, "staff_reached_aged_55_plus": 2},
        fields={
            "staff_reached": "int",
            "staff_reached_low_skilled": "int",
            "staff_reached_aged_55_plus": "int",
        },
    ),
    "application-baseline": Endpoint(
        "post",
        detail("application-baseline", "in_progress"),
        "promoter",
        base=lambda w: dict(BASELINE),
        fields={
            "barriers": "choice",
            "main_barrier": "choice",
            "has_training_policy": "bool",
            "has_learning_jobs": "bool",
            "headcount": "int",
            "low_skilled": "int",
            "aged_55_plus": "int",
            "learning_forms": "choice",
        },
        missing=("has_training_policy", "has_learning_jobs", "headcount", "low_skilled", "aged_55_plus"),
    ),
    "application-stop": Endpoint(
        "post",
        detail("application-stop", "in_progress"),
        "promoter",
        base=lambda w: {"stop_reason": "bankruptcy_or_stop", "reason": "Faillissement"},
        fields={"stop_reason": "choice", "reason": "text"},
        stored={"reason": lambda w: Application.objects.get(pk=w.in_progress.pk).reason},
        missing=("stop_reason",),
    ),
    "application-sessions": Endpoint(
        "post",
        detail("application-sessions", "in_progress"),
        "promoter",
        base=lambda w: {"date": "2025-05-02", "hours": "2.50", "kind": "diagnosis", "employees_present": 4},
        fields={
            "date": "date",
            "hours": "decimal",
            "kind": "choice",
            "employees_present": "int",
            "notes": "free",
        },
        stored={"notes": lambda w: CoachingSession.objects.get(application=w.in_progress).notes},
        missing=("date", "hours", "kind"),
    ),
    "referral-create": Endpoint(
        "post",
        lambda w: reverse("referral-list"),
        "consultant",
        base=lambda w: {"company": w.free_company.pk, "traject": "leren", "follow_progress": True},
        fields={
            "company": "fk",
            "traject": "traject",
            "follow_progress": "bool",
            "intake_done": "bool",
            "notes": "free",
        },
        stored={"notes": lambda w: Referral.objects.get(company=w.free_company).notes},
        missing=("company", "traject"),
    ),
    "declaration-create": Endpoint(
        "post",
        lambda w: reverse("declaration-list"),
        "promoter",
        base=lambda w: {
            "application": w.in_progress.pk,
            "period_start": "2025-06-01",
            "period_end": "2025-06-30",
            "amount": "100.00",
            "hours": "4.00",
        },
        fields={
            "application": "fk",
            "period_start": "date",
            "period_end": "date",
            "amount": "decimal",
            "hours": "decimal",
            "description": "free",
        },
        stored={"description": lambda w: Declaration.objects.latest("pk").description},
        missing=("application", "period_start", "period_end", "amount"),
    ),
    "declaration-approve": Endpoint("post", detail("declaration-approve", "declaration"), "officer"),
    "declaration-reject": Endpoint(
        "post",
        detail("declaration-reject", "declaration"),
        "officer",
        base=lambda w: {"reason": "Geen bewijsstukken"},
        fields={"reason": "text"},
        stored={"reason": lambda w: Declaration.objects.get(pk=w.declaration.pk).reason},
        missing=("reason",),
    ),
    "declaration-mark-paid": Endpoint(
        "post",
        detail("declaration-mark-paid", "approved_declaration"),
        "finance",
        base=lambda w: {"on": TODAY.isoformat()},
        fields={"on": "date"},
    ),
    "budget-override-create": Endpoint(
        "post",
        lambda w: reverse("budget-override-list"),
        "officer",
        base=lambda w: {"application": w.over_budget.pk, "reason": "Bijkrediet toegezegd"},
        fields={"application": "fk", "reason": "text"},
        stored={"reason": lambda w: BudgetOverride.objects.get(application=w.over_budget).reason},
        missing=("application", "reason"),
    ),
    "budget-override-sign-off": Endpoint("post", detail("budget-override-sign-off", "override"), "officer2"),
    "budget-override-refuse": Endpoint(
        "post",
        detail("budget-override-refuse", "override"),
        "officer2",
        base=lambda w: {"reason": "Geen bijkrediet"},
        fields={"reason": "text"},
        stored={"reason": lambda w: BudgetOverride.objects.get(pk=w.override.pk).refusal_reason},
        missing=("reason",),
    ),
    "report-request-create": Endpoint(
        "post",
        lambda w: reverse("report-request-list"),
        "officer",
        base=lambda w: {"question": 244, "as_of": "2025-11-26", "format": "json"},
        fields={"question": "int", "as_of": "date", "format": "choice"},
        missing=("question", "format"),
    ),
    "report-request-retry": Endpoint("post", detail("report-request-retry", "failed_report"), "officer"),
}

# Answers that do not fit together: (endpoint, changes, field named).
MISMATCH_CASES = [
    ("application-baseline", {"low_skilled": 31}, "low_skilled"),
    ("application-baseline", {"aged_55_plus": 31}, "aged_55_plus"),
    ("application-baseline", {"main_barrier": "digital"}, "main_barrier"),
    ("application-baseline", {"main_barrier": ""}, "main_barrier"),
    ("application-baseline", {"barriers": [], "main_barrier": "financial"}, "main_barrier"),
    ("application-complete", {"staff_reached_low_skilled": 13}, "staff_reached_low_skilled"),
    ("application-complete", {"staff_reached_aged_55_plus": None}, "staff_reached_aged_55_plus"),
    ("application-complete", {"staff_reached": None}, "staff_reached"),
]


@pytest.mark.parametrize(
    ("name", "changes", "field"),
    MISMATCH_CASES,
    ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(MISMATCH_CASES)],
)
def test_api_refuses_answers_that_do_not_fit_together(world, name, changes, field):
    endpoint = ENDPOINTS[name]
    before = snapshot()
    assert_refused(send(world, endpoint, {**endpoint.base(world), **changes}), field)
    assert_unchanged(before)


# Dates in the wrong order, or out of the range the action allows: (endpoint, changes, field named).
ORDER_CASES = [
    ("declaration-create", {"period_start": "2025-06-30", "period_end": "2025-06-01"}, "period_end"),
    ("declaration-create", {"period_end": (TODAY + datetime.timedelta(days=40)).isoformat()}, "period_end"),
    ("capacity-period-create", {"start": "2026-12-31", "end": "2026-01-01"}, "end"),
    ("application-sessions", {"date": "2025-03-01"}, "date"),  # before the approval
    ("application-sessions", {"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date"),
    ("report-request-create", {"as_of": (TODAY + datetime.timedelta(days=1)).isoformat()}, "as_of"),
    ("declaration-mark-paid", {"on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "on"),
    ("company-create", {"founded_on": "0000-01-01"}, "founded_on"),
]


def oversized_body() -> str:
    return json.dumps({"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})


# Bodies that are wrong as a whole, sent to every endpoint.
BODY_CASES = [
    ("malformed-json", lambda: '{"reason": "a",'),
    ("list-not-object", lambda: '[{"reason": "a"}]'),
    ("json-null", lambda: "null"),
    ("json-string", lambda: '"reason"'),
    ("nan-literal", lambda: '{"amount": NaN}'),
    ("not-utf8", lambda: b'{"reason": "\xff\xfe"}'),
    ("oversized", oversized_body),
]


def api_client(w, endpoint):
    client = w.api[endpoint.user]
    client.cookies.clear()
    return client


def send(w, endpoint, body, content_type="application/json"):
    client = api_client(w, endpoint)
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return client.generic(endpoint.method.upper(), endpoint.url(w), body, content_type=content_type)


def _field_cases():
    for name, endpoint in ENDPOINTS.items():
        for field, kind in endpoint.fields.items():
            for label, value in KINDS[kind]:
                yield pytest.param(name, field, value, id=f"{name}-{field}-{label}")


def _accepted_cases():
    for name, endpoint in ENDPOINTS.items():
        for field in endpoint.stored:
            corpus = FREE_TEXT + (LONG_TEXT if endpoint.fields[field] == "free" else [])
            for label, value in corpus:
                yield pytest.param(name, field, value, id=f"{name}-{field}-{label}")


def _missing_cases():
    for name, endpoint in ENDPOINTS.items():
        for field in endpoint.missing:
            yield pytest.param(name, field, id=f"{name}-without-{field}")


def _body_cases():
    for name in ENDPOINTS:
        for label, body in BODY_CASES:
            yield pytest.param(name, body, id=f"{name}-{label}")


def assert_refused(response, field):
    assert response.status_code == 400, (response.status_code, response.content[:500])
    errors = response.json()
    assert field in errors, errors
    messages = errors[field] if isinstance(errors[field], list) else [errors[field]]
    assert messages and all(str(message).strip() for message in messages), errors


@pytest.mark.parametrize(("name", "field", "value"), list(_field_cases()))
def test_api_refuses_a_bad_value(world, name, field, value):
    endpoint = ENDPOINTS[name]
    before = snapshot()
    response = send(world, endpoint, {**endpoint.base(world), field: value})
    if (
        name in ("declaration-create", "budget-override-create")
        and field == "application"
        and value == 99_999_999
    ):
        # An application the user may not see is not found, as on every route (funding.serializers).
        assert response.status_code == 404
        assert_unchanged(before)
        return
    # The token endpoint answers a log-in it cannot make with one message for the request as a whole.
    assert_refused(response, field if name != "token" or field in response.json() else "non_field_errors")
    assert_unchanged(before)


@pytest.mark.parametrize(("name", "field"), list(_missing_cases()))
def test_api_refuses_a_missing_required_field(world, name, field):
    endpoint = ENDPOINTS[name]
    payload = endpoint.base(world)
    del payload[field]
    before = snapshot()
    assert_refused(send(world, endpoint, payload), field)
    assert_unchanged(before)


@pytest.mark.parametrize(("name", "field"), [(n, f) for n, e in ENDPOINTS.items() for f in e.missing])
def test_api_refuses_null_for_a_required_field(world, name, field):
    endpoint = ENDPOINTS[name]
    before = snapshot()
    assert_refused(send(world, endpoint, {**endpoint.base(world), field: None}), field)
    assert_unchanged(before)


@pytest.mark.parametrize(
    ("name", "changes", "field"), ORDER_CASES, ids=[f"{c[0]}-{c[2]}" for c in ORDER_CASES]
)
def test_api_refuses_dates_out_of_order(world, name, changes, field):
    endpoint = ENDPOINTS[name]
    before = snapshot()
    assert_refused(send(world, endpoint, {**endpoint.base(world), **changes}), field)
    assert_unchanged(before)


@pytest.mark.parametrize(("name", "body"), list(_body_cases()))
def test_api_refuses_a_body_that_is_wrong_as_a_whole(world, name, body):
    before = snapshot()
    response = send(world, ENDPOINTS[name], body())
    assert response.status_code == 400, (response.status_code, response.content[:500])
    assert response.json()["detail"].strip()
    assert_unchanged(before)


def test_the_upload_limit_is_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440


@pytest.mark.parametrize(("name", "field", "value"), list(_accepted_cases()))
def test_api_keeps_free_text_verbatim(world, name, field, value):
    """Free text may look like HTML or SQL or hold any printable Unicode: it is data, kept as sent."""
    endpoint = ENDPOINTS[name]
    response = send(world, endpoint, {**endpoint.base(world), field: value})
    assert response.status_code in (200, 201, 202), (response.status_code, response.content[:500])
    assert endpoint.stored[field](world) == value


# The pages that show the free text escape it: no executable markup reaches the browser.
@pytest.mark.parametrize(
    ("name", "field"),
    [("application-sessions", "notes"), ("application-stop", "reason"), ("company-patch", "name")],
)
def test_free_text_is_shown_escaped(world, name, field):
    endpoint = ENDPOINTS[name]
    assert send(world, endpoint, {**endpoint.base(world), field: HTML}).status_code in (200, 201)
    page = portal_client(world, "promoter").get(reverse("coaching:application", args=[world.in_progress.pk]))
    page = page.content.decode()
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page


# -- the portal forms ----------------------------------------------------------------------------------
SESSION_FORM = {
    "date": "2025-05-02",
    "hours": "2.50",
    "kind": "diagnosis",
    "employees_present": "4",
    "notes": "",
}
SESSION_CASES = (
    [("date", label, value) for label, value in BAD_DATE if isinstance(value, str)]
    + [
        ("date", "before-approval", "2025-03-01"),
        ("date", "future", (TODAY + datetime.timedelta(days=1)).isoformat()),
    ]
    + [("hours", label, value) for label, value in BAD_DECIMAL if isinstance(value, str)]
    + [("hours", "zero", "0"), ("hours", "13", "13")]
    + [("kind", label, value) for label, value in BAD_CHOICE if isinstance(value, str)]
    + [("employees_present", label, value) for label, value in BAD_INT if isinstance(value, str)]
    + [("employees_present", "negative", "-1"), ("employees_present", "huge", str(10**20))]
    + [("notes", "nul", NUL)]
    + [(field, "missing", None) for field in ("date", "hours", "kind")]
)


def form_data(base, field, value):
    data = dict(base)
    if value is None:
        del data[field]
    else:
        data[field] = value
    return data


def assert_form_error(response, form_name, field):
    """Assert that a refused form comes back with the message at the field; nothing else happens."""
    assert response.status_code in (200, 400), response.status_code
    form = response.context[form_name]
    assert form.errors.get(field), form.errors


@pytest.fixture
def promoter_client(world):
    return portal_client(world, "promoter")


@pytest.mark.parametrize(
    ("field", "value"),
    [(f, v) for f, _, v in SESSION_CASES],
    ids=[f"{f}-{lbl}" for f, lbl, _ in SESSION_CASES],
)
def test_session_form_refuses_a_bad_value(world, promoter_client, field, value):
    before = snapshot()
    url = reverse("coaching:log_session", args=[world.in_progress.pk])
    response = promoter_client.post(url, form_data(SESSION_FORM, field, value))
    assert_form_error(response, "session_form", field)
    assert_unchanged(before)


STAFF_FORM = {"staff_reached": "12", "staff_reached_low_skilled": "3", "staff_reached_aged_55_plus": "2"}
CLOSE_CASES = [
    ("outcome", "unknown", {"outcome": "sideways"}),
    ("outcome", "nul", {"outcome": "completed\x00"}),
    ("outcome", "sql", {"outcome": SQL}),
    ("outcome", "missing", {}),
    ("stop_reason", "stop-without-code", {"outcome": "stopped", "reason": "Geen tijd"}),
    ("stop_reason", "stop-unknown-code", {"outcome": "stopped", "stop_reason": "sideways"}),
    ("reason", "stop-other-without-reason", {"outcome": "stopped", "stop_reason": "other", "reason": ""}),
    (
        "reason",
        "stop-other-blank-reason",
        {"outcome": "stopped", "stop_reason": "other", "reason": " \t \r\n "},
    ),
    ("reason", "nul", {"outcome": "stopped", "reason": NUL}),
    # Completing asks the employees reached, each group within the total.
    ("staff_reached", "missing", {"outcome": "completed", **STAFF_FORM, "staff_reached": ""}),
    ("staff_reached", "negative", {"outcome": "completed", **STAFF_FORM, "staff_reached": "-1"}),
    ("staff_reached", "letters", {"outcome": "completed", **STAFF_FORM, "staff_reached": "tien"}),
    ("staff_reached", "huge", {"outcome": "completed", **STAFF_FORM, "staff_reached": str(10**20)}),
    (
        "staff_reached_low_skilled",
        "above-total",
        {"outcome": "completed", **STAFF_FORM, "staff_reached_low_skilled": "13"},
    ),
    (
        "staff_reached_aged_55_plus",
        "missing",
        {"outcome": "completed", **STAFF_FORM, "staff_reached_aged_55_plus": ""},
    ),
]


@pytest.mark.parametrize(
    ("field", "data"), [(f, d) for f, _, d in CLOSE_CASES], ids=[f"{f}-{lbl}" for f, lbl, _ in CLOSE_CASES]
)
def test_close_form_refuses_a_bad_value(world, promoter_client, field, data):
    before = snapshot()
    # Confirmed, so the refusal is the bad value's, not the missing confirmation's.
    data = {**data, "confirm": "on"}
    response = promoter_client.post(reverse("coaching:close", args=[world.in_progress.pk]), data)
    assert_form_error(response, "close_form", field)
    assert_unchanged(before)


BASELINE_FORM = {**BASELINE, "has_training_policy": "no", "has_learning_jobs": "no"}
BASELINE_CASES = (
    [
        (field, label, value)
        for field in ("headcount", "low_skilled")
        for label, value in BAD_INT
        if isinstance(value, str)
    ]
    + [
        ("headcount", "negative", "-1"),
        ("aged_55_plus", "negative", "-1"),
        ("headcount", "huge", str(10**20)),
    ]
    + [("low_skilled", "above-headcount", "31"), ("aged_55_plus", "above-headcount", "31")]
    + [("barriers", "unknown", "sideways"), ("learning_forms", "unknown", "sideways")]
    + [
        ("main_barrier", "not-met", "digital"),
        ("main_barrier", "unknown", "sideways"),
        ("main_barrier", "none", ""),
    ]
    + [("has_training_policy", "word", "maybe"), ("has_learning_jobs", "nul", "True\x00")]
    + [(field, "missing", None) for field in ("has_training_policy", "has_learning_jobs", "headcount")]
)


@pytest.mark.parametrize(
    ("field", "value"),
    [(f, v) for f, _, v in BASELINE_CASES],
    ids=[f"{f}-{lbl}" for f, lbl, _ in BASELINE_CASES],
)
def test_baseline_form_refuses_a_bad_value(world, promoter_client, field, value):
    before = snapshot()
    url = reverse("coaching:baseline", args=[world.in_progress.pk])
    response = promoter_client.post(url, form_data(BASELINE_FORM, field, value))
    assert_form_error(response, "baseline_form", field)
    assert_unchanged(before)


def test_portal_refuses_an_oversized_form(world, promoter_client):
    before = snapshot()
    url = reverse("coaching:log_session", args=[world.in_progress.pk])
    data = {**SESSION_FORM, "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    assert promoter_client.post(url, data).status_code == 400
    assert_unchanged(before)


@pytest.mark.parametrize(
    "value",
    [HTML, SQL, ZERO_WIDTH, EMOJI, LONG],
    ids=["html", "sql", "zero-width", "emoji", "long"],
)
def test_session_form_keeps_free_notes_verbatim_and_escaped(world, promoter_client, value):
    url = reverse("coaching:log_session", args=[world.in_progress.pk])
    response = promoter_client.post(url, {**SESSION_FORM, "notes": value})
    assert response.status_code == 302
    assert CoachingSession.objects.get(application=world.in_progress).notes == value
    page = promoter_client.get(reverse("coaching:application", args=[world.in_progress.pk])).content.decode()
    assert "<script>" not in page and "<img src=x" not in page


# The referral steps: the KBO number of step 1, then the company and referral of step 2.
NEW_REFERRAL = reverse("referrals:new")
NEW_KBO = valid_kbo_number(9_001)
REFERRAL_FORM = {
    "traject": None,  # the traject's pk, filled in per test
    "follow_progress": "on",
    "notes": "",
    "name": "Bakkerij Janssens",
    "legal_form": "bv",
    "staff_headcount": "12",
    "turnover": "1500000",
    "balance_sheet_total": "",
    "postal_code": "2000",
    "nace_code": "10710",
    "contact_name": "An Janssens",
    "contact_email": "an@janssens.example",
    "contact_phone": "03 123 45 67",
}
REFERRAL_CASES = (
    [
        ("company_form", "name", "nul", NUL),
        ("company_form", "name", "10000-chars", LONG),
        ("company_form", "name", "missing", None),
    ]
    + [("company_form", "legal_form", label, value) for label, value in BAD_CHOICE if isinstance(value, str)]
    + [
        ("company_form", "staff_headcount", label, value)
        for label, value in BAD_INT
        if isinstance(value, str)
    ]
    + [
        ("company_form", "staff_headcount", "negative", "-1"),
        ("company_form", "staff_headcount", "huge", str(10**20)),
    ]
    + [("company_form", "turnover", label, value) for label, value in BAD_DECIMAL if isinstance(value, str)]
    + [
        ("company_form", "contact_email", "html", HTML),
        ("company_form", "contact_email", "nul", "a\x00@b.be"),
    ]
    + [("company_form", "postal_code", "missing", None), ("company_form", "postal_code", "too-long", "20000")]
    + [
        ("form", "traject", "unknown", "99999999"),
        ("form", "traject", "letters", "leren"),
        ("form", "traject", "sql", SQL),
    ]
    + [("form", "traject", "missing", None), ("form", "notes", "nul", NUL)]
)


@pytest.fixture
def consultant_client(world):
    return portal_client(world, "consultant")


@pytest.mark.parametrize(("label", "kbo"), BAD_KBO, ids=[label for label, _ in BAD_KBO])
def test_referral_step_one_refuses_a_bad_kbo_number(world, consultant_client, label, kbo):
    before = snapshot()
    response = consultant_client.get(NEW_REFERRAL, {"kbo": kbo})
    assert response.status_code == 200
    assert response.context["form"].errors["kbo"]
    # A POST to step 2 with the same number goes no further than step 1.
    response = consultant_client.post(
        f"{NEW_REFERRAL}?kbo={kbo}", {**REFERRAL_FORM, "traject": world.leren.pk}
    )
    assert response.context["form"].errors["kbo"]
    assert_unchanged(before)


@pytest.mark.parametrize(
    ("form_name", "field", "value"),
    [(form, f, v) for form, f, _, v in REFERRAL_CASES],
    ids=[f"{f}-{lbl}" for _, f, lbl, _ in REFERRAL_CASES],
)
def test_referral_step_two_refuses_a_bad_value(world, consultant_client, form_name, field, value):
    before = snapshot()
    data = form_data({**REFERRAL_FORM, "traject": world.leren.pk}, field, value)
    response = consultant_client.post(f"{NEW_REFERRAL}?kbo={NEW_KBO}", data)
    assert_form_error(response, form_name, field)
    assert_unchanged(before)


@pytest.mark.parametrize("value", [HTML, EMOJI], ids=["html", "emoji"])
def test_referral_keeps_free_notes_verbatim(world, consultant_client, value):
    data = {**REFERRAL_FORM, "traject": world.leren.pk, "notes": value}
    response = consultant_client.post(f"{NEW_REFERRAL}?kbo={NEW_KBO}", data)
    assert response.status_code == 302
    assert Referral.objects.get(company__kbo_number=NEW_KBO).notes == value


# -- the application import ------------------------------------------------------------------------
def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def broken_xlsx() -> bytes:
    """Return a ZIP that names the parts of a workbook but whose sheet is not XML."""
    good = xlsx_file([["kbo_number", "traject"], ["0403170701", "leren"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = b"<worksheet><sheetData><row><c r='A1' t='s'><v>9"
            target.writestr(item, data)
    return buffer.getvalue()


HEADER = "kbo_number;traject;project;submitted_on"
# Rows refused one by one: (label, row, column the error is about).
BAD_ROWS = [
    (f"kbo-{label}", f"{kbo};leren;;", "kbo_number") for label, kbo in BAD_KBO if kbo and ";" not in kbo
]
BAD_ROWS += [
    ("kbo-missing", ";leren;;", "kbo_number"),
    ("traject-unknown", "{kbo};sideways;;", "traject"),
    ("traject-sql", "{kbo};" + SQL.replace(";", ",") + ";;", "traject"),
    ("traject-html", "{kbo};" + HTML + ";;", "traject"),
    ("traject-nul", "{kbo};leren\x00;;", "traject"),
    ("traject-missing", "{kbo};;;", "traject"),
    ("project-unknown", "{kbo};leren;Nergens;", "project"),
    ("project-long", "{kbo};leren;" + LONG + ";", "project"),
    ("date-february-30", "{kbo};leren;;2025-02-30", "submitted_on"),
    ("date-day-first-30-02", "{kbo};leren;;30/02/2025", "submitted_on"),
    ("date-month-first", "{kbo};leren;;12/31/2025", "submitted_on"),
    ("date-words", "{kbo};leren;;gisteren", "submitted_on"),
    ("date-future", "{kbo};leren;;" + (TODAY + datetime.timedelta(days=1)).isoformat(), "submitted_on"),
    ("date-nul", "{kbo};leren;;2025-03-01\x00", "submitted_on"),
]
BAD_FILES = [
    ("empty", lambda: b""),
    ("only-whitespace", lambda: b"\n\n  \n"),
    ("header-only", lambda: csv_file(HEADER)),
    ("no-header", lambda: csv_file("0403170701;leren;;")),
    ("header-lacks-traject", lambda: csv_file("kbo_number;project", "0403170701;x")),
    (
        "duplicate-columns",
        lambda: csv_file("kbo_number;ondernemingsnummer;traject", "0403170701;0403170701;leren"),
    ),
    ("bad-encoding", lambda: HEADER.encode() + b"\n\x81\x8d\x8f\x90\x9d;leren;;\n"),
    ("binary-garbage", lambda: bytes(range(256)) * 8),
    ("nul-bytes", lambda: b"\x00" * 4096),
    ("old-excel", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
    ("truncated-xlsx", lambda: xlsx_file([["kbo_number", "traject"], ["0403170701", "leren"]])[:300]),
    ("zip-not-xlsx", lambda: _zip({"hello.txt": b"hello"})),
    ("xlsx-bad-sheet", broken_xlsx),
]


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def row_text(row: str, world) -> str:
    return row.replace("{kbo}", world.free_company.kbo_number)


@pytest.mark.parametrize(
    ("row", "column"), [(r, c) for _, r, c in BAD_ROWS], ids=[label for label, _, _ in BAD_ROWS]
)
def test_import_service_refuses_a_bad_row(world, row, column):
    before = snapshot()
    result = services.import_applications(
        io.BytesIO(csv_file(HEADER, row_text(row, world))), by=world.officer
    )
    assert not result.saved
    [imported] = result.rows
    assert imported.error.strip(), imported
    assert imported.code, imported
    assert_unchanged(before)


# A worksheet cannot hold a NUL character at all; those rows are tried in CSV only.
XLSX_ROWS = [(label, r, c) for label, r, c in BAD_ROWS if "\x00" not in r]


@pytest.mark.parametrize(
    ("row", "column"), [(r, c) for _, r, c in XLSX_ROWS], ids=[label for label, _, _ in XLSX_ROWS]
)
def test_import_service_refuses_a_bad_row_in_xlsx(world, row, column):
    before = snapshot()
    cells = [cell or None for cell in row_text(row, world).split(";")]
    result = services.import_applications(io.BytesIO(xlsx_file([HEADER.split(";"), cells])), by=world.officer)
    [imported] = result.rows
    assert imported.error.strip() and not result.saved
    assert_unchanged(before)


@pytest.mark.parametrize("content", [c for _, c in BAD_FILES], ids=[label for label, _ in BAD_FILES])
def test_import_service_refuses_a_broken_file(world, content):
    before = snapshot()
    with pytest.raises(SpreadsheetError) as refused:
        services.import_applications(io.BytesIO(content()), by=world.officer)
    assert refused.value.message.strip()
    assert_unchanged(before)


def test_import_ignores_extra_columns(world):
    """Columns the import does not know (a company name kept for reading) are documented as ignored,
    also in rows longer than the header."""
    before = snapshot()
    content = csv_file(HEADER + ";naam;opmerking", f"{world.free_company.kbo_number};leren;;;{HTML};x;y;z")
    result = services.import_applications(io.BytesIO(content), by=world.officer, dry_run=True)
    assert not result.failed and not result.saved
    assert_unchanged(before)


IMPORT_PAGE = reverse("admin:participants_application_import")


@pytest.fixture
def admin_client(world):
    return portal_client(world, "officer")


def upload(admin_client, name: str, content: bytes):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return admin_client.post(IMPORT_PAGE, {"file": file})


@pytest.mark.parametrize("content", [c for _, c in BAD_FILES], ids=[label for label, _ in BAD_FILES])
def test_import_page_refuses_a_broken_file(world, admin_client, content):
    before = snapshot()
    response = upload(admin_client, "aanvragen.xlsx", content())
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert_unchanged(before)


# A file with a NUL byte is not text: the page refuses it whole before the import reads a row (below).
TEXT_ROWS = [(label, r, c) for label, r, c in BAD_ROWS if "\x00" not in r]
NUL_ROWS = [(label, r, c) for label, r, c in BAD_ROWS if "\x00" in r]


@pytest.mark.parametrize(
    ("row", "column"), [(r, c) for _, r, c in TEXT_ROWS], ids=[label for label, _, _ in TEXT_ROWS]
)
def test_import_page_shows_a_bad_row_escaped(world, admin_client, row, column):
    before = snapshot()
    response = upload(admin_client, "aanvragen.csv", csv_file(HEADER, row_text(row, world)))
    assert response.status_code == 200
    [imported] = response.context["result"].rows
    assert imported.error.strip()
    page = response.content.decode()
    assert "<script>" not in page and "<img src=x" not in page
    assert_unchanged(before)


@pytest.mark.parametrize(
    ("row", "column"), [(r, c) for _, r, c in NUL_ROWS], ids=[label for label, _, _ in NUL_ROWS]
)
def test_import_page_refuses_a_file_with_a_nul_byte_whole(world, admin_client, row, column):
    before = snapshot()
    response = upload(admin_client, "aanvragen.csv", csv_file(HEADER, row_text(row, world)))
    assert response.status_code == 200
    assert response.context["result"] is None
    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "unsupported_file_type"
    assert_unchanged(before)


# -- the KBO extract import -----------------------------------------------------------------------
GOOD_NUMBER = "0403.170.701"


def write_extract(
    directory,
    *,
    number=GOOD_NUMBER,
    start="15-03-2012",
    form="610",
    name="Bakkerij Janssens",
    zipcode="2000",
    nace="10710",
    raw=None,
):
    lines = {
        "enterprise.csv": [f'"{number}","AC","000","2","{form}","","{start}"'],
        "denomination.csv": [f'"{number}","2","001","{name}"'],
        "address.csv": [
            f'"{number}","REGO","","","{zipcode}","Antwerpen","Anvers","Kerkstraat","","1","","",'
        ],
        "activity.csv": [f'"{number}","001","2008","{nace}","MAIN"'],
    }
    for file_name, header in HEADERS.items():
        (directory / file_name).write_bytes(("\n".join([header, *lines[file_name]]) + "\n").encode("utf-8"))
    for file_name, content in (raw or {}).items():
        (directory / file_name).write_bytes(content)
    return directory


def dotted(kbo: str) -> str:
    return f"{kbo[:4]}.{kbo[4:7]}.{kbo[7:]}" if len(kbo) == 10 else kbo


KBO_BAD_ENTERPRISES = [
    ("wrong-check-digits", {"number": "0403.170.702"}),
    ("letter-o", {"number": "0403.17O.701"}),
    ("too-short", {"number": "0403.170.70"}),
    ("too-long", {"number": "0403.170.7011"}),
    ("odd-separators", {"number": "0403-170-701"}),
    ("no-separators", {"number": "0403170701"}),
    ("starts-with-2", {"number": "2403.170.796"}),
    ("start-date-february-30", {"start": "30-02-2012"}),
    ("start-date-iso", {"start": "2012-03-15"}),
    ("start-date-words", {"start": "gisteren"}),
    ("no-name", {"name": ""}),
    ("name-nul", {"name": "Bakkerij\x00Janssens"}),
    ("zipcode-nul", {"zipcode": "20\x0000"}),
    ("nace-nul", {"nace": "107\x001"}),
    ("nace-too-long", {"nace": "1" * 50}),
    ("name-rtl-override", {"name": RTL}),
    ("name-escape", {"name": ESCAPE}),
    ("start-date-year-103", {"start": "01-01-0103"}),
    ("start-date-year-9610", {"start": "01-01-9610"}),
]


@pytest.mark.parametrize(
    "changes", [c for _, c in KBO_BAD_ENTERPRISES], ids=[label for label, _ in KBO_BAD_ENTERPRISES]
)
def test_kbo_import_skips_a_bad_enterprise_with_the_reason(world, tmp_path, changes):
    before = snapshot()
    result = import_kbo_extract(write_extract(tmp_path, **changes))
    assert result.created == result.updated == 0
    assert result.skipped_count == 1, result
    [reason] = result.skipped
    assert reason.strip()
    # Only the record of the import itself, which counts the enterprise as skipped.
    assert KboImport.objects.get().skipped == 1
    assert_unchanged(before, but=(KboImport._meta.db_table,))


@pytest.mark.parametrize(
    "name",
    [HTML.replace('"', "'"), SQL, EMOJI, "B" * 10_000],
    ids=["html", "sql", "emoji", "long"],
)
def test_kbo_import_keeps_an_odd_name_cut_to_the_column(world, tmp_path, name):
    """The KBO's legal name is data: it is stored as published, cut to the column's length."""
    result = import_kbo_extract(write_extract(tmp_path, name=name))
    assert result.created == 1
    assert Company.objects.get(kbo_number="0403170701").name == name[:255]


KBO_BAD_FILES = [
    ("enterprise-empty", {"enterprise.csv": b""}),
    ("enterprise-missing-column", {"enterprise.csv": b'"EnterpriseNumber","Status"\n"0403.170.701","AC"\n'}),
    (
        "enterprise-bad-encoding",
        {"enterprise.csv": HEADERS["enterprise.csv"].encode() + b'\n"\xff\xfe\x81"\n'},
    ),
    (
        "denomination-bad-encoding",
        {
            "denomination.csv": HEADERS["denomination.csv"].encode()
            + b'\n"0403.170.701","2","001","\xff\xfe"\n'
        },
    ),
    ("enterprise-binary-garbage", {"enterprise.csv": bytes(range(256)) * 8}),
    ("enterprise-nul-bytes", {"enterprise.csv": b"\x00" * 4096}),
    ("address-zip-not-csv", {"address.csv": _zip({"address.csv": b"x"})}),
]


@pytest.mark.parametrize("raw", [r for _, r in KBO_BAD_FILES], ids=[label for label, _ in KBO_BAD_FILES])
def test_kbo_import_stops_on_a_broken_file(world, tmp_path, raw):
    before = snapshot()
    with pytest.raises(KboImportStopped) as stopped:
        import_kbo_extract(write_extract(tmp_path, raw=raw))
    assert stopped.value.message.strip()
    assert stopped.value.result.created == 0
    assert_unchanged(before)


def test_kbo_import_stops_when_a_file_is_missing(world, tmp_path):
    write_extract(tmp_path)
    (tmp_path / "activity.csv").unlink()
    before = snapshot()
    with pytest.raises(KboImportStopped) as stopped:
        import_kbo_extract(tmp_path)
    assert "activity.csv" in stopped.value.message
    assert_unchanged(before)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_base_payload_is_accepted(world, name):
    """Sent as they are, the base payloads are accepted: every refusal above is the bad value's doing."""
    endpoint = ENDPOINTS[name]
    response = send(world, endpoint, endpoint.base(world))
    assert response.status_code in (200, 201, 202), (response.status_code, response.content[:300])
