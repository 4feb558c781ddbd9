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
from participants.models import ApplicationStatus, Company
from reporting.models import Initiative
from reporting.statistics import figures_changes, fingerprint, pq244_figures
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
from trajects.models import Channel, CommunicationAction, OrganisationKind, Partnership
from voorsprong.roles import Role

AS_OF = datetime.date(2025, 11, 26)
URL = "/api/v1/statistics/pq244/"
S = ApplicationStatus


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
    withdrawn = {"status": S.WITHDRAWN, "reason": "Geen tijd meer."}
    approve(period, datetime.date(2025, 3, 1), ended_on=datetime.date(2025, 12, 10), **withdrawn)
    approve(period, datetime.date(2025, 3, 1), ended_on=AS_OF, **withdrawn)
    approve(period, datetime.date(2025, 3, 1), status=S.REJECTED, reason="Geen KMO.")  # even with a period
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
        status=S.COMPLETED,
        started_on=datetime.date(2025, 2, 2),
        ended_on=datetime.date(2025, 3, 1),
    )
    approve(period, datetime.date(2025, 4, 1), company=company)
    approve(other, datetime.date(2025, 4, 1), company=company)
    figures = pq244_figures(AS_OF)
    assert traject_figures(figures, "leren")["approved_companies"] == 1
    assert traject_figures(figures, "leren")["places"][0]["taken"] == 2  # two places held
    assert figures["companies_in_any_traject"] == 1


def test_size_classes_and_shares_round_half_up(period):
    # 1 of 8 = 12.5% large: half up gives 12.5; 7 of 8 SME = 87.5
    for _ in range(7):
        approve(period, datetime.date(2025, 3, 1))
    approve(
        period,
        datetime.date(2025, 3, 1),
        company=CompanyFactory(staff_headcount=400, turnover=Decimal("90000000"), balance_sheet_total=None),
    )
    leren = traject_figures(pq244_figures(AS_OF), "leren")
    assert leren["size_classes"] == {"micro": 0, "small": 7, "medium": 0, "large": 1, "non_profit": 0}
    assert leren["size_class_shares"] == {"sme": "87.5", "non_profit": "0.0", "large": "12.5"}
    for _ in range(7):  # 1 of 15 large = 6.666…: 6.7; 14 of 15 SME = 93.333…: 93.3
        approve(period, datetime.date(2025, 3, 1))
    shares = traject_figures(pq244_figures(AS_OF), "leren")["size_class_shares"]
    assert shares == {"sme": "93.3", "non_profit": "0.0", "large": "6.7"}


def test_a_traject_without_approvals_has_zeros_and_no_shares(period):
    leren = traject_figures(pq244_figures(AS_OF), "leren")
    assert leren["approved_companies"] == 0
    assert leren["size_class_shares"] == {"sme": None, "non_profit": None, "large": None}
    assert leren["funding"] == dict.fromkeys(
        ["total", "eu", "flemish", "own_promoter", "own_company"], "0.00"
    )
    assert leren["evaluations"] == {
        "completed": 0,
        "responses": 0,
        "average_scores": dict.fromkeys(
            ["usefulness", "coach_quality", "learning_culture_effect", "would_recommend"]
        ),
        "recommendations": [],
    }
    assert leren["referrals"] == {"total": 0, "intakes": 0, "by_sector_fund": {}}


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
    }
    assert evaluations["recommendations"] == ["Meer opvolging.", "Bij … werkte het goed."]
    evaluate(datetime.date(2025, 7, 5), (5, 5, 5, 4))  # 23/5 = 4.6; 2 decimals, half up from exact sums
    scores = traject_figures(pq244_figures(AS_OF), "leren")["evaluations"]["average_scores"]
    assert scores["usefulness"] == "4.60"
    assert scores["would_recommend"] == "4.40"


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
    assert werk_figures["partners"] == [
        {"name": "UNIZO", "kind": "promoter"},
        {"name": "Voka", "kind": "promoter"},
        {"name": "ACV", "kind": "union"},
    ]
    assert leren["communication_actions"] == [
        {"date": "2025-02-03", "campaign": "Campagne", "channel": "website", "description": "Website"}
    ]
    assert werk_figures["referrals"] == {"total": 3, "intakes": 1, "by_sector_fund": {"Cevora": 2, "VIVO": 1}}
    assert figures["initiatives"] == [
        {"title": "Praktijkgids", "text": "Een gids."},
        {"title": "Leerlens", "text": "Een reflectietool."},
    ]


