"""The GDPR: the retention schedule, the purge of what expired (rows and history rows, figures untouched),
the access export of an e-mail address (JSON and PDF), and the record of each purge and export."""

import datetime
import importlib
import io
import json
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from funding.models import Declaration, DeclarationStatus
from participants.models import (
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Evaluation,
    ExitAnswer,
    Referral,
)
from reporting import personal_data
from reporting.models import PersonalDataKind, PersonalDataRecord, RecordChannel, RetentionRule
from reporting.questions.pq244 import pq244_figures
from reporting.services.personal_data import export_personal_data, purge_personal_data
from reporting.tasks import purge_personal_data as purge_task
from tests.demo_data import SMALL_POPULATION
from tests.factories import (
    CoachingSessionFactory,
    CompanyFactory,
    CompletedApplicationFactory,
    DeclarationFactory,
    EvaluationFactory,
    ReferralFactory,
    UserFactory,
)
from voorsprong.models import OutboxMessage, User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db

# The migration that seeds the default schedule; a transactional test that ran earlier on the same worker
# empties every table, the migration's rows included, so each test here seeds them again.
seed_schedule = importlib.import_module("reporting.migrations.0011_default_retention_schedule").seed_schedule


@pytest.fixture(autouse=True)
def default_schedule():
    RetentionRule.objects.all().delete()
    seed_schedule(django_apps, None)


REMOVED = "[verwijderd]"
ADDRESS = "jan.peeters@firma.be"


def aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def backdate_history(obj, day: datetime.date) -> None:
    """Date the object's history rows (made today by the factories) ``day``, as if it was written then."""
    type(obj).history.filter(id=obj.pk).update(history_date=aware(day))


def closed_file(ended_on=datetime.date(2020, 6, 30), paid_on=datetime.date(2021, 3, 15), **company):
    """Return an application completed on ``ended_on`` and paid last on ``paid_on``, of a company with a
    contact person registered in 2019, with notes, a referral and an evaluation that hold personal data."""
    company = CompanyFactory(
        contact_name="Jan Peeters", contact_email=ADDRESS, contact_phone="09 123 45 67", **company
    )
    Company.objects.filter(pk=company.pk).update(created_at=aware(datetime.date(2019, 1, 7)))
    referral = ReferralFactory(
        company=company, referred_on=datetime.date(2019, 11, 4), notes="Jan belt liever na 16 uur."
    )
    application = CompletedApplicationFactory(
        company=company,
        traject=referral.traject,
        referral=referral,
        submitted_on=datetime.date(2019, 12, 1),
        decided_on=datetime.date(2020, 1, 15),
        started_on=datetime.date(2020, 2, 1),
        ended_on=ended_on,
    )
    CoachingSessionFactory(
        application=application, date=datetime.date(2020, 2, 3), notes="Jan is ziek geweest."
    )
    EvaluationFactory(
        application=application, recommendations="Meer uitleg over ESF.", will_keep_doing="Leerplan"
    )
    if paid_on:
        DeclarationFactory(
            application=application,
            period_start=datetime.date(2020, 2, 1),
            period_end=datetime.date(2020, 2, 28),
            declared_on=datetime.date(2020, 3, 2),
            status=DeclarationStatus.PAID,
            decided_on=datetime.date(2020, 3, 10),
            paid_on=paid_on,
        )
    return application


def former_user(last_login=datetime.date(2021, 5, 3)) -> User:
    """Return the deactivated account of a promoter who logged in last on ``last_login``."""
    user = UserFactory(
        username="sofie.maes",
        first_name="Sofie",
        last_name="Maes",
        email="sofie@promotor.be",
        is_active=False,
    )
    User.objects.filter(pk=user.pk).update(
        date_joined=aware(datetime.date(2020, 1, 6)), last_login=aware(last_login)
    )
    backdate_history(user, last_login)
    return user


def personal_fields() -> dict:
    """Return the personal fields of every row and history row the purge may touch that holds some: a dump
    to compare before and after."""
    dump = {}
    for targets in personal_data.TARGETS.values():
        for target in targets:
            names = list(target.replacements())
            rows = target.model._base_manager.exclude(**dict.fromkeys(names, ""))
            dump[target.model._meta.label] = sorted(rows.values_list("pk", *names))
    return dump


