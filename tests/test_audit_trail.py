"""The audit trail: every write leaves a history row that says who, when and what changed.

One table, ``WRITE_PATHS``, lists every way data gets written: the API, the admin (add, change and
each action), the portal pages, the imports and the report job. Each entry is a small function doing
the write as a user would, the model whose history row it must leave, and who must be named on it.
One parametrized test walks the table and checks, for the row the write left:

- WHO: ``history_user`` is the acting user; a write without one (the company's anonymous evaluation,
  the KBO import, which its command runs without a user, and the report job) must say why in its
  change reason;
- WHEN: ``history_date`` is set, timezone-aware and within the write;
- WHAT: a change names the changed fields (``diff_against`` the previous row), and a reason the
  service gives is on the row.

It also checks that every other history row the write left, on any model, names the same actor.
A meta-test makes sure every model with a history is written by at least one path of the table, or
is exempted below, with the reason.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from unittest.mock import patch

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.manager import HistoryManager

from funding.models import (
    AidLine,
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    CompanyLink,
    Declaration,
    DeclarationStatus,
    DeclaredAid,
    FundingRule,
    FundingSource,
)
from funding.services import request_budget_override
from participants import services
from participants.models import (
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Evaluation,
    ExitAnswer,
    FollowUp,
    ImportJob,
    ImportStatus,
    LearningSituation,
    LegalForm,
    Questionnaire,
    Referral,
    RelatedEnterprise,
    SituationMoment,
    SMEDeclaration,
    StopReason,
)
from participants.questionnaire_links import make_questionnaire_token
from participants.services.import_jobs import queue_kbo_import
from participants.tasks import run_import_job
from reporting.models import (
    AnswerStatement,
    Initiative,
    ReportRequest,
    ReportStatus,
    RetentionRule,
    SizeTable,
)
from reporting.tasks import build_report
from tests.clients import client_for as api_client_for
from tests.factories import (
    ApplicationFactory,
    ApplicationFundingFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    CompanyLinkFactory,
    DeclarationFactory,
    DeclaredAidFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from tests.questionnaires import EVALUATION, EXIT, FOLLOW_UP, form_data
from tests.test_import_kbo import activity, address, denomination, enterprise, kbo, write_extract
from trajects.models import (
    CapacityPeriod,
    CommunicationAction,
    Organisation,
    OrganisationKind,
    Partnership,
    Project,
    Traject,
)
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import save_as

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
CREATED, CHANGED, DELETED = "+", "~", "-"

# Models with a history that no path of the table writes, each with the reason: say a model only the
# migrations or a system job ever write. Empty today: every model with a history has a write path
# (FundingSource, created by the migrations and the demo data, is still added and corrected by
# administrators in the admin). An entry needs its reason, and goes once the table covers the model.
EXEMPT_FROM_WRITE_PATHS: dict[type[models.Model], str] = {}


# -- the world every write starts from -----------------------------------------------------------
@dataclass
class World:
    users: dict[str, User]
    traject: Traject
    period: CapacityPeriod
    project: Project
    fund: Organisation
    sources: dict[str, FundingSource]
    tmp_path: object
    today: datetime.date = field(default_factory=timezone.localdate)
    marks: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    started: datetime.datetime | None = None

    def start(self) -> None:
        """Mark where the write begins: rows and time before this belong to arranging its starting point."""
        self.marks, self.started = _last_history_ids(), timezone.now()

    def client(self, actor: str) -> Client:
        """Return a browser logged in as ``actor``; logged in beforehand, as logging in saves the user too."""
        if actor not in self.clients:
            self.clients[actor] = Client()
            self.clients[actor].force_login(self.users[actor])
        return self.clients[actor]

    def api(self, actor: str):
        return api_client_for(self.users[actor])

    # Applications in the states the writes start from, all in the promoter's project.
    def submitted(self, **fields) -> Application:
        fields = {"project": self.project, "submitted_on": self.today - 40 * DAY, **fields}
        return ApplicationFactory(traject=self.traject, **fields)

    def approved(self, **fields) -> Application:
        fields = {"decided_on": self.today - 30 * DAY, "capacity_period": self.period, **fields}
        return ApprovedApplicationFactory(traject=self.traject, project=self.project, **fields)

    def in_progress(self) -> Application:
        application = self.approved(status=ApplicationStatus.IN_PROGRESS, started_on=self.today - 20 * DAY)
        CoachingSessionFactory(application=application, date=self.today - 20 * DAY)
        for code in ("eu", "flemish"):
            ApplicationFundingFactory(
                application=application, source=self.sources[code], amount=Decimal("5000")
            )
        return application

    def completed(self) -> Application:
        return self.approved(
            status=ApplicationStatus.COMPLETED,
            started_on=self.today - 20 * DAY,
            ended_on=self.today - 2 * DAY,
        )

    def declaration(self, **fields) -> Declaration:
        application = self.in_progress()
        return DeclarationFactory(
            application=application,
            period_start=self.today - 20 * DAY,
            period_end=self.today - 10 * DAY,
            declared_on=self.today - 5 * DAY,
            declared_by=self.users["promoter"],
            **fields,
        )


@pytest.fixture
def world(officer, settings, tmp_path):
    return make_world(officer, settings, tmp_path)


def make_world(officer, settings, tmp_path) -> World:
    """Return the world every write starts from (also the admin walk's, tests/test_admin_back_doors.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    period = CapacityPeriodFactory(
        traject=traject, start=today.replace(month=1, day=1), end=today.replace(month=12, day=31), places=100
    )
    sources = {
        code: FundingSource.objects.create(code=code, name=code, is_subsidy=True)
        for code in ("eu", "flemish")
    }
    for code, amount in (("eu", "400000.00"), ("flemish", "600000.00")):
        BudgetLine.objects.create(traject=traject, source=sources[code], amount=Decimal(amount))
    FundingRule.objects.create(traject=traject, default_planned_cost=Decimal("10000.00"))
    voka = OrganisationFactory(name="Voka")
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    users = {
        "officer": officer,
        "admin": UserFactory(username="beheerder", role=Role.ADMIN, is_staff=True),
        "promoter": UserFactory(username="promotor", role=Role.PROMOTER, organisation=voka),
        "consultant": UserFactory(username="consulent", role=Role.SECTOR_CONSULTANT, organisation=fund),
        "cabinet": UserFactory(username="kabinet", role=Role.CABINET),
        # Approvals over the budget take a second officer; the financial service pays declarations.
        "officer2": UserFactory(username="dossier2", role=Role.OFFICER, is_staff=True),
        "finance": UserFactory(username="financien", role=Role.FINANCE, is_staff=True),
        # Funding rules have no role's permission: only a superuser edits them.
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    project = ProjectFactory(traject=traject, name="Leren werkt", organisations=[voka])
    world = World(users, traject, period, project, fund, sources, tmp_path)
    for actor in users:
        world.client(actor)
    return world


# -- helpers for the admin's forms ---------------------------------------------------------------
def _form_values(form: forms.BaseForm) -> dict:
    """Return what a browser would post back for ``form`` as shown."""
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for suffix, part in zip(widget.widgets_names, parts, strict=True):
                data[bound.html_name + suffix] = part
        else:
            data[bound.html_name] = value
    return data


def _posted(data: dict) -> dict:
    posted = {}
    for name, value in data.items():
        if value is None or value is False:
            continue
        if value is True:
            posted[name] = "on"
        elif isinstance(value, list | tuple):
            posted[name] = [str(getattr(item, "pk", item)) for item in value]
        else:
            posted[name] = str(getattr(value, "pk", value))
    return posted


def admin_form(client: Client, url: str) -> dict:
    """Return the admin's add or change form at ``url`` with its inlines, as the browser would post it."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = _form_values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        data.update(_form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_values(form))
    return data


def admin_save(world: World, actor: str, model, obj=None, **changes) -> models.Model:
    """Add (``obj`` None) or change an object through its admin form; return the saved object."""
    opts = model._meta
    if obj is None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    else:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    client = world.client(actor)
    data = {**admin_form(client, url), **changes}
    before = set(model.objects.values_list("pk", flat=True))
    response = client.post(url, {**_posted(data), "_save": "Save"})
    assert response.status_code == 302, _form_errors(response)
    if obj is not None:
        return model.objects.get(pk=obj.pk)
    [pk] = set(model.objects.values_list("pk", flat=True)) - before
    return model.objects.get(pk=pk)


def _form_errors(response) -> str:
    context = getattr(response, "context", None) or {}
    if "adminform" in context:
        errors = [context["adminform"].form.errors]
        errors += [inline.formset.errors for inline in context.get("inline_admin_formsets", [])]
        return repr(errors)
    return f"{response.status_code}: {response.content[:500]!r}"


def admin_action(world: World, actor: str, model, objects, action: str, **extra):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], **extra}
    response = world.client(actor).post(url, data)
    assert response.status_code == 302, response.content[:500]


def add_inline_row(data: dict, prefix: str, **values) -> dict:
    number = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = number + 1
    data.update({f"{prefix}-{number}-{name}": value for name, value in values.items()})
    return data


def refreshed(obj):
    return type(obj).objects.get(pk=obj.pk)


# -- the write paths -----------------------------------------------------------------------------
# API ---------------------------------------------------------------------------------------------
def api_ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def api_company_create(w):
    data = {
        "kbo_number": "0403170701",
        "name": "Bakkerij Janssens",
        "legal_form": LegalForm.BV,
        "staff_headcount": 12,
        "turnover": "1500000.00",
        "postal_code": "2000",
    }
    return Company.objects.get(pk=api_ok(w.api("officer").post("/api/v1/companies/", data), 201)["id"])


def api_company_update(w):
    company = CompanyFactory()
    w.start()
    api_ok(w.api("officer").patch(f"/api/v1/companies/{company.pk}/", {"name": "Nieuwe naam BV"}))
    return company


def api_application_create(w):
    company = CompanyFactory()
    w.start()
    body = {"company": company.pk, "traject": "leren", "project": w.project.pk}
    return Application.objects.get(pk=api_ok(w.api("officer").post("/api/v1/applications/", body), 201)["id"])


def _api_transition(actor, make, name, body=None):
    def perform(w):
        application = make(w) if callable(make) else getattr(w, make)()
        w.start()
        api_ok(w.api(actor).post(f"/api/v1/applications/{application.pk}/{name}/", body or {}))
        return application

    return perform


def api_submit(w):
    application = ApplicationFactory(traject=w.traject, status=ApplicationStatus.DRAFT, submitted_on=None)
    w.start()
    api_ok(w.api("officer").post(f"/api/v1/applications/{application.pk}/submit/"))
    return application


def _budget_override(w) -> BudgetOverride:
    """Return the officer's request, waiting for a sign-off, to approve an application over its budget."""
    BudgetLine.objects.update(amount=Decimal("1.00"))
    return request_budget_override(w.submitted(), by=w.users["officer"], reason=BUDGET_REASON)


def api_budget_override_request(w):
    BudgetLine.objects.update(amount=Decimal("1.00"))
    application = w.submitted()
    w.start()
    body = {"application": application.pk, "reason": BUDGET_REASON}
    return BudgetOverride.objects.get(
        pk=api_ok(w.api("officer").post("/api/v1/budget-overrides/", body), 201)["id"]
    )


def api_approve_over_budget(w):
    override = _budget_override(w)
    w.start()
    api_ok(w.api("officer2").post(f"/api/v1/budget-overrides/{override.pk}/sign-off/"))
    return override.application


def api_budget_override_refuse(w):
    override = _budget_override(w)
    w.start()
    api_ok(w.api("officer2").post(f"/api/v1/budget-overrides/{override.pk}/refuse/", {"reason": REASON}))
    return override


def api_approve_commits_funding(w):
    application = w.submitted()
    w.start()
    api_ok(w.api("officer").post(f"/api/v1/applications/{application.pk}/approve/"))
    return application.funding.get(source__code="eu")


def api_approve_writes_aid(w):
    application = w.submitted()
    w.start()
    api_ok(w.api("officer").post(f"/api/v1/applications/{application.pk}/approve/"))
    return AidLine.objects.get(application=application)


def api_withdraw_cancels_aid(w):
    application = services.approve_application(w.submitted(), by=w.users["officer"], on=w.today)
    w.start()
    api_ok(w.api("officer").post(f"/api/v1/applications/{application.pk}/withdraw/", {"reason": REASON}))
    return AidLine.objects.get(application=application)


def api_application_patch(w):
    application = w.submitted()
    w.start()
    api_ok(w.api("officer").patch(f"/api/v1/applications/{application.pk}/", {"planned_cost": "25000.00"}))
    return application


def api_log_session(w):
    application = w.approved()
    w.start()
    body = {"date": str(w.today - DAY), "hours": "2.00", "kind": "intake", "employees_present": 3}
    response = w.api("promoter").post(f"/api/v1/applications/{application.pk}/sessions/", body)
    return CoachingSession.objects.get(pk=api_ok(response, 201)["id"])


BASELINE = {
    "barriers": ["situational", "digital"],
    "main_barrier": "digital",
    "has_training_policy": False,
    "has_learning_jobs": True,
    "headcount": 30,
    "low_skilled": 8,
    "aged_55_plus": 4,
    "learning_forms": ["informal"],
}
# The same answers as the portal's forms post them.
BASELINE_FORM = {**BASELINE, "has_training_policy": "no", "has_learning_jobs": "yes"}


def _baseline_recorded(w, application=None):
    """Return an application with its situation at intake recorded by the promoter a day ago."""
    application = application or w.approved()
    answers = services.SituationAnswers(**{**BASELINE, "headcount": 25})
    services.record_baseline(application, by=w.users["promoter"], answers=answers, on=w.today - DAY)
    return application


def api_baseline(w):
    application = w.approved()
    w.start()
    api_ok(w.api("promoter").post(f"/api/v1/applications/{application.pk}/baseline/", BASELINE))
    return LearningSituation.objects.get(application=application)


def api_first_session_starts_trajectory(w):
    application = w.approved()
    w.start()
    body = {"date": str(w.today - DAY), "hours": "2.00", "kind": "intake"}
    api_ok(w.api("promoter").post(f"/api/v1/applications/{application.pk}/sessions/", body), 201)
    return application


def api_referral_create(w):
    company = CompanyFactory()
    w.start()
    body = {"company": company.pk, "traject": "leren", "follow_progress": True, "notes": "Opleidingsdag"}
    return Referral.objects.get(pk=api_ok(w.api("consultant").post("/api/v1/referrals/", body), 201)["id"])


def api_capacity_period_create(w):
    start = w.period.end + DAY
    body = {"traject": "leren", "start": str(start), "end": str(start + 364 * DAY), "places": 20}
    return CapacityPeriod.objects.get(
        pk=api_ok(w.api("officer").post("/api/v1/capacity-periods/", body), 201)["id"]
    )


def api_capacity_period_places(w):
    api_ok(w.api("officer").patch(f"/api/v1/capacity-periods/{w.period.pk}/", {"places": 120}))
    return w.period


def api_declaration_create(w):
    application = w.in_progress()
    w.start()
    body = {
        "application": application.pk,
        "period_start": str(w.today - 20 * DAY),
        "period_end": str(w.today - 10 * DAY),
        "amount": "1000.00",
        "hours": "10.00",
    }
    response = w.api("promoter").post("/api/v1/declarations/", body, format="multipart")
    return Declaration.objects.get(pk=api_ok(response, 201)["id"])


def _api_decision(actor, name, body=None, **fields):
    def perform(w):
        declaration = w.declaration(**fields)
        w.start()
        api_ok(w.api(actor).post(f"/api/v1/declarations/{declaration.pk}/{name}/", body or {}))
        return declaration

    return perform


def api_report_request(w):
    body = {"question": 244, "as_of": str(w.today - DAY), "format": "json"}
    response = w.api("cabinet").post("/api/v1/report-requests/", body)
    return ReportRequest.objects.get(pk=api_ok(response, 202)["id"])


def _failed_report(w) -> ReportRequest:
    return ReportRequest.objects.create(
        kind="pq244",
        as_of=w.today - DAY,
        format="json",
        requested_by=w.users["cabinet"],
        status=ReportStatus.FAILED,
        error="Disk full",
        finished_at=timezone.now(),
    )


def api_report_retry(w):
    report = _failed_report(w)
    w.start()
    api_ok(w.api("cabinet").post(f"/api/v1/report-requests/{report.pk}/retry/"), 202)
    return report


SME_DECLARATION = {
    "reference_year": 2024,
    "staff_awu": "9.50",
    "turnover": "1800000.00",
    "balance_sheet_total": "700000.00",
}


def api_sme_declaration(w) -> SMEDeclaration:
    company = CompanyFactory(staff_headcount=None)
    w.start()
    body = {
        **SME_DECLARATION,
        "enterprises": [
            {
                "relation": "partner",
                "name": "Holding Claes NV",
                "share": "40.00",
                "staff_awu": "2.00",
                "turnover": "100000.00",
                "balance_sheet_total": "100000.00",
            }
        ],
    }
    url = f"/api/v1/companies/{company.pk}/sme-declarations/"
    return SMEDeclaration.objects.get(pk=api_ok(w.api("officer").post(url, body, format="json"), 201)["id"])


# Admin: add and change -----------------------------------------------------------------------------
def _admin_add(actor, model, make_values):
    def perform(w):
        values = make_values(w)
        w.start()
        return admin_save(w, actor, model, **values)

    return perform


def _admin_change(actor, make, **changes):
    def perform(w):
        obj = make(w)
        values = {name: value(w) if callable(value) else value for name, value in changes.items()}
        w.start()
        return admin_save(w, actor, type(obj), obj, **values)

    return perform


def admin_user_add(w):
    url = reverse("admin:voorsprong_user_add")
    data = {"username": "nieuw", "password1": "een lang wachtwoord 42", "password2": "een lang wachtwoord 42"}
    data["usable_password"] = "true"
    response = w.client("admin").post(url, {**data, "_save": "Save"})
    assert response.status_code == 302, _form_errors(response)
    return User.objects.get(username="nieuw")


def admin_initiative_list_editable(w):
    initiative = Initiative.objects.create(title="Sectorconvenants", text="…", position=1)
    w.start()
    url = reverse("admin:reporting_initiative_changelist")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(initiative.pk),
        "form-0-position": "5",
        "form-0-is_active": "on",
        "_save": "Save",
    }
    response = w.client("officer").post(url, data)
    assert response.status_code == 302, response.content[:500]
    return initiative


