"""seed_demo: the figures of question 244 as of 26/11/2025, a realistic spread, and idempotency."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

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
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Evaluation,
    Referral,
)
from participants.nace import nace_section, nace_section_expression
from participants.selectors import (
    approved_company_counts,
    companies_in_any_traject,
)
from trajects.models import CapacityPeriod, Organisation, Project, Traject
from voorsprong.models import User
from voorsprong.roles import Role

AS_OF = datetime.date(2025, 11, 26)


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


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