def purge(today: str, *extra) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", "--today", today, *extra, stdout=out)
    return out.getvalue()


# -- the purge ------------------------------------------------------------------------------------------
def test_the_purge_removes_an_expired_contact_from_the_row_and_every_history_row():
    application = closed_file()
    company = Company.objects.get(pk=application.company_id)
    # An earlier contact person lives on in a history row only.
    company.contact_name, company.contact_email = "Els Claes", "els@firma.be"
    company.save()
    company.contact_name, company.contact_email = "Jan Peeters", ADDRESS
    company.save()
    assert company.history.count() == 3

    purge("2027-01-01")

    company.refresh_from_db()
    assert (company.contact_name, company.contact_email, company.contact_phone) == (REMOVED, "", "")
    for row in company.history.all():
        assert (row.contact_name, row.contact_email, row.contact_phone) == (REMOVED, "", ""), row.history_id
    # The company itself, its application and its money stay as they were.
    assert company.name.startswith("Onderneming") and company.kbo_number
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.COMPLETED
    assert Declaration.objects.get(application=application).amount == Decimal("100.00")


@pytest.mark.parametrize(("today", "purged"), [("2026-12-31", False), ("2027-01-01", True)])
def test_data_is_kept_through_the_last_day_and_removed_on_the_expiry_day(today, purged):
    # Last payment in 2021, five years: kept through 31/12/2026, removed from 1/1/2027.
    application = closed_file(paid_on=datetime.date(2021, 3, 15))
    ExitAnswer.objects.create(
        application=CompletedApplicationFactory(
            company=application.company,
            traject=application.traject,
            capacity_period=application.capacity_period,
            status=ApplicationStatus.STOPPED,
            stop_reason="no_time",
            reason="",
            submitted_on=datetime.date(2021, 1, 4),
            decided_on=datetime.date(2021, 1, 11),
            started_on=datetime.date(2021, 2, 1),
            ended_on=datetime.date(2021, 6, 30),
        ),
        main_reason="no_time",
        would_start_again="maybe",
        what_would_have_helped="Een coach die Jan beter kende.",
    )
    user = former_user(last_login=datetime.date(2021, 5, 3))
    request = PersonalDataRecord.objects.create(
        action="export", channel="command", subject="vraag@firma.be", format="pdf"
    )
    PersonalDataRecord.objects.filter(pk=request.pk).update(done_at=aware(datetime.date(2021, 9, 1)))
    before = personal_fields()

    purge(today)

    if not purged:
        assert personal_fields() == before
        return
    company = Company.objects.get(pk=application.company_id)
    assert (company.contact_name, company.contact_email) == (REMOVED, "")
    assert CoachingSession.objects.get(application=application).notes == ""
    assert Referral.objects.get(pk=application.referral_id).notes == ""
    evaluation = Evaluation.objects.get(application=application)
    assert (evaluation.recommendations, evaluation.will_keep_doing) == ("", "")
    assert ExitAnswer.objects.get().what_would_have_helped == ""
    user.refresh_from_db()
    assert (user.username, user.first_name, user.last_name, user.email) == (
        f"verwijderd-{user.pk}",
        REMOVED,
        "",
        "",
    )
    assert PersonalDataRecord.objects.get(pk=request.pk).subject == REMOVED