# Admin: actions -------------------------------------------------------------------------------------
def _admin_application_action(action, **extra):
    def perform(w):
        application = w.submitted()
        w.start()
        admin_action(w, "officer", Application, [application], action, **extra)
        return application

    return perform


def admin_approve_over_budget(w):
    BudgetLine.objects.update(amount=Decimal("1.00"))
    application = w.submitted()
    w.start()
    admin_action(
        w, "officer", Application, [application], "approve_selected_over_budget", reason=BUDGET_REASON
    )
    return BudgetOverride.objects.get(application=application)


def _over_budget_request_form(w) -> dict:
    BudgetLine.objects.update(amount=Decimal("1.00"))
    return {"application": w.submitted().pk, "reason": BUDGET_REASON}


def _admin_budget_override_action(action, make_target, **extra):
    def perform(w):
        override = _budget_override(w)
        w.start()
        admin_action(w, "officer2", BudgetOverride, [override], action, **extra)
        return make_target(override)

    return perform


def _admin_declaration_action(actor, action, extra=None, **fields):
    def perform(w):
        declaration = w.declaration(**fields)
        w.start()
        admin_action(w, actor, Declaration, [declaration], action, **(extra or {}))
        return declaration

    return perform


def _admin_delete(actor, make):
    def perform(w):
        obj = make(w)
        w.start()
        admin_action(w, actor, type(obj), [obj], "delete_selected", post="yes")
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        return obj

    return perform


