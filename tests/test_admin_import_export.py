"""The admin's spreadsheet import, the CSV export of the filtered list, and adding through the service."""

import csv
import io

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from participants.kbo import format_kbo_number
from participants.models import Application, ApplicationStatus
from tests.factories import ApplicationFactory, CompanyFactory, ProjectFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:participants_application_changelist")
IMPORT = reverse("admin:participants_application_import")
EXPORT = reverse("admin:participants_application_export")
ADD = reverse("admin:participants_application_add")


@pytest.fixture
def client(client):
    # The texts are checked in their English source, whatever the Dutch catalogue says. The
    # middleware leaves the request's language active; override puts the previous one back after.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def leren():
    return TrajectFactory(code="leren", name="Voorsprong leren")


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def upload(content: str, name="aanvragen.csv"):
    return SimpleUploadedFile(name, ("\ufeff" + content).encode(), content_type="text/csv")


# -- import --------------------------------------------------------------------------------------
def test_the_changelist_links_to_the_import_and_to_the_export_with_its_filters(officer_client):
    response = officer_client.get(CHANGELIST, {"status__exact": "submitted", "q": "Bakkerij"})
    assert f'href="{IMPORT}"' in response.text
    assert f'href="{EXPORT}?q=Bakkerij&amp;status__exact=submitted"' in response.text


def test_an_upload_is_saved_and_every_row_shown(officer_client, officer, leren):
    company = CompanyFactory(name="Bakkerij Peeters BV")
    response = officer_client.post(
        IMPORT, {"file": upload(f"kbo_number;traject;submitted_on\n{company.kbo_number};leren;01/03/2025\n")}
    )
    assert response.status_code == 200
    assert [(row.number, row.company, row.outcome) for row in response.context["result"].rows] == [
        (2, str(company), "Submitted on 01/03/2025")
    ]
    assert "Submitted on 01/03/2025" in response.text
    assert shown(response) == ["1 application saved."]
    application = Application.objects.get(company=company)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.history.first().history_user == officer


def test_an_upload_with_errors_shows_them_per_row_and_saves_nothing(officer_client, leren):
    company = CompanyFactory()
    content = (
        f"kbo_number;traject\n{company.kbo_number};leren\n0403.170.701;leren\n{company.kbo_number};werk\n"
    )
    response = officer_client.post(IMPORT, {"file": upload(content)})
    assert response.status_code == 200
    assert [(row.number, row.code) for row in response.context["result"].failed] == [
        (3, "unknown_company"),
        (4, "unknown_traject"),
    ]
    assert "No company with KBO number 0403.170.701 is known; add the company first." in response.text
    assert "There is no traject “werk”; use one of: leren." in response.text
    assert shown(response) == ["2 of 3 rows have errors; nothing was saved."]
    assert not Application.objects.exists()


def test_checking_only_saves_nothing(officer_client, leren):
    company = CompanyFactory()
    response = officer_client.post(
        IMPORT, {"file": upload(f"kbo_number;traject\n{company.kbo_number};leren\n"), "dry_run": "on"}
    )
    assert response.context["result"].rows[0].outcome == "Draft"
    assert shown(response) == ["Check only: the row is fine; nothing was saved."]
    assert not Application.objects.exists()


def test_a_file_that_cannot_be_read_is_a_form_error(officer_client, leren):
    response = officer_client.post(IMPORT, {"file": upload("naam;traject\nx;leren\n")})
    assert response.context["result"] is None
    assert response.context["form"].errors["file"] == [
        "The first row must name the columns; it lacks kbo_number / ondernemingsnummer."
    ]
    assert not Application.objects.exists()


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.CABINET])
def test_only_users_who_may_add_applications_may_import(client, leren, role):
    client.force_login(UserFactory(role=role, is_staff=True))
    company = CompanyFactory()
    assert client.get(IMPORT).status_code == 403
    response = client.post(IMPORT, {"file": upload(f"kbo_number;traject\n{company.kbo_number};leren\n")})
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_the_changelist_offers_no_import_to_who_may_not_add(client):
    client.force_login(UserFactory(role=Role.PROMOTER, is_staff=True))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert IMPORT not in response.text
    assert EXPORT in response.text


