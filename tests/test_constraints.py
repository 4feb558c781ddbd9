"""Every database constraint refuses what it must, even when code skips the validation."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from funding.models import ApplicationFunding, BudgetLine, BudgetOverride, FundingSource
from participants.models import (
    Application,
    Barrier,
    Company,
    Evaluation,
    ExitAnswer,
    ImportJob,
    Invitation,
    KboImport,
    LearningSituation,
    RelatedEnterprise,
    SMEDeclaration,
)
from reporting.models import (
    AnswerStatement,
    PersonalDataAction,
    PersonalDataRecord,
    RecordChannel,
    ReportRequest,
    RetentionRule,
    SizeTable,
    SizeTableRow,
    StatisticsSnapshot,
)
from tests.factories import (
    AidLineFactory,
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    CompanyLinkFactory,
    CompletedApplicationFactory,
    DeclarationFactory,
    DeclarationShareFactory,
    DeclaredAidFactory,
    FundingRuleFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import CommunicationAction, Partnership
from voorsprong.models import ApiToken, DataVersion, DataVersionOnDate, IdempotentRequest

pytestmark = pytest.mark.django_db


def kbo_import(**fields):
    """Record an applied update of the KBO register: a valid row but for ``fields``."""
    values = {"extract_type": "update", "extract_number": 141, "created": 0, "updated": 0, "removed": 0}
    return KboImport.objects.create(**{**values, "unchanged": 0, "skipped": 0, **fields})


def import_job(**fields):
    """Queue an import of a full extract: a valid job but for ``fields``."""
    return ImportJob.objects.create(**{"extract_type": "full", "source": "imports/kbo-1", **fields})


def record(**fields):
    """Record a purge: a valid row but for ``fields``."""
    values = {
        "action": PersonalDataAction.PURGE,
        "channel": RecordChannel.COMMAND,
        "as_of": datetime.date(2032, 1, 1),
    }
    return PersonalDataRecord.objects.create(**{**values, **fields})


def statement(**fields):
    values = {"question": 244, "answer": 6, "valid_from": datetime.date(2025, 6, 1), "text": "Ik verwacht …"}
    return AnswerStatement.objects.create(**{**values, **fields})


def size_table_row(**fields):
    values = {
        "nace_section": "C",
        "province": "antwerpen",
        "staff_from": 10,
        "staff_to": 19,
    }
    table = SizeTable.objects.create(
        reference_date=datetime.date(2024, 12, 31), source="Statbel", uploaded_by=UserFactory()
    )
    return SizeTableRow.objects.create(
        table=table, line=2, size_class="small", enterprises=5, **{**values, **fields}
    )


def same_cell_again(row):
    """Add to ``row``'s table a second line for the same section, province and band."""
    row.pk, row.line = None, row.line + 1
    return row.save()


def evaluation(**scores):
    application = ApprovedApplicationFactory()
    values = {
        "usefulness": 4,
        "coach_quality": 4,
        "learning_culture_effect": 4,
        "would_recommend": 4,
        **scores,
    }
    return Evaluation.objects.create(application=application, **values)


def situation(**fields):
    values = {
        "application": ApprovedApplicationFactory(),
        "moment": "intake",
        "has_training_policy": False,
        "has_learning_jobs": False,
        "headcount": 20,
        "low_skilled": 5,
        "aged_55_plus": 3,
        "recorded_on": datetime.date(2025, 4, 1),
        **fields,
    }
    return LearningSituation.objects.create(**values)


def invitation(**fields):
    values = {
        "application": CompletedApplicationFactory(),
        "questionnaire": "evaluation",
        "sent_on": datetime.date(2025, 7, 1),
    }
    return Invitation.objects.create(**{**values, **fields})


def exit_answer(**fields):
    values = {"main_reason": "no_time", "would_start_again": "maybe", **fields}
    return ExitAnswer.objects.create(application=ApprovedApplicationFactory(), **values)


def application(**fields):
    return ApplicationFactory(**fields)


def approved(**fields):
    return ApprovedApplicationFactory(**fields)


def second_open_application():
    first = application()
    application(company=first.company, traject=first.traject, status="draft", submitted_on=None)


def budget_line_twice(with_period: bool):
    traject = TrajectFactory()
    source = FundingSource.objects.create(code="eu", name="EU", is_subsidy=True)
    period = CapacityPeriodFactory(traject=traject) if with_period else None
    for _ in range(2):
        BudgetLine.objects.create(traject=traject, source=source, capacity_period=period, amount=Decimal(1))


