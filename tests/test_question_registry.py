"""The registry of questions: a question registered once is asked for through the API and the page, built
by the job, written by the command and kept by the nightly snapshot, none of which names it.

The question here exists in this module only: its own figures function, serializer and a one-paragraph
document, registered by a fixture and unregistered afterwards.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework import serializers

from participants.selectors import approved_as_of
from reporting.documents import answer_renderers, json_renderer
from reporting.documents.content import Answer, Document, Paragraph
from reporting.models import ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.questions import (
    Heading,
    Question,
    UnknownQuestion,
    get_question,
    questions,
    register,
    unregister,
)
from reporting.tasks import take_statistics_snapshot
from tests.clients import client_for
from tests.factories import ApprovedApplicationFactory, UserFactory
from tests.test_documents import docx_text, flat
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
NUMBER = 9001
AS_OF = datetime.date(2025, 11, 26)
URL = "/api/v1/report-requests/"


class ApprovalsFiguresSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    as_of = serializers.DateField()
    approved_applications = serializers.IntegerField()
    fingerprint = serializers.CharField()


def approvals_figures(as_of: datetime.date) -> dict:
    return {"approved_applications": approved_as_of(as_of).count()}


def approvals_document(figures: dict) -> Document:
    text = f"Er zijn {figures['approved_applications']} goedgekeurde aanvragen."
    return Document.answering(
        Heading(asker="Testende Volksvertegenwoordiger", title="Goedgekeurde aanvragen"),
        question=figures["question"],
        as_of=datetime.date.fromisoformat(figures["as_of"]),
        fingerprint=figures["fingerprint"],
        answers=[Answer(1, [Paragraph(text)])],
    )


@pytest.fixture
def approvals_question(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    question = register(
        Question(
            number=NUMBER,
            title="Vraag 9001 – goedgekeurde aanvragen",
            figures=approvals_figures,
            serializer=ApprovalsFiguresSerializer,
            renderers={
                "docx": answer_renderers(approvals_document, template="reporting/pq244.html")["docx"],
                "json": json_renderer(ApprovalsFiguresSerializer),
            },
        )
    )
    yield question
    unregister(NUMBER)


@pytest.fixture
def approvals():
    for day in (1, 2):
        ApprovedApplicationFactory(
            submitted_on=datetime.date(2025, 2, 1), decided_on=datetime.date(2025, 3, day)
        )
    ApprovedApplicationFactory(decided_on=AS_OF + datetime.timedelta(days=1))  # after the date


def test_a_registered_question_is_asked_for_built_and_downloaded_through_the_api(
    approvals_question, approvals, django_capture_on_commit_callbacks
):
    client = client_for(UserFactory(role=Role.CABINET))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"question": NUMBER, "as_of": "2025-11-26", "format": "docx"}, format="json"
        )
    assert response.status_code == 202, response.json()

    report = client.get(f"{URL}{response.json()['id']}/").json()
    assert (report["question"], report["status"], report["progress"]) == (NUMBER, "done", 100)
    download = client.get(report["download_url"])
    assert download.status_code == 200
    assert (
        f'filename="pq{NUMBER}-2025-11-26-{report["fingerprint"][:8]}.docx"'
        in download["Content-Disposition"]
    )
    text = flat(docx_text(b"".join(download.streaming_content)))
    assert "nr. 9001" in text and "Er zijn 2 goedgekeurde aanvragen." in text
    assert report["fingerprint"] in text


def test_a_format_the_question_is_not_made_in_is_refused(approvals_question):
    client = client_for(UserFactory(role=Role.CABINET))
    response = client.post(URL, {"question": NUMBER, "as_of": "2025-11-26", "format": "pdf"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "De invoer is niet geldig: zie de meldingen per veld.",
        "code": "unknown_format",
        "format": ["Kies een van de formaten docx, json."],
    }
    assert not ReportRequest.objects.exists()


def test_the_page_offers_the_question_and_its_job_builds_it(
    approvals_question, approvals, client, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(role=Role.CABINET))
    form = client.get(reverse("reports:list")).context["form"]
    assert (NUMBER, "Vraag 9001 – goedgekeurde aanvragen") in form.fields["question"].choices
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:list"), {"question": str(NUMBER), "as_of": "2025-11-26", "format": "json"}
        )
    assert response.status_code == 302
    report = ReportRequest.objects.get(kind=f"pq{NUMBER}")
    assert report.status == ReportStatus.DONE
    assert json.loads(report.file.read()) == {
        "question": NUMBER,
        "as_of": "2025-11-26",
        "approved_applications": 2,
        "fingerprint": report.fingerprint,
    }


def test_the_command_and_the_snapshot_take_it_too(approvals_question, approvals):
    output = io.StringIO()
    call_command("report", str(NUMBER), "--as-of", "2025-11-26", stdout=output)
    figures = json.loads(output.getvalue())
    assert (figures["question"], figures["approved_applications"]) == (NUMBER, 2)

    take_statistics_snapshot(as_of="2025-11-26")
    snapshots = dict(StatisticsSnapshot.objects.values_list("question", "figures"))
    assert set(snapshots) == {244, NUMBER}
    assert snapshots[NUMBER] == figures


def test_an_unregistered_question_is_refused_again(approvals_question):
    unregister(NUMBER)
    client = client_for(UserFactory(role=Role.CABINET))
    response = client.post(URL, {"question": NUMBER, "as_of": "2025-11-26", "format": "json"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "De invoer is niet geldig: zie de meldingen per veld.",
        "code": "unknown_question",
        "question": ["Kies een van de vragen 244."],
    }


# -- the registry itself -----------------------------------------------------------------------------
def test_question_244_is_registered_by_its_module_once_the_app_is_ready():
    question = get_question(244)
    assert [registered.number for registered in questions()] == [244]
    assert question.formats == ("pdf", "docx", "xlsx", "csv", "json")
    assert question.heading.asker == "Ilse Malfroot"


def test_a_number_is_registered_once_and_only_with_formats_a_request_can_ask_for(approvals_question):
    with pytest.raises(ValueError, match="registered already"):
        register(approvals_question)
    with pytest.raises(ValueError, match="renderers"):
        register(
            Question(9002, "Vraag", approvals_figures, ApprovalsFiguresSerializer, renderers={"odt": None})
        )
    with pytest.raises(UnknownQuestion):
        get_question(9002)
