"""Every model is in the admin, with working lists, search, filters and forms."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from participants.models import Evaluation, ImportJob, KboImport
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CoachingSessionFactory,
    CompanyFactory,
    ProjectFactory,
    ReferralFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
PROJECT_APPS = {"voorsprong", "trajects", "participants", "funding", "reporting"}


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def one_of_everything():
    session = CoachingSessionFactory()
    Evaluation.objects.create(
        application=session.application,
        usefulness=5,
        coach_quality=4,
        learning_culture_effect=4,
        would_recommend=5,
    )
    ReferralFactory()
    ProjectFactory()
    # A queued KBO import a worker applied, with the import it recorded.
    ImportJob.objects.create(
        extract_type="full",
        source="imports/kbo-1",
        status="done",
        built_by="alpha@host",
        kbo_import=KboImport.objects.create(
            extract_type="full", created=1, updated=0, removed=0, unchanged=0, skipped=0
        ),
    )


def registered_models():
    return [model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS]


def test_every_project_model_is_registered():
    from django.apps import apps

    models = {
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    }
    assert models == set(registered_models())


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_list_search_add_change_and_history_pages_render(client, superuser, one_of_everything, model):
    client.force_login(superuser)
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert client.get(reverse(f"{base}_changelist")).status_code == 200
    if admin.site._registry[model].search_fields:
        assert client.get(reverse(f"{base}_changelist"), {"q": "a"}).status_code == 200
    # A model whose rows only come with another's (read-only here) has no add page.
    request = RequestFactory().get("/")
    request.user = superuser
    addable = admin.site._registry[model].has_add_permission(request)
    assert client.get(reverse(f"{base}_add")).status_code == (200 if addable else 403)
    instance = model.objects.first()
    if instance is not None:
        assert client.get(reverse(f"{base}_change", args=[instance.pk])).status_code == 200
        assert client.get(reverse(f"{base}_history", args=[instance.pk])).status_code == 200


def test_application_list_filters_work_together(client, officer):
    submitted = ApplicationFactory()
    ApplicationFactory(traject=submitted.traject, submitted_on=datetime.date(2025, 5, 1))
    client.force_login(officer)
    response = client.get(
        reverse("admin:participants_application_changelist"),
        {
            "traject__id__exact": submitted.traject.pk,
            "status__exact": "submitted",
            "company__size_class": "small",
            "company__province": "oost_vlaanderen",
            "approved": "no",
        },
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def test_company_search_accepts_the_printed_kbo_notation(client, officer):
    company = CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker")
    CompanyFactory()
    client.force_login(officer)
    for typed in ("0403.170.701", "BE 0403 170 701", "Anker"):
        response = client.get(reverse("admin:participants_company_changelist"), {"q": typed})
        assert list(response.context["cl"].result_list) == [company], typed


def test_company_page_shows_its_applications(client, officer):
    application = ApplicationFactory()
    client.force_login(officer)
    response = client.get(reverse("admin:participants_company_change", args=[application.company.pk]))
    assert application.traject.name in response.content.decode()


def test_status_and_decision_cannot_be_edited_in_the_admin(client, officer):
    application = ApplicationFactory()
    client.force_login(officer)
    form = (
        client.get(reverse("admin:participants_application_change", args=[application.pk]))
        .context["adminform"]
        .form
    )
    assert "status" not in form.fields
    assert "decided_on" not in form.fields


def test_the_admin_speaks_dutch_by_default(client, officer):
    client.force_login(officer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Ondernemingen" in page
    assert "Aanvragen" in page


def test_officer_cannot_manage_users_or_delete_applications(client, officer):
    application = ApplicationFactory()
    client.force_login(officer)
    assert client.get(reverse("admin:voorsprong_user_add")).status_code == 403
    assert (
        client.get(reverse("admin:participants_application_delete", args=[application.pk])).status_code == 403
    )


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.CABINET])
def test_non_staff_roles_do_not_enter_the_admin(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("admin:participants_company_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_capacity_period_places_cannot_drop_below_the_places_taken_in_the_admin(client, officer):
    period = ApprovedApplicationFactory(capacity_period__places=2).capacity_period
    ApprovedApplicationFactory(traject=period.traject, capacity_period=period)
    client.force_login(officer)
    url = reverse("admin:trajects_capacityperiod_change", args=[period.pk])

    refused = client.post(url, {"places": "1", "_save": "Opslaan"})
    accepted = client.post(url, {"places": "5", "_save": "Opslaan"})

    assert refused.status_code == 200
    assert "2 plaatsen van deze periode zijn al ingenomen" in refused.content.decode()
    assert accepted.status_code == 302
    period.refresh_from_db()
    assert period.places == 5
    assert period.history.first().history_user == officer


def test_the_traject_page_shows_its_periods_without_changing_them(client, superuser):
    period = ApprovedApplicationFactory().capacity_period
    client.force_login(superuser)

    page = client.get(reverse("admin:trajects_traject_change", args=[period.traject.pk]))

    assert page.status_code == 200
    assert 'name="capacity_periods-0-places"' not in page.content.decode()
    assert reverse("admin:trajects_capacityperiod_change", args=[period.pk]) in page.content.decode()