def test_the_fingerprint_is_stable_and_follows_the_data(period):
    approve(period, datetime.date(2025, 3, 1))
    first, second = pq244_figures(AS_OF), pq244_figures(AS_OF)
    assert first == second
    assert re.fullmatch(r"[0-9a-f]{64}", first["fingerprint"])
    assert first["fingerprint"] == fingerprint(first)
    approve(period, datetime.date(2025, 3, 2))
    assert pq244_figures(AS_OF)["fingerprint"] != first["fingerprint"]
    # A change after the date does not change the figures as of the date.
    approve(period, AS_OF + datetime.timedelta(days=3))
    assert pq244_figures(AS_OF)["fingerprint"] == pq244_figures(AS_OF)["fingerprint"]


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
    with CaptureQueriesContext(connection) as few:
        pq244_figures(AS_OF)
    _add_volume(period, werk, fund, 15)
    with CaptureQueriesContext(connection) as many:
        figures = pq244_figures(AS_OF)
    assert traject_figures(figures, "leren")["approved_companies"] == 2 * 16
    assert len(traject_figures(figures, "werk")["partners"]) == 16
    assert len(few) == len(many) <= 15


def test_figures_changes_lists_what_differs_per_traject(period):
    approve(period, datetime.date(2025, 3, 1))
    before = pq244_figures(AS_OF)
    approve(period, datetime.date(2025, 12, 1))
    approve(period, datetime.date(2025, 12, 2))
    ReferralFactory(traject=period.traject, referred_on=datetime.date(2025, 12, 3))
    after = pq244_figures(datetime.date(2025, 12, 31))
    assert figures_changes(before, after) == [
        {"traject": "leren", "figure": "approved_companies", "before": 1, "after": 3, "difference": 2},
        {"traject": "leren", "figure": "size_classes.small", "before": 1, "after": 3, "difference": 2},
        {"traject": "leren", "figure": "places_taken", "before": 1, "after": 3, "difference": 2},
        {"traject": "leren", "figure": "referrals.total", "before": 0, "after": 1, "difference": 1},
    ]
    assert figures_changes(after, after) == []
    # A traject on one side only counts as zero on the other.
    del after["trajects"][0]
    assert figures_changes(before, after) == [
        {"traject": "leren", "figure": "approved_companies", "before": 1, "after": 0, "difference": -1},
        {"traject": "leren", "figure": "size_classes.small", "before": 1, "after": 0, "difference": -1},
        {"traject": "leren", "figure": "places_taken", "before": 1, "after": 0, "difference": -1},
    ]


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
    assert list(response.json()) == ["as_of"]
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


def test_a_document_format_needs_reporting_documents(period, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "reporting.documents", None)  # as if the module were missing
    with pytest.raises(CommandError, match=r"reporting\.documents"):
        call_command("pq244", "--as-of", "2025-11-26", "--format", "pdf", "--output", str(tmp_path / "x.pdf"))


def test_a_document_format_is_rendered_by_reporting_documents(period, tmp_path, monkeypatch):
    import sys
    import types

    module = types.ModuleType("reporting.documents")
    module.render_report = lambda figures, fmt: f"{fmt}:{figures['question']}".encode()
    monkeypatch.setitem(sys.modules, "reporting.documents", module)
    target = tmp_path / "pq244.xlsx"
    call_command(
        "pq244", "--as-of", "2025-11-26", "--format", "xlsx", "--output", str(target), stdout=io.StringIO()
    )
    assert target.read_bytes() == b"xlsx:244"