def test_open_files_and_money_still_due_are_kept():
    # A second application of the same company still runs: the contact person stays.
    running = closed_file()
    CompletedApplicationFactory(
        company=running.company,
        traject=running.traject,
        capacity_period=running.capacity_period,
        status=ApplicationStatus.IN_PROGRESS,
        ended_on=None,
    )
    # Ended long ago, but a declaration still waits for its payment.
    unpaid = closed_file(paid_on=None)
    DeclarationFactory(
        application=unpaid,
        period_start=datetime.date(2020, 2, 1),
        period_end=datetime.date(2020, 2, 28),
        declared_on=datetime.date(2020, 3, 2),
        status=DeclarationStatus.APPROVED,
        decided_on=datetime.date(2020, 3, 10),
    )
    # Paid late: the five years count from the year of the last payment.
    late = closed_file(paid_on=datetime.date(2024, 2, 1))
    # Deactivated, but logged in since the cut-off.
    user = former_user(last_login=datetime.date(2023, 4, 1))

    purge("2027-06-30")

    assert Company.objects.get(pk=running.company_id).contact_email == ADDRESS
    assert CoachingSession.objects.get(application=unpaid).notes == "Jan is ziek geweest."
    assert CoachingSession.objects.get(application=late).notes == "Jan is ziek geweest."
    assert User.objects.get(pk=user.pk).email == "sofie@promotor.be"
    # The last of them goes on 1 January 2030.
    purge("2030-01-01")
    assert CoachingSession.objects.get(application=late).notes == ""
    assert User.objects.get(pk=user.pk).email == ""


def test_the_retention_schedule_decides_how_long(officer):
    rule = RetentionRule.objects.get(kind="session_notes")
    rule.years = 10
    rule.save()
    application = closed_file()

    purge("2027-01-01")

    assert CoachingSession.objects.get(application=application).notes == "Jan is ziek geweest."
    assert Evaluation.objects.get(application=application).recommendations == ""
    purge("2032-01-01")
    assert CoachingSession.objects.get(application=application).notes == ""


def test_the_account_of_a_person_who_left_keeps_its_row_and_cannot_log_in():
    user = former_user()
    declaration = DeclarationFactory(declared_by=user)
    LogEntry.objects.create(
        user=UserFactory(),
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr="sofie.maes",
        action_flag=CHANGE,
    )
    user_history = list(user.history.values_list("history_id", flat=True))

    purge("2027-01-01")

    user.refresh_from_db()
    assert user.username == f"verwijderd-{user.pk}" and not user.has_usable_password()
    assert Declaration.objects.get(pk=declaration.pk).declared_by_id == user.pk
    for row in user.history.filter(history_id__in=user_history):
        assert (row.username, row.first_name, row.email) == (f"verwijderd-{user.pk}", REMOVED, "")
    assert LogEntry.objects.get(object_id=str(user.pk)).object_repr == REMOVED
    User.objects.filter(pk=user.pk).update(is_active=True)  # even reactivated, no password works
    assert authenticate(username=user.username, password="correct horse battery staple") is None


def test_a_dry_run_changes_nothing_and_a_second_run_nothing_more():
    closed_file()
    former_user()
    before = personal_fields()

    said = purge("2030-01-01", "--dry-run")

    assert personal_fields() == before
    assert not PersonalDataRecord.objects.exists()
    assert "company_contacts: would change 1 rows and 1 history rows" in said
    assert "former_users: would change 1 rows and 1 history rows" in said
    # The run does what the dry run said, records it, and a second run finds nothing left.
    done = purge("2030-01-01")
    assert done == said.replace("would change", "changed")
    assert personal_fields() != before
    after = personal_fields()
    again = purge("2030-01-01")
    assert "changed 1" not in again and personal_fields() == after
    record = PersonalDataRecord.objects.order_by("pk").first()
    assert (record.action, record.channel, record.as_of, record.by) == (
        "purge",
        "command",
        datetime.date(2030, 1, 1),
        None,
    )
    assert record.counts["company_contacts"] == {"rows": 1, "history_rows": 1}


def test_the_beat_runs_the_purge_nightly():
    assert settings.CELERY_BEAT_SCHEDULE["purge-personal-data-nightly"]["task"] == purge_task.name
    application = closed_file(paid_on=None)  # ended in 2020: expired since 1 January 2026

    counts = purge_task.delay().get()

    assert counts["session_notes"] == {"rows": 1, "history_rows": 1}
    assert CoachingSession.objects.get(application=application).notes == ""
    record = PersonalDataRecord.objects.get()
    assert (record.channel, record.by, record.as_of) == ("beat", None, timezone.localdate())


def test_only_officers_purge_by_hand():
    with pytest.raises(WorkflowRefusal):
        purge_personal_data(
            today=timezone.localdate(), channel=RecordChannel.ADMIN, by=UserFactory(role=Role.PROMOTER)
        )
    assert not PersonalDataRecord.objects.exists()


