"""What the coaching changed, per traject as of a date (issue 17): the outcome figures of question 244, in
every output, in the breakdowns and on the cabinet's page, and masked where they rest on fewer than five
companies (``reporting.statistics.outcomes``)."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import ApplicationStatus, Questionnaire, SituationMoment, barrier_field
from participants.questionnaire_links import make_questionnaire_token
from participants.services.outcomes import SituationAnswers
from reporting.documents import render_report
from reporting.documents.breakdown import render_csv as breakdown_csv
from reporting.documents.breakdown import render_xlsx as breakdown_xlsx
from reporting.documents.breakdown import table as breakdown_table
from reporting.questions.pq244 import pq244_figures
from reporting.questions.pq244.figures import changes
from reporting.questions.pq244.schema import PQ244FiguresSerializer
from reporting.selectors import report_figures
from reporting.statistics.breakdown import breakdown
from reporting.statistics.outcomes import MASKED, disclosed, outcomes_by_traject
from tests.clients import client_for
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    CompletedApplicationFactory,
    EvaluationFactory,
    FollowUpFactory,
    LearningSituationFactory,
    TrajectFactory,
    UserFactory,
)
from tests.test_documents import document_answers, xlsx_values
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 11, 30)
NOON = datetime.time(12)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(date: datetime.date, time: datetime.time = NOON) -> datetime.datetime:
    return datetime.datetime.combine(date, time, tzinfo=datetime.UTC)


@pytest.fixture
def leren(db):
    traject = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=day("2023-05-01"))
    CapacityPeriodFactory(traject=traject, start=day("2025-01-01"), end=day("2025-12-31"))
    return traject


def completed(traject, ended_on="2025-06-30", **fields):
    """Return a trajectory of ``traject`` completed (or, with ``status``, stopped) on ``ended_on``."""
    ended_on = day(ended_on)
    return CompletedApplicationFactory(
        traject=traject,
        capacity_period=traject.capacity_periods.first(),
        submitted_on=ended_on - datetime.timedelta(days=150),
        decided_on=ended_on - datetime.timedelta(days=140),
        started_on=ended_on - datetime.timedelta(days=120),
        ended_on=ended_on,
        **fields,
    )


def evaluate(application, submitted_on="2025-07-15", **fields):
    return EvaluationFactory(application=application, submitted_at=at(day(submitted_on)), **fields)


def situation(
    application, moment=SituationMoment.INTAKE, recorded_on="2025-04-01", barriers=(), policy=False
):
    return LearningSituationFactory(
        application=application,
        moment=moment,
        recorded_on=day(recorded_on),
        has_training_policy=policy,
        main_barrier=barriers[0] if barriers else "",
        **{barrier_field(barrier): True for barrier in barriers},
    )


PROMOTERS_COUNTS = ("staff_reached", "staff_reached_low_skilled", "staff_reached_aged_55_plus")
COMPANYS_COUNTS = ("staff_participated", "staff_low_skilled", "staff_aged_55_plus")


def counts(names: tuple[str, ...], values: tuple[int, ...]) -> dict:
    """Return the three staff counts by name, or none when ``values`` is empty."""
    return dict(zip(names, values, strict=True)) if values else {}


def figures_of(code: str, as_of: datetime.date = AS_OF) -> dict:
    return next(traject for traject in pq244_figures(as_of)["trajects"] if traject["code"] == code)


# -- the figures, worked out by hand ----------------------------------------------------------------------
def test_the_response_rate_is_the_responses_over_the_completed_at_two_dates(leren):
    early = [completed(leren, "2025-06-30") for _number in range(6)]
    for application in early[:4]:
        evaluate(application, "2025-07-15")
    # 23:30 UTC on 31 July is 1 August in Brussels: not received by the end of July.
    evaluate(early[4], "2025-07-31", usefulness=5)
    early[4].evaluation.submitted_at = at(day("2025-07-31"), datetime.time(23, 30))
    early[4].evaluation.save()
    # 21:59 UTC on 31 July is 23:59 in Brussels: received by the end of July.
    EvaluationFactory(application=early[5], submitted_at=at(day("2025-07-31"), datetime.time(21, 59)))
    completed(leren, "2025-08-20")
    completed(leren, "2025-08-20")
    completed(leren, "2025-12-15")  # after both dates

    july = figures_of("leren", day("2025-07-31"))["evaluations"]
    assert (july["completed"], july["responses"], july["response_rate"]) == (6, 5, "83.3")
    september = figures_of("leren", day("2025-09-30"))["evaluations"]
    assert (september["completed"], september["responses"], september["response_rate"]) == (8, 6, "75.0")
    # Nothing completed: no rate, not a rate of zero.
    assert figures_of("leren", day("2025-06-29"))["evaluations"]["response_rate"] is None


def test_rates_over_the_trajectories_of_fewer_than_five_companies_are_masked(leren):
    """One company that completed the traject five times is still one company: its rates stay masked."""
    company = CompanyFactory()
    ended = ["2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10", "2025-05-10"]
    for ended_on in ended:
        evaluate(completed(leren, ended_on, company=company), "2025-05-20")
    once = figures_of("leren")["evaluations"]
    assert (once["completed"], once["responses"]) == (5, 5)
    assert once["response_rate"] == MASKED
    assert once["follow_ups"]["due"] == MASKED and once["follow_up_rate"] == MASKED
    # Five companies: shown.
    for _number in range(4):
        evaluate(completed(leren, "2025-05-10"), "2025-05-20")
    assert figures_of("leren")["evaluations"]["response_rate"] == "100.0"


def test_the_follow_up_rate_counts_the_trajectories_whose_follow_up_fell_due(leren):
    due = [completed(leren, "2025-01-10") for _number in range(6)]  # due on 10 July 2025
    later = [completed(leren, "2025-03-31") for _number in range(2)]  # due on 30 September 2025
    for application in due[:3]:
        FollowUpFactory(application=application, submitted_at=at(day("2025-07-15")))
    FollowUpFactory(application=due[3], submitted_at=at(day("2025-07-25")))
    FollowUpFactory(application=later[0], submitted_at=at(day("2025-10-01")))

    july = figures_of("leren", day("2025-07-20"))["evaluations"]
    assert july["follow_ups"] == {"due": 6, "received": MASKED}
    assert july["follow_up_rate"] == "50.0"
    december = figures_of("leren", day("2025-12-31"))["evaluations"]
    assert december["follow_ups"] == {"due": 8, "received": 5}
    assert december["follow_up_rate"] == "62.5"
    assert figures_of("leren", day("2025-07-09"))["evaluations"]["follow_up_rate"] is None


def test_staff_reached_is_the_evaluations_count_else_the_promoters_never_the_sessions(leren):
    def trajectory(promoter=(), evaluation=(), evaluated_on=None):
        application = completed(leren, **counts(PROMOTERS_COUNTS, promoter))
        if evaluated_on:
            evaluate(application, evaluated_on, **counts(COMPANYS_COUNTS, evaluation))
        # Fourteen sessions of fifteen employees each: the same people, counted again at every session.
        for number in range(14):
            CoachingSessionFactory(
                application=application,
                date=day("2025-05-01") + datetime.timedelta(days=number),
                employees_present=15,
            )

    trajectory((10, 2, 1), (12, 3, 2), "2025-07-15")  # the company's count replaces the promoter's
    trajectory((8, 1, 1), (20, 6, 4), "2025-12-01")  # the company's count, received after the date
    trajectory((), (6, 2, 0), "2025-07-15")  # only the company counted
    trajectory((5, 0, 1), (), "2025-07-20")  # an evaluation without counts: the promoter's
    trajectory()  # nobody counted: adds nothing, and is no contributing company
    trajectory((9, 4, 2))

    assert figures_of("leren")["evaluations"]["staff_reached"] == {
        "total": 12 + 8 + 6 + 5 + 9,
        "low_skilled": 3 + 1 + 2 + 0 + 4,
        "aged_55_plus": 2 + 1 + 0 + 1 + 2,
    }
    assert (
        figures_of("leren", day("2025-12-31"))["evaluations"]["staff_reached"]["total"] == 12 + 20 + 6 + 5 + 9
    )


def test_training_policy_and_barriers_before_and_after(leren):
    def company(intake, closing, policy=(False, True), responded=True, recorded_on="2025-04-01"):
        application = completed(leren)
        if intake is not None:
            situation(application, barriers=intake, policy=policy[0], recorded_on=recorded_on)
        if responded:
            evaluate(application, "2025-07-15")
            situation(application, SituationMoment.CLOSING, "2025-07-15", barriers=closing, policy=policy[1])
        return application

    company(["situational", "financial"], ["financial"])
    company(["situational"], [])
    company(["situational", "digital"], ["situational"], policy=(True, True))
    company(["situational"], [], policy=(False, False))
    company(["informational", "situational"], ["informational"])
    company(["situational"], [])
    company(None, [])  # responded without a baseline: not paired
    company(["dispositional"], [], responded=False)  # completed, no evaluation: its baseline counts
    company(["situational"], [], recorded_on="2025-12-01")  # recorded after the date
    in_progress = ApprovedApplicationFactory(
        traject=leren,
        capacity_period=leren.capacity_periods.first(),
        status=ApplicationStatus.IN_PROGRESS,
        started_on=day("2025-04-01"),
    )
    situation(in_progress, barriers=["situational", "dispositional"])

    evaluations = figures_of("leren")["evaluations"]
    # Six paired companies: one had a training policy at intake, five at closing.
    assert evaluations["training_policy"] == {"before": "16.7", "after": "83.3"}
    assert evaluations["barriers"] == {
        "dispositional": {"met_at_intake": MASKED, "removed": 0},
        "situational": {"met_at_intake": 7, "removed": 5},  # five: the boundary, not masked
        "institutional": {"met_at_intake": 0, "removed": 0},
        "informational": {"met_at_intake": MASKED, "removed": 0},
        "financial": {"met_at_intake": MASKED, "removed": 0},
        "digital": {"met_at_intake": MASKED, "removed": MASKED},
    }


def test_a_baseline_and_a_closing_evaluation_through_the_services_give_the_change_per_barrier(leren):
    officer = UserFactory(role=Role.OFFICER)
    today = timezone.localdate()
    for number in range(5):
        application = ApprovedApplicationFactory(
            traject=leren,
            company=CompanyFactory(contact_email=f"info{number}@example.be"),
            capacity_period=leren.capacity_periods.first(),
            status=ApplicationStatus.IN_PROGRESS,
            started_on=today - datetime.timedelta(days=60),
            decided_on=today - datetime.timedelta(days=70),
        )
        services.record_baseline(
            application,
            by=officer,
            answers=SituationAnswers(
                has_training_policy=False,
                has_learning_jobs=False,
                headcount=30,
                low_skilled=10,
                aged_55_plus=4,
                barriers=["situational", "informational"],
                main_barrier="situational",
            ),
            on=today - datetime.timedelta(days=50),
        )
        services.complete_application(application, by=officer, on=today - datetime.timedelta(days=1))
        services.submit_evaluation(
            make_questionnaire_token(Questionnaire.EVALUATION, application),
            usefulness=4,
            coach_quality=5,
            learning_culture_effect=4,
            would_recommend=5,
            learning_transfer=4,
            motivation=3 + number % 2,
            staff_participated=7,
            staff_low_skilled=2,
            staff_aged_55_plus=1,
            situation=SituationAnswers(
                has_training_policy=True,
                has_learning_jobs=True,
                headcount=30,
                low_skilled=10,
                aged_55_plus=4,
                barriers=["informational"],
                main_barrier="informational",
            ),
        )
    evaluations = figures_of("leren", today)["evaluations"]
    assert evaluations["barriers"]["situational"] == {"met_at_intake": 5, "removed": 5}
    assert evaluations["barriers"]["informational"] == {"met_at_intake": 5, "removed": 0}
    assert evaluations["training_policy"] == {"before": "0.0", "after": "100.0"}
    assert evaluations["staff_reached"] == {"total": 35, "low_skilled": 10, "aged_55_plus": 5}
    assert evaluations["average_scores"]["learning_transfer"] == "4.00"
    assert evaluations["average_scores"]["motivation"] == "3.40"  # 17 / 5
    assert (evaluations["completed"], evaluations["responses"], evaluations["response_rate"]) == (
        5,
        5,
        "100.0",
    )


def test_learning_transfer_and_motivation_are_averaged_half_up_over_the_evaluations_that_gave_them(leren):
    # 2 + 3 + 3 + 3 + 3 + 3 + 2 + 2 = 21 over 8: 2.625, half up 2.63.
    for transfer in (2, 3, 3, 3, 3, 3, 2, 2):
        evaluate(completed(leren), learning_transfer=transfer, motivation=5 if transfer == 3 else None)
    evaluate(completed(leren))  # given before the outcomes were asked: neither score
    scores = figures_of("leren")["evaluations"]["average_scores"]
    assert scores["learning_transfer"] == "2.63"
    assert scores["motivation"] == "5.00"  # five companies gave it: shown
    assert scores["usefulness"] == "4.00"  # the four scores of before, over all nine


def test_stop_reasons_count_the_trajectories_stopped_by_the_date_every_code_listed(leren):
    def stop(code, ended_on="2025-09-01"):
        reason = "Verhuisd naar het buitenland." if code == "other" else ""
        return completed(leren, ended_on, status=ApplicationStatus.STOPPED, stop_reason=code, reason=reason)

    for _number in range(5):
        stop("no_time")
    stop("reorganisation")
    stop("reorganisation")
    stop("other", "2025-12-10")
    assert figures_of("leren")["stop_reasons"] == {
        "administrative_burden": 0,
        "no_time": 5,
        "reorganisation": MASKED,
        "bankruptcy_or_stop": 0,
        "goal_reached": 0,
        "other": 0,
    }
    assert figures_of("leren", day("2025-12-31"))["stop_reasons"]["other"] == MASKED


def test_disclosed_masks_one_to_four_companies_only():
    assert [disclosed(count, count) for count in range(7)] == [0, MASKED, MASKED, MASKED, MASKED, 5, 6]
    assert disclosed(None, 0) is None
    assert disclosed("61.5", 4) == MASKED and disclosed("61.5", 5) == "61.5"


# -- masking in every output ------------------------------------------------------------------------------
STAFF_OF_FIVE = (11, 3, 2)  # per company in leren: 55, 15 and 10 over five companies
STAFF_OF_FOUR = (13, 7, 6)  # per company in werk: 52, 28 and 24 over four, never shown


@pytest.fixture
def small_world(leren):
    """Five companies in leren (the boundary: shown) and four in werk (masked), each completed, evaluated
    with both situations, its staff counted, and as many trajectories stopped for lack of time."""
    werk = TrajectFactory(code="werk", name="Voorsprong in werk voor iedereen", start_date=day("2024-01-01"))
    CapacityPeriodFactory(traject=werk, start=day("2025-01-01"), end=day("2025-12-31"))
    for traject, companies, staff in ((leren, 5, STAFF_OF_FIVE), (werk, 4, STAFF_OF_FOUR)):
        for _number in range(companies):
            application = completed(traject)
            situation(application, barriers=["situational"])
            evaluate(
                application,
                learning_transfer=4,
                motivation=5,
                **counts(COMPANYS_COUNTS, staff),
            )
            situation(application, SituationMoment.CLOSING, "2025-07-15", policy=True)
            completed(traject, status=ApplicationStatus.STOPPED, stop_reason="no_time", reason="")
    return {"leren": leren, "werk": werk}


def test_the_json_masks_what_rests_on_fewer_than_five_companies(small_world):
    figures = (
        client_for(UserFactory(role=Role.CABINET))
        .get("/api/v1/statistics/pq244/", {"as_of": AS_OF.isoformat()})
        .json()
    )
    trajects = {traject["code"]: traject for traject in figures["trajects"]}
    werk, leren = trajects["werk"]["evaluations"], trajects["leren"]["evaluations"]
    assert werk["staff_reached"] == dict.fromkeys(("total", "low_skilled", "aged_55_plus"), MASKED)
    assert werk["training_policy"] == {"before": MASKED, "after": MASKED}
    assert werk["barriers"]["situational"] == {"met_at_intake": MASKED, "removed": MASKED}
    assert werk["response_rate"] == MASKED
    assert (werk["average_scores"]["learning_transfer"], werk["average_scores"]["motivation"]) == (
        MASKED,
    ) * 2
    assert trajects["werk"]["stop_reasons"]["no_time"] == MASKED
    # The figures the answer always gave stay as they were.
    assert (werk["completed"], werk["responses"], werk["average_scores"]["usefulness"]) == (4, 4, "4.00")

    assert leren["staff_reached"] == {"total": 55, "low_skilled": 15, "aged_55_plus": 10}
    assert leren["training_policy"] == {"before": "0.0", "after": "100.0"}
    assert leren["barriers"]["situational"] == {"met_at_intake": 5, "removed": 5}
    assert leren["response_rate"] == "100.0"
    assert (leren["average_scores"]["learning_transfer"], leren["average_scores"]["motivation"]) == (
        "4.00",
        "5.00",
    )
    assert trajects["leren"]["stop_reasons"]["no_time"] == 5
    assert PQ244FiguresSerializer(pq244_figures(AS_OF)).data == pq244_figures(AS_OF)


def test_the_schema_describes_a_masked_figure_as_a_string_of_its_own(small_world, client):
    from tests.test_openapi import _pq244_figures, _undescribed

    schema = client.get("/api/schema/?format=json").json()
    figures = pq244_figures(AS_OF)
    assert _undescribed(schema, _pq244_figures(schema), figures, "figures") == []
    werk = figures["trajects"][1]["evaluations"]
    werk["staff_reached"]["total"] = "< 4"  # only "< 5" is a masked figure
    werk["training_policy"]["before"] = 61.5  # a share is a string
    assert _undescribed(schema, _pq244_figures(schema), figures, "figures") == [
        "figures.trajects[1].evaluations.staff_reached.total: '< 4' is no integer",
        "figures.trajects[1].evaluations.training_policy.before: 61.5 is no string",
    ]


def test_the_csv_and_the_workbook_mask_the_same_cells(small_world):
    figures = pq244_figures(AS_OF)
    rows = list(csv.reader(io.StringIO(render_report(figures, "csv").decode("utf-8-sig")), delimiter=";"))
    values = {(row[1], row[2]): row[3] for row in rows[1:]}
    assert values["werk", "evaluations.staff_reached.total"] == MASKED
    assert values["werk", "evaluations.training_policy.after"] == MASKED
    assert values["werk", "evaluations.barriers.situational.removed"] == MASKED
    assert values["werk", "stop_reasons.no_time"] == MASKED
    assert values["leren", "evaluations.staff_reached.total"] == "55"
    assert values["leren", "evaluations.training_policy.after"] == "100,0"
    assert values["leren", "evaluations.response_rate"] == "100,0"
    assert values["leren", "evaluations.barriers.situational.removed"] == "5"

    sheets = xlsx_values(render_report(figures, "xlsx"))
    results = {row[0]: row[1:] for row in sheets["6 Resultaten"][1:]}
    assert (
        results["Voorsprong in werk voor iedereen"]
        == (MASKED, 0, 0, None, MASKED, MASKED, MASKED, MASKED) + (MASKED,) * 3
    )
    assert results["Voorsprong in leren"] == (100, 0, 0, None, 0, 100, 4, 5, 55, 15, 10)
    barriers = {(row[0], row[1]): row[2:] for row in sheets["6 Drempels"][1:]}
    assert barriers["Voorsprong in werk voor iedereen", "Situationele drempel (tijd, werkdruk, gezin)"] == (
        MASKED,
        MASKED,
    )
    assert barriers["Voorsprong in leren", "Situationele drempel (tijd, werkdruk, gezin)"] == (5, 5)
    stops = {(row[0], row[1]): row[2] for row in sheets["6 Stopzettingen"][1:]}
    assert stops["Voorsprong in werk voor iedereen", "Geen tijd"] == MASKED
    assert stops["Voorsprong in leren", "Geen tijd"] == 5


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_answer_6_says_masked_figures_in_words_never_as_a_number(small_world, fmt):
    # pdftotext drops the hyphen where it breaks a word over two lines: the PDF is compared without them.
    plain = (lambda text: text.replace("-", "")) if fmt == "pdf" else (lambda text: text)
    answer = plain(document_answers(fmt, render_report(pq244_figures(AS_OF), fmt))[6])
    split = answer.index("Voorsprong in werk voor iedereen:")
    leren, werk = answer[:split], answer[split:]
    for sentence in (
        "De responsgraad bedraagt 100%.",
        "Van de bedrijven die zowel bij de start als bij de afronding hun leersituatie in kaart brachten, "
        "had 0% bij de start een opleidingsbeleid (VTO-beleid) en 100% bij de afronding.",
        "De bedrijven die de evaluatie invulden, geven gemiddeld 4,00 voor de leertransfer en 5,00 voor hun "
        "motivatie om te leren.",
        "De afgeronde trajecten bereikten 55 medewerkers, van wie 15 laaggeschoold en 10 van 55 jaar of "
        "ouder.",
        "De drempel die het vaakst wegviel, is de situationele drempel (tijd, werkdruk, gezin): bij 5 "
        "bedrijven.",
    ):
        assert plain(sentence) in leren, sentence
    for sentence in (
        "4 van de 4 bedrijven met een afgerond traject vulden de evaluatie in.",
        "Minder dan vijf bedrijven brachten zowel bij de start als bij de afronding hun leersituatie in "
        "kaart, te weinig om het aandeel met een opleidingsbeleid (VTO-beleid) te rapporteren.",
        "Over de leertransfer en hun motivatie om te leren oordeelden minder dan vijf bedrijven.",
        "Het aantal bereikte medewerkers is bekend voor minder dan vijf bedrijven en vermeld ik daarom niet.",
        "Elke drempel viel bij minder dan vijf bedrijven weg.",
    ):
        assert plain(sentence) in werk, sentence
    for hidden in ("52", "28", "24", "responsgraad", "%"):
        assert hidden not in werk, hidden


def test_the_cabinets_page_shows_the_outcomes_masked(small_world, client):
    client.force_login(UserFactory(role=Role.CABINET))
    response = client.get(reverse("reports:list"), {"resultaten-as_of": AS_OF.isoformat()})
    outcomes = response.context["outcomes"]
    assert outcomes["trajects"] == ["Voorsprong in leren", "Voorsprong in werk voor iedereen"]
    rows = {str(row["label"]): row["values"] for row in outcomes["figures"]}
    assert rows["Bereikte werknemers"] == ["55", MASKED]
    assert rows["Responsgraad"] == ["100%", MASKED]
    assert rows["Met een opleidingsbeleid bij de afronding"] == ["100%", MASKED]
    assert rows["Leertransfer (1-5)"] == ["4,00", MASKED]
    barriers = {str(row["label"]): row["values"] for row in outcomes["barriers"]}
    assert barriers["Situationele drempel (tijd, werkdruk, gezin)"] == ["5", "5", MASKED, MASKED]
    stops = {str(row["label"]): row["values"] for row in outcomes["stop_reasons"]}
    assert stops["Geen tijd"] == ["5", MASKED]
    page = response.content.decode()
    assert "Wat de begeleiding veranderde" in page and "&lt; 5" in page
    assert ">52<" not in page


def test_the_page_refuses_a_date_that_is_no_date(small_world, client):
    client.force_login(UserFactory(role=Role.CABINET))
    outcomes = client.get(reverse("reports:list"), {"resultaten-as_of": "morgen"}).context["outcomes"]
    assert outcomes["form"].errors["as_of"] and "figures" not in outcomes


def test_the_breakdowns_mask_their_cells_and_not_their_total_of_nine(small_world):
    staff = breakdown(AS_OF, ["traject"], "staff_reached")
    cells = {row["keys"][0]: row["values"] for row in staff["rows"]}
    assert cells == {"leren": [5, 55, 15, 10], "werk": [MASKED] * 4}
    assert staff["total"] == [9, 55 + 52, 15 + 28, 10 + 24]
    policy = breakdown(AS_OF, ["traject"], "training_policy")
    assert {row["keys"][0]: row["values"] for row in policy["rows"]} == {
        "leren": [5, "0.0", "100.0"],
        "werk": [MASKED, MASKED, MASKED],
    }
    rate = breakdown(AS_OF, ["traject"], "response_rate")
    assert {row["keys"][0]: row["values"] for row in rate["rows"]} == {
        "leren": [5, 5, "100.0"],
        "werk": [MASKED, MASKED, MASKED],
    }
    scores = breakdown(AS_OF, ["traject"], "outcome_scores")
    assert {row["keys"][0]: row["values"] for row in scores["rows"]} == {
        "leren": [5, "4.00", "5.00"],
        "werk": [MASKED, MASKED, MASKED],
    }
    # Split further, every cell of leren rests on fewer than five companies too.
    assert {
        tuple(row["values"])
        for row in breakdown(AS_OF, ["traject", "decision_quarter"], "staff_reached")["rows"]
    } == {
        (5, 55, 15, 10),
        (MASKED,) * 4,
    }

    figures = report_figures("breakdown", AS_OF, {"by": ["traject"], "measure": "staff_reached"})
    assert breakdown_table(figures)["rows"] == [
        ["Voorsprong in leren", "5", "55", "15", "10"],
        ["Voorsprong in werk voor iedereen", MASKED, MASKED, MASKED, MASKED],
        ["Totaal", "9", "107", "43", "34"],
    ]
    rows = list(csv.reader(io.StringIO(breakdown_csv(figures).decode("utf-8-sig")), delimiter=";"))
    assert rows[2] == ["werk", "Voorsprong in werk voor iedereen", MASKED, MASKED, MASKED, MASKED]
    sheet = xlsx_values(breakdown_xlsx(figures))["Overzicht"]
    assert sheet[2] == ("Voorsprong in werk voor iedereen", MASKED, MASKED, MASKED, MASKED)
    assert sheet[1] == ("Voorsprong in leren", 5, 55, 15, 10)
    policy_figures = report_figures("breakdown", AS_OF, {"by": ["traject"], "measure": "training_policy"})
    assert breakdown_table(policy_figures)["rows"][0] == ["Voorsprong in leren", "5", "0%", "100%"]
    for fmt in ("pdf", "docx"):
        assert render_report(policy_figures, fmt)


def test_the_comparison_leaves_out_a_masked_count_and_compares_completions(small_world):
    before = pq244_figures(day("2025-06-29"))
    after = pq244_figures(AS_OF)
    compared = {
        (row["group"], row["figure"]): (row["before"], row["after"]) for row in changes(before, after)
    }
    assert compared["werk", "evaluations.completed"] == (0, 4)
    assert compared["leren", "evaluations.completed"] == (0, 5)
    werk = small_world["werk"].applications.filter(status=ApplicationStatus.COMPLETED).first()
    FollowUpFactory(application=werk, submitted_at=at(day("2026-01-05")))
    later = pq244_figures(day("2026-01-31"))
    assert next(t for t in later["trajects"] if t["code"] == "werk")["evaluations"]["follow_ups"] == {
        "due": MASKED,
        "received": MASKED,
    }
    compared = {(row["group"], row["figure"]) for row in changes(after, later)}
    assert ("werk", "evaluations.follow_ups.received") not in compared  # 0 -> "< 5": not said
    # Figures kept from before the outcomes (a snapshot) have no follow-ups: nothing is compared to them.
    kept = {
        **after,
        "trajects": [
            {**traject, "evaluations": {k: v for k, v in traject["evaluations"].items() if k != "follow_ups"}}
            for traject in after["trajects"]
        ],
    }
    assert changes(kept, after) == []


# -- answer 6 -----------------------------------------------------------------------------------------------
def test_answer_6_without_responses_stays_as_it_was(leren):
    """Outcome figures without evaluations (baselines, the promoters' counts, a stop) add no sentence."""
    for _number in range(6):
        application = completed(
            leren, staff_reached=8, staff_reached_low_skilled=2, staff_reached_aged_55_plus=1
        )
        situation(application, barriers=["digital"])
    completed(leren, status=ApplicationStatus.STOPPED, stop_reason="no_time", reason="")
    figures = pq244_figures(AS_OF)
    assert figures["trajects"][0]["evaluations"]["staff_reached"]["total"] == 48
    answer = document_answers("docx", render_report(figures, "docx"))[6]
    assert answer == (
        "Voorsprong in leren: Er zijn 6 afgeronde trajecten geregistreerd, maar nog geen ingevulde "
        "evaluaties; ik kan bijgevolg nog geen evaluatie of aanbevelingen delen."
    )


# -- a constant number of queries ---------------------------------------------------------------------------
def _add_outcomes(traject, count: int) -> None:
    for number in range(count):
        application = completed(
            traject, staff_reached=4, staff_reached_low_skilled=1, staff_reached_aged_55_plus=0
        )
        situation(application, barriers=["situational"])
        evaluate(
            application,
            learning_transfer=3,
            motivation=4,
            staff_participated=5,
            staff_low_skilled=1,
            staff_aged_55_plus=1,
        )
        situation(application, SituationMoment.CLOSING, "2025-07-15", policy=number % 2 == 0)
        FollowUpFactory(application=application, submitted_at=at(day("2025-11-01")))
        CoachingSessionFactory(application=application, employees_present=9)
        completed(traject, status=ApplicationStatus.STOPPED, stop_reason="goal_reached", reason="")


def test_the_outcome_figures_take_as_many_queries_with_one_company_as_with_many(leren):
    _add_outcomes(leren, 1)
    with CaptureQueriesContext(connection) as one:
        outcomes_by_traject(AS_OF)
    with CaptureQueriesContext(connection) as one_answer:
        pq244_figures(AS_OF)
    _add_outcomes(leren, 20)
    werk = TrajectFactory(code="werk", start_date=day("2024-01-01"))
    CapacityPeriodFactory(traject=werk, start=day("2025-01-01"), end=day("2025-12-31"))
    _add_outcomes(werk, 20)
    with CaptureQueriesContext(connection) as many:
        found = outcomes_by_traject(AS_OF)
    with CaptureQueriesContext(connection) as many_answer:
        pq244_figures(AS_OF)
    assert len(one) == len(many) == 1
    assert len(one_answer) == len(many_answer)
    assert found[leren.pk]["staff_reached"]["total"] == 21 * 5
    for measure in ("response_rate", "training_policy", "staff_reached", "outcome_scores"):
        with CaptureQueriesContext(connection) as queries:
            breakdown(AS_OF, ["province", "traject"], measure)
        assert len(queries) == 1, measure
