"""No back doors: every write the admin offers on the domain models calls a service, or is refused.

``ADMIN_WALK`` has one entry per registered ModelAdmin of the project's apps (a meta-test fails for an
admin without one, so a new admin must be classified). For add, change, delete, each action (the
admin's own "delete selected" too) and revert from the history page, a cell says:

- ``service``: the admin calls that service function. The walk does it for real through the test client,
  with the function wrapped by a spy (``patch(..., wraps=...)``, the real function still runs), and checks
  that it was called with the acting user and that the object's history row is the one the service
  leaves. The writes themselves come from the audit trail's table (tests/test_audit_trail.py).
- ``refused``: a superuser gets 403 (or the action is not offered) and nothing is saved.
- ``reference``: reference data without a business rule; a plain admin save is fine, and
  django-simple-history records who made it. The reason is in the cell.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pydoc import locate
from unittest.mock import patch

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from funding.models import (
    AidLine,
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    CompanyLink,
    Declaration,
    DeclarationAttachment,
    DeclarationShare,
    DeclaredAid,
    FundingRule,
    FundingSource,
)
from funding.services import save_budget_line
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
    Invitation,
    KboImport,
    LearningSituation,
    Questionnaire,
    Referral,
    RelatedEnterprise,
    SMEDeclaration,
)
from reporting.models import (
    AnswerStatement,
    Initiative,
    PersonalDataRecord,
    ReportRequest,
    RetentionRule,
    SizeTable,
    SizeTableRow,
    StatisticsSnapshot,
)
from reporting.services.size_tables import import_size_table
from tests.factories import (
    AidLineFactory,
    ApplicationFundingFactory,
    CoachingSessionFactory,
    CompanyFactory,
    CompanyLinkFactory,
    DeclarationShareFactory,
    DeclaredAidFactory,
    EvaluationFactory,
    ReferralFactory,
)
from tests.test_audit_trail import (
    WRITE_PATHS,
    World,
    _budget_override,
    _failed_report,
    _posted,
    admin_form,
    api_sme_declaration,
    make_world,
)
from trajects.models import CapacityPeriod, CommunicationAction, Organisation, Partnership, Project, Traject
from voorsprong import data_version
from voorsprong.models import (
    ApiToken,
    DataVersion,
    DataVersionOnDate,
    DeliveredOnce,
    IdempotentRequest,
    OutboxMessage,
    User,
)
from voorsprong.services import WorkflowRefusal, issue_api_token

pytestmark = pytest.mark.django_db
PROJECT_APPS = {"voorsprong", "trajects", "participants", "funding", "reporting"}
SERVICE, REFUSED, REFERENCE = "service", "refused", "reference"
AUDIT = {path.name: path for path in WRITE_PATHS}


@pytest.fixture
def world(officer, settings, tmp_path):
    return make_world(officer, settings, tmp_path)


@dataclass(frozen=True)
class Cell:
    kind: str
    service: str = ""  # the dotted name the admin calls it by, patched with a spy
    write: str = ""  # the admin write of the audit trail's table that reaches the service
    reason: str = ""


def service(dotted_name: str, write: str) -> Cell:
    return Cell(SERVICE, service=dotted_name, write=write)


def reference(reason: str) -> Cell:
    return Cell(REFERENCE, reason=reason)


REFUSE = Cell(REFUSED)


@dataclass(frozen=True)
class AdminWalk:
    add: Cell
    change: Cell
    delete: Cell
    revert: Cell
    actions: dict[str, Cell] = field(default_factory=dict)
    make: Callable[[World], models.Model] | None = None  # an existing object, for the refused cells


def reference_data(reason: str) -> AdminWalk:
    cell = reference(reason)
    return AdminWalk(cell, cell, cell, cell, {"delete_selected": cell})


def read_only(make) -> AdminWalk:
    return AdminWalk(REFUSE, REFUSE, REFUSE, REFUSE, {"delete_selected": REFUSE}, make)


def _statistics_snapshot(w) -> StatisticsSnapshot:
    return StatisticsSnapshot.objects.create(question=244, as_of=w.today, figures={}, fingerprint="0" * 64)


def _idempotent_request(w) -> IdempotentRequest:
    return IdempotentRequest.objects.create(
        key="sleutel-1",
        user=w.users["officer"],
        method="POST",
        path="/api/v1/companies/",
        response_status=201,
    )


def _outbox_message(w) -> OutboxMessage:
    return OutboxMessage.objects.create(
        task="reporting.tasks.build_report", args=[1], next_attempt_at=timezone.now()
    )


def _attachment(w) -> DeclarationAttachment:
    return DeclarationAttachment.objects.create(
        declaration=w.declaration(), file=SimpleUploadedFile("factuur.pdf", b"%PDF-1.4")
    )


def _size_table(w) -> SizeTable:
    table = b"sectie;grootteklasse;provincie;ondernemingen\nC;0;Antwerpen;600\n"
    return import_size_table(
        io.BytesIO(table), reference_date=w.today, source="Statbel", by=w.users["officer"]
    )


def _referral(w) -> Referral:
    return ReferralFactory(sector_fund=w.fund, consultant=w.users["consultant"], traject=w.traject)


def _baseline(w) -> LearningSituation:
    answers = services.SituationAnswers(
        has_training_policy=True, has_learning_jobs=False, headcount=20, low_skilled=5, aged_55_plus=2
    )
    return services.record_baseline(w.approved(), by=w.users["promoter"], answers=answers)


def _exit_answer(w) -> ExitAnswer:
    stopped = w.approved(
        status=ApplicationStatus.STOPPED, started_on=w.today, ended_on=w.today, stop_reason="no_time"
    )
    return ExitAnswer.objects.create(application=stopped, main_reason="no_time", would_start_again="maybe")


P, F = "participants.services.", "funding.services."

ADMIN_WALK: dict[type[models.Model], AdminWalk] = {
    # Reference data: settings and look-up lists without a rule a service guards.
    User: AdminWalk(
        *[reference("accounts and roles, managed by administrators with Django's own auth forms")] * 4,
        {
            "delete_selected": reference("accounts and roles, managed with Django's own auth forms"),
            # Devices keep no history; tests/test_two_factor.py follows the reset to the next log-in.
            "reset_two_factor": reference("removes a lost authenticator through voorsprong.two_factor.reset"),
        },
    ),
    Traject: reference_data("programme settings; each decision reads them anew, PROTECT keeps used ones"),
    Organisation: reference_data("a list of organisations; nothing is computed from it"),
    Partnership: reference_data("a list of partnerships; nothing is computed from it"),
    Project: reference_data("a list of projects; nothing is computed from it"),
    CommunicationAction: reference_data("a log of campaigns, reported as typed"),
    FundingSource: reference_data("the names of the funding sources; PROTECT keeps used ones"),
    Initiative: reference_data("texts the answer to question 244 lists, written by hand"),
    # Read-only: other parts of the system write them.
    IdempotentRequest: read_only(_idempotent_request),  # the API's idempotency layer
    OutboxMessage: read_only(_outbox_message),  # voorsprong.outbox
    DeliveredOnce: read_only(lambda w: DeliveredOnce.objects.create(key="decision-mail:1")),  # outbox.once
    DataVersion: read_only(
        lambda w: DataVersion.objects.get_or_create(area=data_version.ANY)[0]
    ),  # voorsprong.data_version
    DataVersionOnDate: read_only(
        lambda w: DataVersionOnDate.objects.get_or_create(area=data_version.ANY, on_date=w.today)[0]
    ),  # voorsprong.data_version
    # Made by their users only (the page API-sleutels, the token endpoint); the admin's delete revokes
    # (ApiTokenAdmin calls voorsprong.services.revoke_api_token(s), tests/test_api_tokens.py).
    ApiToken: AdminWalk(
        add=REFUSE,
        change=REFUSE,
        delete=reference("revoking a token deletes it: no history, nothing rests on it"),
        revert=REFUSE,
        actions={"delete_selected": reference("revokes the selected tokens, as delete does")},
        make=lambda w: issue_api_token(w.users["officer"])[0],
    ),
    CoachingSession: read_only(lambda w: CoachingSessionFactory(application=w.approved(), date=w.today)),
    Evaluation: read_only(lambda w: EvaluationFactory(application=w.completed())),  # the company's link
    RelatedEnterprise: read_only(lambda w: api_sme_declaration(w).enterprises.get()),  # with a declaration
    # The situation at intake is logged in the portal and the API, the rest through the company's links;
    # completing, stopping and the beat send the invitations.
    LearningSituation: read_only(_baseline),
    FollowUp: read_only(
        lambda w: FollowUp.objects.create(
            application=w.completed(),
            training_policy_applied=True,
            learning_continued=True,
            employees_learned=3,
        )
    ),
    ExitAnswer: read_only(_exit_answer),
    Invitation: read_only(
        lambda w: Invitation.objects.create(
            application=w.completed(), questionnaire=Questionnaire.EVALUATION, sent_on=w.today
        )
    ),
    SizeTableRow: read_only(lambda w: _size_table(w).rows.get()),  # with its uploaded table
    ApplicationFunding: read_only(
        lambda w: ApplicationFundingFactory(application=w.approved(), source=w.sources["eu"])
    ),  # approvals commit it, withdrawals give it back
    DeclarationShare: read_only(lambda w: DeclarationShareFactory(declaration=w.declaration())),
    DeclarationAttachment: read_only(_attachment),  # declare_costs stores both with the declaration
    AidLine: read_only(lambda w: AidLineFactory()),  # approvals write it, withdrawals cancel it
    ReportRequest: read_only(_failed_report),  # requested in the portal and the API, built by the job
    StatisticsSnapshot: read_only(_statistics_snapshot),  # taken by the statistics job
    KboImport: read_only(  # recorded by the import command
        lambda w: KboImport.objects.create(
            extract_type="full", extract_number=140, created=1, updated=0, removed=0, unchanged=0, skipped=0
        )
    ),
    ImportJob: read_only(  # queued by import_kbo --queue, run by a worker
        lambda w: ImportJob.objects.create(extract_type="full", source="imports/kbo-1")
    ),
    # The purges and access exports record themselves (reporting.services.personal_data).
    PersonalDataRecord: read_only(
        lambda w: PersonalDataRecord.objects.create(
            action="purge", channel="command", as_of=w.today, counts={"session_notes": {"rows": 1}}
        )
    ),
    # Through the services.
    Company: AdminWalk(
        add=service(P + "save_company", "admin/company/add"),
        change=service(P + "save_company", "admin/company/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=lambda w: CompanyFactory(),
    ),
    Application: AdminWalk(
        add=service(P + "create_application", "admin/application/add"),
        change=service(P + "update_application_details", "admin/application/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={
            "delete_selected": REFUSE,
            "approve_selected": service(P + "approve_application", "admin/application/approve_selected"),
            "reject_selected": service(P + "reject_application", "admin/application/reject_selected"),
            "approve_selected_over_budget": service(
                "participants.hooks.request_budget_override", "admin/application/approve_selected_over_budget"
            ),
        },
        make=lambda w: w.submitted(),
    ),
    CapacityPeriod: AdminWalk(
        add=service(P + "create_capacity_period", "admin/capacity-period/add"),
        change=service(P + "change_capacity_places", "admin/capacity-period/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=lambda w: w.period,
    ),
    Referral: AdminWalk(
        add=REFUSE,  # refer_company takes a sector consultant; they refer in the portal and the API
        change=service(P + "follow_up_referral", "admin/referral/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=_referral,
    ),
    SMEDeclaration: AdminWalk(
        add=service(P + "declare_sme_status", "admin/sme-declaration/add"),
        change=REFUSE,
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=api_sme_declaration,
    ),
    BudgetLine: AdminWalk(
        add=service(F + "save_budget_line", "admin/budget-line/add"),
        change=service(F + "save_budget_line", "admin/budget-line/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=lambda w: BudgetLine.objects.get(source__code="eu"),
    ),
    AnswerStatement: AdminWalk(
        add=service("reporting.services.statements.save_answer_statement", "admin/answerstatement/add"),
        change=service("reporting.services.statements.save_answer_statement", "admin/answerstatement/change"),
        delete=REFUSE,  # replaced by a later statement or ended by an empty one, never deleted
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=lambda w: AnswerStatement.objects.create(
            question=244, answer=6, traject=w.traject, valid_from=w.today, text="Ik verwacht de resultaten."
        ),
    ),
    FundingRule: AdminWalk(
        add=service(F + "save_funding_rule", "admin/funding-rule/add"),
        change=service(F + "save_funding_rule", "admin/funding-rule/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=lambda w: w.traject.funding_rule,
    ),
    Declaration: AdminWalk(
        add=service(F + "declare_costs", "admin/declaration/add"),
        change=REFUSE,  # decided and paid by the actions only
        delete=REFUSE,
        revert=REFUSE,
        actions={
            "delete_selected": REFUSE,
            "approve_selected": service(F + "approve_declaration", "admin/declaration/approve_selected"),
            "reject_selected": service(F + "reject_declaration", "admin/declaration/reject_selected"),
            "mark_paid_selected": service(
                F + "mark_declaration_paid", "admin/declaration/mark_paid_selected"
            ),
        },
        make=lambda w: w.declaration(),
    ),
    BudgetOverride: AdminWalk(
        add=service(F + "request_budget_override", "admin/budgetoverride/add"),
        change=REFUSE,  # signed off or refused by the actions only
        delete=REFUSE,
        revert=REFUSE,
        actions={
            "delete_selected": REFUSE,
            "sign_off_selected": service(
                F + "sign_off_budget_override", "admin/budgetoverride/sign_off_selected"
            ),
            "refuse_selected": service(F + "refuse_budget_override", "admin/budgetoverride/refuse_selected"),
        },
        make=_budget_override,
    ),
    CompanyLink: AdminWalk(
        add=service(F + "record_company_link", "admin/company-link/add"),
        change=service(F + "change_company_link", "admin/company-link/change"),
        delete=service(F + "remove_company_link", "admin/company-link/delete"),
        revert=REFUSE,
        actions={"delete_selected": service(F + "remove_company_link", "admin/company-link/delete_selected")},
        make=lambda w: CompanyLinkFactory(),
    ),
    SizeTable: AdminWalk(
        add=service("reporting.services.size_tables.import_size_table", "admin/size-table/add"),
        change=REFUSE,  # an upload is kept as it came; a new one replaces it in the figures
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=_size_table,
    ),
    RetentionRule: AdminWalk(
        add=REFUSE,  # one rule per kind, seeded by the migrations: the purge knows no other kind
        change=service("reporting.services.personal_data.save_retention_rule", "admin/retention-rule/change"),
        delete=REFUSE,
        revert=REFUSE,
        actions={"delete_selected": REFUSE},
        make=lambda w: RetentionRule.objects.get(kind="company_contacts"),
    ),
    DeclaredAid: AdminWalk(
        add=service(F + "declare_other_aid", "admin/declared-aid/add"),
        change=service(F + "change_declared_aid", "admin/declared-aid/change"),
        delete=service(F + "remove_declared_aid", "admin/declared-aid/delete"),
        revert=REFUSE,
        actions={"delete_selected": service(F + "remove_declared_aid", "admin/declared-aid/delete_selected")},
        make=lambda w: DeclaredAidFactory(application=w.submitted()),
    ),
}


def registered_admins() -> dict[type[models.Model], admin.ModelAdmin]:
    return {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    }


def _cells(kind: str) -> list:
    cells = []
    for model, walk in ADMIN_WALK.items():
        named = {"add": walk.add, "change": walk.change, "delete": walk.delete, "revert": walk.revert}
        named.update({f"action {name}": cell for name, cell in walk.actions.items()})
        cells += [
            pytest.param(model, what, cell, id=f"{model._meta.label}/{what}")
            for what, cell in named.items()
            if cell.kind == kind
        ]
    return cells


# -- the table -----------------------------------------------------------------------------------------
def test_every_registered_admin_of_the_project_is_in_the_walk():
    admins = registered_admins()
    assert sorted(model._meta.label for model in set(admins) - set(ADMIN_WALK)) == []
    assert sorted(model._meta.label for model in set(ADMIN_WALK) - set(admins)) == []


@pytest.mark.parametrize("model", list(ADMIN_WALK), ids=lambda model: model._meta.label)
def test_each_admin_action_is_in_the_walk(model):
    offered = {name for _function, name, _description in registered_admins()[model]._get_base_actions()}
    assert set(ADMIN_WALK[model].actions) == offered


def test_each_cell_is_complete():
    for model, walk in ADMIN_WALK.items():
        cells = [walk.add, walk.change, walk.delete, walk.revert, *walk.actions.values()]
        for cell in cells:
            if cell.kind == SERVICE:
                assert callable(locate(cell.service)), cell.service
                assert AUDIT[cell.write].model, cell.write
            elif cell.kind == REFERENCE:
                assert cell.reason.strip(), model
            else:
                assert cell.kind == REFUSED
        if any(cell.kind == REFUSED for cell in cells):
            assert walk.make is not None, f"{model._meta.label}: no object to refuse a write of"
        # Reference data is reference data throughout, and everything else refuses a revert.
        assert (walk.revert.kind == REFERENCE) == all(cell.kind == REFERENCE for cell in cells), model


# -- the service cells ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("model", "what", "cell"), _cells(SERVICE))
def test_the_admin_write_calls_its_service(world, model, what, cell):
    path = AUDIT[cell.write]
    with patch(cell.service, wraps=locate(cell.service)) as spy:
        obj = path.perform(world)
    actor = world.users[path.actor]
    assert spy.call_count == 1, f"{cell.service} was not called once: {spy.call_args_list}"
    assert spy.call_args.kwargs["by"] == actor
    pk_name = path.model._meta.pk.attname
    row = path.model.history.filter(**{pk_name: obj.pk}).latest("history_id")
    assert (row.history_type, row.history_user) == (path.history_type, actor)
    if path.changed:
        assert path.changed <= set(row.diff_against(row.prev_record).changed_fields)


# -- the refused cells ---------------------------------------------------------------------------------
def _state(model, obj) -> tuple:
    """Return what a refused write must leave as it was: the object, the model's rows and its history."""
    history = model.history.count() if hasattr(model, "history") else None
    return model_to_dict(obj) if obj else None, model.objects.count(), history


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _refused_write(world, model, what, obj):
    client = world.client("superuser")
    if what == "add":
        url = _admin_url(model, "add")
        assert client.get(url).status_code == 403
        return client.post(url, {"_save": "Save"})
    if what == "change":
        url = _admin_url(model, "change", obj.pk)
        data = _posted(admin_form(client, url)) if client.get(url).context.get("adminform") else {}
        return client.post(url, {**data, "_save": "Save"})
    if what == "delete":
        url = _admin_url(model, "delete", obj.pk)
        assert client.get(url).status_code == 403
        return client.post(url, {"post": "yes"})
    if what == "revert":
        if not isinstance(registered_admins()[model], SimpleHistoryAdmin):
            return None  # no history page, nothing to revert to
        url = _admin_url(model, "simple_history", obj.pk, obj.history.earliest().history_id)
        return client.post(url, _posted(admin_form(client, url)))
    action = what.removeprefix("action ")
    changelist = client.get(_admin_url(model, "changelist"))
    action_form = changelist.context["action_form"]  # None when no action is offered at all
    offered = [name for name, _label in action_form.fields["action"].choices] if action_form else []
    assert action not in offered
    return client.post(
        _admin_url(model, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"}
    )


@pytest.mark.parametrize(("model", "what", "cell"), _cells(REFUSED))
def test_the_admin_refuses_the_write(world, model, what, cell):
    obj = ADMIN_WALK[model].make(world)
    obj = type(obj).objects.get(pk=obj.pk)
    before = _state(model, obj)
    response = _refused_write(world, model, what, obj)
    if response is not None and not what.startswith("action"):
        assert response.status_code == 403, (what, response.status_code)
    assert _state(model, obj) == before


def test_no_admin_but_reference_data_offers_a_revert():
    for model, model_admin in registered_admins().items():
        if isinstance(model_admin, SimpleHistoryAdmin) and ADMIN_WALK[model].revert.kind == REFUSED:
            assert model_admin.revert_disabled(None), model


# -- budget lines never below what is committed --------------------------------------------------------
def test_a_budget_line_cannot_go_below_what_approvals_committed(world):
    line = BudgetLine.objects.get(source__code="eu")
    ApplicationFundingFactory(
        application=world.approved(), source=world.sources["eu"], amount=Decimal("4000")
    )
    line.amount = Decimal("3999.99")
    with pytest.raises(WorkflowRefusal) as refusal:
        save_budget_line(line, by=world.users["officer"])
    assert refusal.value.code == "below_committed"
    line.refresh_from_db()
    assert line.amount == Decimal("400000.00")
    line.amount = Decimal("4000.00")
    assert save_budget_line(line, by=world.users["officer"]).amount == Decimal("4000.00")


def test_the_admin_shows_the_refusal_of_a_budget_line_below_committed(world):
    line = BudgetLine.objects.get(source__code="eu")
    ApplicationFundingFactory(
        application=world.approved(), source=world.sources["eu"], amount=Decimal("4000")
    )
    client = world.client("officer")
    url = _admin_url(BudgetLine, "change", line.pk)
    response = client.post(url, {**_posted(admin_form(client, url)), "amount": "10.00"}, follow=True)
    assert "4.000,00" in response.content.decode() or "4,000.00" in response.content.decode()
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("400000.00")