def _admin_delete_view(actor, make):
    """Delete one object on its own delete page, confirmed as the browser does."""

    def perform(w):
        obj = make(w)
        w.start()
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        response = w.client(actor).post(url, {"post": "yes"})
        assert response.status_code == 302, response.content[:500]
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        return obj

    return perform


# Portal ---------------------------------------------------------------------------------------------
def _portal_ok(response):
    assert response.status_code == 302, response.content[:1000]


def portal_log_session(w):
    application = w.approved()
    w.start()
    data = {"date": str(w.today - DAY), "hours": "2.50", "kind": "intake", "employees_present": "4"}
    _portal_ok(w.client("promoter").post(f"/trajecten/{application.pk}/sessies/", data))
    return CoachingSession.objects.get(application=application)


def portal_first_session_starts_trajectory(w):
    application = w.approved()
    w.start()
    data = {"date": str(w.today - DAY), "hours": "2.50", "kind": "intake", "employees_present": "4"}
    _portal_ok(w.client("promoter").post(f"/trajecten/{application.pk}/sessies/", data))
    return application


STAFF_REACHED = {"staff_reached": 12, "staff_reached_low_skilled": 3, "staff_reached_aged_55_plus": 2}
STAFF_REACHED_FIELDS = list(STAFF_REACHED)


