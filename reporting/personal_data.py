"""Where personal data lives, when it expires, and where an e-mail address occurs: the reads of the GDPR.
The writes (the purge, the record of an export) are ``reporting.services.personal_data``.

Retention. Each kind of personal data (``PersonalDataKind``) is kept for the years of its
``RetentionRule``, counted from 31 December of the year its file closed, and removed from 1 January after
them: with five years, a file that closed in 2026 is kept until 31 December 2031 and purged from 1 January
2032 on. A file closes:

- an application: when it ended (completed, stopped or withdrawn: ``ended_on``; rejected: ``decided_on``)
  and none of its declarations still waits for a decision or a payment. Its year is the later of the end's
  and the last payment's (``paid_on``): the ESF+ rule, five years from 31 December of the year of the last
  payment, or of the end when nothing was paid. An open application never closes;
- a company's contact person: when every application of the company closed and expired, every referral
  of it expired, and the company was registered before that too;
- a referral: with its application, or without one in the year it was made;
- the account of a person who left (deactivated): in the year of its last sign of life (log-in, change of
  the account, or its creation);
- the address of an access request: in the year it was answered.

The purge blanks the personal fields only, in the rows and in their history rows: no row is deleted and
nothing the statistics count changes. Names become ``REMOVED``, so a list still shows there was one;
e-mail addresses, phone numbers and free texts become empty; an account keeps its row (the four-eyes
records point to it) under a username ``verwijderd-<id>`` with an unusable password.

Access export. ``occurrences`` searches every text, e-mail and JSON field of every model and its history
model (by field type, so a new model is covered without being listed), apart from credentials.
"""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Exists, JSONField, OuterRef, Q, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from funding.models import Declaration, DeclarationStatus
from participants.models import (
    ENDED_STATUSES,
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Evaluation,
    ExitAnswer,
    Referral,
)
from reporting.models import (
    DEFAULT_RETENTION_YEARS,
    PersonalDataAction,
    PersonalDataKind,
    PersonalDataRecord,
    RetentionRule,
)
from voorsprong.days import start_of
from voorsprong.models import User

# What a removed name reads as (the data of the back office is Dutch).
REMOVED = "[verwijderd]"
REMOVED_USERNAME_PREFIX = "verwijderd-"


# -- what a personal field becomes ------------------------------------------------------------------------
class Blank:
    """An e-mail address, phone number or free text: emptied."""

    def value(self, name: str):
        return Value("")

    def holds(self, name: str) -> Q:
        return ~Q(**{name: ""})


class Placeholder:
    """A name: ``REMOVED``, so that a list still shows there was one."""

    def value(self, name: str):
        return Value(REMOVED)

    def holds(self, name: str) -> Q:
        return ~Q(**{name: ""}) & ~Q(**{name: REMOVED})


class Numbered:
    """A username, which stays unique: ``verwijderd-<id>`` (``id``, as a history row's key is another)."""

    def value(self, name: str):
        return Concat(Value(REMOVED_USERNAME_PREFIX), Cast("id", CharField()))

    def holds(self, name: str) -> Q:
        return ~Q(**{name: self.value(name)})


class Unusable:
    """A password: one nobody can log in with (Django's mark of an unusable password)."""

    def value(self, name: str):
        return Value(f"{UNUSABLE_PASSWORD_PREFIX}{REMOVED_USERNAME_PREFIX}")

    def holds(self, name: str) -> Q:
        return ~Q(**{f"{name}__startswith": UNUSABLE_PASSWORD_PREFIX})


BLANK, PLACEHOLDER = Blank(), Placeholder()


