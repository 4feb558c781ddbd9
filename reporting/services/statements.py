"""Officers keep the minister's statements next to the figures: what an answer says that no figure knows.

A statement holds from its ``valid_from`` until the next one of the same question, answer and traject,
so a changed statement is a new row from a new date and the answers of earlier dates keep the words they
had; an empty text ends the statement before it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from reporting.models import SAME_DAY_STATEMENT, AnswerStatement
from reporting.questions import UnknownQuestion, get_question
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as

# Longer than any sentence of an answer: a statement is a sentence or two, not an answer of its own.
MAX_LENGTH = 1000


def _check_answer(statement: AnswerStatement) -> None:
    try:
        question = get_question(statement.question)
    except UnknownQuestion:
        raise WorkflowRefusal(
            _("There is no question %(number)s to answer.") % {"number": statement.question},
            "unknown_question",
            field="question",
        ) from None
    answers = len(question.heading.questions)
    if not statement.answer or (answers and statement.answer > answers):
        raise WorkflowRefusal(
            _("Question %(number)s has answers 1 to %(answers)s.")
            % {"number": question.number, "answers": answers},
            "unknown_answer",
            field="answer",
        )


@transaction.atomic
def save_answer_statement(statement: AnswerStatement, *, by: User) -> AnswerStatement:
    """Save a new or changed statement, its text trimmed; refuse an unknown question or answer, a second
    statement for the same answer, traject and day, a text over 1,000 characters, and an empty text with
    no statement before it to end."""
    require_role(by, Role.OFFICER)
    _check_answer(statement)
    if statement.valid_from is None:
        raise WorkflowRefusal(
            _("Give the date from which the statement holds."), "date_required", "valid_from"
        )
    statement.text = (statement.text or "").strip()
    if len(statement.text) > MAX_LENGTH:
        raise WorkflowRefusal(
            _("A statement has at most %(count)s characters.") % {"count": MAX_LENGTH}, "too_long", "text"
        )
    same_answer = AnswerStatement.objects.select_for_update().filter(
        question=statement.question, answer=statement.answer, traject=statement.traject
    )
    if statement.pk is not None:
        same_answer = same_answer.exclude(pk=statement.pk)
    if same_answer.filter(valid_from=statement.valid_from).exists():
        raise WorkflowRefusal(str(SAME_DAY_STATEMENT), "duplicate_statement", "valid_from")
    earlier = same_answer.filter(valid_from__lt=statement.valid_from).exclude(text="")
    if not statement.text and not earlier.exists():
        raise WorkflowRefusal(
            _("An empty text ends the statement before it, and there is none before that date."),
            "nothing_to_end",
            "text",
        )
    return save_as(statement, by, validate=True)
