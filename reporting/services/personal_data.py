"""The GDPR's state changes: the retention schedule, the purge of what expired, and the record of each
purge and access export. Where the data lives and when it expires: ``reporting.personal_data``."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from reporting import personal_data
from reporting.documents import personal_data as documents
from reporting.models import (
    MAX_RETENTION_YEARS,
    PersonalDataAction,
    PersonalDataRecord,
    RecordChannel,
    RetentionRule,
)
from voorsprong import data_version
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as

EXPORT_FORMATS = ("json", "pdf")
MAX_ADDRESS_LENGTH = PersonalDataRecord._meta.get_field("subject").max_length


@transaction.atomic
def save_retention_rule(rule: RetentionRule, *, by: User) -> RetentionRule:
    """Save the years a kind of personal data is kept; refuse years outside 1 to 30."""
    require_role(by, Role.OFFICER)
    if rule.years is None or not 1 <= rule.years <= MAX_RETENTION_YEARS:
        raise WorkflowRefusal(
            _("Keep personal data between 1 and %(max)s years.") % {"max": MAX_RETENTION_YEARS},
            "invalid_years",
            "years",
        )
    return save_as(rule, by, validate=True)


def _record(channel: str, by: User | None, **fields) -> PersonalDataRecord:
    # The nightly job is nobody; the constraints refuse an administration record without a user.
    by = None if channel == RecordChannel.BEAT else by
    return PersonalDataRecord.objects.create(channel=channel, by=by, **fields)


@transaction.atomic
def purge_personal_data(
    *, today: datetime.date, channel: str, by: User | None = None, dry_run: bool = False
) -> dict[str, dict[str, int]]:
    """Blank the personal data whose retention period ended before ``today``, in the rows and their history
    rows, and record the purge; return per kind how many rows and history rows changed. With ``dry_run``,
    return how many would change and change nothing. A second run changes nothing more."""
    if by is not None:
        require_role(by, Role.OFFICER)
    years = personal_data.retention_years()
    counts = {}
    for kind, targets in personal_data.TARGETS.items():
        cutoff = personal_data.cutoff_for(today, years[kind])
        counted = {"rows": 0, "history_rows": 0}
        for target in targets:
            counted["history_rows" if target.is_history else "rows"] += target.holding(cutoff).count()
            if dry_run:
                continue
            for name, way in target.replacements().items():
                target.expired(cutoff).filter(way.holds(name)).update(**{name: way.value(name)})
        counts[kind] = counted
    if not dry_run:
        data_version.bump()  # the updates send no signals; figures quote free texts that were blanked
        _record(channel, by, action=PersonalDataAction.PURGE, as_of=today, counts=counts)
    return counts


def check_address(address: str) -> str:
    """Return the e-mail address without surrounding blanks; refuse one that is not an address."""
    address = (address or "").strip()
    try:
        if len(address) > MAX_ADDRESS_LENGTH:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        raise WorkflowRefusal(
            _("Enter a valid e-mail address, such as naam@voorbeeld.be."), "invalid_email", "email"
        ) from None
    return address


@transaction.atomic
def export_personal_data(address: str, *, file_format: str, channel: str, by: User | None = None) -> bytes:
    """Return every row and history row that holds ``address`` as a JSON or PDF file, for the officers to
    send to the person who asked, and record the request; only officers (and administrators) export."""
    if by is not None:
        require_role(by, Role.OFFICER)
    address = check_address(address)
    if file_format not in EXPORT_FORMATS:
        raise WorkflowRefusal(_("Choose JSON or PDF."), "invalid_format", "file_format")
    found = personal_data.occurrences(address)
    content = documents.render(address, found, file_format)
    history_rows = sum(1 for occurrence in found if occurrence.is_history)
    _record(
        channel,
        by,
        action=PersonalDataAction.EXPORT,
        subject=address,
        format=file_format,
        counts={"rows": len(found) - history_rows, "history_rows": history_rows},
    )
    return content