# -- the minister's answer with the demo data --------------------------------------------------------
@pytest.fixture(scope="class")
def seed_output(django_db_setup, django_db_blocker):
    """Seed once for the class, inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="class")
def answer(seed_output, django_db_blocker):
    with django_db_blocker.unblock():
        return pq244_figures(AS_OF)


@pytest.fixture
def seeded(seed_output, db):
    return seed_output


class TestTheMinistersAnswer:
    def test_answer_1_approved_companies_per_traject(self, answer):
        assert [(t["code"], t["start_date"], t["approved_companies"]) for t in answer["trajects"]] == [
            ("leren", "2023-05-01", 151),
            ("werk", "2024-01-01", 988),
            ("motivatie", "2025-09-01", 20),
        ]
        assert answer["question"] == 244
        assert answer["as_of"] == "2025-11-26"
        assert 988 < answer["companies_in_any_traject"] < 151 + 988 + 20

    def test_answer_2_size_class_shares(self, answer):
        werk = traject_figures(answer, "werk")
        assert werk["size_class_shares"] == {"sme": "61.5", "non_profit": "24.5", "large": "14.0"}
        assert werk["size_classes"]["non_profit"] == 242
        assert werk["size_classes"]["large"] == 138
        for code in ("leren", "motivatie"):
            figures = traject_figures(answer, code)
            assert figures["size_class_shares"] == {"sme": "100.0", "non_profit": "0.0", "large": "0.0"}

    def test_answer_3_places(self, answer):
        places = {t["code"]: t["places"] for t in answer["trajects"]}
        assert {p["places"] for p in places["leren"]} == {90}
        assert {p["places"] for p in places["werk"]} == {750}
        assert [(p["start"], p["end"], p["places"]) for p in places["motivatie"]] == [
            ("2025-09-01", "2027-08-31", 253)
        ]
        assert all(p["start"] <= "2025-11-26" for traject in places.values() for p in traject)
        assert [p["taken"] for p in places["werk"]] == [420, 568]
        assert [p["taken"] for p in places["motivatie"]] == [20]
        assert sum(p["taken"] for p in places["leren"]) == 151

    def test_answer_4_funding_to_the_cent(self, answer):
        funding = {t["code"]: t["funding"] for t in answer["trajects"]}
        assert funding == {
            "leren": {
                "total": "6722000.00",
                "eu": "2688800.00",
                "flemish": "4033200.00",
                "own_promoter": "0.00",
                "own_company": "0.00",
            },
            "werk": {
                "total": "62500000.00",
                "eu": "25000000.00",
                "flemish": "28125000.00",
                "own_promoter": "9375000.00",
                "own_company": "0.00",
            },
            "motivatie": {
                "total": "11000000.00",
                "eu": "4400000.00",
                "flemish": "6600000.00",
                "own_promoter": "0.00",
                "own_company": "0.00",
            },
        }

    def test_answer_5_partners(self, answer):
        def names(code, kind=None):
            return {p["name"] for p in traject_figures(answer, code)["partners"] if kind in (None, p["kind"])}

        assert names("leren", "service_provider") == {
            "Alert!",
            "Vico Consult",
            "Room without a Roof",
            "Obelisk",
        }
        assert names("werk", "promoter") == {
            "Voka",
            "UNIZO",
            "Verso",
            "Emino",
            "I-Diverso",
            "Werkplekarchitecten",
            "Keerpunt",
        }
        assert names("werk", "union") == {"ABVV", "ACLVB", "ACV"}

    def test_answer_6_no_evaluations_yet(self, answer):
        for traject in answer["trajects"]:
            assert traject["evaluations"]["responses"] == 0
            assert traject["evaluations"]["recommendations"] == []
        assert traject_figures(answer, "leren")["evaluations"]["completed"] == 0

    def test_answer_7_communication_up_to_the_date(self, answer):
        actions = {t["code"]: t["communication_actions"] for t in answer["trajects"]}
        assert len(actions["leren"]) == len(actions["werk"]) == 5
        assert len(actions["motivatie"]) == 6
        assert all(action["date"] <= "2025-11-26" for found in actions.values() for action in found)
        assert {a["channel"] for a in actions["motivatie"]} >= {"social_media", "print", "event", "mailing"}

    def test_answer_8_initiatives(self, answer):
        assert [i["title"] for i in answer["initiatives"]] == ["Praktijkgids Levenslang Leren", "Leerlens"]

    def test_answer_9_referrals_by_sector_funds(self, answer):
        referrals = traject_figures(answer, "werk")["referrals"]
        assert referrals["total"] == sum(referrals["by_sector_fund"].values()) > 0
        assert 0 < referrals["intakes"] <= referrals["total"]
        assert "Cevora" in referrals["by_sector_fund"]

    def test_no_company_name_or_address_in_the_figures(self, seeded, answer):
        text = json.dumps(answer, ensure_ascii=False)
        later = json.dumps(pq244_figures(datetime.date(2026, 11, 1)), ensure_ascii=False)
        assert "@" not in text
        assert "@" not in later
        for name in Company.objects.values_list("name", flat=True):
            assert name not in text
            assert name not in later

    def test_the_api_and_the_command_give_the_same_figures(self, seeded, answer):
        response = client_for(UserFactory(role=Role.CABINET)).get(URL, {"as_of": "2025-11-26"})
        assert response.json() == answer
        output = io.StringIO()
        call_command("pq244", "--as-of", "2025-11-26", stdout=output)
        assert json.loads(output.getvalue()) == answer

    def test_figures_since_the_question(self, seeded, answer):
        later = pq244_figures(datetime.date(2026, 11, 1))
        changes = {(row["traject"], row["figure"]): row for row in figures_changes(answer, later)}
        assert changes["werk", "approved_companies"]["before"] == 988
        assert changes["werk", "approved_companies"]["difference"] > 0
        assert changes["leren", "evaluations.responses"]["after"] > 0

    @pytest.mark.parametrize("fmt", ["pdf", "docx"])
    def test_every_document_carries_the_numbers_of_the_json(self, answer, fmt):
        """The cabinet's documents say exactly what the JSON says, in Belgian notation."""
        from reporting.documents import render_report
        from reporting.documents.formatting import euro, share
        from tests.test_documents import docx_text, flat, pdf_text

        text = flat((pdf_text if fmt == "pdf" else docx_text)(render_report(answer, fmt)))
        assert answer["fingerprint"] in text.replace(" ", "") or answer["fingerprint"][:16] in text
        for traject in answer["trajects"]:
            assert str(traject["approved_companies"]) in text
            for key in ("total", "eu", "flemish"):
                assert euro(traject["funding"][key]) in text, (traject["code"], key)
            shares = traject["size_class_shares"]
            if traject["code"] == "werk":
                for key in ("sme", "non_profit", "large"):
                    assert share(shares[key]) in text, key
        for number in range(1, 10):
            assert f"{number}." in text
