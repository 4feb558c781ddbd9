"""An approval needs a project wherever the traject has projects to choose from (``project_required``).

Promoters see an application through its project: approved without one, nobody would ever coach it. The
rule lives in ``approve_application``, so the API, the admin's bulk action and the decision page (and the
sign-off of an approval over the budget, which approves through it) all refuse alike.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from participants import services
from participants.models import Application, ApplicationStatus
from tests.clients import client_for
from tests.factories import ApplicationFactory, CapacityPeriodFactory, ProjectFactory, TrajectFactory
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
DUTCH_MESSAGE = "Kies eerst een project voor deze aanvraag"


@pytest.fixture
def leren():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY.replace(month=1, day=1), end=TODAY.replace(month=12, day=31), places=5
    )
    ProjectFactory(traject=traject, name="Leren – Syntra")
    return traject


def unchanged(application):
    """Return what a refused approval must leave as it was."""
    application.refresh_from_db()
    return (
        application.status,
        application.decided_on,
        application.capacity_period_id,
        Application.history.filter(id=application.pk).count(),
    )


def test_the_service_refuses_an_approval_without_a_project_when_the_traject_has_projects(officer, leren):
    application = ApplicationFactory(traject=leren, project=None)
    before = unchanged(application)
    with pytest.raises(WorkflowRefusal) as refused:
        services.approve_application(application, by=officer)
    assert refused.value.code == "project_required"
    assert DUTCH_MESSAGE in refused.value.message and "Voorsprong in leren" in refused.value.message
    assert unchanged(application) == before == (ApplicationStatus.SUBMITTED, None, None, 1)


def test_with_one_of_the_traject_s_projects_the_approval_goes_through(officer, leren):
    application = ApplicationFactory(traject=leren, project=leren.projects.get())
    approved = services.approve_application(application, by=officer)
    assert approved.status == ApplicationStatus.APPROVED


def test_a_traject_without_projects_approves_without_one(officer):
    motivatie = TrajectFactory(code="motivatie")
    CapacityPeriodFactory(
        traject=motivatie, start=TODAY.replace(month=1, day=1), end=TODAY.replace(month=12, day=31)
    )
    # A project of another traject does not make this one need a project.
    ProjectFactory(traject=TrajectFactory(code="werk"))
    application = ApplicationFactory(traject=motivatie, project=None)
    assert services.approve_application(application, by=officer).status == ApplicationStatus.APPROVED


def test_the_api_answers_409_project_required_and_changes_nothing(officer, leren):
    application = ApplicationFactory(traject=leren, project=None)
    before = unchanged(application)
    response = client_for(officer).post(f"/api/v1/applications/{application.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "project_required"
    assert DUTCH_MESSAGE in response.json()["detail"]
    assert unchanged(application) == before


def test_the_api_approves_once_the_project_is_set(officer, leren):
    application = ApplicationFactory(traject=leren, project=None)
    api = client_for(officer)
    project = leren.projects.get()
    patched = api.patch(f"/api/v1/applications/{application.pk}/", {"project": project.pk}, format="json")
    assert patched.status_code == 200, patched.json()
    response = api.post(f"/api/v1/applications/{application.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ApplicationStatus.APPROVED


def test_the_admin_bulk_action_says_why_per_application_and_approves_the_others(client, officer, leren):
    without = ApplicationFactory(traject=leren, project=None)
    with_project = ApplicationFactory(traject=leren, project=leren.projects.get())
    before = unchanged(without)
    client.force_login(officer)
    response = client.post(
        reverse("admin:participants_application_changelist"),
        {"action": "approve_selected", "_selected_action": [without.pk, with_project.pk]},
        follow=True,
    )
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(without.company.name in text and DUTCH_MESSAGE in text for text in shown), shown
    assert unchanged(without) == before
    with_project.refresh_from_db()
    assert with_project.status == ApplicationStatus.APPROVED