def application_funding(amount=Decimal("10.00"), twice=False):
    source = FundingSource.objects.create(code="flemish", name="Vlaanderen", is_subsidy=True)
    app = approved()
    for _ in range(2 if twice else 1):
        ApplicationFunding.objects.create(application=app, source=source, amount=amount)


def budget_override(**fields):
    values = {
        "application": application(),
        "reason": "Bijkrediet",
        "requested_by": UserFactory(),
        "requested_at": timezone.now(),
        **fields,
    }
    return BudgetOverride.objects.create(**values)


def decided_override(**fields):
    return budget_override(**{"decided_by": UserFactory(), "decided_at": timezone.now(), **fields})


def budget_override_pending_twice():
    first = budget_override()
    budget_override(application=first.application)


def budget_override_signed_off_by_whoever_asked():
    officer = UserFactory()
    decided_override(status="signed_off", requested_by=officer, decided_by=officer)


def report(**fields):
    values = {
        "kind": "pq244",
        "as_of": datetime.date(2025, 11, 26),
        "format": "pdf",
        "requested_by": UserFactory(),
        **fields,
    }
    return ReportRequest.objects.create(**values)


def started(**fields):
    return approved(**{"status": "in_progress", "started_on": datetime.date(2025, 4, 1), **fields})


def stopped(**fields):
    return started(
        **{"status": "stopped", "ended_on": datetime.date(2025, 5, 1), "stop_reason": "no_time", **fields}
    )


def sme_declaration(**fields):
    values = {
        "company": CompanyFactory(),
        "reference_year": 2024,
        "staff_awu": Decimal("8.50"),
        "turnover": Decimal("100.00"),
        "balance_sheet_total": Decimal("100.00"),
        "total_staff_awu": Decimal("8.50"),
        "total_turnover": Decimal("100.00"),
        "total_balance_sheet_total": Decimal("100.00"),
        "size_class": "micro",
        "declared_by": UserFactory(),
        **fields,
    }
    return SMEDeclaration.objects.create(**values)


def related_enterprise(**fields):
    values = {
        "declaration": sme_declaration(),
        "relation": "linked",
        "name": "Moeder NV",
        "share": Decimal("60.00"),
        "staff_awu": Decimal("1.00"),
        "turnover": Decimal("1.00"),
        "balance_sheet_total": Decimal("1.00"),
        **fields,
    }
    return RelatedEnterprise.objects.create(**values)


