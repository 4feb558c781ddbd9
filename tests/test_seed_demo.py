"""seed_demo: the figures of question 244 as of 26/11/2025, a realistic spread, the outcomes, and
idempotency."""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from simple_history.models import registered_models

from demo.dates import HORIZON
from demo.population import NON_PROFIT_SHARE, PROVINCE_SHARES
from funding.models import (
    AidBasis,
    AidLine,
    ApplicationFunding,
    BudgetLine,
    CompanyLink,
    Declaration,
    DeclarationStatus,
    DeclaredAid,
)
from funding.selectors import DE_MINIMIS_CEILING, aid_position, budget_summary
from participants.models import (
    APPROVED_STATUSES,
    REMINDER_DAYS,
    STARTED_STATUSES,
    Application,
    ApplicationStatus,
    Barrier,
    CoachingSession,
    Company,
    Evaluation,
    ExitAnswer,
    FollowUp,
    Invitation,
    LearningForm,
    LearningSituation,
    Milestone,
    Questionnaire,
    Referral,
    SituationMoment,
    StartAgain,
    barrier_field,
    follow_up_due_on,
    learning_form_field,
)
from participants.nace import nace_section, nace_section_expression
from participants.selectors import (
    approved_company_counts,
    companies_in_any_traject,
)
from tests.demo_data import demo_data
from trajects.models import CapacityPeriod, Organisation, Project, Traject
from voorsprong.models import User
from voorsprong.roles import Role

AS_OF = datetime.date(2025, 11, 26)


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker):
    with demo_data(django_db_blocker) as output:
        yield output


@pytest.fixture
def seeded(seed_output, db):
    return seed_output


def test_approved_companies_equal_the_ministers_answer(seeded):
    assert approved_company_counts(AS_OF) == {"leren": 151, "werk": 988, "motivatie": 20}


@pytest.mark.parametrize("code", ["leren", "motivatie"])
def test_leren_and_motivatie_hold_smes_only(seeded, code):
    assert not Application.objects.filter(
        traject__code=code, status__in=APPROVED_STATUSES, company__size_class__in=["large", "non_profit"]
    ).exists()


def test_some_companies_take_part_in_two_trajects(seeded):
    assert companies_in_any_traject(AS_OF) < 151 + 988 + 20
    assert companies_in_any_traject(AS_OF) > 988


def test_later_approvals_exist_but_do_not_count_as_of_the_question(seeded):
    later = Application.objects.filter(decided_on__gt=AS_OF, status__in=APPROVED_STATUSES)
    assert later.filter(traject__code="werk").exists()
    assert sum(approved_company_counts(datetime.date(2026, 11, 1)).values()) > 151 + 988 + 20


def test_every_status_occurs(seeded):
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)


def test_no_completed_trajectory_in_leren_by_the_question_date(seeded):
    leren = Application.objects.filter(traject__code="leren", status=ApplicationStatus.COMPLETED)
    assert not leren.filter(ended_on__lte=AS_OF).exists()
    assert leren.exists()  # they do come later


def test_no_capacity_period_is_overbooked(seeded):
    periods = CapacityPeriod.objects.annotate(
        taken=Count("applications", filter=Q(applications__status__in=APPROVED_STATUSES))
    )
    assert all(period.taken <= period.places for period in periods)
    assert {(p.traject.code, p.places) for p in periods.select_related("traject")} == {
        ("leren", 90),
        ("werk", 750),
        ("motivatie", 253),
    }
    motivatie = periods.get(traject__code="motivatie")
    assert (motivatie.start, motivatie.end) == (datetime.date(2025, 9, 1), datetime.date(2027, 8, 31))


def test_each_approval_took_a_place_in_the_period_of_its_decision(seeded):
    assert (
        not Application.objects.filter(status__in=APPROVED_STATUSES)
        .exclude(capacity_period__start__lte=F("decided_on"), capacity_period__end__gte=F("decided_on"))
        .exists()
    )