@dataclass(frozen=True)
class Target:
    """Rows of one model that hold personal data of a kind: the personal fields and what each becomes, and
    the rows whose data expired before a cut-off day."""

    model: type[models.Model]
    fields: dict[str, Any]
    expired: Callable[[datetime.date], models.QuerySet]
    is_history: bool = False

    def replacements(self) -> dict[str, Any]:
        own = {field.name for field in self.model._meta.concrete_fields}
        return {name: way for name, way in self.fields.items() if name in own}

    def holding(self, cutoff: datetime.date) -> models.QuerySet:
        """Return the expired rows that still hold some of the personal data."""
        condition = Q()
        for name, way in self.replacements().items():
            condition |= way.holds(name)
        return self.expired(cutoff).filter(condition)

    def history(self) -> "Target":
        """Return the target of the model's history rows: those of the expired rows, whatever their date."""
        history_model = self.model.history.model
        return Target(
            history_model,
            self.fields,
            lambda cutoff: history_model.objects.filter(id__in=self.expired(cutoff).values("pk")),
            is_history=True,
        )


# -- when a file closed -----------------------------------------------------------------------------------
def cutoff_for(today: datetime.date, years: int) -> datetime.date:
    """Return the first day that is not expired under a rule of ``years``: data of a file that closed
    before it is removed on ``today``. Kept ``years`` from 31 December of the closing year means removed
    from 1 January of ``closing year + years + 1``, so closed before 1 January of ``today.year - years``."""
    return datetime.date(today.year - years, 1, 1)


def application_expired(cutoff: datetime.date) -> Q:
    """Return the condition on applications whose file closed before ``cutoff``."""
    money_pending = Declaration.objects.filter(
        application=OuterRef("pk"), status__in=[DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED]
    )
    paid_since = Declaration.objects.filter(application=OuterRef("pk"), paid_on__gte=cutoff)
    ended = Q(status__in=ENDED_STATUSES, ended_on__lt=cutoff) | Q(
        status=ApplicationStatus.REJECTED, decided_on__lt=cutoff
    )
    return ended & ~Q(Exists(money_pending)) & ~Q(Exists(paid_since))


def expired_applications(cutoff: datetime.date) -> models.QuerySet:
    return Application.objects.filter(application_expired(cutoff))


def expired_companies(cutoff: datetime.date) -> models.QuerySet:
    kept_application = Application.objects.filter(company=OuterRef("pk")).exclude(application_expired(cutoff))
    recent_referral = Referral.objects.filter(company=OuterRef("pk"), referred_on__gte=cutoff)
    return Company.objects.filter(created_at__lt=start_of(cutoff)).exclude(
        Q(Exists(kept_application)) | Q(Exists(recent_referral))
    )


def expired_referrals(cutoff: datetime.date) -> models.QuerySet:
    return Referral.objects.filter(
        Q(application__isnull=True, referred_on__lt=cutoff) | Q(application__in=expired_applications(cutoff))
    )


def expired_accounts(cutoff: datetime.date) -> models.QuerySet:
    """Return the deactivated accounts with no sign of life since ``cutoff``."""
    start = start_of(cutoff)
    changed_since = User.history.model.objects.filter(id=OuterRef("pk"), history_date__gte=start)
    return (
        User.objects.filter(is_active=False, date_joined__lt=start)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=start))
        .exclude(Exists(changed_since))
    )