# constraint name -> something that breaks only that rule
VIOLATIONS = {
    "company_kbo_number_ten_digits": lambda: CompanyFactory(kbo_number="04031707a1"),
    "company_kbo_number_checksum": lambda: CompanyFactory(kbo_number="0403170702"),
    "company_legal_form_valid": lambda: CompanyFactory(legal_form="llc"),
    "company_non_profit_legal_form": lambda: CompanyFactory(legal_form="vzw", is_non_profit=False),
    "company_size_class_matches_non_profit": lambda: Company.objects.filter(
        pk=CompanyFactory(legal_form="vzw", is_non_profit=True).pk
    ).update(size_class="large"),
    "company_turnover_not_negative": lambda: CompanyFactory(turnover=Decimal(-1)),
    "company_balance_sheet_not_negative": lambda: CompanyFactory(balance_sheet_total=Decimal(-1)),
    "application_status_valid": lambda: application(status="paused"),
    "application_one_open_per_company_and_traject": second_open_application,
    "application_submitted_has_date": lambda: application(submitted_on=None),
    "application_decided_has_date": lambda: application(status="rejected", reason="Geen KMO"),
    "application_undecided_has_no_decision": lambda: application(decided_on=datetime.date(2025, 3, 10)),
    "application_approved_holds_place": lambda: approved(capacity_period=None),
    "application_started_has_date": lambda: approved(status="in_progress"),
    "application_ended_has_date": lambda: started(status="completed"),
    "application_reason_given": lambda: application(status="rejected", decided_on=datetime.date(2025, 3, 10)),
    "application_stop_reason_valid": lambda: stopped(stop_reason="bankrupt"),
    "application_stop_reason_when_stopped": lambda: stopped(stop_reason=""),
    "application_other_stop_reason_explained": lambda: stopped(stop_reason="other", reason=""),
    "application_decided_after_submitted": lambda: approved(decided_on=datetime.date(2025, 2, 1)),
    "application_started_after_decided": lambda: started(started_on=datetime.date(2025, 3, 1)),
    "application_ended_after_submitted": lambda: application(
        status="withdrawn", ended_on=datetime.date(2025, 2, 1), reason="Op vraag"
    ),
    "application_ended_after_started": lambda: started(
        status="completed", ended_on=datetime.date(2025, 3, 20)
    ),
    "coachingsession_hours_between_0_and_12": lambda: CoachingSessionFactory(hours=Decimal("12.25")),
    "coachingsession_kind_valid": lambda: CoachingSessionFactory(kind="lunch"),
    "evaluation_usefulness_1_to_5": lambda: evaluation(usefulness=0),
    "evaluation_coach_quality_1_to_5": lambda: evaluation(coach_quality=6),
    "evaluation_learning_culture_effect_1_to_5": lambda: evaluation(learning_culture_effect=0),
    "evaluation_would_recommend_1_to_5": lambda: evaluation(would_recommend=6),
    "evaluation_learning_transfer_1_to_5": lambda: evaluation(learning_transfer=0),
    "evaluation_motivation_1_to_5": lambda: evaluation(motivation=6),
    "evaluation_staff_counts_consistent": lambda: evaluation(
        staff_participated=10, staff_low_skilled=11, staff_aged_55_plus=0
    ),
    "application_staff_counts_consistent": lambda: CompletedApplicationFactory(
        staff_reached=None, staff_reached_low_skilled=2, staff_reached_aged_55_plus=None
    ),
    "application_staff_reached_when_completed": lambda: started(
        staff_reached=4, staff_reached_low_skilled=0, staff_reached_aged_55_plus=0
    ),
    "learningsituation_unique_per_moment": lambda: situation(application=situation().application),
    "learningsituation_moment_valid": lambda: situation(moment="midway"),
    "learningsituation_main_barrier_valid": lambda: situation(main_barrier="weather", barrier_digital=True),
    **{
        f"learningsituation_main_barrier_{barrier}_met": (
            lambda barrier=barrier: situation(
                main_barrier=barrier,
                barrier_digital=barrier != "digital",
                barrier_financial=barrier == "digital",
            )
        )
        for barrier in Barrier.values
    },
    "learningsituation_main_barrier_named": lambda: situation(barrier_situational=True),
    "learningsituation_groups_within_headcount": lambda: situation(headcount=4, low_skilled=5),
    "exitanswer_main_reason_valid": lambda: exit_answer(main_reason="weather"),
    "exitanswer_start_again_valid": lambda: exit_answer(would_start_again="never"),
    "invitation_unique_per_questionnaire": lambda: invitation(application=invitation().application),
    "invitation_questionnaire_valid": lambda: invitation(questionnaire="survey"),
    "invitation_at_most_two_reminders": lambda: invitation(
        reminders_sent=3, last_reminded_on=datetime.date(2025, 8, 1)
    ),
    "invitation_reminded_after_sent": lambda: invitation(reminders_sent=1, last_reminded_on=None),
    "organisation_kind_valid": lambda: OrganisationFactory(kind="club"),
    "partnership_unique_name_per_traject": lambda: [
        Partnership.objects.create(traject=TrajectFactory(code="werk"), name="Samen") for _ in range(2)
    ],
    "project_unique_name_per_traject": lambda: [
        ProjectFactory(traject=TrajectFactory(code="werk"), name="Voka") for _ in range(2)
    ],
    "capacityperiod_end_after_start": lambda: CapacityPeriodFactory(end=datetime.date(2024, 12, 31)),
    "capacityperiod_unique_start": lambda: [
        CapacityPeriodFactory(traject=TrajectFactory(code="leren")) for _ in range(2)
    ],
    "communicationaction_channel_valid": lambda: CommunicationAction.objects.create(
        campaign="2025", date=datetime.date(2025, 2, 1), channel="pigeon", description="Duiven"
    ),
    "communicationaction_announced_before_date": lambda: CommunicationAction.objects.create(
        campaign="2026",
        date=datetime.date(2026, 1, 12),
        announced_on=datetime.date(2026, 1, 13),
        channel="website",
        description="Aangekondigd nadat ze liep",
    ),
    "fundingsource_code_valid": lambda: FundingSource.objects.create(
        code="lottery", name="Lotto", is_subsidy=True
    ),
    "budgetline_amount_not_negative": lambda: BudgetLine.objects.create(
        traject=TrajectFactory(),
        source=FundingSource.objects.create(code="eu", name="EU", is_subsidy=True),
        amount=Decimal("-0.01"),
    ),
    "budgetline_unique_source_per_traject": lambda: budget_line_twice(with_period=False),
    "budgetline_unique_source_per_period": lambda: budget_line_twice(with_period=True),
    "applicationfunding_amount_not_negative": lambda: application_funding(amount=Decimal("-0.01")),
    "applicationfunding_unique_source": lambda: application_funding(twice=True),
    "application_planned_cost_not_negative": lambda: application(planned_cost=Decimal("-0.01")),
    "fundingrule_cost_not_negative": lambda: FundingRuleFactory(default_planned_cost=Decimal("-0.01")),
    "fundingrule_promoter_share_range": lambda: FundingRuleFactory(promoter_share=Decimal(1)),
    "fundingrule_company_surcharge_range": lambda: FundingRuleFactory(company_surcharge=Decimal("1.0001")),
    "declaration_amount_not_negative": lambda: DeclarationFactory(amount=Decimal("-0.01")),
    "declaration_hours_not_negative": lambda: DeclarationFactory(hours=Decimal("-0.25")),
    "declaration_period_in_order": lambda: DeclarationFactory(period_end=datetime.date(2025, 3, 31)),
    "declaration_status_valid": lambda: DeclarationFactory(
        status="lost", decided_on=datetime.date(2025, 5, 10)
    ),
    "declaration_decided_has_date": lambda: DeclarationFactory(status="approved"),
    "declaration_rejection_has_reason": lambda: DeclarationFactory(
        status="rejected", decided_on=datetime.date(2025, 5, 10)
    ),
    "declaration_only_paid_has_payment_date": lambda: DeclarationFactory(
        status="approved", decided_on=datetime.date(2025, 5, 10), paid_on=datetime.date(2025, 5, 20)
    ),
    "declaration_paid_has_date": lambda: DeclarationFactory(
        status="paid", decided_on=datetime.date(2025, 5, 10)
    ),
    "declaration_only_paid_has_payer": lambda: DeclarationFactory(
        status="approved", decided_on=datetime.date(2025, 5, 10), paid_by=UserFactory()
    ),
    "budgetoverride_status_valid": lambda: decided_override(status="lost"),
    "budgetoverride_has_reason": lambda: budget_override(reason=""),
    "budgetoverride_unique_pending_per_application": budget_override_pending_twice,
    "budgetoverride_decided_has_who_and_when": lambda: budget_override(
        status="refused", refusal_reason="Geen bijkrediet"
    ),
    "budgetoverride_refusal_has_reason": lambda: decided_override(status="refused"),
    "budgetoverride_signed_off_by_another": budget_override_signed_off_by_whoever_asked,
    "declarationshare_amount_not_negative": lambda: DeclarationShareFactory(amount=Decimal("-0.01")),
    "declarationshare_unique_source": lambda: DeclarationShareFactory.create_batch(
        2, declaration=DeclarationFactory()
    ),
    "application_size_class_frozen_at_approval": lambda: approved(size_class_at_approval=""),
    "smedeclaration_figures_not_negative": lambda: sme_declaration(staff_awu=Decimal("-0.01")),
    "smedeclaration_totals_include_own_figures": lambda: sme_declaration(total_turnover=Decimal("99.99")),
    "smedeclaration_size_class_known": lambda: sme_declaration(size_class="unknown"),
    "relatedenterprise_share_fits_relation": lambda: related_enterprise(
        relation="partner", share=Decimal("24.99")
    ),
    "relatedenterprise_figures_not_negative": lambda: related_enterprise(turnover=Decimal("-1")),
    "fundingrule_aid_basis_valid": lambda: FundingRuleFactory(aid_basis="state_guarantee"),
    "aidline_amount_not_negative": lambda: AidLineFactory(amount=Decimal("-0.01")),
    "aidline_basis_valid": lambda: AidLineFactory(basis="gift"),
    "aidline_cancelled_after_granted": lambda: AidLineFactory(
        cancelled_on=datetime.date(2025, 3, 14), cancellation_reason="Ingetrokken"
    ),
    "aidline_cancellation_has_reason": lambda: AidLineFactory(cancelled_on=datetime.date(2025, 4, 1)),
    "aidline_one_open_line_per_application": lambda: AidLineFactory.create_batch(
        2, application=ApprovedApplicationFactory()
    ),
    "companylink_not_to_itself": lambda: CompanyLinkFactory(
        controlling_company=(company := CompanyFactory()), controlled_company=company
    ),
    "companylink_kind_valid": lambda: CompanyLinkFactory(kind="friendship"),
    # The same two companies the other way round are the same link.
    "companylink_unique_pair": lambda: CompanyLinkFactory(
        controlling_company=(link := CompanyLinkFactory()).controlled_company,
        controlled_company=link.controlling_company,
    ),
    "declaredaid_amount_positive": lambda: DeclaredAidFactory(amount=Decimal("0.00")),
    "declaredaid_grantor_given": lambda: DeclaredAidFactory(grantor=""),
    "declaredaid_unique_grant": lambda: DeclaredAidFactory.create_batch(2, application=ApplicationFactory()),
    "answerstatement_question_positive": lambda: statement(question=0),
    "answerstatement_answer_positive": lambda: statement(answer=0),
    "answerstatement_unique_per_traject_and_day": lambda: [
        statement(traject=TrajectFactory(code="werk")) for _ in range(2)
    ],
    "answerstatement_unique_per_answer_and_day": lambda: [statement() for _ in range(2)],
    "sizetablerow_unique_cell": lambda: same_cell_again(size_table_row()),
    "sizetablerow_nace_section_valid": lambda: size_table_row(nace_section="Z"),
    "sizetablerow_province_valid": lambda: size_table_row(province="zeeland"),
    "sizetablerow_band_ordered": lambda: size_table_row(staff_from=19, staff_to=10),
    # 40 to 60 staff crosses from small into medium.
    "sizetablerow_band_within_size_class": lambda: size_table_row(staff_from=40, staff_to=60),
    "reportrequest_format_valid": lambda: report(format="odt"),
    "reportrequest_status_valid": lambda: report(status="lost"),
    "reportrequest_progress_at_most_100": lambda: report(progress=101),
    "reportrequest_done_has_file": lambda: report(status="done", progress=100),
    "reportrequest_failed_says_why": lambda: report(status="failed"),
    "reportrequest_kind_given": lambda: report(kind=""),
    "reportrequest_question_no_parameters": lambda: report(parameters={"by": ["traject"]}),
    "idempotentrequest_unique_user_key": lambda: [
        IdempotentRequest.objects.create(
            key="k", user=user, method="POST", path="/api/v1/x/", fingerprint="f", response_status=201
        )
        for user in [UserFactory()] * 2
    ],
    "statisticssnapshot_unique_day": lambda: [
        StatisticsSnapshot.objects.create(
            question=244, as_of=datetime.date(2025, 11, 26), figures={}, fingerprint="x"
        )
        for _ in range(2)
    ],
    "apitoken_expires_after_created": lambda: ApiToken.objects.create(
        user=UserFactory(), digest="d" * 64, expires_at=timezone.now() - datetime.timedelta(days=1)
    ),
    "retentionrule_kind_valid": lambda: RetentionRule.objects.create(kind="photos", years=5),
    "retentionrule_years_range": lambda: RetentionRule.objects.update_or_create(
        kind="session_notes", defaults={"years": 0}
    ),
    "personaldatarecord_action_valid": lambda: record(action="erase"),
    "personaldatarecord_channel_valid": lambda: record(channel="email"),
    "personaldatarecord_fields_of_action": lambda: record(subject="jan@example.be"),
    "personaldatarecord_admin_by": lambda: record(channel=RecordChannel.ADMIN),
    "personaldatarecord_beat_nobody": lambda: record(channel=RecordChannel.BEAT, by=UserFactory()),
    "company_kbo_number_unique": lambda: [CompanyFactory(kbo_number="0403170701") for _ in range(2)],
    "company_nace_version_valid": lambda: CompanyFactory(nace_code="62010", nace_version="2010"),
    "kboimport_extract_type_valid": lambda: kbo_import(extract_type="weekly"),
    "kboimport_unique_update": lambda: [kbo_import(extract_number=141) for _ in range(2)],
    "kboimport_update_has_number": lambda: kbo_import(extract_number=None),
    "importjob_extract_type_valid": lambda: import_job(extract_type="weekly"),
    "importjob_status_valid": lambda: import_job(status="lost"),
    "importjob_source_given": lambda: import_job(source=""),
    "importjob_done_has_import": lambda: import_job(status="done"),
    "importjob_failed_says_why": lambda: import_job(status="failed"),
    "dataversionondate_unique_area_date": lambda: [
        DataVersionOnDate.objects.create(area="participants_company", on_date=datetime.date(2025, 1, 1))
        for _ in range(2)
    ],
}