def test_every_approved_application_commits_its_planned_cost_to_the_cent(seeded):
    """Totals per traject add up to the cent; leren's subsidy splits 40/60 as its budget does."""
    totals = dict(
        Application.objects.filter(status__in=APPROVED_STATUSES)
        .values("traject__code")
        .annotate(total=Sum("funding__amount"))
        .values_list("traject__code", "total")
    )
    counts = dict(
        Application.objects.filter(status__in=APPROVED_STATUSES)
        .values("traject__code")
        .annotate(count=Count("pk"))
        .values_list("traject__code", "count")
    )
    assert totals["leren"] == counts["leren"] * Decimal("14900.00")
    assert totals["werk"] == counts["werk"] * Decimal("20800.00")
    assert totals["motivatie"] == counts["motivatie"] * Decimal("43400.00") * Decimal("1.15")
    leren = dict(
        ApplicationFunding.objects.filter(application__traject__code="leren")
        .values("source__code")
        .annotate(total=Sum("amount"))
        .values_list("source__code", "total")
    )
    assert leren == {
        "eu": counts["leren"] * Decimal("5960.00"),
        "flemish": counts["leren"] * Decimal("8940.00"),
    }


def test_every_approval_granted_its_subsidy_as_de_minimis_aid(seeded):
    """The demo's aid lines are what the approval step writes: the EU and Flemish parts committed, on the
    decision date, de minimis; no single undertaking of the demo is over the ceiling."""
    subsidy = dict(
        ApplicationFunding.objects.filter(source__code__in=["eu", "flemish"])
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    aid = dict(AidLine.objects.filter(cancelled_on__isnull=True).values_list("application_id", "amount"))
    assert aid == subsidy
    assert set(aid) == set(
        Application.objects.filter(status__in=APPROVED_STATUSES).values_list("pk", flat=True)
    )
    assert not AidLine.objects.exclude(granted_on=F("application__decided_on")).exists()
    assert set(AidLine.objects.values_list("basis", flat=True)) == {AidBasis.DE_MINIMIS}
    assert CompanyLink.objects.exists() and DeclaredAid.objects.exists()
    for company_id in CompanyLink.objects.values_list("controlling_company_id", flat=True):
        assert aid_position(company_id, datetime.date(2026, 11, 1)).granted <= DE_MINIMIS_CEILING


def test_the_budget_monitor_gives_answer_4_to_the_cent_with_derived_shares(seeded):
    # Companies' own means in motivatie are committed but carry no budget line: left out here.
    rows = {
        (row["traject"], row["source"]): (row["budget"], row["share"])
        for row in budget_summary()
        if row["budget"]
    }
    assert rows == {
        ("leren", "eu"): (Decimal("2688800.00"), Decimal("40.0")),
        ("leren", "flemish"): (Decimal("4033200.00"), Decimal("60.0")),
        ("werk", "eu"): (Decimal("25000000.00"), Decimal("40.0")),
        ("werk", "flemish"): (Decimal("28125000.00"), Decimal("45.0")),
        ("werk", "own_promoter"): (Decimal("9375000.00"), Decimal("15.0")),
        ("motivatie", "eu"): (Decimal("4400000.00"), Decimal("40.0")),
        ("motivatie", "flemish"): (Decimal("6600000.00"), Decimal("60.0")),
    }
    totals = {}
    for (traject, _source), (budget, _share) in rows.items():
        totals[traject] = totals.get(traject, Decimal(0)) + budget
    assert totals == {
        "leren": Decimal("6722000.00"),
        "werk": Decimal("62500000.00"),
        "motivatie": Decimal("11000000.00"),
    }


def test_budget_lines_carry_the_exact_amounts(seeded):
    lines = {
        (line.traject.code, line.source.code): line.amount
        for line in BudgetLine.objects.select_related("traject", "source")
    }
    assert lines == {
        ("leren", "eu"): Decimal("2688800.00"),
        ("leren", "flemish"): Decimal("4033200.00"),
        ("werk", "eu"): Decimal("25000000.00"),
        ("werk", "flemish"): Decimal("28125000.00"),
        ("werk", "own_promoter"): Decimal("9375000.00"),
        ("motivatie", "eu"): Decimal("4400000.00"),
        ("motivatie", "flemish"): Decimal("6600000.00"),
    }


def test_partners_of_answer_5(seeded):
    providers = set(
        Organisation.objects.filter(projects__traject__code="leren").values_list("name", flat=True)
    )
    assert providers == {"Alert!", "Vico Consult", "Room without a Roof", "Obelisk"}
    werk = Project.objects.filter(traject__code="werk")
    assert werk.count() == 7
    assert werk.values("partnership").distinct().count() == 3
    promoters = set(
        Organisation.objects.filter(projects__traject__code="werk", kind="promoter").values_list(
            "name", flat=True
        )
    )
    assert promoters == {"Voka", "UNIZO", "Verso", "Emino", "I-Diverso", "Werkplekarchitecten", "Keerpunt"}
    keerpunt = Project.objects.get(traject__code="werk", name__endswith="Keerpunt")
    assert {o.name for o in keerpunt.organisations.all()} >= {"ABVV", "ACLVB", "ACV"}
    assert Traject.objects.get(code="motivatie").start_date == datetime.date(2025, 9, 1)


def test_coaching_evaluations_and_referrals_are_consistent(seeded):
    started = Application.objects.filter(started_on__isnull=False)
    assert CoachingSession.objects.count() > 5 * started.count()
    # Every session lies within its trajectory, and the first one is the start.
    assert not CoachingSession.objects.filter(date__lt=F("application__started_on")).exists()
    assert not CoachingSession.objects.filter(date__gt=F("application__ended_on")).exists()
    assert not Application.objects.filter(started_on__isnull=True, sessions__isnull=False).exists()
    # Evaluations only of completed trajectories, and none before the summer of 2026.
    assert Evaluation.objects.exists()
    assert not Evaluation.objects.exclude(application__status=ApplicationStatus.COMPLETED).exists()
    assert not Evaluation.objects.filter(submitted_at__date__lt=datetime.date(2026, 6, 1)).exists()
    referrals = Referral.objects.all()
    assert referrals.filter(intake_by__isnull=False).exists()
    assert referrals.filter(application__isnull=False).count() == referrals.count()
    assert not Company.objects.filter(kbo_number__startswith="0").exists()  # fictitious numbers only


def test_demo_users_log_in_with_their_role(seeded):
    assert "each with the password voorsprong-demo" in seeded
    # `make run` shows this list: one line per log-in, with what the role does.
    listed = {line.split()[0]: line for line in seeded.splitlines() if line.startswith("  ")}
    for username, role, described_as in [
        ("officer", Role.OFFICER, "officer:"),
        ("officer2", Role.OFFICER, "officer:"),
        ("finance", Role.FINANCE, "financial service:"),
        ("promoter", Role.PROMOTER, "promoter at Voka:"),
        ("consultant", Role.SECTOR_CONSULTANT, "sector consultant at Cevora:"),
        ("cabinet", Role.CABINET, "cabinet:"),
        ("admin", Role.ADMIN, "administrator:"),
    ]:
        user = authenticate(username=username, password="voorsprong-demo")
        assert user is not None, username
        assert user.has_role(role)
        assert described_as in listed[username], listed
    assert User.objects.get(username="admin").is_superuser
    # The financial service works in the admin, at the declarations.
    assert User.objects.get(username="finance").is_staff


def test_demo_declarations_are_declared_approved_and_paid_by_three_people(seeded):
    """The four-eyes rules hold in the demo data too: the promoter declares, the officer decides, the
    financial service pays; every status occurs, and no application declares more than it committed."""
    declarations = Declaration.objects.all()
    assert set(declarations.values_list("status", flat=True)) == set(DeclarationStatus.values)
    paid = declarations.filter(status=DeclarationStatus.PAID)
    assert not paid.filter(Q(paid_by__isnull=True) | Q(paid_by=F("decided_by"))).exists()
    assert not declarations.filter(decided_by=F("declared_by")).exists()
    assert set(paid.values_list("declared_by__username", "decided_by__username", "paid_by__username")) == {
        ("promoter", "officer", "finance")
    }
    assert not declarations.annotate(shared=Sum("shares__amount")).exclude(shared=F("amount")).exists()
    over = Application.objects.annotate(
        declared=Sum("declarations__amount", filter=~Q(declarations__status=DeclarationStatus.REJECTED))
    ).filter(
        declared__gt=Subquery(
            ApplicationFunding.objects.filter(application=OuterRef("pk"))
            .values("application")
            .annotate(total=Sum("amount"))
            .values("total")
        )
    )
    assert not over.exists()


def test_the_demo_promoter_holds_some_but_not_all_applications(seeded):
    promoter = User.objects.get(username="promoter")
    own = Application.objects.filter(project__organisations=promoter.organisation)
    assert 0 < own.count() < Application.objects.count()
    assert own.filter(status=ApplicationStatus.APPROVED, started_on__isnull=True).exists()


def test_the_demo_consultant_has_referrals(seeded):
    consultant = User.objects.get(username="consultant")
    assert consultant.organisation.kind == "sector_fund"
    assert Referral.objects.filter(consultant=consultant).exists()


def test_a_second_run_changes_nothing(seeded):
    def snapshot():
        return [
            model.objects.count()
            for model in (
                Company,
                Application,
                CoachingSession,
                Evaluation,
                LearningSituation,
                Invitation,
                FollowUp,
                ExitAnswer,
                Referral,
                BudgetLine,
                User,
                Declaration,
                AidLine,
                CompanyLink,
                DeclaredAid,
            )
        ] + [Application.history.count(), Company.history.count(), CapacityPeriod.history.count()]

    before = snapshot()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert snapshot() == before
    assert "Block 1/1: already there." in output.getvalue()
    assert "Population of 20,000 active enterprises: already there." in output.getvalue()


def test_officer_finds_the_approved_companies_with_the_admin_filters(seeded, client):
    client.force_login(User.objects.get(username="officer"))
    for code, expected in [("leren", 151), ("werk", 988), ("motivatie", 20)]:
        traject = Traject.objects.get(code=code)
        response = client.get(
            "/admin/participants/application/",
            {"traject__id__exact": traject.pk, "approved": "yes", "decided_on__range__lte": "2025-11-26"},
        )
        assert response.status_code == 200
        assert response.context["cl"].result_count == expected, code


def test_officer_finds_approved_companies_per_traject_in_the_company_list(seeded, client):
    client.force_login(User.objects.get(username="officer"))
    response = client.get("/admin/participants/company/", {"approved_in": "motivatie"})
    expected = Company.objects.filter(
        applications__traject__code="motivatie", applications__status__in=APPROVED_STATUSES
    ).distinct()
    assert response.context["cl"].result_count == expected.count() >= 20


def test_demo_users_carry_real_names(seeded):
    """The headers greet each demo user by name, so each has a first and a last name, none "Demo"."""
    names = {
        user.username: user.get_full_name()
        for user in User.objects.filter(
            username__in=["officer", "officer2", "finance", "promoter", "consultant", "cabinet", "admin"]
        )
    }
    assert len(names) == 7
    assert len(set(names.values())) == 7
    for username, name in names.items():
        first, _space, last = name.partition(" ")
        assert first and last and "Demo" not in name, (username, name)


# -- the population the reach compares with -----------------------------------------------------------------
def population():
    return Company.objects.filter(kbo_number__startswith="1", kbo_number__lt="1500000000")


def shares(rows) -> dict[str, float]:
    """Return each key's share per thousand of the (key, count) rows."""
    rows = list(rows)
    total = sum(count for _key, count in rows)
    return {key: 1000 * count / total for key, count in rows}


def test_the_population_holds_twenty_thousand_active_enterprises_as_the_kbo_import_leaves_them(seeded):
    companies = population()
    assert companies.count() == 20_000
    assert "Population of 20,000 active enterprises: imported from a synthetic KBO extract" in seeded
    # What the KBO publishes, and nothing the import does not write: no staff, no contact, no application.
    assert not companies.exclude(is_active=True).exists()
    assert not companies.filter(staff_headcount__isnull=False).exists()
    assert set(companies.values_list("size_class", flat=True)) == {"unknown", "non_profit"}
    assert not companies.exclude(contact_email="").exists()
    assert not Application.objects.filter(company__in=companies).exists()
    assert not Referral.objects.filter(company__in=companies).exists()
    # Every row was created by the import, with its change reason.
    created = Company.history.filter(id__in=companies.values("pk"), history_type="+")
    assert created.count() == 20_000
    assert set(created.values_list("history_change_reason", flat=True)) <= {
        "Imported from the KBO open data",
        "Geïmporteerd uit de open data van de KBO",
    }


def test_the_population_spreads_over_the_provinces_as_the_real_one_does(seeded):
    found = shares(population().values("province").annotate(n=Count("pk")).values_list("province", "n"))
    assert found.keys() == {province.value for province in PROVINCE_SHARES}
    for province, expected in PROVINCE_SHARES.items():
        assert abs(found[province] - expected) < 10, (province, found[province])
    # Antwerpen holds the most enterprises, Limburg the fewest; Brussels has no farms.
    assert max(found, key=found.get) == "antwerpen" and min(found, key=found.get) == "limburg"
    brussels = population().filter(province="brussel")
    assert not brussels.filter(nace_code__lt="04").exists()


def test_the_population_spreads_over_the_nace_sections_legal_forms_and_non_profits(seeded):
    companies = population()
    sections = shares(
        companies.annotate(section=nace_section_expression())
        .values("section")
        .annotate(n=Count("pk"))
        .values_list("section", "n")
    )
    # Trade, construction and professional services lead, as in the KBO; every code is a valid 2008 one.
    assert set(sorted(sections, key=sections.get)[-3:]) == {"G", "F", "M"}
    assert "" not in sections and {"A", "C", "I", "J", "Q", "S"} <= sections.keys()
    assert all(nace_section(code) for code in companies.values_list("nace_code", flat=True).distinct())
    assert abs(sections["G"] - 171) < 15, (
        sections
    )  # trade: 190 of the 910 companies per thousand, and none of the non-profits
    non_profit = shares(
        companies.values("is_non_profit").annotate(n=Count("pk")).values_list("is_non_profit", "n")
    )
    assert abs(non_profit[True] - NON_PROFIT_SHARE) < 10
    forms = shares(companies.values("legal_form").annotate(n=Count("pk")).values_list("legal_form", "n"))
    assert forms["bv"] > 700 and forms["vzw"] > 70
    assert {"nv", "cv", "commv", "vof", "ivzw", "private_foundation"} <= forms.keys()
    assert not companies.filter(legal_form="sole_trader").exists()  # the open data has no seat for them


# -- what the coaching changed (issue 17) -------------------------------------------------------------------
def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def test_most_started_trajectories_have_a_baseline_logged_with_the_intake_session(seeded):
    started = Application.objects.filter(status__in=STARTED_STATUSES)
    baselines = LearningSituation.objects.filter(moment=SituationMoment.INTAKE)
    assert 0.8 < share(baselines.count(), started.count()) < 0.95
    assert not baselines.exclude(application__status__in=STARTED_STATUSES).exists()
    # On the day of the intake session, by whoever logged it or by the consultant who did the intake.
    assert not baselines.exclude(recorded_on=F("application__started_on")).exists()
    intake_sessions = CoachingSession.objects.filter(kind=Milestone.INTAKE, date=F("application__started_on"))
    logged_by = dict(intake_sessions.values_list("application_id", "logged_by_id"))
    for baseline in baselines.select_related("application__referral"):
        referral = baseline.application.referral
        assert baseline.recorded_by_id in {
            logged_by[baseline.application_id],
            referral.intake_by_id if referral else None,
        }, baseline
    promoter = User.objects.get(username="promoter")
    assert baselines.filter(recorded_by=promoter).exists()
    assert baselines.filter(recorded_by=F("application__referral__intake_by")).exists()
    # The company's own staff figures, numbers only.
    assert not baselines.exclude(headcount=F("application__company__staff_headcount")).exists()


def test_baselines_meet_situational_and_informational_barriers_most_and_a_third_has_a_training_policy(seeded):
    baselines = LearningSituation.objects.filter(moment=SituationMoment.INTAKE)
    met = {barrier: baselines.filter(**{barrier_field(barrier): True}).count() for barrier in Barrier.values}
    ranked = sorted(met, key=met.get, reverse=True)
    assert set(ranked[:2]) == {Barrier.SITUATIONAL, Barrier.INFORMATIONAL}
    assert set(ranked[-2:]) == {Barrier.FINANCIAL, Barrier.DIGITAL}
    assert 0.25 < share(baselines.filter(has_training_policy=True).count(), baselines.count()) < 0.45
    # The barrier that weighs most is named whenever one is met, mostly a situational one.
    mains = Counter(baselines.values_list("main_barrier", flat=True))
    assert mains.most_common(1)[0][0] == Barrier.SITUATIONAL
    assert 0 < mains[""] < 0.1 * baselines.count()
    assert baselines.filter(low_skilled__gt=0).exists() and baselines.filter(aged_55_plus__gt=0).exists()
    for form in LearningForm.values:
        assert baselines.filter(**{learning_form_field(form): True}).exists(), form


def test_each_closing_evaluation_gives_the_outcomes_and_the_situation_at_closing(seeded):
    evaluations = Evaluation.objects.all()
    for field in ("learning_transfer", "motivation", "staff_participated", "staff_low_skilled"):
        assert not evaluations.filter(**{f"{field}__isnull": True}).exists(), field
    assert evaluations.exclude(will_keep_doing="").exists()
    closing = LearningSituation.objects.filter(moment=SituationMoment.CLOSING)
    assert closing.count() == evaluations.count()
    assert not closing.exclude(application__evaluation__isnull=False).exists()
    # The company answered itself, the day it evaluated.
    assert not closing.filter(recorded_by__isnull=False).exists()
    assert not closing.exclude(recorded_on=F("application__evaluation__submitted_at__date")).exists()


def test_the_situation_at_closing_shows_barriers_removed_and_more_training_policies(seeded):
    situations = {
        (situation.application_id, situation.moment): situation
        for situation in LearningSituation.objects.all()
    }
    pairs = [
        (intake, situations[application_id, SituationMoment.CLOSING])
        for (application_id, moment), intake in situations.items()
        if moment == SituationMoment.INTAKE and (application_id, SituationMoment.CLOSING) in situations
    ]
    assert len(pairs) > 0.8 * sum(1 for _id, moment in situations if moment == SituationMoment.CLOSING)
    before = sum(intake.has_training_policy for intake, _closing in pairs)
    after = sum(closing.has_training_policy for _intake, closing in pairs)
    assert 0.25 < share(before, len(pairs)) < 0.45
    assert 0.45 < share(after, len(pairs)) < 0.65
    removed = {}
    for barrier in Barrier.values:
        met = [closing for intake, closing in pairs if barrier in intake.barriers]
        gone = sum(barrier not in closing.barriers for closing in met)
        assert 0 < gone < len(met), barrier
        removed[barrier] = share(gone, len(met))
    # Knowing the offer is what the coaching brings most; time stays scarce.
    assert removed[Barrier.INFORMATIONAL] > removed[Barrier.SITUATIONAL]
    assert sum(len(closing.barriers) for _intake, closing in pairs) < sum(
        len(intake.barriers) for intake, _closing in pairs
    )


def test_about_two_in_three_completed_werk_trajectories_were_evaluated(seeded):
    completed = Application.objects.filter(traject__code="werk", status=ApplicationStatus.COMPLETED)
    assert 0.5 <= share(completed.filter(evaluation__isnull=False).count(), completed.count()) <= 0.75


def test_staff_reached_counts_distinct_people_by_the_size_of_the_company(seeded):
    """Each one once: within the company's staff, unlike the sum of the sessions' attendance."""
    completed = Application.objects.filter(status=ApplicationStatus.COMPLETED)
    counted = completed.filter(staff_reached__isnull=False)
    assert 0.7 < share(counted.count(), completed.count()) < 0.9
    assert not Application.objects.exclude(status=ApplicationStatus.COMPLETED).filter(
        staff_reached__isnull=False
    )
    evaluations = Evaluation.objects.all()
    assert not evaluations.filter(staff_participated__gt=F("application__company__staff_headcount")).exists()
    assert not evaluations.filter(staff_participated=0).exists()
    summed = evaluations.annotate(present=Sum("application__sessions__employees_present"))
    assert summed.filter(staff_participated__lt=F("present")).count() > 0.9 * evaluations.count()
    reached = dict(
        evaluations.values("application__company__size_class")
        .annotate(average=Avg("staff_participated"))
        .values_list("application__company__size_class", "average")
    )
    assert reached["micro"] < reached["small"] < reached["medium"] < reached["large"]
    # The promoter's count is close to the company's where both counted.
    both = counted.filter(evaluation__isnull=False)
    assert not both.filter(
        Q(staff_reached__lt=F("evaluation__staff_participated") * 0.85 - 1)
        | Q(staff_reached__gt=F("evaluation__staff_participated") * 1.1 + 1)
    ).exists()


def answered_on() -> dict[tuple[int, str], datetime.date]:
    """Return the day each questionnaire was answered, by (application, questionnaire)."""
    return {
        (answer.application_id, questionnaire): timezone.localdate(answer.submitted_at)
        for questionnaire, model in (
            (Questionnaire.EVALUATION, Evaluation),
            (Questionnaire.FOLLOW_UP, FollowUp),
            (Questionnaire.EXIT, ExitAnswer),
        )
        for answer in model.objects.all()
    }


def test_ended_trajectories_were_invited_from_june_2026_and_reminded_as_the_days_passed(seeded):
    launch = datetime.date(2026, 6, 1)
    invitations = Invitation.objects.select_related("application")
    expected = {}
    for application in Application.objects.filter(status=ApplicationStatus.COMPLETED):
        expected[application.pk, Questionnaire.EVALUATION] = max(application.ended_on, launch)
        due = max(follow_up_due_on(application.ended_on), launch)
        if due <= HORIZON:
            expected[application.pk, Questionnaire.FOLLOW_UP] = due
    for application in Application.objects.filter(status=ApplicationStatus.STOPPED):
        expected[application.pk, Questionnaire.EXIT] = max(application.ended_on, launch)
    assert {(i.application_id, i.questionnaire): i.sent_on for i in invitations} == expected
    answers = answered_on()
    assert answers.keys() <= expected.keys()
    for invitation in invitations:
        answered = answers.get((invitation.application_id, invitation.questionnaire))
        assert answered is None or invitation.sent_on <= answered, invitation
        # A reminder goes out on days 14 and 30 while the questionnaire is unanswered, up to the horizon.
        last = answered - datetime.timedelta(days=1) if answered else HORIZON
        reminders = [
            invitation.sent_on + datetime.timedelta(days=days)
            for days in REMINDER_DAYS
            if invitation.sent_on + datetime.timedelta(days=days) <= last
        ]
        assert (invitation.reminders_sent, invitation.last_reminded_on) == (
            len(reminders),
            reminders[-1] if reminders else None,
        ), invitation
    counts = Counter(invitations.values_list("reminders_sent", flat=True))
    assert set(counts) == {0, 1, 2}


def test_about_45_percent_answer_the_follow_up_after_six_months(seeded):
    invited = Invitation.objects.filter(questionnaire=Questionnaire.FOLLOW_UP)
    follow_ups = FollowUp.objects.select_related("application")
    assert 0.35 < share(follow_ups.count(), invited.count()) < 0.55
    for follow_up in follow_ups:
        assert timezone.localdate(follow_up.submitted_at) > follow_up_due_on(follow_up.application.ended_on)
    assert follow_ups.filter(training_policy_applied=True).exists()
    assert follow_ups.filter(learning_continued=False, employees_learned=0).exists()
    assert follow_ups.filter(learning_continued=True, employees_learned__gt=0).exists()


def test_about_half_the_stopped_trajectories_answer_the_exit_questionnaire_mostly_as_the_promoter(seeded):
    stopped = Application.objects.filter(status=ApplicationStatus.STOPPED)
    answers = ExitAnswer.objects.all()
    assert 0.35 < share(answers.count(), stopped.count()) < 0.65
    same = answers.filter(main_reason=F("application__stop_reason")).count()
    assert 0.6 < share(same, answers.count()) < 1
    assert set(answers.values_list("would_start_again", flat=True)) == set(StartAgain.values)


def test_no_outcome_is_dated_after_the_horizon(seeded):
    assert not LearningSituation.objects.filter(recorded_on__gt=HORIZON).exists()
    assert not Invitation.objects.filter(Q(sent_on__gt=HORIZON) | Q(last_reminded_on__gt=HORIZON)).exists()
    for model in (Evaluation, FollowUp, ExitAnswer):
        assert not model.objects.filter(submitted_at__date__gt=HORIZON).exists(), model


def test_every_seeded_row_has_its_initial_history_row(seeded):
    """Like every row written later, each seeded row of a model with history has a history row that
    created it; the synthetic ones ("+", no user) carry the reason "Demogegevens"."""
    missing = {}
    for model in registered_models.values():
        if not hasattr(model, "history"):
            continue  # the m2m tables of a model with history
        created = model.history.filter(history_type="+", **{model._meta.pk.attname: OuterRef("pk")})
        without = model.objects.exclude(Exists(created)).count()
        if without:
            missing[model._meta.label] = without
    assert missing == {}
    for model in (Company, CoachingSession, Referral, ApplicationFunding):
        reasons = set(model.history.values_list("history_change_reason", "history_user"))
        assert ("Demogegevens", None) in reasons, model
    assert CoachingSession.history.count() == CoachingSession.objects.count()