def test_the_figures_of_question_244_keep_their_fingerprint():
    call_command("seed_demo", *SMALL_POPULATION, stdout=io.StringIO())
    as_of = datetime.date(2025, 11, 26)
    before = pq244_figures(as_of)["fingerprint"]
    contacts = Company.objects.exclude(contact_email="").count()

    counts = purge_personal_data(today=datetime.date(2100, 1, 1), channel=RecordChannel.COMMAND)

    assert counts["company_contacts"]["rows"] > 0 and counts["evaluation_texts"]["rows"] > 0
    assert Company.objects.exclude(contact_email="").count() < contacts
    assert pq244_figures(as_of)["fingerprint"] == before
    # What is left belongs to companies with an application still open or money still due.
    left = Company.objects.exclude(contact_email="")
    open_statuses = ["draft", "submitted", "approved", "in_progress"]
    due = Declaration.objects.filter(status__in=[DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED])
    assert left.exists()
    assert (
        not left.exclude(applications__status__in=open_statuses)
        .exclude(applications__declarations__in=due)
        .exists()
    )
    assert (
        not Company.history.model.objects.exclude(contact_email="").exclude(id__in=left.values("pk")).exists()
    )


# -- the access export -----------------------------------------------------------------------------------
@pytest.fixture
def planted():
    """Return the address planted in five tables (and their history), with look-alikes that are not it."""
    company = CompanyFactory(contact_name="Jan Peeters", contact_email=ADDRESS)
    company.contact_phone = "09 123 45 67"
    company.save()  # a second history row, also holding the address
    user = UserFactory(username="jpeeters", email=ADDRESS.upper(), first_name="Jan")
    session = CoachingSessionFactory(notes=f"Afspraak bevestigd aan {ADDRESS}, daarna gebeld.")
    declaration = DeclarationFactory(description=f"Factuur gestuurd naar <{ADDRESS}>")
    message = OutboxMessage.objects.create(
        task="participants.tasks.send_mail", args=[ADDRESS], next_attempt_at=timezone.now()
    )
    # Look-alikes: a longer address that ends or begins like it.
    CompanyFactory(contact_email=f"x{ADDRESS}")
    CoachingSessionFactory(notes=f"Zie {ADDRESS}.com en ook mr.{ADDRESS}")
    return {
        ("participants.company", company.pk),
        *(("participants.historicalcompany", pk) for pk in company.history.values_list("pk", flat=True)),
        ("voorsprong.user", user.pk),
        *(("voorsprong.historicaluser", pk) for pk in user.history.values_list("pk", flat=True)),
        ("participants.coachingsession", session.pk),
        *(
            ("participants.historicalcoachingsession", pk)
            for pk in session.history.values_list("pk", flat=True)
        ),
        ("funding.declaration", declaration.pk),
        *(("funding.historicaldeclaration", pk) for pk in declaration.history.values_list("pk", flat=True)),
        ("voorsprong.outboxmessage", message.pk),
    }


def test_the_json_export_finds_every_occurrence_and_nothing_else(planted, tmp_path):
    output = tmp_path / "inzage.json"

    call_command(
        "export_personal_data",
        f"  {ADDRESS}  ",
        "--format",
        "json",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )

    export = json.loads(output.read_text())
    assert export["address"] == ADDRESS
    assert {(row["model"], row["id"]) for row in export["rows"]} == planted
    assert len(planted) == 10  # five tables, four of them with history rows
    user_row = next(row for row in export["rows"] if row["model"] == "voorsprong.user")
    assert user_row["found_in"] == ["email"] and "password" not in user_row["fields"]
    record = PersonalDataRecord.objects.get()
    assert (record.action, record.subject, record.format, record.channel) == (
        "export",
        ADDRESS,
        "json",
        "command",
    )
    assert record.counts["rows"] + record.counts["history_rows"] == len(planted)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_pdf_export_shows_every_occurrence(planted):
    content = export_personal_data(ADDRESS, file_format="pdf", channel=RecordChannel.COMMAND)

    assert content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    for heading in (
        "Inzage in persoonsgegevens",
        "Onderneming",
        "Onderneming – eerdere versies",
        "Gebruiker",
        "Declaratie",
    ):
        assert heading in text, heading
    # Once in the introduction, then once per row that holds it.
    assert text.lower().count(ADDRESS) == 1 + len(planted)
    assert "Afspraak bevestigd aan" in text and "Factuur gestuurd naar" in text