# -- export --------------------------------------------------------------------------------------
def exported(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


@pytest.fixture
def listed(leren):
    project = ProjectFactory(traject=leren, name="Leren in Gent")
    return {
        "submitted": ApplicationFactory(
            traject=leren, project=project, company=CompanyFactory(name="Bakkerij Peeters BV")
        ),
        "draft": ApplicationFactory(
            traject=leren,
            status=ApplicationStatus.DRAFT,
            submitted_on=None,
            company=CompanyFactory(name="Smederij Claes NV"),
        ),
        "other_submitted": ApplicationFactory(
            traject=leren, company=CompanyFactory(name="Drukkerij Wouters")
        ),
    }


def test_the_export_has_a_header_and_every_column(officer_client, listed):
    response = officer_client.get(EXPORT, {"q": "Bakkerij"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="applications-')
    header, *rows = exported(response)
    assert header == [
        "KBO number",
        "Company name",
        "Size class",
        "Province",
        "Traject",
        "Project",
        "Status",
        "Submitted on",
        "Decided on",
        "Started on",
        "Ended on",
        "Reason",
    ]
    company = listed["submitted"].company
    assert rows == [
        [
            format_kbo_number(company.kbo_number),
            "Bakkerij Peeters BV",
            company.get_size_class_display(),
            "East Flanders",
            "Voorsprong leren",
            "Leren in Gent",
            "Submitted",
            "01/03/2025",
            "",
            "",
            "",
            "",
        ]
    ]


def test_the_export_keeps_the_status_filter(officer_client, listed):
    rows = exported(officer_client.get(EXPORT, {"status__exact": "submitted"}))[1:]
    assert sorted(row[1] for row in rows) == ["Bakkerij Peeters BV", "Drukkerij Wouters"]
    rows = exported(officer_client.get(EXPORT, {"status__exact": "submitted", "q": "Wouters"}))[1:]
    assert [row[1] for row in rows] == ["Drukkerij Wouters"]
    rows = exported(officer_client.get(EXPORT))[1:]
    assert len(rows) == 3


def test_a_cell_excel_would_run_as_a_formula_is_kept_as_text(officer_client, leren):
    ApplicationFactory(traject=leren, company=CompanyFactory(name='=HYPERLINK("http://x","klik")'))
    rows = exported(officer_client.get(EXPORT))[1:]
    assert rows[0][1] == '\'=HYPERLINK("http://x","klik")'


def test_an_unknown_filter_sends_back_to_the_list(officer_client):
    response = officer_client.get(EXPORT, {"no_such_field": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


def test_the_export_takes_the_same_number_of_queries_for_more_rows(officer_client, leren):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows = exported(officer_client.get(EXPORT))
        return len(captured), len(rows)

    ApplicationFactory.create_batch(2, traject=leren, project=ProjectFactory(traject=leren))
    few, few_rows = queries()
    ApplicationFactory.create_batch(8, traject=leren, project=ProjectFactory(traject=leren))
    many, many_rows = queries()
    assert (few_rows, many_rows) == (3, 11)
    assert few == many


def test_the_export_needs_the_view_permission(client, listed):
    client.force_login(UserFactory(role=Role.CABINET, is_staff=True))
    assert client.get(EXPORT).status_code == 403


# -- adding and changing -------------------------------------------------------------------------
def test_an_application_added_in_the_admin_is_made_by_the_service(officer_client, officer, leren):
    company = CompanyFactory()
    response = officer_client.post(ADD, {"company": company.pk, "traject": leren.pk})
    application = Application.objects.get(company=company)
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert (application.status, application.traject) == (ApplicationStatus.DRAFT, leren)
    assert application.history.get().history_user == officer


def test_a_duplicate_open_application_is_refused_with_a_message(officer_client, leren):
    existing = ApplicationFactory(traject=leren, company=CompanyFactory(name="Bakkerij Peeters BV"))
    response = officer_client.post(ADD, {"company": existing.company.pk, "traject": leren.pk})
    assert response.status_code == 302
    # The form comes back filled in as it was.
    assert response["Location"] == f"{ADD}?company={existing.company.pk}&traject={leren.pk}"
    assert shown(response) == ["Bakkerij Peeters BV already has an open application for Voorsprong leren."]
    assert list(Application.objects.all()) == [existing]
    page = officer_client.get(response["Location"])
    assert page.context["adminform"].form.initial == {
        "company": str(existing.company.pk),
        "traject": str(leren.pk),
    }


def test_a_project_of_another_traject_is_refused_with_a_message(officer_client, leren):
    company, project = CompanyFactory(), ProjectFactory(traject=TrajectFactory(code="werk"))
    response = officer_client.post(ADD, {"company": company.pk, "traject": leren.pk, "project": project.pk})
    assert shown(response) == ["The project belongs to another traject."]
    assert not Application.objects.exists()


def test_the_add_form_asks_only_what_the_service_takes(officer_client):
    form = officer_client.get(ADD).context["adminform"].form
    assert list(form.fields) == ["company", "traject", "project"]


def test_the_change_form_never_changes_the_status(officer_client, leren):
    application = ApplicationFactory(traject=leren)
    response = officer_client.post(
        reverse("admin:participants_application_change", args=[application.pk]),
        {
            "company": application.company.pk,
            "traject": leren.pk,
            "status": ApplicationStatus.APPROVED,
            "decided_on": "2025-03-02",
        },
    )
    assert response.status_code == 302  # saved, the status fields ignored
    application.refresh_from_db()
    assert (application.status, application.decided_on) == (ApplicationStatus.SUBMITTED, None)
