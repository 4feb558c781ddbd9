"""Query budgets: every list (API, portal pages, admin changelists) and the statistics take as many queries
with 25 more rows of everything as with 2, and no more than their budget, so an N+1 fails here.

One table, ``TABLE``: what is read, by which role, and its budget. The data set is built once for the
module (``measured``): a small one (2 rows of everything) is measured, then 25 more rows are added,
spread over statuses, trajects, projects, consultants and funding sources so every join has rows to
multiply, and everything is measured again. Each table row is then one test comparing its two counts.

Each address is read once before it is counted, so caches filled on first use (content types, the
translation catalogue) count in neither. Users are logged in by session, so every request loads its
user and permissions afresh, as in production.
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import (
    BudgetLine,
    BudgetOverride,
    BudgetOverrideStatus,
    DeclarationAttachment,
    DeclarationStatus,
)
from participants import services
from participants.models import ApplicationStatus, ExitAnswer, FollowUp, Invitation, Questionnaire
from reporting.models import Initiative, ReportFormat, ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.questions.pq244 import pq244_figures
from tests.clients import api_collections
from tests.factories import (
    AidLineFactory,
    ApplicationFactory,
    ApplicationFundingFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    CompanyLinkFactory,
    DeclarationFactory,
    DeclarationShareFactory,
    DeclaredAidFactory,
    EvaluationFactory,
    FundingRuleFactory,
    FundingSourceFactory,
    LearningSituationFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import Channel, CommunicationAction, OrganisationKind, Partnership
from voorsprong.roles import Role
from voorsprong.services import issue_api_token

SMALL, MORE = 2, 25
PQ244 = "pq244_figures"  # not an address: the statistics function itself


class Row(NamedTuple):
    target: str  # an address (placeholders from the data set in braces), or PQ244
    role: str
    budget: int  # the most queries it may take


# fmt: off
TABLE = [
    # target                                              role          budget
    # -- API lists -----------------------------------------------------------------------------------------
    Row("/api/v1/companies/",                             "officer",      8),
    Row("/api/v1/companies/",                             "promoter",     8),
    Row("/api/v1/trajects/",                              "officer",      7),
    Row("/api/v1/capacity-periods/",                      "officer",      7),
    Row("/api/v1/applications/",                          "officer",      8),
    Row("/api/v1/applications/",                          "promoter",     8),
    Row("/api/v1/applications/",                          "consultant",   8),
    Row("/api/v1/applications/?approved_as_of={today}&traject=leren", "officer", 9),
    Row("/api/v1/applications/{coached}/sessions/",       "promoter",     9),
    Row("/api/v1/applications/{coached}/history/",        "officer",      7),
    Row("/api/v1/companies/{coached_company}/sme-declarations/", "officer", 10),
    Row("/api/v1/companies/{coached_company}/sme-declarations/", "consultant", 10),
    Row("/api/v1/referrals/",                             "officer",      8),
    Row("/api/v1/referrals/",                             "consultant",   8),
    Row("/api/v1/declarations/",                          "officer",     10),
    Row("/api/v1/declarations/",                          "promoter",    10),
    Row("/api/v1/declarations/",                          "finance",     10),
    Row("/api/v1/budget-overrides/",                      "officer",      7),
    Row("/api/v1/report-requests/",                       "cabinet",      6),
    Row("/api/v1/auth/tokens/",                           "promoter",     9),
    # -- API aggregates --------------------------------------------------------------------------------------
    Row("/api/v1/evaluations/summary/",                   "cabinet",      4),
    Row("/api/v1/funding/summary/",                       "officer",      8),
    Row("/api/v1/statistics/pq244/?as_of={today}",        "cabinet",     19),
    Row("/api/v1/statistics/esf/?as_of={today}",          "cabinet",      6),
    Row("/api/v1/companies/{coached_company}/aid/",           "officer",      8),
    Row("/api/v1/companies/{coached_company}/aid/",           "promoter",     9),
    Row(PQ244,                                            "-",           16),
    Row("/api/v1/statistics/breakdown/?as_of={today}&by=promoter,province,decision_quarter&measure=approved_companies",
                                                          "cabinet",      4),
    Row("/api/v1/statistics/breakdown/?as_of={today}&by=traject,sector_fund,nace_section&measure=amount_committed",
                                                          "officer",      4),
    Row("/api/v1/statistics/breakdown/?as_of={today}&by=project,size_class&measure=coaching_hours",
                                                          "cabinet",      4),
    # -- portal pages ----------------------------------------------------------------------------------------
    # One query more than a plain list: the invitations behind each row's questionnaire status. The trajects
    # to filter on are read as keys (through the figure cache), then as rows.
    Row("/trajecten/",                                    "promoter",     9),
    Row("/doorverwijzingen/",                             "consultant",   5),
    # Two of them read the outcome figures per traject (one grouped query) and the trajects' names.
    Row("/rapporten/",                                    "cabinet",     27),
    Row("/rapporten/?as_of={today}&dimension_1=promoter&dimension_2=province&measure=places_taken",
                                                          "cabinet",     29),
    Row("/rapporten/?as_of={today}&dimension_1=province&measure=training_policy",
                                                          "cabinet",     29),
    Row("/api-sleutels/",                                 "promoter",     9),
    Row("/werkbak/",                                      "officer",     13),
    Row("/werkbak/",                                      "finance",      6),
    Row("/financiering/",                                 "officer",     10),
    Row("/financiering/",                                 "finance",     10),
    # -- admin changelists -----------------------------------------------------------------------------------
    # Each includes one query for the menu in the header, which reads the user's roles.
    Row("/admin/participants/application/",               "officer",     12),
    Row("/admin/participants/company/",                   "officer",      9),
    Row("/admin/participants/smedeclaration/",            "officer",     11),
    # One more than a plain changelist: the actions offered depend on the role (decide or pay).
    Row("/admin/funding/declaration/",                    "officer",      9),
    Row("/admin/funding/declaration/",                    "finance",      9),
    Row("/admin/funding/budgetoverride/",                 "officer",      9),
    Row("/admin/funding/aidline/",                        "officer",     10),
    Row("/admin/funding/aidline/headroom/{coached_company}/", "officer",     10),
    Row("/admin/funding/companylink/",                    "officer",      8),
    Row("/admin/funding/declaredaid/",                    "officer",      8),
]
# fmt: on


def _row_id(row: Row) -> str:
    return f"{row.target} as {row.role}"


# -- the data set ----------------------------------------------------------------------------------------
def _base() -> dict:
    """Create what does not grow: the roles, two trajects with their periods, money rules, two projects."""
    today = timezone.localdate()
    days = datetime.timedelta
    own_org = OrganisationFactory(name="Voka")
    other_org = OrganisationFactory(name="Unizo")
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    users = {
        "officer": UserFactory(username="budget-officer", role=Role.OFFICER, is_staff=True),
        "promoter": UserFactory(username="budget-promoter", role=Role.PROMOTER, organisation=own_org),
        "consultant": UserFactory(
            username="budget-consultant", role=Role.SECTOR_CONSULTANT, organisation=fund
        ),
        "cabinet": UserFactory(username="budget-cabinet", role=Role.CABINET),
        "finance": UserFactory(username="budget-finance", role=Role.FINANCE, is_staff=True),
    }
    other_consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    eu, flemish = FundingSourceFactory(code="eu"), FundingSourceFactory(code="flemish")
    trajects = []
    for code, start in (("leren", datetime.date(2023, 5, 1)), ("werk", datetime.date(2024, 1, 1))):
        traject = TrajectFactory(code=code, start_date=start)
        period = CapacityPeriodFactory(
            traject=traject, start=today - days(400), end=today + days(300), places=500
        )
        FundingRuleFactory(traject=traject)
        for source, amount in ((eu, "400000.00"), (flemish, "600000.00")):
            BudgetLine.objects.create(traject=traject, source=source, amount=Decimal(amount))
        trajects.append((traject, period))
    leren, period = trajects[0]
    projects = [
        ProjectFactory(traject=leren, organisations=[own_org]),
        ProjectFactory(traject=leren, organisations=[other_org]),
    ]
    coached = ApplicationFactory(
        traject=leren,
        project=projects[0],
        status=ApplicationStatus.IN_PROGRESS,
        capacity_period=period,
        submitted_on=today - days(90),
        decided_on=today - days(80),
        started_on=today - days(70),
    )
    Initiative.objects.create(title="Werkbaar werk", text="Een ander initiatief.")
    StatisticsSnapshot.objects.create(
        question=244, as_of=today - days(7), figures=pq244_figures(today - days(7)), fingerprint="0" * 64
    )
    return {
        "today": today,
        "users": users,
        "consultants": [users["consultant"], other_consultant],
        # Signs off and refuses the officer's requests to approve over the budget.
        "colleague": UserFactory(username="budget-colleague", role=Role.OFFICER),
        "fund": fund,
        "sources": [eu, flemish],
        "trajects": trajects,
        "projects": projects,
        "coached": coached,
        "organisations": [own_org, other_org],
    }


# The first two rounds (the small data set) give every role something to see: an application in progress
# of the promoter's project referred by the consultant, and a completed one with its evaluation.
STATUSES = [
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.COMPLETED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.STOPPED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.REJECTED,
    ApplicationStatus.DRAFT,
]
DECLARATION_STATUSES = [
    DeclarationStatus.SUBMITTED,
    DeclarationStatus.APPROVED,
    DeclarationStatus.PAID,
    DeclarationStatus.REJECTED,
]
OVERRIDE_STATUSES = [
    BudgetOverrideStatus.PENDING,
    BudgetOverrideStatus.SIGNED_OFF,
    BudgetOverrideStatus.REFUSED,
]
REPORTS = [
    (ReportStatus.DONE, ReportFormat.PDF),
    (ReportStatus.FAILED, ReportFormat.CSV),
    (ReportStatus.QUEUED, ReportFormat.XLSX),
    (ReportStatus.RUNNING, ReportFormat.DOCX),
    (ReportStatus.DONE, ReportFormat.JSON),
]


def _application_dates(status, today) -> dict:
    days = datetime.timedelta
    fields = {"submitted_on": None if status == ApplicationStatus.DRAFT else today - days(60)}
    if status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN):
        fields["decided_on"] = today - days(50)
    if status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED):
        fields["started_on"] = today - days(40)
    if status in (ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED, ApplicationStatus.WITHDRAWN):
        fields["ended_on"] = today - days(10)
    if status in (ApplicationStatus.STOPPED, ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED):
        fields["reason"] = "Op vraag van de onderneming."
    if status == ApplicationStatus.STOPPED:
        fields["stop_reason"] = "other"
    return fields


def _add(world: dict, count: int) -> None:
    """Add ``count`` more of everything, each round in another status, traject, project and consultant."""
    today, days = world["today"], datetime.timedelta
    officer, promoter = world["users"]["officer"], world["users"]["promoter"]
    start = world.setdefault("added", 0)
    for number in range(start, start + count):
        status = STATUSES[number % len(STATUSES)]
        traject, period = world["trajects"][(number // 2) % 2]
        project = world["projects"][number % 2] if traject.code == "leren" else None
        company = CompanyFactory()
        issue_api_token(promoter, label=f"script {number}")
        referral = ReferralFactory(
            company=company,
            traject=traject,
            sector_fund=world["fund"],
            consultant=world["consultants"][number % 2],
            follow_progress=number % 3 != 2,
            referred_on=today - days(100 + number),
        )
        approved = status in (
            ApplicationStatus.APPROVED,
            ApplicationStatus.IN_PROGRESS,
            ApplicationStatus.COMPLETED,
            ApplicationStatus.STOPPED,
        )
        application = ApplicationFactory(
            company=company,
            traject=traject,
            project=project,
            referral=referral,
            status=status,
            capacity_period=period if approved else None,
            **_application_dates(status, today),
        )
        if approved:
            for source in world["sources"]:
                ApplicationFundingFactory(application=application, source=source, amount=Decimal("500.00"))
            CoachingSessionFactory(application=application, date=today - days(30), logged_by=promoter)
            declaration_status = DECLARATION_STATUSES[number % len(DECLARATION_STATUSES)]
            declaration = DeclarationFactory(
                application=application,
                declared_by=promoter,
                declared_on=today - days(20),
                status=declaration_status,
                decided_on=None if declaration_status == DeclarationStatus.SUBMITTED else today - days(15),
                decided_by=None if declaration_status == DeclarationStatus.SUBMITTED else officer,
                paid_on=today - days(5) if declaration_status == DeclarationStatus.PAID else None,
                reason="Onvolledig." if declaration_status == DeclarationStatus.REJECTED else "",
            )
            for source in world["sources"]:
                DeclarationShareFactory(declaration=declaration, source=source, amount=Decimal("50.00"))
            AidLineFactory(application=application)
            attachment = DeclarationAttachment(declaration=declaration)
            attachment.file.save(f"bewijs-{number}.pdf", ContentFile(b"%PDF-1.4"), save=True)
        if status == ApplicationStatus.COMPLETED:
            EvaluationFactory(application=application, recommendations=f"Aanrader {number}")
            # The outcomes' figures: its learning situation at intake and at closing.
            for moment in ("intake", "closing"):
                LearningSituationFactory(application=application, moment=moment, recorded_on=today - days(45))
        _add_outcomes(application, officer, today, number)
        override_status = OVERRIDE_STATUSES[number % len(OVERRIDE_STATUSES)]
        BudgetOverride.objects.create(
            application=application,
            reason=f"Bijkrediet {number}",
            status=override_status,
            requested_by=officer,
            requested_at=timezone.now() - days(number),
            decided_by=None if override_status == BudgetOverrideStatus.PENDING else world["colleague"],
            decided_at=None if override_status == BudgetOverrideStatus.PENDING else timezone.now(),
            refusal_reason="Geen bijkrediet." if override_status == BudgetOverrideStatus.REFUSED else "",
        )
        # Every company joins the single undertaking of the coached application's company, with aid declared.
        CompanyLinkFactory(controlling_company=world["coached"].company, controlled_company=company)
        DeclaredAidFactory(application=application, granted_on=today - days(200 + number))
        CoachingSessionFactory(
            application=world["coached"], date=today - days(60 - number % 50), logged_by=promoter
        )
        services.declare_sme_status(
            world["coached"].company,
            by=officer,
            reference_year=today.year - 1,
            staff_awu=Decimal(number),
            turnover=Decimal("100000.00"),
            balance_sheet_total=Decimal("50000.00"),
            enterprises=[
                services.EnterpriseFigures(
                    relation=relation,
                    name=f"Onderneming {number}",
                    share=Decimal(share),
                    staff_awu=Decimal("1.00"),
                    turnover=Decimal("1000.00"),
                    balance_sheet_total=Decimal("1000.00"),
                )
                for relation, share in (("partner", "30"), ("linked", "80"))
            ],
        )
        world["coached"].planned_cost = Decimal(1000 + number)
        world["coached"]._change_reason = f"Kosten {number}"
        world["coached"].save()

        report_status, report_format = REPORTS[number % len(REPORTS)]
        report = ReportRequest(
            kind="pq244",
            as_of=today - days(number),
            format=report_format,
            status=report_status,
            requested_by=world["users"]["cabinet"] if number % 2 else officer,
        )
        if report_status == ReportStatus.DONE:
            report.progress = 100
            report.file.save(f"pq244-{number}.{report_format}", ContentFile(b"{}"), save=False)
        if report_status == ReportStatus.FAILED:
            report.error = "Time limit exceeded."
        report.save()

        partnership = Partnership.objects.create(traject=traject, name=f"Samenwerking {number}")
        partnership.organisations.set(world["organisations"])
        ProjectFactory(traject=traject, organisations=[OrganisationFactory()])
        action = CommunicationAction.objects.create(
            campaign="Campagne",
            date=today - days(number),
            channel=Channel.EVENT,
            description=f"Actie {number}",
        )
        action.trajects.set([traject])
        # A traject of its own, with a period and a budget line, so the per-traject lists grow too.
        extra = TrajectFactory(code=f"extra{number}", start_date=datetime.date(2024, 1, 1))
        extra_period = CapacityPeriodFactory(traject=extra, start=today - days(30), end=today + days(30))
        BudgetLine.objects.create(
            traject=extra,
            source=world["sources"][number % 2],
            capacity_period=extra_period,
            amount=Decimal("1000.00"),
        )
    world["added"] = start + count


def _add_outcomes(application, officer, today, number) -> None:
    """Give an application what the outcomes read: a situation at intake while it runs (every other one),
    invitations with reminders and answers once it ended."""
    days = datetime.timedelta
    if application.status in (ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS) and number % 2:
        answers = services.SituationAnswers(
            has_training_policy=True, has_learning_jobs=False, headcount=30, low_skilled=9, aged_55_plus=4
        )
        services.record_baseline(application, by=officer, answers=answers)
    asked = {
        ApplicationStatus.COMPLETED: (Questionnaire.EVALUATION, Questionnaire.FOLLOW_UP),
        ApplicationStatus.STOPPED: (Questionnaire.EXIT,),
    }.get(application.status, ())
    for questionnaire in asked:
        reminders = number % 3
        Invitation.objects.create(
            application=application,
            questionnaire=questionnaire,
            sent_on=today - days(40),
            reminders_sent=reminders,
            last_reminded_on=today - days(10) if reminders else None,
        )
    if application.status == ApplicationStatus.COMPLETED:
        FollowUp.objects.create(
            application=application,
            training_policy_applied=True,
            learning_continued=False,
            employees_learned=2,
        )
    if application.status == ApplicationStatus.STOPPED:
        ExitAnswer.objects.create(application=application, main_reason="no_time", would_start_again="maybe")


# -- measuring -------------------------------------------------------------------------------------------
def _clients(world) -> dict[str, APIClient]:
    clients = {}
    for role, user in world["users"].items():
        client = APIClient()
        client.force_login(user)
        clients[role] = client
    return clients


def _read(row: Row, world: dict, clients: dict) -> None:
    if row.target == PQ244:
        pq244_figures(world["today"])
        return
    path = row.target.format(
        coached=world["coached"].pk,
        coached_company=world["coached"].company_id,
        today=world["today"].isoformat(),
    )
    response = clients[row.role].get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    if path.startswith("/api/"):
        body = response.json()
        found = ("results", "rows", "trajects", "lines", "operations")
        rows = next((body[key] for key in found if key in body), None) if isinstance(body, dict) else body
        assert rows, f"{path} as {row.role} lists nothing: the row would not test a thing"


def _count(row: Row, world: dict, clients: dict) -> int:
    _read(row, world, clients)  # warms the caches filled on first use
    with CaptureQueriesContext(connection) as queries:
        _read(row, world, clients)
    return len(queries)


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker, tmp_path_factory):
    """Measure the query count of each row with the small data set and with 25 more rows, keyed by row id."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), media, transaction.atomic():
        world = _base()
        _add(world, SMALL)
        clients = _clients(world)
        few = {_row_id(row): _count(row, world, clients) for row in TABLE}
        _add(world, MORE)
        many = {_row_id(row): _count(row, world, clients) for row in TABLE}
        yield {name: (few[name], many[name]) for name in few}
        transaction.set_rollback(True)


