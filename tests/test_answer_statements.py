"""The minister's statements next to the figures: officers keep them dated per answer and traject, and the
answer of a date says the statement that holds on it."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from reporting.documents import render_report
from reporting.models import AnswerStatement
from reporting.questions.pq244 import pq244_figures
from reporting.selectors import statements_as_of
from reporting.services.statements import save_answer_statement
from tests.factories import CapacityPeriodFactory, TrajectFactory, UserFactory
from tests.test_documents import docx_answers
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
EXPECTATION = "Ik verwacht de resultaten van de evaluaties in de zomer van 2026."


@pytest.fixture
def werk():
    traject = TrajectFactory(
        code="werk", name="Voorsprong in werk voor iedereen", start_date=datetime.date(2024, 1, 1)
    )
    CapacityPeriodFactory(traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    return traject


@pytest.fixture
def officer_user():
    return UserFactory(role=Role.OFFICER, is_staff=True)


def say(by, *, answer=6, traject=None, valid_from=datetime.date(2025, 6, 1), text=EXPECTATION, question=244):
    statement = AnswerStatement(
        question=question, answer=answer, traject=traject, valid_from=valid_from, text=text
    )
    return save_answer_statement(statement, by=by)


# -- which statement holds on a date -------------------------------------------------------------------------
def test_the_statement_that_holds_is_the_latest_from_that_day_or_before(werk, officer_user):
    say(officer_user, traject=werk, valid_from=datetime.date(2025, 6, 1), text="Eerst dit.")
    say(officer_user, traject=werk, valid_from=datetime.date(2026, 1, 1), text="Dan dat.")
    say(officer_user, traject=werk, valid_from=datetime.date(2026, 7, 1), text="")  # ends it
    say(officer_user, answer=9, valid_from=datetime.date(2024, 1, 1), text="Over het hele antwoord.")
    say(
        officer_user,
        answer=6,
        traject=werk,
        valid_from=datetime.date(2020, 1, 1),
        text="Andere vraag.",
        question=244,
    )

    def held(day):
        return [(s["answer"], s["traject"], s["text"]) for s in statements_as_of(244, day)]

    assert held(datetime.date(2019, 12, 31)) == []
    assert held(datetime.date(2025, 5, 31)) == [
        (6, "werk", "Andere vraag."),
        (9, None, "Over het hele antwoord."),
    ]
    assert held(datetime.date(2025, 6, 1))[0] == (6, "werk", "Eerst dit.")
    assert held(datetime.date(2026, 6, 30))[0] == (6, "werk", "Dan dat.")
    assert held(datetime.date(2026, 7, 1)) == [(9, None, "Over het hele antwoord.")]


def test_the_answer_says_the_statement_next_to_the_figures_from_its_date_on(werk, officer_user):
    say(officer_user, traject=werk, valid_from=datetime.date(2025, 6, 1))
    before = docx_answers(render_report(pq244_figures(datetime.date(2025, 5, 31)), "docx"))
    after = docx_answers(render_report(pq244_figures(datetime.date(2025, 11, 26)), "docx"))
    assert EXPECTATION not in before[6]
    assert "ik kan bijgevolg nog geen evaluatie of aanbevelingen delen." in before[6]
    # With the statement, the figures stay and the minister's words take the place of the generic conclusion.
    assert after[6] == (
        "Voorsprong in werk voor iedereen: Er zijn op heden nog geen afgeronde trajecten geregistreerd. "
        + EXPECTATION
    )


def test_a_statement_changes_the_fingerprint_of_the_figures(werk, officer_user):
    day = datetime.date(2025, 11, 26)
    without = pq244_figures(day)["fingerprint"]
    say(officer_user, traject=werk)
    assert pq244_figures(day)["fingerprint"] != without


def test_e_mail_addresses_in_a_statement_are_blanked(werk, officer_user):
    say(officer_user, traject=werk, text="Vragen aan kabinet@voorsprong.example.")
    assert "@" not in pq244_figures(datetime.date(2025, 11, 26))["statements"][0]["text"]


# -- saving and refusing -------------------------------------------------------------------------------------
def test_a_statement_is_saved_trimmed_with_who_saved_it(werk, officer_user):
    statement = say(officer_user, traject=werk, text=f"  {EXPECTATION}\n")
    assert statement.text == EXPECTATION
    assert statement.history.get().history_user == officer_user


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"question": 999}, "unknown_question", "question"),
        ({"answer": 0}, "unknown_answer", "answer"),
        ({"answer": 10}, "unknown_answer", "answer"),
        ({"valid_from": None}, "date_required", "valid_from"),
        ({"text": "x" * 1001}, "too_long", "text"),
        ({"text": "   "}, "nothing_to_end", "text"),
    ],
)
def test_a_wrong_statement_is_refused_and_nothing_is_saved(werk, officer_user, fields, code, field):
    with pytest.raises(WorkflowRefusal) as refused:
        say(officer_user, **{"traject": werk, **fields})
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not AnswerStatement.objects.exists()


def test_a_second_statement_for_the_same_answer_traject_and_day_is_refused(werk, officer_user):
    say(officer_user, traject=werk)
    with pytest.raises(WorkflowRefusal) as refused:
        say(officer_user, traject=werk, text="Iets anders.")
    assert refused.value.code == "duplicate_statement"
    say(officer_user, traject=None)  # the answer as a whole is another statement
    assert AnswerStatement.objects.count() == 2


@pytest.mark.parametrize("traject", [True, False])
def test_the_database_refuses_two_statements_for_one_day_too(werk, traject):
    fields = {
        "question": 244,
        "answer": 6,
        "traject": werk if traject else None,
        "valid_from": datetime.date(2025, 6, 1),
    }
    AnswerStatement.objects.create(**fields, text="Een.")
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerStatement.objects.create(**fields, text="Twee.")


@pytest.mark.parametrize("role", [Role.CABINET, Role.PROMOTER, Role.SECTOR_CONSULTANT])
def test_only_officers_keep_statements(werk, role):
    with pytest.raises(WorkflowRefusal) as refused:
        say(UserFactory(role=role), traject=werk)
    assert refused.value.code == "forbidden"
    assert not AnswerStatement.objects.exists()


# -- the admin ----------------------------------------------------------------------------------------------
def test_an_officer_adds_a_statement_in_the_admin(client, werk, officer_user):
    client.force_login(officer_user)
    url = reverse("admin:reporting_answerstatement_add")
    data = {
        "question": "244",
        "answer": "6",
        "traject": werk.pk,
        "valid_from": "2025-06-01",
        "text": EXPECTATION,
    }
    assert client.post(url, data).status_code == 302
    assert AnswerStatement.objects.get().text == EXPECTATION
    # The same day again: the service's refusal, in Dutch, on the form; nothing more is saved.
    response = client.post(url, {**data, "text": "Iets anders."}, follow=True)
    assert "Dit antwoord heeft al een toelichting vanaf die datum; wijzig die." in response.content.decode()
    assert AnswerStatement.objects.count() == 1
    changelist = client.get(reverse("admin:reporting_answerstatement_changelist"))
    assert changelist.status_code == 200 and "Ik verwacht de resultaten" in changelist.content.decode()
