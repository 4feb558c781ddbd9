"""Creating and updating companies from the KBO open-data extract.

The extract is read in one streaming pass (participants.kbo_extract) and written in batches: per
batch one query for the companies already known, then bulk inserts and bulk updates with their
history rows, in one transaction. Only what the KBO publishes is written; staff headcount, the
financial figures, contact details and joint committee stay as the officers entered them.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from participants.kbo import normalise_kbo_number
from participants.kbo_extract import (
    KboEnterprise,
    KboExtractError,
    is_printed_enterprise_number,
    read_kbo_extract,
)
from participants.models import NON_PROFIT_LEGAL_FORMS, Company, LegalForm
from voorsprong.validators import validate_founding_day, validate_one_line

DEFAULT_BATCH_SIZE = 1000
EXAMPLES_PER_SKIP_REASON = 5

# KBO juridical form codes (code.csv, category "JuridicalForm") of the forms the programme tells
# apart. Forms from before the Code of Companies and Associations (WVV) map to their successor; the
# extract gives the WVV form to read (JuridicalFormCAC) for companies that did not yet adapt their
# articles. Every other code (public-law bodies, foreign entities, ...) becomes OTHER.
JURIDICAL_FORMS = {
    "610": LegalForm.BV,  # Besloten vennootschap
    "015": LegalForm.BV,  # Besloten vennootschap met beperkte aansprakelijkheid (BVBA)
    "014": LegalForm.NV,  # Naamloze vennootschap
    "706": LegalForm.CV,  # Coöperatieve vennootschap
    "008": LegalForm.CV,  # Coöperatieve vennootschap met beperkte aansprakelijkheid (CVBA)
    "006": LegalForm.CV,  # Coöperatieve vennootschap met onbeperkte aansprakelijkheid (CVOA)
    "001": LegalForm.CV,  # Europese coöperatieve vennootschap (SCE)
    "612": LegalForm.COMMV,  # Commanditaire vennootschap
    "012": LegalForm.COMMV,  # Gewone commanditaire vennootschap
    "013": LegalForm.COMMV,  # Commanditaire vennootschap op aandelen
    "011": LegalForm.VOF,  # Vennootschap onder firma
    "017": LegalForm.VZW,  # Vereniging zonder winstoogmerk
    "125": LegalForm.IVZW,  # Internationale vereniging zonder winstoogmerk
    "026": LegalForm.PRIVATE_FOUNDATION,  # Private stichting
    "029": LegalForm.PUBLIC_FOUNDATION,  # Stichting van openbaar nut
    "124": LegalForm.PUBLIC_BODY,  # Openbare instelling
}
_NACE_CODE = re.compile(r"\d{2,5}")
_NATURAL_PERSON = "1"  # TypeOfEnterprise
_ACTIVE = "AC"  # Status

_UPDATED_FIELDS = [
    "name",
    "legal_form",
    "is_non_profit",
    "founded_on",
    "is_active",
    "nace_code",
    "postal_code",
    "municipality",
    "size_class",
    "province",
    "updated_at",
]


@dataclass
class SkipReason:
    count: int = 0
    examples: list[str] = field(default_factory=list)  # the first few enterprise numbers


@dataclass
class KboImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, SkipReason] = field(default_factory=dict)  # by reason

    @property
    def skipped_count(self) -> int:
        return sum(reason.count for reason in self.skipped.values())

    def skip(self, reason: str, number: str) -> None:
        skipped = self.skipped.setdefault(reason, SkipReason())
        skipped.count += 1
        if len(skipped.examples) < EXAMPLES_PER_SKIP_REASON:
            skipped.examples.append(number)


class KboImportStopped(Exception):
    """The extract turned out unreadable halfway; ``result`` counts the batches written before."""

    def __init__(self, message: str, result: KboImportResult):
        super().__init__(message)
        self.message = message
        self.result = result


def import_kbo_extract(directory: Path, *, batch_size: int = DEFAULT_BATCH_SIZE) -> KboImportResult:
    """Create or update a company for every enterprise in the extract in ``directory``.

    Running it again on the same extract changes nothing. If a file turns out to be unsorted, the
    batch being read is not written and KboImportStopped says where; the batches before it stay.
    """
    result = KboImportResult()
    batch: list[dict] = []
    try:
        for enterprise in read_kbo_extract(directory):
            values = _company_values(enterprise, result)
            if values is None:
                continue
            batch.append(values)
            if len(batch) == batch_size:
                _write_batch(batch, result)
                batch = []
    except KboExtractError as error:
        raise KboImportStopped(str(error), result) from error
    _write_batch(batch, result)
    return result


def _company_values(enterprise: KboEnterprise, result: KboImportResult) -> dict | None:
    """Return the Company fields the KBO publishes for this enterprise, or None when it is skipped."""
    try:
        kbo_number = normalise_kbo_number(enterprise.number)
    except ValidationError as error:
        result.skip(_("invalid enterprise number: %(reason)s") % error.params, enterprise.number)
        return None
    if not is_printed_enterprise_number(enterprise.number):
        result.skip(_("enterprise number not printed as 0123.456.789"), enterprise.number)
        return None
    texts = (enterprise.name, enterprise.postal_code, enterprise.municipality, enterprise.nace_code)
    if not all(validate_one_line.accepts(text) for text in texts):
        # Skipped rather than cleaned, like every row the extract gets wrong: good data never has a
        # control character (PostgreSQL cannot even store a NUL) or a direction override.
        result.skip(_("a control or direction-override character in the extract's data"), enterprise.number)
        return None
    if enterprise.nace_code and not _NACE_CODE.fullmatch(enterprise.nace_code):
        result.skip(_("main activity is not a NACE-BEL code of up to 5 digits"), enterprise.number)
        return None
    if not enterprise.name:
        result.skip(_("no legal name in the extract"), enterprise.number)
        return None
    try:
        founded_on = _start_date(enterprise.start_date)
    except ValueError:
        result.skip(_("start date is not a date (dd-mm-yyyy)"), enterprise.number)
        return None
    try:
        validate_founding_day(founded_on)
    except ValidationError:
        result.skip(_("start date before 1800 or after 2100"), enterprise.number)
        return None

    natural_person = enterprise.type_of_enterprise == _NATURAL_PERSON
    if natural_person:
        legal_form = LegalForm.SOLE_TRADER
    else:
        legal_form = JURIDICAL_FORMS.get(enterprise.juridical_form, LegalForm.OTHER)
    values = {
        "kbo_number": kbo_number,
        "name": _fit(enterprise.name, "name"),
        "legal_form": legal_form,
        "is_non_profit": legal_form in NON_PROFIT_LEGAL_FORMS,
        "founded_on": founded_on,
        "is_active": enterprise.status == _ACTIVE,
        "nace_code": enterprise.nace_code,
    }
    # The seat of a natural person is not in the open data, so an update leaves it as it was.
    if not natural_person:
        values["postal_code"] = _fit(enterprise.postal_code, "postal_code")
        values["municipality"] = _fit(enterprise.municipality, "municipality")
    return values


def _start_date(text: str) -> datetime.date | None:
    return datetime.datetime.strptime(text, "%d-%m-%Y").date() if text else None


def _fit(text: str, field_name: str) -> str:
    """Cut to the column's length: a few KBO names are longer than any column allows (up to 320)."""
    return text[: Company._meta.get_field(field_name).max_length]


@transaction.atomic
def _write_batch(batch: list[dict], result: KboImportResult) -> None:
    if not batch:
        return
    known = Company.objects.in_bulk([values["kbo_number"] for values in batch], field_name="kbo_number")
    new, changed = [], []
    now = timezone.now()
    for values in batch:
        company = known.get(values["kbo_number"])
        if company is None:
            # The KBO publishes no staff figures: the size class stays unknown until the SME status is
            # declared (participants.services.sme), never micro by default.
            company = Company(staff_headcount=None, **values)
            company.refresh_derived_fields()
            new.append(company)
        elif any(getattr(company, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(company, name, value)
            company.refresh_derived_fields()
            company.updated_at = now  # bulk_update does not apply auto_now
            changed.append(company)
        else:
            result.unchanged += 1
    reason = _("Imported from the KBO open data")
    bulk_create_with_history(new, Company, default_change_reason=reason)
    bulk_update_with_history(changed, Company, fields=_UPDATED_FIELDS, default_change_reason=reason)
    result.created += len(new)
    result.updated += len(changed)