PROJECT_APPS = ("voorsprong", "trajects", "participants", "funding", "reporting")


def test_every_constraint_of_the_model_has_a_violation_here():
    declared = {
        constraint.name
        for app_label in PROJECT_APPS
        for model in apps.get_app_config(app_label).get_models()
        for constraint in model._meta.constraints
    }
    assert declared == set(VIOLATIONS)


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_constraint_refuses(name):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        VIOLATIONS[name]()
    if "unique" not in name and "one_open" not in name:
        # SQLite names unique indexes by their columns; check constraints by name everywhere.
        assert name in str(refused.value)


def test_an_application_that_is_not_stopped_has_no_stop_reason():
    with pytest.raises(IntegrityError, match="application_stop_reason_when_stopped"), transaction.atomic():
        started(stop_reason="no_time")


def test_the_same_rules_accept_valid_rows():
    """The counterpart of the refusals: the limits themselves are allowed."""
    CoachingSessionFactory(hours=Decimal("12.00"))
    CoachingSessionFactory(hours=Decimal("0.25"))
    evaluation(usefulness=1, would_recommend=5)
    CompanyFactory(legal_form="vzw", is_non_profit=True)
    CapacityPeriodFactory(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 1, 1), places=0)
    report(status="failed", error="Geen verbinding")
    report(kind="breakdown", parameters={"by": ["traject"], "measure": "places_taken"})
    assert CompanyFactory(staff_headcount=None).size_class == "unknown"
    for relation, share in (("partner", "25"), ("partner", "50"), ("linked", "50.01"), ("linked", "100")):
        related_enterprise(relation=relation, share=Decimal(share))
    approved(status="withdrawn", ended_on=datetime.date(2025, 4, 1), reason="Op vraag")
    stopped(stop_reason="goal_reached", reason="")  # only "other" needs the text
    stopped(stop_reason="other", reason="Zaakvoerder ziek")
    # A request refused by the officer who asked is a withdrawal; one signed off by another is the rule.
    officer = UserFactory()
    decided_override(status="refused", refusal_reason="Vergissing", requested_by=officer, decided_by=officer)
    decided_override(status="signed_off")
    cancelled = AidLineFactory(amount=Decimal("0.00"))
    cancelled.cancelled_on, cancelled.cancellation_reason = cancelled.granted_on, "Ingetrokken"
    cancelled.save()
    AidLineFactory(application=cancelled.application)  # a cancelled line leaves room for a new one
    link = CompanyLinkFactory()
    CompanyLinkFactory(controlling_company=link.controlled_company)  # a chain: one company, two links


def test_a_company_may_apply_again_once_its_application_is_closed():
    first = application(status="rejected", decided_on=datetime.date(2025, 3, 10), reason="Onvolledig")
    again = application(company=first.company, traject=first.traject)
    assert Application.objects.filter(company=first.company, traject=first.traject).count() == 2
    assert again.status == "submitted"


def test_places_are_never_negative():
    with pytest.raises(IntegrityError):
        CapacityPeriodFactory(places=-1)


def test_a_table_has_one_data_version():
    DataVersion.objects.create(area="participants_company")
    with pytest.raises(IntegrityError):
        DataVersion.objects.create(area="participants_company")


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("application_staff_counts_consistent", lambda: CompletedApplicationFactory(staff_reached=12)),
        ("evaluation_staff_counts_consistent", lambda: evaluation(staff_participated=12)),
    ],
)
def test_a_staff_total_without_its_groups_is_refused(name, make):
    # A NULL group would pass "group <= total" (a check passes on unknown); the database still refuses it.
    with pytest.raises(IntegrityError, match=name), transaction.atomic():
        make()
