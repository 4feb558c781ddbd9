"""The registry of report kinds: a kind registered by a module (here: by this test) with parameters is
asked for, validated, built by the job, reused and written by the command, none of which names it.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from rest_framework import serializers

from participants.selectors import approved_as_of
from reporting.documents import json_renderer, table_renderer
from reporting.kinds import ReportKind, UnknownKind, get_kind, kinds, register, unregister
from reporting.models import ReportRequest, ReportStatus
from reporting.services import report_requests
from tests.clients import client_for
from tests.factories import ApprovedApplicationFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
KEY = "approvals_per_traject"
URL = "/api/v1/report-requests/"


class ApprovalsParametersSerializer(serializers.Serializer):
    traject = serializers.CharField()

    def validate_traject(self, code):
        if code not in {"leren", "werk"}:
            raise serializers.ValidationError("Onbekend traject.", code="unknown_traject")
        return code


class ApprovalsSerializer(serializers.Serializer):
    kind = serializers.CharField()
    as_of = serializers.DateField()
    traject = serializers.CharField()
    approved = serializers.IntegerField()
    fingerprint = serializers.CharField()


def approvals(as_of: datetime.date, parameters) -> dict:
    traject = parameters["traject"]
    return {"traject": traject, "approved": approved_as_of(as_of).filter(traject__code=traject).count()}


def approvals_csv(figures) -> bytes:
    return f"traject;approved\n{figures['traject']};{figures['approved']}\n".encode()


@pytest.fixture
def approvals_kind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kind = register(
        ReportKind(
            key=KEY,
            title="Goedgekeurde aanvragen per traject",
            figures=approvals,
            parameters=ApprovalsParametersSerializer,
            serializer=ApprovalsSerializer,
            renderers={"csv": table_renderer(approvals_csv), "json": json_renderer(ApprovalsSerializer)},
            refusals=("unknown_traject",),
        )
    )
    yield kind
    unregister(KEY)


@pytest.fixture
def data():
    leren = TrajectFactory(code="leren")
    for decided in (datetime.date(2025, 3, 1), datetime.date(2025, 12, 1)):
        ApprovedApplicationFactory(traject=leren, decided_on=decided, capacity_period__start=decided)


def test_a_registered_kind_is_asked_for_with_its_parameters_built_and_reused(
    approvals_kind, data, django_capture_on_commit_callbacks
):
    client = client_for(UserFactory(role=Role.OFFICER))
    body = {"kind": KEY, "parameters": {"traject": "leren"}, "as_of": "2025-11-26", "format": "json"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, body, format="json")
    assert response.status_code == 202, response.json()
    report = ReportRequest.objects.get(pk=response.json()["id"])
    assert (report.kind, report.parameters, report.status) == (KEY, {"traject": "leren"}, ReportStatus.DONE)
    assert report.file.name.rsplit("/", 1)[-1].startswith(f"{KEY}-2025-11-26-")
    assert json.loads(report.file.read()) == {
        "kind": KEY,
        "as_of": "2025-11-26",
        "traject": "leren",
        "approved": 1,
        "fingerprint": report.fingerprint,
    }
    # Other parameters are another report; the same ones reuse the file.
    with django_capture_on_commit_callbacks(execute=True):
        werk = client.post(URL, {**body, "parameters": {"traject": "werk"}}, format="json").json()
        same = client.post(URL, body, format="json").json()
    assert ReportRequest.objects.get(pk=werk["id"]).file.name != report.file.name
    assert ReportRequest.objects.get(pk=same["id"]).file.name == report.file.name


def test_its_parameters_are_refused_with_its_own_code(approvals_kind):
    client = client_for(UserFactory(role=Role.CABINET))
    body = {"kind": KEY, "parameters": {"traject": "bogus"}, "as_of": "2025-11-26", "format": "csv"}
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "De invoer is niet geldig: zie de meldingen per veld.",
        "code": "unknown_traject",
        "traject": ["Onbekend traject."],
    }
    missing = client.post(URL, {**body, "parameters": {}}, format="json").json()
    assert (missing["code"], list(missing)) == ("invalid", ["detail", "code", "traject"])
    not_made = client.post(URL, {**body, "parameters": {"traject": "leren"}, "format": "pdf"}, format="json")
    assert not_made.json()["format"] == ["Kies een van de formaten csv, json."]
    assert not ReportRequest.objects.exists()


def test_an_identical_request_still_queued_is_returned(approvals_kind):
    cabinet = UserFactory(role=Role.CABINET)
    ask = {
        "kind": KEY,
        "parameters": {"traject": "leren"},
        "as_of": datetime.date(2025, 11, 26),
        "fmt": "csv",
        "by": cabinet,
    }
    first = report_requests.request_report(**ask)  # the job runs on commit, which this test never reaches
    second = report_requests.request_report(**ask)
    other = report_requests.request_report(**{**ask, "parameters": {"traject": "werk"}})
    assert (first.reused, second.reused, second.pk, other.reused) == (False, True, first.pk, False)


def test_the_command_writes_it(approvals_kind, data, tmp_path):
    output = io.StringIO()
    call_command("report", KEY, "--as-of", "2026-01-01", "--parameter", "traject=leren", stdout=output)
    assert json.loads(output.getvalue())["approved"] == 2
    call_command(
        "report", KEY, "--parameter", "traject=leren", "--format", "csv", "--output", str(tmp_path / "a.csv"),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert (tmp_path / "a.csv").read_text().splitlines()[1] == "leren;2"


def test_the_registry_lists_questions_first_and_refuses_doubles_and_bad_keys(approvals_kind):
    assert [kind.key for kind in kinds()] == ["pq244", KEY, "breakdown", "esf", "reach"]
    assert get_kind("pq244").question.number == 244 and get_kind(KEY) is approvals_kind
    with pytest.raises(ValueError, match="registered already"):
        register(approvals_kind)
    for key in ("", "with space", "x" * 41):
        with pytest.raises(ValueError, match="key"):
            register(
                ReportKind(
                    key, "t", approvals, ApprovalsSerializer, {"json": approvals_kind.renderers["json"]}
                )
            )
    with pytest.raises(ValueError, match="renderers"):
        register(ReportKind("odt_kind", "t", approvals, ApprovalsSerializer, {"odt": None}))
    with pytest.raises(UnknownKind):
        get_kind("odt_kind")


def test_an_unregistered_kind_is_refused_again(approvals_kind):
    unregister(KEY)
    with pytest.raises(WorkflowRefusal) as refused:
        report_requests.request_report(
            kind=KEY, as_of=datetime.date(2025, 11, 26), fmt="json", by=UserFactory(role=Role.CABINET)
        )
    assert (refused.value.code, refused.value.field) == ("unknown_kind", "kind")