@pytest.mark.parametrize("row", TABLE, ids=_row_id)
def test_queries_do_not_grow_with_the_data(row, measured):
    few, many = measured[_row_id(row)]

    assert few == many, f"{few} queries with {SMALL} rows, {many} with {SMALL + MORE}: an N+1"
    assert many <= row.budget, f"{many} queries, over the budget of {row.budget}"


def test_the_rows_are_unique():
    names = [_row_id(row) for row in TABLE]

    assert len(names) == len(set(names))


def _list_paths_in_schema(client) -> set[str]:
    """Return the API's list operations as the contract names them: a GET answering a list or a page of
    one."""
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    found = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "200" not in get["responses"]:
            continue
        body = get["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in body:
            body = components[body["$ref"].rsplit("/", 1)[1]]
        if body.get("type") == "array" or "results" in body.get("properties", {}):
            found.add(path)
    return found


@pytest.mark.django_db
def test_every_api_list_has_a_row(client):
    """A new list (a viewset, a listing @action, an aggregate answering a list) without a row fails here."""
    covered = {
        row.target.split("?")[0].replace("{coached}", "{id}").replace("{coached_company}", "{id}")
        for row in TABLE
        if row.target.startswith("/api/")
    }
    routed = {f"/api/v1/{prefix}/" for prefix, _viewset, _basename in api_collections()}

    assert not (_list_paths_in_schema(client) | routed) - covered
