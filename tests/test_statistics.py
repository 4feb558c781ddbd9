"""The figures of question 244 as of a date: the minister's answer, the as-of rules, API and command."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from funding.models import BudgetLine
from participants.models import ApplicationStatus, Company, LegalForm
from reporting.models import Initiative
from reporting.questions.pq244 import pq244_figures
from reporting.questions.pq244.answer import Statements, answer_2
from reporting.questions.pq244.figures import changes, figures_as_of
from reporting.selectors import E_MAIL_REMOVED, fingerprint
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    CompletedApplicationFactory,
    EvaluationFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from tests.test_documents import NO_EVALUATIONS, NO_STOPS
from trajects.models import Channel, CommunicationAction, OrganisationKind, Partnership
from voorsprong.roles import Role

AS_OF = datetime.date(2025, 11, 26)
URL = "/api/v1/statistics/pq244/"


def traject_figures(figures: dict, code: str) -> dict:
    return next(traject for traject in figures["trajects"] if traject["code"] == code)


# -- small data --------------------------------------------------------------------------------------
@pytest.fixture
def period(db):
    traject = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=datetime.date(2023, 5, 1))
    return CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )


def approve(period, decided_on, **fields):
    fields = {"capacity_period": period, "submitted_on": datetime.date(2025, 1, 2), **fields}
    return ApprovedApplicationFactory(traject=period.traject, decided_on=decided_on, **fields)


def seed_small_world(*, e_mail: str = "") -> None:
    """One traject with something in every figure as of 26 November 2025: an approved SME and non-profit,
    a partner, a budget line, an evaluated trajectory with a recommendation, a campaign action, a referral
    and an initiative; ``e_mail``, when given, is written into every free text."""
    mention = f" Vragen? {e_mail}" if e_mail else ""
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2024, 1, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    approve(period, datetime.date(2025, 3, 1))
    approve(period, datetime.date(2025, 3, 1), company=CompanyFactory(legal_form="vzw", is_non_profit=True))
    ProjectFactory(traject=traject, organisations=[OrganisationFactory(name="Voka")])
    source = FundingSourceFactory(code="eu")
    BudgetLine.objects.create(traject=traject, source=source, amount=Decimal("1000.00"))
    EvaluationFactory(
        application=CompletedApplicationFactory(traject=traject, capacity_period=period),
        recommendations=f"Meer opvolging.{mention}",
        submitted_at=datetime.datetime(2025, 7, 1, 12, tzinfo=datetime.UTC),
    )
    action = CommunicationAction.objects.create(
        campaign=f"Campagne{mention}",
        date=datetime.date(2025, 2, 3),
        channel=Channel.WEBSITE,
        description=f"Website{mention}",
    )
    action.trajects.set([traject])
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    ReferralFactory(traject=traject, sector_fund=fund, referred_on=datetime.date(2025, 4, 1))
    Initiative.objects.create(title=f"Leerlens{mention}", text=f"Een reflectietool.{mention}")


def test_approved_on_or_before_the_date_counts_after_it_does_not(period):
    approve(period, datetime.date(2025, 3, 1))
    approve(period, AS_OF)
    approve(period, AS_OF + datetime.timedelta(days=1))
    figures = traject_figures(pq244_figures(AS_OF), "leren")
    assert figures["approved_companies"] == 2
    assert figures["places"] == [{"start": "2025-01-01", "end": "2025-12-31", "places": 10, "taken": 2}]
    later = traject_figures(pq244_figures(datetime.date(2025, 12, 31)), "leren")
    assert later["approved_companies"] == later["places"][0]["taken"] == 3


def test_withdrawn_after_the_date_still_counts_withdrawn_before_and_rejected_do_not(period):
    withdrawn = {"status": ApplicationStatus.WITHDRAWN, "reason": "Geen tijd meer."}
    approve(period, datetime.date(2025, 3, 1), ended_on=datetime.date(2025, 12, 10), **withdrawn)
    approve(period, datetime.date(2025, 3, 1), ended_on=AS_OF, **withdrawn)
    approve(
        period, datetime.date(2025, 3, 1), status=ApplicationStatus.REJECTED, reason="Geen KMO."
    )  # even with a period
    ApplicationFactory(traject=period.traject)  # submitted, not decided
    figures = pq244_figures(AS_OF)
    leren = traject_figures(figures, "leren")
    assert leren["approved_companies"] == leren["places"][0]["taken"] == 1
    assert figures["companies_in_any_traject"] == 1
    assert traject_figures(pq244_figures(datetime.date(2025, 12, 10)), "leren")["approved_companies"] == 0


def test_a_company_counts_once_per_traject_and_once_across_trajects(period):
    company = CompanyFactory()
    other = CapacityPeriodFactory(traject=TrajectFactory(code="werk", start_date=datetime.date(2024, 1, 1)))
    approve(
        period,
        datetime.date(2025, 2, 1),
        company=company,
        status=ApplicationStatus.COMPLETED,
        started_on=datetime.date(2025, 2, 2),
        ended_on=datetime.date(2025, 3, 1),
    )
    approve(period, datetime.date(2025, 4, 1), company=company)
    approve(other, datetime.date(2025, 4, 1), company=company)
    figures = pq244_figures(AS_OF)
    assert traject_figures(figures, "leren")["approved_companies"] == 1
    assert traject_figures(figures, "leren")["places"][0]["taken"] == 2  # two places held
    assert figures["companies_in_any_traject"] == 1


def _approve_sizes(period, *, sme: int, non_profit: int, large: int) -> None:
    for _ in range(sme):
        approve(period, datetime.date(2025, 3, 1))
    for _ in range(non_profit):
        approve(
            period,
            datetime.date(2025, 3, 1),
            company=CompanyFactory(legal_form=LegalForm.VZW, is_non_profit=True),
        )
    for _ in range(large):
        company = CompanyFactory(staff_headcount=400, turnover=Decimal("90000000"), balance_sheet_total=None)
        approve(period, datetime.date(2025, 3, 1), company=company)


def test_size_class_shares_round_a_tie_half_up(period):
    """Shares of 16 companies fall on exact ties (6.25%, 31.25%, 81.25%): half up gives 6.3, 31.3 and
    81.3 where rounding half to even would give 6.2, 31.2 and 81.2."""
    werk = CapacityPeriodFactory(traject=TrajectFactory(code="werk", start_date=datetime.date(2024, 1, 1)))
    _approve_sizes(period, sme=13, non_profit=2, large=1)  # 81.25, 12.5, 6.25
    _approve_sizes(werk, sme=10, non_profit=5, large=1)  # 62.5, 31.25, 6.25
    figures = pq244_figures(AS_OF)
    leren, werk_figures = traject_figures(figures, "leren"), traject_figures(figures, "werk")
    assert leren["size_classes"] == {
        "micro": 0,
        "small": 13,
        "medium": 0,
        "large": 1,
        "non_profit": 2,
        "unknown": 0,
    }
    assert leren["size_class_shares"] == {
        "sme": "81.3",
        "non_profit": "12.5",
        "large": "6.3",
        "unknown": "0.0",
    }
    assert werk_figures["size_class_shares"] == {
        "sme": "62.5",
        "non_profit": "31.3",
        "large": "6.3",
        "unknown": "0.0",
    }


def test_size_class_shares_that_do_not_end_in_a_tie_round_to_the_nearest(period):
    _approve_sizes(period, sme=14, non_profit=0, large=1)  # 93.333… and 6.666…
    shares = traject_figures(pq244_figures(AS_OF), "leren")["size_class_shares"]
    assert shares == {"sme": "93.3", "non_profit": "0.0", "large": "6.7", "unknown": "0.0"}


def test_a_company_counts_by_the_size_class_its_approval_rested_on(period):
    """The class is frozen at approval: a company that grows later does not rewrite an earlier date, and a
    company approved twice in a traject counts once, by its latest approval up to the date."""
    grown = CompanyFactory(staff_headcount=5)
    approve(
        period,
        datetime.date(2025, 2, 1),
        company=grown,
        status=ApplicationStatus.COMPLETED,
        started_on=datetime.date(2025, 2, 2),
        ended_on=datetime.date(2025, 3, 1),
    )
    grown.staff_headcount = 60
    grown.save()  # a medium-sized enterprise from now on
    before_second = traject_figures(pq244_figures(datetime.date(2025, 3, 31)), "leren")["size_classes"]
    approve(period, datetime.date(2025, 4, 1), company=grown)
    after_second = traject_figures(pq244_figures(AS_OF), "leren")["size_classes"]

    assert (before_second["micro"], before_second["medium"]) == (1, 0)
    assert (after_second["micro"], after_second["medium"], sum(after_second.values())) == (0, 1, 1)


def test_companies_approved_without_a_declared_size_are_counted_and_said(period):
    werk = CapacityPeriodFactory(traject=TrajectFactory(code="werk", start_date=datetime.date(2024, 1, 1)))
    _approve_sizes(werk, sme=3, non_profit=0, large=1)
    approve(werk, datetime.date(2025, 3, 1), company=CompanyFactory(staff_headcount=None))
    figures = pq244_figures(AS_OF)
    werk_figures = traject_figures(figures, "werk")

    assert werk_figures["size_classes"]["unknown"] == 1
    assert werk_figures["size_class_shares"] == {
        "sme": "60.0",
        "non_profit": "0.0",
        "large": "20.0",
        "unknown": "20.0",
    }
    text = " ".join(
        block.text for block in answer_2(figures, Statements(figures, 2)) if hasattr(block, "text")
    )
    assert "Van 1 bedrijf (20%) was de KMO-status bij de goedkeuring niet verklaard." in text


def test_a_traject_without_approvals_has_zeros_and_no_shares(period):
    leren = traject_figures(pq244_figures(AS_OF), "leren")
    assert leren["approved_companies"] == 0
    assert leren["size_class_shares"] == {"sme": None, "non_profit": None, "large": None, "unknown": None}
    assert leren["funding"] == dict.fromkeys(
        ["total", "eu", "flemish", "own_promoter", "own_company"], "0.00"
    )
    assert leren["evaluations"] == NO_EVALUATIONS  # no rate, share or average: null; no count: 0
    assert leren["stop_reasons"] == NO_STOPS
    assert leren["referrals"] == {
        "total": 0,
        "intakes": 0,
        "by_sector_fund": {},
        "intakes_by_sector_fund": {},
    }


def test_periods_that_start_after_the_date_are_left_out(period):
    CapacityPeriodFactory(
        traject=period.traject, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    assert [p["start"] for p in traject_figures(pq244_figures(AS_OF), "leren")["places"]] == ["2025-01-01"]
    later = traject_figures(pq244_figures(datetime.date(2026, 1, 1)), "leren")
    assert [p["start"] for p in later["places"]] == ["2025-01-01", "2026-01-01"]


def test_funding_comes_from_the_budget_lines_with_own_company_means_when_budgeted(period):
    for code, amount in [("eu", "100.10"), ("flemish", "200.20"), ("own_company", "15.00")]:
        BudgetLine.objects.create(
            traject=period.traject, source=FundingSourceFactory(code=code), amount=Decimal(amount)
        )
    funding = traject_figures(pq244_figures(AS_OF), "leren")["funding"]
    assert funding == {
        "total": "315.30",
        "eu": "100.10",
        "flemish": "200.20",
        "own_promoter": "0.00",
        "own_company": "15.00",
    }


def test_evaluations_as_of_their_submission_without_company_names(period):
    def evaluate(submitted, scores, text="", company=None):
        application = CompletedApplicationFactory(
            traject=period.traject,
            capacity_period=period,
            company=company or CompanyFactory(),
            ended_on=datetime.date(2025, 6, 30),
        )
        usefulness, coach, effect, recommend = scores
        return EvaluationFactory(
            application=application,
            usefulness=usefulness,
            coach_quality=coach,
            learning_culture_effect=effect,
            would_recommend=recommend,
            recommendations=text,
            submitted_at=datetime.datetime.combine(submitted, datetime.time(12), tzinfo=datetime.UTC),
        )

    evaluate(datetime.date(2025, 7, 1), (5, 4, 3, 5), "Meer opvolging.")
    evaluate(datetime.date(2025, 7, 2), (4, 4, 4, 4), "Meer opvolging.")
    evaluate(datetime.date(2025, 7, 3), (4, 3, 4, 4), "   ")
    named = CompanyFactory(name="Bakkerij Peeters BV")
    evaluate(
        datetime.date(2025, 7, 4), (5, 5, 5, 5), "Bij Bakkerij Peeters BV werkte het goed.", company=named
    )
    evaluate(AS_OF + datetime.timedelta(days=1), (1, 1, 1, 1), "Te laat ingediend.")
    evaluations = traject_figures(pq244_figures(AS_OF), "leren")["evaluations"]
    assert evaluations["completed"] == 5
    assert evaluations["responses"] == 4
    # 18/4 = 4.5, 16/4 = 4, 16/4 = 4, 18/4 = 4.5
    assert evaluations["average_scores"] == {
        "usefulness": "4.50",
        "coach_quality": "4.00",
        "learning_culture_effect": "4.00",
        "would_recommend": "4.50",
        "learning_transfer": None,  # asked since the outcomes are measured
        "motivation": None,
    }
    assert evaluations["recommendations"] == ["Meer opvolging.", "Bij … werkte het goed."]
    evaluate(datetime.date(2025, 7, 5), (5, 5, 5, 4))  # 23/5 = 4.6; 2 decimals, half up from exact sums
    scores = traject_figures(pq244_figures(AS_OF), "leren")["evaluations"]["average_scores"]
    assert scores["usefulness"] == "4.60"
    assert scores["would_recommend"] == "4.40"


def test_average_scores_round_a_tie_half_up_as_the_cabinets_summary_does(period):
    """Sums over 8 evaluations that give an exact 5 at the third decimal: 4.125, 3.625, 3.125 and 4.625
    are 4.13, 3.63, 3.13 and 4.63 half up (half to even would give 4.12, 3.62, 3.12 and 4.62); the
    evaluation summary the cabinet also reads gives the very same figures."""
    usefulness = [5, 5, 4, 4, 4, 4, 4, 3]  # 33
    coach = [4, 4, 4, 4, 4, 3, 3, 3]  # 29
    culture = [3, 3, 3, 3, 3, 3, 3, 4]  # 25
    recommend = [5, 5, 5, 5, 5, 4, 4, 4]  # 37
    for scores in zip(usefulness, coach, culture, recommend, strict=True):
        EvaluationFactory(
            application=CompletedApplicationFactory(traject=period.traject, capacity_period=period),
            usefulness=scores[0],
            coach_quality=scores[1],
            learning_culture_effect=scores[2],
            would_recommend=scores[3],
            submitted_at=datetime.datetime(2025, 7, 1, 12, tzinfo=datetime.UTC),
        )
    evaluations = traject_figures(pq244_figures(AS_OF), "leren")["evaluations"]
    expected = {
        "usefulness": "4.13",
        "coach_quality": "3.63",
        "learning_culture_effect": "3.13",
        "would_recommend": "4.63",
    }
    assert (evaluations["responses"], evaluations["average_scores"]) == (
        8,
        {**expected, "learning_transfer": None, "motivation": None},
    )
    summary = client_for(UserFactory(role=Role.CABINET)).get("/api/v1/evaluations/summary/").json()
    assert summary == [{"traject": "leren", "evaluations": 8, **expected}]


@pytest.mark.django_db
def test_no_e_mail_address_written_in_a_free_text_reaches_the_api_or_any_document():
    from reporting.documents import render_report
    from tests.test_documents import text_of

    seed_small_world(e_mail="an.peeters@bakkerij-peeters.be")
    figures = client_for(UserFactory(role=Role.CABINET)).get(URL, {"as_of": "2025-11-26"}).json()
    werk = traject_figures(figures, "werk")
    blanked = f" Vragen? {E_MAIL_REMOVED}"
    assert werk["evaluations"]["recommendations"] == [f"Meer opvolging.{blanked}"]
    assert werk["communication_actions"][0]["campaign"] == f"Campagne{blanked}"
    assert werk["communication_actions"][0]["description"] == f"Website{blanked}"
    assert figures["initiatives"] == [{"title": f"Leerlens{blanked}", "text": f"Een reflectietool.{blanked}"}]
    for fmt in ("pdf", "docx", "xlsx", "csv", "json"):
        text = text_of(fmt, render_report(figures, fmt))
        assert "@" not in text and "peeters" not in text.lower(), fmt
        assert E_MAIL_REMOVED in text, fmt


def test_recommendations_are_capped_per_traject(period):
    for number in range(25):
        application = CompletedApplicationFactory(traject=period.traject, capacity_period=period)
        EvaluationFactory(
            application=application,
            recommendations=f"Aanbeveling {number:02d}",
            submitted_at=datetime.datetime(2025, 7, 1, 12, tzinfo=datetime.UTC),
        )
    texts = traject_figures(pq244_figures(AS_OF), "leren")["evaluations"]["recommendations"]
    assert texts == [f"Aanbeveling {number:02d}" for number in range(20)]


def test_partners_actions_referrals_and_initiatives(period):
    werk = TrajectFactory(code="werk", start_date=datetime.date(2024, 1, 1))
    provider = OrganisationFactory(name="Alert!", kind=OrganisationKind.SERVICE_PROVIDER)
    ProjectFactory(traject=period.traject, organisations=[provider])
    union = OrganisationFactory(name="ACV", kind=OrganisationKind.UNION)
    promoter = OrganisationFactory(name="Voka", kind=OrganisationKind.PROMOTER)
    ProjectFactory(traject=werk, organisations=[union, promoter])
    ProjectFactory(traject=werk, organisations=[promoter])
    partnership = Partnership.objects.create(traject=werk, name="Partnerschap")
    partnership.organisations.set(
        [promoter, OrganisationFactory(name="UNIZO", kind=OrganisationKind.PROMOTER)]
    )

    for day, description in [(datetime.date(2025, 2, 3), "Website"), (datetime.date(2026, 1, 12), "Vervolg")]:
        action = CommunicationAction.objects.create(
            campaign="Campagne", date=day, channel=Channel.WEBSITE, description=description
        )
        action.trajects.set([period.traject, werk])

    cevora = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    ReferralFactory(traject=werk, sector_fund=cevora, intake_by=UserFactory())
    ReferralFactory(traject=werk, sector_fund=cevora)
    ReferralFactory(
        traject=werk, sector_fund=OrganisationFactory(name="VIVO", kind=OrganisationKind.SECTOR_FUND)
    )
    ReferralFactory(traject=werk, sector_fund=cevora, referred_on=AS_OF + datetime.timedelta(days=1))

    Initiative.objects.create(title="Leerlens", text="Een reflectietool.", position=2)
    Initiative.objects.create(title="Praktijkgids", text="Een gids.", position=1)
    Initiative.objects.create(title="Oud", text="Niet meer.", is_active=False)

    figures = pq244_figures(AS_OF)
    leren, werk_figures = traject_figures(figures, "leren"), traject_figures(figures, "werk")
    assert [t["code"] for t in figures["trajects"]] == ["leren", "werk"]  # by start date
    assert leren["partners"] == [{"name": "Alert!", "kind": "service_provider"}]
    # By kind, then in the order of the projects; an organisation only in a partnership after those.
    assert werk_figures["partners"] == [
        {"name": "Voka", "kind": "promoter"},
        {"name": "UNIZO", "kind": "promoter"},
        {"name": "ACV", "kind": "union"},
    ]
    assert [project["organisations"] for project in werk_figures["projects"]] == [
        [{"name": "Voka", "kind": "promoter"}, {"name": "ACV", "kind": "union"}],
        [{"name": "Voka", "kind": "promoter"}],
    ]
    assert werk_figures["partnerships"] == ["Partnerschap"]
    assert leren["communication_actions"] == [
        {"date": "2025-02-03", "campaign": "Campagne", "channel": "website", "description": "Website"}
    ]
    assert werk_figures["referrals"] == {
        "total": 3,
        "intakes": 1,
        "by_sector_fund": {"Cevora": 2, "VIVO": 1},
        "intakes_by_sector_fund": {"Cevora": 1, "VIVO": 0},
    }
    assert figures["initiatives"] == [
        {"title": "Praktijkgids", "text": "Een gids."},
        {"title": "Leerlens", "text": "Een reflectietool."},
    ]


def _fingerprinted_world(suffix: str, *, eu_amount: str = "100.00", approvals: int = 2) -> dict:
    """A small data set built from scratch: the same arguments give the same figures, whatever the names
    of its companies and the primary keys its rows get."""
    traject = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=datetime.date(2023, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    for number in range(approvals):
        approve(period, datetime.date(2025, 3, 1), company=CompanyFactory(name=f"Bedrijf {suffix} {number}"))
    source = FundingSourceFactory(code="eu")
    BudgetLine.objects.create(traject=traject, source=source, amount=Decimal(eu_amount))
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    ReferralFactory(traject=traject, sector_fund=fund, referred_on=datetime.date(2025, 4, 1))
    return pq244_figures(AS_OF)


def _built_apart(**world) -> dict:
    """The figures of a data set built inside a savepoint that is rolled back: nothing of it is left."""
    with transaction.atomic():
        figures = _fingerprinted_world(**world)
        transaction.set_rollback(True)
    assert not Company.objects.exists()
    return figures


@pytest.mark.django_db
def test_the_fingerprint_is_the_same_for_the_same_figures_and_differs_when_one_differs():
    first = _built_apart(suffix="eerste")
    UserFactory.create_batch(3)  # the second data set's rows get other primary keys
    second = _built_apart(suffix="tweede")
    assert re.fullmatch(r"[0-9a-f]{64}", first["fingerprint"])
    assert first["fingerprint"] == fingerprint(first)
    assert second["fingerprint"] == first["fingerprint"]
    assert second == first
    other_amount = _built_apart(suffix="derde", eu_amount="100.01")
    assert other_amount["fingerprint"] != first["fingerprint"]
    one_more = _built_apart(suffix="vierde", approvals=3)
    assert one_more["fingerprint"] not in (first["fingerprint"], other_amount["fingerprint"])


def test_a_change_after_the_date_leaves_the_figures_as_of_the_date_alone(period):
    approve(period, datetime.date(2025, 3, 1))
    before = pq244_figures(AS_OF)
    approve(period, AS_OF + datetime.timedelta(days=3))
    after = pq244_figures(AS_OF)
    assert after["fingerprint"] == before["fingerprint"]
    assert traject_figures(after, "leren")["approved_companies"] == 1
    approve(period, datetime.date(2025, 3, 2))
    assert pq244_figures(AS_OF)["fingerprint"] != before["fingerprint"]


def _add_volume(period, werk, fund, count: int) -> None:
    for number in range(count):
        approve(period, datetime.date(2025, 3, 1))
        approve(werk, datetime.date(2025, 3, 1))
        application = CompletedApplicationFactory(traject=period.traject, capacity_period=period)
        EvaluationFactory(
            application=application,
            recommendations=f"Tekst {number}",
            submitted_at=datetime.datetime(2025, 7, 1, 12, tzinfo=datetime.UTC),
        )
        ReferralFactory(traject=werk.traject, sector_fund=fund)
        ProjectFactory(traject=werk.traject, organisations=[OrganisationFactory()])
        action = CommunicationAction.objects.create(
            campaign="Campagne",
            date=datetime.date(2025, 2, 3),
            channel=Channel.EVENT,
            description=f"Actie {number}",
        )
        action.trajects.set([period.traject, werk.traject])


def test_the_number_of_queries_does_not_grow_with_the_data(period):
    werk = CapacityPeriodFactory(traject=TrajectFactory(code="werk", start_date=datetime.date(2024, 1, 1)))
    fund = OrganisationFactory(kind=OrganisationKind.SECTOR_FUND)
    _add_volume(period, werk, fund, 1)
    # The computation itself: a repeated request is served from the cache (tests/test_figure_cache.py).
    with CaptureQueriesContext(connection) as few:
        figures_as_of(AS_OF)
    _add_volume(period, werk, fund, 15)
    with CaptureQueriesContext(connection) as many:
        figures = figures_as_of(AS_OF)
    assert traject_figures(figures, "leren")["approved_companies"] == 2 * 16
    assert len(traject_figures(figures, "werk")["partners"]) == 16
    assert len(few) == len(many) <= 16


def _change(figure: str, label: str, before: int, after: int) -> dict:
    return {
        "group": "leren",
        "group_name": "Voorsprong in leren",
        "figure": figure,
        "label": label,
        "before": before,
        "after": after,
        "difference": after - before,
    }


def test_the_changes_list_what_differs_per_traject(period):
    approve(period, datetime.date(2025, 3, 1))
    before = pq244_figures(AS_OF)
    approve(period, datetime.date(2025, 12, 1))
    approve(period, datetime.date(2025, 12, 2))
    ReferralFactory(traject=period.traject, referred_on=datetime.date(2025, 12, 3))
    after = pq244_figures(datetime.date(2025, 12, 31))
    assert changes(before, after) == [
        _change("approved_companies", "goedgekeurde bedrijven", 1, 3),
        _change("size_classes.small", "goedgekeurde bedrijven: kleine onderneming", 1, 3),
        _change("places_taken", "ingenomen plaatsen", 1, 3),
        _change("referrals.total", "doorverwijzingen", 0, 1),
    ]
    assert changes(after, after) == []
    # A traject on one side only counts as zero on the other.
    del after["trajects"][0]
    assert changes(before, after) == [
        _change("approved_companies", "goedgekeurde bedrijven", 1, 0),
        _change("size_classes.small", "goedgekeurde bedrijven: kleine onderneming", 1, 0),
        _change("places_taken", "ingenomen plaatsen", 1, 0),
    ]


# -- the applications the statistics count, listed ----------------------------------------------------
def listed_as_approved(day: datetime.date, **query) -> list[int]:
    client = client_for(UserFactory(role=Role.OFFICER))
    response = client.get("/api/v1/applications/", {"approved_as_of": day.isoformat(), **query})
    assert response.status_code == 200, response.content[:300]
    return sorted(row["id"] for row in response.json()["results"])


def test_approved_as_of_lists_exactly_what_the_statistics_count(period):
    """Per company and traject the latest approval up to the date: later changes do not matter, later
    approvals, rejections and withdrawals before the date do."""
    grown = CompanyFactory(staff_headcount=5)
    first = approve(
        period,
        datetime.date(2025, 2, 1),
        company=grown,
        status=ApplicationStatus.COMPLETED,
        started_on=datetime.date(2025, 2, 2),
        ended_on=datetime.date(2025, 3, 1),
    )
    second = approve(period, datetime.date(2025, 4, 1), company=grown)
    withdrawn_later = approve(
        period,
        datetime.date(2025, 3, 1),
        status=ApplicationStatus.WITHDRAWN,
        ended_on=datetime.date(2025, 12, 10),
        reason="Geen tijd meer.",
    )
    withdrawn_on_the_day = approve(
        period, datetime.date(2025, 3, 1), status=ApplicationStatus.WITHDRAWN, ended_on=AS_OF, reason="Weg."
    )
    approve(period, datetime.date(2025, 3, 1), status=ApplicationStatus.REJECTED, reason="Geen KMO.")
    approve(period, AS_OF + datetime.timedelta(days=1))
    ApplicationFactory(traject=period.traject)  # submitted, not decided
    werk = CapacityPeriodFactory(traject=TrajectFactory(code="werk", start_date=datetime.date(2024, 1, 1)))
    in_werk = approve(werk, datetime.date(2025, 5, 1), company=grown)

    assert listed_as_approved(datetime.date(2025, 3, 31)) == sorted(
        [first.pk, withdrawn_later.pk, withdrawn_on_the_day.pk]
    )
    assert listed_as_approved(AS_OF) == sorted([second.pk, withdrawn_later.pk, in_werk.pk])
    assert listed_as_approved(AS_OF, traject="leren") == sorted([second.pk, withdrawn_later.pk])
    # Other filters narrow the list; they never bring back an earlier approval of the same company.
    assert listed_as_approved(AS_OF, status="completed") == []
    leren = traject_figures(pq244_figures(AS_OF), "leren")
    assert leren["approved_companies"] == sum(leren["size_classes"].values()) == 2


@pytest.mark.parametrize("day", ["2025-02-30", "gisteren", "2025-11"])
def test_approved_as_of_must_be_a_date(period, day):
    client = client_for(UserFactory(role=Role.OFFICER))

    response = client.get("/api/v1/applications/", {"approved_as_of": day})

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert response.json()["approved_as_of"] == ["Voer een geldige datum in."]


# -- the API and the command -------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CABINET, Role.OFFICER])
def test_the_cabinet_and_officers_get_the_figures(period, role):
    approve(period, datetime.date(2025, 3, 1))
    response = client_for(UserFactory(role=role)).get(URL, {"as_of": "2025-11-26"})
    assert response.status_code == 200
    assert response.json() == pq244_figures(AS_OF)


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT])
def test_promoters_and_consultants_do_not(period, role):
    response = client_for(UserFactory(role=role)).get(URL, {"as_of": "2025-11-26"})
    assert response.status_code == 403


def test_anonymous_users_do_not(period):
    assert APIClient().get(URL, {"as_of": "2025-11-26"}).status_code in (401, 403)


@pytest.mark.parametrize("query", [{}, {"as_of": ""}, {"as_of": "26/11/2025"}, {"as_of": "2025-02-30"}])
def test_as_of_is_required_and_must_be_a_date(period, query):
    response = client_for(UserFactory(role=Role.CABINET)).get(URL, query)
    assert response.status_code == 400
    assert list(response.json()) == ["detail", "code", "as_of"]
    assert response.json()["code"] == "invalid"
    assert "YYYY-MM-DD" in response.json()["as_of"][0]


def test_the_commands_json_equals_the_apis(period, tmp_path):
    approve(period, datetime.date(2025, 3, 1))
    output = io.StringIO()
    call_command("pq244", "--as-of", "2025-11-26", "--format", "json", stdout=output)
    api = client_for(UserFactory(role=Role.OFFICER)).get(URL, {"as_of": "2025-11-26"}).json()
    assert json.loads(output.getvalue()) == api
    target = tmp_path / "pq244.json"
    call_command("pq244", "--as-of", "2025-11-26", "--output", str(target), stdout=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == api


def test_the_command_refuses_a_wrong_date(period):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("pq244", "--as-of", "26-11-2025", stdout=io.StringIO())


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_document_format_is_the_answer_with_the_figures(period, tmp_path, fmt):
    from tests.test_documents import document_answers, missing_figures

    approve(period, datetime.date(2025, 3, 1))
    target = tmp_path / f"antwoord.{fmt}"
    arguments = ["--as-of", "2025-11-26", "--format", fmt, "--output", str(target)]
    call_command("pq244", *arguments, stdout=io.StringIO())
    answers = document_answers(fmt, target.read_bytes())
    assert missing_figures(pq244_figures(AS_OF), answers, hyphens=fmt != "pdf") == {}


def test_a_document_format_needs_an_output_file(period):
    with pytest.raises(CommandError, match="--output"):
        call_command("pq244", "--as-of", "2025-11-26", "--format", "xlsx", stdout=io.StringIO())


def test_the_generic_command_answers_the_registered_questions(period):
    approve(period, datetime.date(2025, 3, 1))
    output = io.StringIO()
    call_command("report", "244", "--as-of", "2025-11-26", stdout=output)
    assert json.loads(output.getvalue()) == pq244_figures(AS_OF)
    with pytest.raises(CommandError, match="No question 245 is registered; choose one of 244"):
        call_command("report", "245", stdout=io.StringIO())