def portal_complete(w):
    application = w.in_progress()
    w.start()
    data = {"outcome": "completed", "confirm": "on", **STAFF_REACHED}
    _portal_ok(w.client("promoter").post(f"/trajecten/{application.pk}/afsluiten/", data))
    return application


def portal_baseline(w):
    application = w.approved()
    w.start()
    _portal_ok(w.client("promoter").post(f"/trajecten/{application.pk}/situatie-bij-intake/", BASELINE_FORM))
    return LearningSituation.objects.get(application=application)


def portal_baseline_correct(w):
    application = _baseline_recorded(w)
    w.start()
    _portal_ok(w.client("officer").post(f"/trajecten/{application.pk}/situatie-bij-intake/", BASELINE_FORM))
    return LearningSituation.objects.get(application=application)


def portal_consultant_baseline(w):
    consultant, company = w.users["consultant"], CompanyFactory()
    referral = ReferralFactory(
        company=company,
        traject=w.traject,
        sector_fund=w.fund,
        consultant=consultant,
        intake_by=consultant,
    )
    application = w.approved(company=company, referral=referral)
    w.start()
    response = w.client("consultant").post(
        f"/doorverwijzingen/{referral.pk}/situatie-bij-intake/", BASELINE_FORM
    )
    _portal_ok(response)
    return LearningSituation.objects.get(application=application)


def portal_stop(w):
    application = w.in_progress()
    w.start()
    data = {
        "outcome": "stopped",
        "stop_reason": "bankruptcy_or_stop",
        "reason": "The company went bankrupt",
        "confirm": "on",
    }
    _portal_ok(w.client("promoter").post(f"/trajecten/{application.pk}/afsluiten/", data))
    return application


KBO_NEW = "0403170701"


def _portal_referral_with_intake(w):
    data = {
        "name": "Bakkerij Janssens",
        "legal_form": LegalForm.BV,
        "staff_headcount": "12",
        "turnover": "1500000",
        "postal_code": "2000",
        "nace_code": "10710",
        "traject": w.traject.pk,
        "follow_progress": "on",
        "notes": "Via de sectorale opleidingsdag",
        "intake_done": "on",
    }
    _portal_ok(w.client("consultant").post(f"{reverse('referrals:new')}?kbo={KBO_NEW}", data))
    return Referral.objects.get(company__kbo_number=KBO_NEW)


def portal_referral(w):
    return _portal_referral_with_intake(w)


def portal_referral_registers_company(w):
    return _portal_referral_with_intake(w).company


def portal_referral_intake_submits(w):
    return _portal_referral_with_intake(w).application


QUESTIONNAIRE_PAGES = {
    Questionnaire.EVALUATION: "evaluation:form",
    Questionnaire.FOLLOW_UP: "evaluation:follow_up",
    Questionnaire.EXIT: "evaluation:exit",
}


def _answer_through_link(w, questionnaire, application, answers, client=None):
    """Post a company's answers through its personal link, as the company does: without logging in."""
    token = make_questionnaire_token(questionnaire, application)
    url = reverse(QUESTIONNAIRE_PAGES[questionnaire], args=[token])
    w.start()
    response = (client or Client()).post(url, form_data(answers))
    assert response.status_code == 302, response.content[:1000]
    return application


def portal_evaluation(w, client=None):
    application = _answer_through_link(w, Questionnaire.EVALUATION, w.completed(), EVALUATION, client)
    return Evaluation.objects.get(application=application)


def portal_evaluation_while_logged_in(w):
    """Evaluate as an officer trying the link: still the company's answers, not the officer's."""
    return portal_evaluation(w, w.client("officer"))


def portal_evaluation_closing_situation(w):
    """The company's learning situation at closing, saved with its evaluation."""
    return portal_evaluation(w).application.learning_situations.get(moment=SituationMoment.CLOSING)


def portal_follow_up(w):
    completed = w.approved(
        status=ApplicationStatus.COMPLETED,
        decided_on=w.today - 400 * DAY,
        started_on=w.today - 380 * DAY,
        ended_on=w.today - 200 * DAY,
    )
    return _answer_through_link(w, Questionnaire.FOLLOW_UP, completed, FOLLOW_UP).follow_up


def portal_exit(w):
    stopped = w.approved(
        status=ApplicationStatus.STOPPED,
        started_on=w.today - 20 * DAY,
        ended_on=w.today - 2 * DAY,
        stop_reason=StopReason.NO_TIME,
    )
    return _answer_through_link(w, Questionnaire.EXIT, stopped, EXIT).exit_answer


def portal_report_request(w):
    data = {"question": "244", "as_of": str(w.today - DAY), "format": "csv"}
    _portal_ok(w.client("cabinet").post(reverse("reports:list"), data))
    return ReportRequest.objects.get(format="csv")


def portal_report_retry(w):
    report = _failed_report(w)
    w.start()
    _portal_ok(w.client("cabinet").post(reverse("reports:retry", args=[report.pk])))
    return report


# Imports ---------------------------------------------------------------------------------------------
def _applications_csv(w) -> tuple[Company, str]:
    company = CompanyFactory()
    return (
        company,
        f"kbo_number;traject;project;submitted_on\n{company.kbo_number};leren;Leren werkt;{w.today - DAY}\n",
    )


def import_via_service(w):
    company, text = _applications_csv(w)
    w.start()
    result = services.import_applications(io.BytesIO(text.encode()), by=w.users["officer"])
    assert result.saved, result.rows
    return Application.objects.get(company=company)


def import_via_command(w):
    company, text = _applications_csv(w)
    w.start()
    path = w.tmp_path / "aanvragen.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import_applications", str(path), user=w.users["officer"].username, stdout=io.StringIO())
    return Application.objects.get(company=company)


def import_via_admin_page(w):
    company, text = _applications_csv(w)
    w.start()
    upload = SimpleUploadedFile("aanvragen.csv", text.encode(), content_type="text/csv")
    response = w.client("officer").post(reverse("admin:participants_application_import"), {"file": upload})
    assert response.status_code == 200
    return Application.objects.get(company=company)


BAKERY = kbo(1)


def _kbo_extract(w, name="Bakkerij Peeters"):
    directory = w.tmp_path / f"kbo-{name.replace(' ', '-')}"
    directory.mkdir()
    return write_extract(
        directory,
        enterprises=[enterprise(BAKERY, start="01-04-2009")],
        denominations=[denomination(BAKERY, name)],
        addresses=[address(BAKERY, "9000", "Gent")],
        activities=[activity(BAKERY, "10711")],
    )


def _kbo_company():
    return Company.objects.get(kbo_number=BAKERY.replace(".", ""))


def kbo_import_creates(w):
    services.import_kbo_extract(_kbo_extract(w))
    return _kbo_company()


def kbo_import_updates(w):
    services.import_kbo_extract(_kbo_extract(w))
    update = _kbo_extract(w, "Bakkerij Peeters-Janssens")
    w.start()
    services.import_kbo_extract(update)
    return _kbo_company()


def kbo_import_via_command(w):
    call_command("import_kbo", str(_kbo_extract(w)), stdout=io.StringIO())
    return _kbo_company()