def expired_user_log_entries(cutoff: datetime.date) -> models.QuerySet:
    """Return the admin's log entries about expired accounts: they name the account as it was."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id__in=expired_accounts(cutoff).annotate(key=Cast("pk", TextField())).values("key"),
    )


def expired_access_requests(cutoff: datetime.date) -> models.QuerySet:
    return PersonalDataRecord.objects.filter(action=PersonalDataAction.EXPORT, done_at__lt=start_of(cutoff))


def _in_expired_applications(model) -> Callable[[datetime.date], models.QuerySet]:
    return lambda cutoff: model.objects.filter(application__in=expired_applications(cutoff))


def _with_history(*targets: Target) -> tuple[Target, ...]:
    """Return the targets, each followed by that of its history rows when the model keeps a history."""
    return tuple(
        part
        for target in targets
        for part in ((target, target.history()) if hasattr(target.model, "history") else (target,))
    )


CONTACT = {"contact_name": PLACEHOLDER, "contact_email": BLANK, "contact_phone": BLANK}
# The first name stands for the whole name, so "[verwijderd]" reads once in a list of users.
ACCOUNT = {
    "first_name": PLACEHOLDER,
    "last_name": BLANK,
    "email": BLANK,
    "username": Numbered(),
    "password": Unusable(),
}

# Every kind of personal data the schedule covers, and where it lives.
TARGETS: dict[str, tuple[Target, ...]] = {
    PersonalDataKind.COMPANY_CONTACTS: _with_history(Target(Company, CONTACT, expired_companies)),
    PersonalDataKind.SESSION_NOTES: _with_history(
        Target(CoachingSession, {"notes": BLANK}, _in_expired_applications(CoachingSession))
    ),
    PersonalDataKind.REFERRAL_NOTES: _with_history(Target(Referral, {"notes": BLANK}, expired_referrals)),
    PersonalDataKind.EVALUATION_TEXTS: _with_history(
        Target(
            Evaluation,
            {"will_keep_doing": BLANK, "recommendations": BLANK},
            _in_expired_applications(Evaluation),
        ),
        Target(ExitAnswer, {"what_would_have_helped": BLANK}, _in_expired_applications(ExitAnswer)),
    ),
    PersonalDataKind.FORMER_USERS: (
        *_with_history(Target(User, ACCOUNT, expired_accounts)),
        Target(LogEntry, {"object_repr": PLACEHOLDER}, expired_user_log_entries, is_history=True),
    ),
    PersonalDataKind.ACCESS_REQUESTS: (
        Target(PersonalDataRecord, {"subject": PLACEHOLDER}, expired_access_requests),
    ),
}


def retention_years() -> dict[str, int]:
    """Return the years each kind is kept: the schedule's, or the default for a kind it lacks."""
    years = dict.fromkeys(PersonalDataKind.values, DEFAULT_RETENTION_YEARS)
    years.update(RetentionRule.objects.values_list("kind", "years"))
    return years


# -- where an address occurs ------------------------------------------------------------------------------
# Tables that hold no personal data of their own, and the register of the requests themselves.
NOT_SEARCHED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "reporting.personaldatarecord",
}
# Credentials are neither searched nor shown: an export must not hand out a way in.
CREDENTIAL = re.compile(r"password|secret|token|(^|_)key$")


def searched_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, CharField | TextField | JSONField) and not CREDENTIAL.search(field.name)
    ]


def searched_models() -> list[type[models.Model]]:
    """Return every model (history models too) with a field that can hold an address."""
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_SEARCHED and searched_fields(model)
    ]


def address_pattern(address: str) -> re.Pattern:
    """Return the pattern of ``address`` as a whole address: not the tail of a longer one
    (``xjan@firma.be``) nor its beginning (``jan@firma.be.com``)."""
    return re.compile(rf"(?<![\w.+-]){re.escape(address)}(?![\w-]|\.\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Occurrence:
    """A row that holds the address: its model, key, every field but credentials, and those that hold it."""

    model: type[models.Model]
    pk: Any
    values: dict[str, Any]
    found_in: tuple[str, ...]

    @property
    def is_history(self) -> bool:
        return hasattr(self.model, "instance_type")  # what simple-history gives its history models

    @property
    def sort_key(self) -> tuple[str, bool]:
        model = self.model.instance_type if self.is_history else self.model
        return model._meta.label_lower, self.is_history


def _plain(value):
    """Return ``value`` as JSON can hold it."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def occurrences(address: str) -> list[Occurrence]:
    """Return every row and history row that holds ``address``, by model and key."""
    pattern = address_pattern(address)
    found = []
    for model in searched_models():
        fields = searched_fields(model)
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field.name}__icontains": address})
        shown = [field for field in model._meta.concrete_fields if not CREDENTIAL.search(field.name)]
        for row in model._base_manager.filter(condition).order_by("pk"):
            holding = tuple(
                field.name
                for field in fields
                if getattr(row, field.attname) is not None
                and pattern.search(_as_text(getattr(row, field.attname)))
            )
            if holding:
                values = {field.attname: _plain(getattr(row, field.attname)) for field in shown}
                found.append(Occurrence(model, row.pk, values, holding))
    # Each model's rows, then their earlier versions.
    return sorted(found, key=lambda occurrence: (*occurrence.sort_key, occurrence.pk))