def test_an_address_nobody_holds_gives_an_empty_export():
    content = export_personal_data("niemand@nergens.be", file_format="json", channel=RecordChannel.COMMAND)
    assert json.loads(content)["rows"] == []


def test_a_malformed_address_is_refused_in_dutch(tmp_path):
    with pytest.raises(CommandError, match="Geef een geldig e-mailadres"):
        call_command("export_personal_data", "jan.peeters@", "--output", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
    assert not PersonalDataRecord.objects.exists()


def test_officers_answer_an_access_request_in_the_admin(planted, client, officer):
    client.force_login(officer)
    records = reverse("admin:reporting_personaldatarecord_changelist")
    url = reverse("admin:reporting_personaldatarecord_access_export")
    assert f'href="{url}"' in client.get(records).content.decode()
    assert "Inzageverzoek beantwoorden" in client.get(url).content.decode()

    response = client.post(url, {"email": ADDRESS, "file_format": "json"})

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="inzage-')
    assert {(row["model"], row["id"]) for row in json.loads(response.content)["rows"]} == planted
    record = PersonalDataRecord.objects.get()
    assert (record.by, record.channel, record.subject) == (officer, "admin", ADDRESS)
    assert ADDRESS in client.get(records).content.decode()


def test_the_admin_refuses_a_malformed_address_in_dutch(client, officer):
    client.force_login(officer)
    url = reverse("admin:reporting_personaldatarecord_access_export")

    response = client.post(url, {"email": "jan.peeters@firma", "file_format": "pdf"})

    assert response.status_code == 200
    assert "Geef een geldig e-mailadres, zoals naam@voorbeeld.be." in response.content.decode()
    assert not PersonalDataRecord.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PROMOTER, Role.CABINET, Role.SECTOR_CONSULTANT])
def test_nobody_but_officers_exports(role, client, planted):
    client.force_login(UserFactory(role=role, is_staff=True))
    url = reverse("admin:reporting_personaldatarecord_access_export")

    assert client.get(url).status_code == 403
    assert client.post(url, {"email": ADDRESS, "file_format": "json"}).status_code == 403
    with pytest.raises(WorkflowRefusal):
        export_personal_data(
            ADDRESS, file_format="json", channel=RecordChannel.ADMIN, by=UserFactory(role=role)
        )
    assert not PersonalDataRecord.objects.exists()


# -- the schedule in the admin ---------------------------------------------------------------------------
def test_without_a_rule_a_kind_is_kept_five_years():
    RetentionRule.objects.all().delete()
    assert personal_data.retention_years() == dict.fromkeys(PersonalDataKind.values, 5)


def test_the_migrations_seed_five_years_for_every_kind():
    assert dict(RetentionRule.objects.values_list("kind", "years")) == dict.fromkeys(
        [
            "company_contacts",
            "session_notes",
            "referral_notes",
            "evaluation_texts",
            "former_users",
            "access_requests",
        ],
        5,
    )


def test_officers_change_the_years_in_the_admin_and_the_history_says_who(client, officer):
    rule = RetentionRule.objects.get(kind="referral_notes")
    client.force_login(officer)
    url = reverse("admin:reporting_retentionrule_change", args=[rule.pk])

    refused = client.post(url, {"years": "0", "_save": "Opslaan"})
    assert (
        refused.status_code == 200
        and "Zorg ervoor dat deze waarde minstens 1 is." in refused.content.decode()
    )
    assert RetentionRule.objects.get(pk=rule.pk).years == 5

    assert client.post(url, {"years": "7", "_save": "Opslaan"}).status_code == 302
    rule.refresh_from_db()
    assert rule.years == 7 and rule.history.latest().history_user == officer