def _kbo_extract_in_media(w):
    """Return an extract in the media storage, where a queued import's worker reads it."""
    directory = w.tmp_path / "media" / "kbo"
    directory.parent.mkdir(exist_ok=True)
    return _kbo_extract(w).rename(directory)


def kbo_import_queued_via_command(w):
    call_command("import_kbo", str(_kbo_extract_in_media(w)), "--queue", stdout=io.StringIO())
    return ImportJob.objects.get()


def kbo_import_job_runs(w):
    job = queue_kbo_import(_kbo_extract_in_media(w))
    w.start()
    assert run_import_job.apply(args=[job.pk]).get() == ImportStatus.DONE
    return job


def admin_size_table_upload(w):
    upload = SimpleUploadedFile(
        "statbel.csv",
        b"sectie;grootteklasse;provincie;ondernemingen\nC;0;Antwerpen;600\n",
        content_type="text/csv",
    )
    response = w.client("officer").post(
        reverse("admin:reporting_sizetable_add"),
        {"reference_date": "2024-12-31", "source": "Statbel", "file": upload, "_save": "Save"},
    )
    assert response.status_code == 302, response.content[:500]
    return SizeTable.objects.get()


# Jobs -------------------------------------------------------------------------------------------------
def report_job_builds(w):
    report = ReportRequest.objects.create(
        kind="pq244", as_of=w.today - DAY, format="json", requested_by=w.users["cabinet"]
    )
    w.start()
    assert build_report.apply(args=[report.pk]).get() == ReportStatus.DONE
    return report


def report_job_fails(w):
    report = ReportRequest.objects.create(
        kind="pq244", as_of=w.today - DAY, format="json", requested_by=w.users["cabinet"]
    )
    w.start()
    with patch("reporting.documents.render_report", side_effect=ValueError("broken template")):
        assert build_report.apply(args=[report.pk]).get() == ReportStatus.FAILED
    return report


# -- the table -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WritePath:
    name: str
    model: type[models.Model]
    actor: str | None  # a key of World.users; None: no user, and then the change reason says why
    perform: Callable[[World], models.Model]  # does the write, returns the object whose row is checked
    history_type: str = CHANGED
    changed: frozenset[str] = frozenset()  # fields diff_against the previous row must name
    reason: str | None = None  # the change reason the row must carry; None: any (also none)


def write_path(name, model, actor, perform, history_type=CHANGED, changed=(), reason=None) -> WritePath:
    return WritePath(name, model, actor, perform, history_type, frozenset(changed), reason)


DECISION = ("status", "decided_on", "decided_by")
REASON = "The company went bankrupt"
BUDGET_REASON = "Minister's decision"  # in the approval's reason, in the user's language
SYSTEM_KBO = "Imported from the KBO open data"

WRITE_PATHS = [
    # API
    write_path("api/company/create", Company, "officer", api_company_create, CREATED),
    write_path("api/company/update", Company, "officer", api_company_update, changed=["name"]),
    write_path("api/application/create", Application, "officer", api_application_create, CREATED),
    write_path("api/company/sme-declaration", SMEDeclaration, "officer", api_sme_declaration, CREATED),
    write_path(
        "api/company/sme-declaration/enterprise",
        RelatedEnterprise,
        "officer",
        lambda w: api_sme_declaration(w).enterprises.get(),
        CREATED,
    ),
    write_path(
        "api/company/sme-declaration/company",
        Company,
        "officer",
        lambda w: api_sme_declaration(w).company,
        changed=["staff_headcount", "turnover", "balance_sheet_total"],
    ),
    write_path(
        "api/application/submit", Application, "officer", api_submit, changed=["status", "submitted_on"]
    ),
    write_path(
        "api/application/approve",
        Application,
        "officer",
        _api_transition("officer", "submitted", "approve"),
        changed=[*DECISION, "capacity_period"],
        reason="",
    ),
    write_path(
        "api/application/approve/funding", ApplicationFunding, "officer", api_approve_commits_funding, CREATED
    ),
    write_path("api/application/approve/aid", AidLine, "officer", api_approve_writes_aid, CREATED),
    write_path(
        "api/application/withdraw/aid",
        AidLine,
        "officer",
        api_withdraw_cancels_aid,
        changed=["cancelled_on", "cancellation_reason"],
        reason=REASON,
    ),
    write_path(
        "api/application/patch", Application, "officer", api_application_patch, changed=["planned_cost"]
    ),
    write_path(
        "api/budget-override/create",
        BudgetOverride,
        "officer",
        api_budget_override_request,
        CREATED,
        reason=BUDGET_REASON,
    ),
    # The second officer's sign-off approves: the application's row names them, its reason both.
    write_path(
        "api/budget-override/sign-off",
        Application,
        "officer2",
        api_approve_over_budget,
        changed=DECISION,
        reason=BUDGET_REASON,
    ),
    write_path(
        "api/budget-override/refuse",
        BudgetOverride,
        "officer2",
        api_budget_override_refuse,
        changed=["status", "decided_by", "decided_at", "refusal_reason"],
        reason=REASON,
    ),
    write_path(
        "api/application/reject",
        Application,
        "officer",
        _api_transition("officer", "submitted", "reject", {"reason": REASON}),
        changed=[*DECISION, "reason"],
        reason=REASON,
    ),
    write_path(
        "api/application/withdraw",
        Application,
        "officer",
        _api_transition("officer", "approved", "withdraw", {"reason": REASON}),
        changed=["status", "ended_on", "reason"],
        reason=REASON,
    ),
    write_path("api/application/sessions", CoachingSession, "promoter", api_log_session, CREATED),
    write_path(
        "api/application/sessions/start",
        Application,
        "promoter",
        api_first_session_starts_trajectory,
        changed=["status", "started_on"],
    ),
    write_path(
        "api/application/complete",
        Application,
        "promoter",
        _api_transition("promoter", "in_progress", "complete"),
        changed=["status", "ended_on"],
    ),
    write_path(
        "api/application/complete/staff-reached",
        Application,
        "promoter",
        _api_transition("promoter", "in_progress", "complete", STAFF_REACHED),
        changed=["status", "ended_on", *STAFF_REACHED_FIELDS],
    ),
    write_path("api/application/baseline", LearningSituation, "promoter", api_baseline, CREATED),
    write_path(
        "api/application/stop",
        Application,
        "promoter",
        _api_transition("promoter", "in_progress", "stop", {"stop_reason": "other", "reason": REASON}),
        changed=["status", "ended_on", "reason", "stop_reason"],
        reason=REASON,
    ),
    write_path("api/referral/create", Referral, "consultant", api_referral_create, CREATED),
    write_path("api/capacity-period/create", CapacityPeriod, "officer", api_capacity_period_create, CREATED),
    write_path(
        "api/capacity-period/places",
        CapacityPeriod,
        "officer",
        api_capacity_period_places,
        changed=["places"],
    ),
    write_path("api/declaration/create", Declaration, "promoter", api_declaration_create, CREATED),
    write_path(
        "api/declaration/approve",
        Declaration,
        "officer",
        _api_decision("officer", "approve"),
        changed=DECISION,
    ),
    write_path(
        "api/declaration/reject",
        Declaration,
        "officer",
        _api_decision("officer", "reject", {"reason": REASON}),
        changed=[*DECISION, "reason"],
        reason=REASON,
    ),
    write_path(
        "api/declaration/mark-paid",
        Declaration,
        "finance",
        _api_decision(
            "finance",
            "mark-paid",
            status=DeclarationStatus.APPROVED,
            decided_on=timezone.localdate() - 3 * DAY,
        ),
        changed=["status", "paid_on", "paid_by"],
    ),
    write_path(
        "api/report-request/create", ReportRequest, "cabinet", api_report_request, CREATED, reason="requested"
    ),
    write_path(
        "api/report-request/retry",
        ReportRequest,
        "cabinet",
        api_report_retry,
        changed=["status", "error", "finished_at"],
        reason="retried",
    ),
    # Admin: add and change
    write_path(
        "admin/company/add",
        Company,
        "officer",
        _admin_add(
            "officer",
            Company,
            lambda w: {
                "kbo_number": KBO_NEW,
                "name": "Drukkerij Claes",
                "legal_form": LegalForm.BV,
                "staff_headcount": "8",
                "is_active": True,
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/sme-declaration/add",
        SMEDeclaration,
        "officer",
        _admin_add(
            "officer",
            SMEDeclaration,
            lambda w: {"company": CompanyFactory(staff_headcount=None).pk, **SME_DECLARATION},
        ),
        CREATED,
    ),
    write_path(
        "admin/company/change",
        Company,
        "officer",
        _admin_change("officer", lambda w: CompanyFactory(), name="Gewijzigd BV", staff_headcount="60"),
        changed=["name", "staff_headcount"],
    ),
    write_path(
        "admin/application/add",
        Application,
        "officer",
        _admin_add(
            "officer", Application, lambda w: {"company": CompanyFactory().pk, "traject": w.traject.pk}
        ),
        CREATED,
    ),
    write_path(
        "admin/application/change",
        Application,
        "officer",
        _admin_change("officer", lambda w: w.submitted(project=None), project=lambda w: w.project.pk),
        changed=["project"],
    ),
    write_path(
        "admin/traject/change",
        Traject,
        "admin",
        _admin_change("admin", lambda w: w.traject, description="Voor kmo's"),
        changed=["description"],
    ),
    write_path(
        "admin/capacity-period/add",
        CapacityPeriod,
        "officer",
        _admin_add(
            "officer",
            CapacityPeriod,
            lambda w: {
                "traject": w.traject.pk,
                "start": str(w.period.end + DAY),
                "end": str(w.period.end + 365 * DAY),
                "places": "40",
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/capacity-period/change",
        CapacityPeriod,
        "officer",
        _admin_change("officer", lambda w: w.period, places="90"),
        changed=["places"],
    ),
    write_path(
        "admin/organisation/add",
        Organisation,
        "officer",
        _admin_add("officer", Organisation, lambda w: {"name": "Unizo", "kind": OrganisationKind.PROMOTER}),
        CREATED,
    ),
    write_path(
        "admin/organisation/change",
        Organisation,
        "officer",
        _admin_change("officer", lambda w: OrganisationFactory(), website="https://unizo.example"),
        changed=["website"],
    ),
    write_path(
        "admin/partnership/add",
        Partnership,
        "officer",
        _admin_add(
            "officer",
            Partnership,
            lambda w: {"traject": w.traject.pk, "name": "Samenwerking Oost", "organisations": [w.fund.pk]},
        ),
        CREATED,
    ),
    write_path(
        "admin/project/add",
        Project,
        "officer",
        _admin_add(
            "officer",
            Project,
            lambda w: {"traject": w.traject.pk, "name": "Nieuw project", "organisations": [w.fund.pk]},
        ),
        CREATED,
    ),
    write_path(
        "admin/project/change",
        Project,
        "officer",
        _admin_change("officer", lambda w: w.project, name="Leren loont"),
        changed=["name"],
    ),
    write_path(
        "admin/communication-action/add",
        CommunicationAction,
        "officer",
        _admin_add(
            "officer",
            CommunicationAction,
            lambda w: {
                "campaign": "Voorsprong 2026",
                "date": str(w.today),
                "channel": CommunicationAction._meta.get_field("channel").choices[0][0],
                "description": "Webinar",
                "trajects": [w.traject.pk],
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/funding-source/add",
        FundingSource,
        "admin",
        _admin_add("admin", FundingSource, lambda w: {"code": "own_company", "name": "Eigen middelen"}),
        CREATED,
    ),
    write_path(
        "admin/funding-source/change",
        FundingSource,
        "admin",
        _admin_change("admin", lambda w: w.sources["eu"], name="Europees Sociaal Fonds Plus"),
        changed=["name"],
    ),
    write_path(
        "admin/budget-line/change",
        BudgetLine,
        "officer",
        _admin_change("officer", lambda w: BudgetLine.objects.get(source__code="eu"), amount="450000.00"),
        changed=["amount"],
    ),
    write_path(
        "admin/budget-line/add",
        BudgetLine,
        "officer",
        _admin_add(
            "officer",
            BudgetLine,
            lambda w: {
                "traject": w.traject.pk,
                "source": w.sources["eu"].pk,
                "capacity_period": w.period.pk,
                "amount": "150000.00",
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/funding-rule/add",
        FundingRule,
        "superuser",
        _admin_add(
            "superuser",
            FundingRule,
            lambda w: {"traject": TrajectFactory().pk, "default_planned_cost": "8000.00"},
        ),
        CREATED,
    ),
    write_path(
        "admin/funding-rule/change",
        FundingRule,
        "superuser",
        _admin_change("superuser", lambda w: w.traject.funding_rule, default_planned_cost="12000.00"),
        changed=["default_planned_cost"],
    ),
    write_path(
        "admin/budgetoverride/add",
        BudgetOverride,
        "officer",
        _admin_add("officer", BudgetOverride, _over_budget_request_form),
        CREATED,
        reason=BUDGET_REASON,
    ),
    write_path(
        "admin/company-link/add",
        CompanyLink,
        "officer",
        _admin_add(
            "officer",
            CompanyLink,
            lambda w: {
                "controlling_company": CompanyFactory().pk,
                "controlled_company": CompanyFactory().pk,
                "kind": "voting_rights",
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/company-link/change",
        CompanyLink,
        "officer",
        _admin_change("officer", lambda w: CompanyLinkFactory(), kind="dominant_influence"),
        changed=["kind"],
    ),
    write_path(
        "admin/company-link/delete_selected",
        CompanyLink,
        "admin",
        _admin_delete("admin", lambda w: CompanyLinkFactory()),
        DELETED,
    ),
    write_path(
        "admin/company-link/delete",
        CompanyLink,
        "admin",
        _admin_delete_view("admin", lambda w: CompanyLinkFactory()),
        DELETED,
    ),
    write_path(
        "admin/declared-aid/add",
        DeclaredAid,
        "officer",
        _admin_add(
            "officer",
            DeclaredAid,
            lambda w: {
                "application": w.submitted().pk,
                "grantor": "Stad Gent",
                "granted_on": str(w.today - 100 * DAY),
                "amount": "2500.00",
                "regulation": "Verordening (EU) 2023/2831",
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/declared-aid/change",
        DeclaredAid,
        "officer",
        _admin_change("officer", lambda w: DeclaredAidFactory(application=w.submitted()), amount="2600.00"),
        changed=["amount"],
    ),
    write_path(
        "admin/declared-aid/delete",
        DeclaredAid,
        "admin",
        _admin_delete_view("admin", lambda w: DeclaredAidFactory(application=w.submitted())),
        DELETED,
    ),
    write_path(
        "admin/declared-aid/delete_selected",
        DeclaredAid,
        "admin",
        _admin_delete("admin", lambda w: DeclaredAidFactory(application=w.submitted())),
        DELETED,
    ),
    write_path(
        "admin/declaration/add",
        Declaration,
        "admin",
        _admin_add(
            "admin",
            Declaration,
            lambda w: {
                "application": w.in_progress().pk,
                "period_start": str(w.today - 20 * DAY),
                "period_end": str(w.today - 10 * DAY),
                "amount": "800.00",
                "hours": "6",
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/referral/change",
        Referral,
        "officer",
        _admin_change(
            "officer",
            lambda w: ReferralFactory(
                sector_fund=w.fund, consultant=w.users["consultant"], traject=w.traject
            ),
            notes="Bel terug in januari",
        ),
        changed=["notes"],
    ),
    write_path(
        "admin/initiative/add",
        Initiative,
        "officer",
        _admin_add(
            "officer", Initiative, lambda w: {"title": "Sectorconvenants", "text": "…", "position": "1"}
        ),
        CREATED,
    ),
    write_path(
        "admin/answerstatement/add",
        AnswerStatement,
        "officer",
        _admin_add(
            "officer",
            AnswerStatement,
            lambda w: {
                "question": "244",
                "answer": "6",
                "traject": w.traject.pk,
                "valid_from": "2025-06-01",
                "text": "Ik verwacht de resultaten van de evaluaties in de zomer van 2026.",
            },
        ),
        CREATED,
    ),
    write_path(
        "admin/answerstatement/change",
        AnswerStatement,
        "officer",
        _admin_change(
            "officer",
            lambda w: AnswerStatement.objects.create(
                question=244, answer=6, traject=w.traject, valid_from=datetime.date(2025, 6, 1), text="Eerst."
            ),
            text="Ik verwacht de resultaten van de evaluaties in de zomer van 2026.",
        ),
        changed=["text"],
    ),
    write_path(
        "admin/retention-rule/change",
        RetentionRule,
        "officer",
        _admin_change("officer", lambda w: RetentionRule.objects.get(kind="session_notes"), years="7"),
        changed=["years"],
    ),
    write_path(
        "admin/initiative/list-editable",
        Initiative,
        "officer",
        admin_initiative_list_editable,
        changed=["position"],
    ),
    write_path("admin/user/add", User, "admin", admin_user_add, CREATED),
    write_path(
        "admin/user/change",
        User,
        "admin",
        _admin_change(
            "admin", lambda w: w.users["promoter"], first_name="Pieter", email="pieter@voka.example"
        ),
        changed=["first_name", "email"],
    ),
    # Admin: actions
    write_path(
        "admin/application/approve_selected",
        Application,
        "officer",
        _admin_application_action("approve_selected"),
        changed=[*DECISION, "capacity_period"],
    ),
    write_path(
        "admin/application/reject_selected",
        Application,
        "officer",
        _admin_application_action("reject_selected", reason=REASON),
        changed=[*DECISION, "reason"],
        reason=REASON,
    ),
    write_path(
        "admin/application/approve_selected_over_budget",
        BudgetOverride,
        "officer",
        admin_approve_over_budget,
        CREATED,
        reason=BUDGET_REASON,
    ),
    write_path(
        "admin/budgetoverride/sign_off_selected",
        Application,
        "officer2",
        _admin_budget_override_action("sign_off_selected", lambda override: override.application),
        changed=DECISION,
        reason=BUDGET_REASON,
    ),
    write_path(
        "admin/budgetoverride/refuse_selected",
        BudgetOverride,
        "officer2",
        _admin_budget_override_action("refuse_selected", refreshed, reason=REASON),
        changed=["status", "decided_by", "decided_at", "refusal_reason"],
        reason=REASON,
    ),
    write_path(
        "admin/declaration/approve_selected",
        Declaration,
        "officer",
        _admin_declaration_action("officer", "approve_selected"),
        changed=DECISION,
    ),
    write_path(
        "admin/declaration/reject_selected",
        Declaration,
        "officer",
        _admin_declaration_action("officer", "reject_selected", {"reason": REASON}),
        changed=[*DECISION, "reason"],
        reason=REASON,
    ),
    write_path(
        "admin/declaration/mark_paid_selected",
        Declaration,
        "finance",
        _admin_declaration_action(
            "finance",
            "mark_paid_selected",
            status=DeclarationStatus.APPROVED,
            decided_on=timezone.localdate() - 3 * DAY,
        ),
        changed=["status", "paid_on", "paid_by"],
    ),
    write_path(
        "admin/organisation/delete_selected",
        Organisation,
        "officer",
        _admin_delete("officer", lambda w: OrganisationFactory()),
        DELETED,
    ),
    write_path(
        "admin/initiative/delete_selected",
        Initiative,
        "officer",
        _admin_delete("officer", lambda w: Initiative.objects.create(title="Oud", text="…")),
        DELETED,
    ),
    # Portal
    write_path("portal/coaching/log-session", CoachingSession, "promoter", portal_log_session, CREATED),
    write_path(
        "portal/coaching/log-session/start",
        Application,
        "promoter",
        portal_first_session_starts_trajectory,
        changed=["status", "started_on"],
    ),
    write_path(
        "portal/coaching/complete",
        Application,
        "promoter",
        portal_complete,
        changed=["status", "ended_on", *STAFF_REACHED_FIELDS],
    ),
    write_path("portal/coaching/baseline", LearningSituation, "promoter", portal_baseline, CREATED),
    write_path(
        "portal/coaching/baseline/correct",
        LearningSituation,
        "officer",
        portal_baseline_correct,
        # The day stays the intake's: a correction changes the answers and who gave them last.
        changed=["headcount", "recorded_by"],
        reason="Corrected",
    ),
    write_path(
        "portal/referral/baseline", LearningSituation, "consultant", portal_consultant_baseline, CREATED
    ),
    write_path(
        "portal/coaching/stop",
        Application,
        "promoter",
        portal_stop,
        changed=["status", "ended_on", "reason"],
        reason=REASON,
    ),
    write_path("portal/referral", Referral, "consultant", portal_referral, CREATED),
    write_path(
        "portal/referral/new-company", Company, "consultant", portal_referral_registers_company, CREATED
    ),
    write_path(
        "portal/referral/intake-submits",
        Application,
        "consultant",
        portal_referral_intake_submits,
        changed=["status", "submitted_on"],
    ),
    # The company answers without logging in: no user, but the row says where the answers came from.
    write_path("portal/evaluation", Evaluation, None, portal_evaluation, CREATED, reason="evaluation link"),
    write_path(
        "portal/evaluation/while-logged-in",
        Evaluation,
        None,
        portal_evaluation_while_logged_in,
        CREATED,
        reason="evaluation link",
    ),
    write_path(
        "portal/evaluation/closing-situation",
        LearningSituation,
        None,
        portal_evaluation_closing_situation,
        CREATED,
        reason="evaluation link",
    ),
    write_path("portal/follow-up", FollowUp, None, portal_follow_up, CREATED, reason="follow-up link"),
    write_path("portal/exit", ExitAnswer, None, portal_exit, CREATED, reason="exit questionnaire link"),
    write_path(
        "portal/report-request", ReportRequest, "cabinet", portal_report_request, CREATED, reason="requested"
    ),
    write_path(
        "portal/report-request/retry",
        ReportRequest,
        "cabinet",
        portal_report_retry,
        changed=["status", "error", "finished_at"],
        reason="retried",
    ),
    # Imports
    write_path("import/applications/service", Application, "officer", import_via_service, changed=["status"]),
    write_path("import/applications/command", Application, "officer", import_via_command, changed=["status"]),
    write_path(
        "import/applications/admin-page", Application, "officer", import_via_admin_page, changed=["status"]
    ),
    # The KBO import command takes no user: its rows name none and give the KBO as the reason.
    write_path("import/kbo/create", Company, None, kbo_import_creates, CREATED, reason=SYSTEM_KBO),
    write_path("import/kbo/update", Company, None, kbo_import_updates, changed=["name"], reason=SYSTEM_KBO),
    write_path("import/kbo/command", Company, None, kbo_import_via_command, CREATED, reason=SYSTEM_KBO),
    # A queued import is a job for a worker: its rows, like a report job's, name nobody and say which step.
    write_path("import/kbo/queue", ImportJob, None, kbo_import_queued_via_command, CREATED, reason="queued"),
    write_path(
        "job/import-kbo",
        ImportJob,
        None,
        kbo_import_job_runs,
        changed=["status", "kbo_import", "finished_at"],
        reason="done",
    ),
    # Jobs: the report job runs for nobody in particular; its rows say which step. (Its progress
    # ticks, progress and step alone, are written with update() and deliberately keep no row.)
    write_path(
        "job/build-report",
        ReportRequest,
        None,
        report_job_builds,
        changed=["status", "progress", "fingerprint", "finished_at"],
        reason="done",
    ),
    write_path("admin/size-table/add", SizeTable, "officer", admin_size_table_upload, CREATED),
    write_path(
        "job/build-report/failed",
        ReportRequest,
        None,
        report_job_fails,
        changed=["status", "error", "finished_at"],
        reason="failed",
    ),
]


def tracked_models() -> list[type[models.Model]]:
    """Return every model whose changes django-simple-history keeps (not the m2m tables of the history
    itself)."""
    return [
        model for model in apps.get_models() if isinstance(getattr(model, "history", None), HistoryManager)
    ]


def _last_history_ids() -> dict[type[models.Model], int]:
    return {
        model: model.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
        for model in tracked_models()
    }


def _rows_since(marks: dict) -> dict[type[models.Model], list]:
    return {
        model: list(
            model.history.filter(history_id__gt=mark).select_related("history_user").order_by("history_id")
        )
        for model, mark in marks.items()
    }


@pytest.fixture(autouse=True)
def _english():
    # The change reasons are compared in their English source; the pages are Dutch whatever the browser
    # asks for, so the test switches the language itself.
    with translation.override("en"):
        yield


@pytest.mark.parametrize("path", WRITE_PATHS, ids=[path.name for path in WRITE_PATHS])
def test_every_write_leaves_a_history_row_saying_who_when_and_what(world, path):
    world.start()
    target = path.perform(world)
    after = timezone.now()
    rows, before = _rows_since(world.marks), world.started

    assert isinstance(target, path.model)
    own = [row for row in rows[path.model] if getattr(row, path.model._meta.pk.attname) == target.pk]
    assert own, f"{path.name} left no history row on {path.model.__name__} {target.pk}"
    # A new object's first row; for a change the last (an add with m2m fields leaves a "~" row after it).
    row = own[0] if path.history_type == CREATED else own[-1]
    assert row.history_type == path.history_type

    # WHO
    actor = world.users[path.actor] if path.actor else None
    assert row.history_user == actor, f"{path.name}: history_user is {row.history_user}, not {actor}"
    if actor is None:
        assert row.history_change_reason, f"{path.name}: a row without a user must say why"

    # WHEN
    assert row.history_date is not None
    assert timezone.is_aware(row.history_date)
    assert before <= row.history_date <= after

    # WHAT
    if path.history_type == CHANGED:
        previous = row.prev_record
        assert previous is not None, f"{path.name}: a change without an earlier row to compare with"
        changed = set(row.diff_against(previous).changed_fields)
        assert path.changed <= changed, (
            f"{path.name}: changed {sorted(changed)}, expected {sorted(path.changed)}"
        )
    if path.reason:
        assert path.reason in (row.history_change_reason or "")
    elif path.reason == "":
        assert not row.history_change_reason

    # Whatever else the write saved says the same who.
    wrong = [
        (model.__name__, other.history_type, other.history_user)
        for model, others in rows.items()
        for other in others
        if other.history_user_id != (actor.pk if actor else None)
    ]
    assert not wrong, f"{path.name}: rows naming another actor: {wrong}"


def test_every_model_with_a_history_is_written_by_a_path_of_the_table_or_exempted():
    written = {path.model for path in WRITE_PATHS}
    uncovered = [
        model._meta.label
        for model in tracked_models()
        if model not in written and model not in EXEMPT_FROM_WRITE_PATHS
    ]
    assert not uncovered, f"add a write path for these models, or exempt them with a reason: {uncovered}"
    # An exemption for a model the table covers, or one without a history, is stale.
    stale = [model for model in EXEMPT_FROM_WRITE_PATHS if model in written or model not in tracked_models()]
    assert not stale
    assert all(reason.strip() for reason in EXEMPT_FROM_WRITE_PATHS.values())


def test_the_table_names_each_path_once():
    names = [path.name for path in WRITE_PATHS]
    assert len(names) == len(set(names))


class _KilledAfterTheRow(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_save_outside_a_service_transaction_writes_its_row_and_its_history_row_together():
    """A report job marks its request outside any transaction of its own. A worker that died between the
    row and its history row left a request done without its "done" in the history; what save_as writes
    commits whole or not at all (a receiver raising after the row stands for the death)."""
    traject = TrajectFactory(name="Voorsprong in leren")
    officer = UserFactory(role=Role.OFFICER)

    def die(sender, instance, **kwargs):
        raise _KilledAfterTheRow

    models.signals.post_save.connect(die, sender=Traject, weak=False, dispatch_uid="killed-after-the-row")
    try:
        traject.name = "Voorsprong in leren en werk"
        with pytest.raises(_KilledAfterTheRow):
            save_as(traject, officer, reason="renamed")
    finally:
        models.signals.post_save.disconnect(sender=Traject, dispatch_uid="killed-after-the-row")

    traject.refresh_from_db()
    assert traject.name == "Voorsprong in leren"
    assert not traject.history.filter(history_change_reason="renamed").exists()
    save_as(traject, officer, reason="renamed")
    assert traject.history.filter(history_change_reason="renamed").count() == 1
