"""Creating and updating companies from the KBO open-data extract and the register's updates.

On PostgreSQL a full extract is loaded with COPY and merged with set-based SQL, in one transaction
(participants.services.kbo_copy), judged by the same rules (``_company_values``, ``_merged``). Elsewhere,
and for updates (small files), the extract is read in one streaming pass (participants.kbo_extract) and
written in batches: per batch one query for the companies already known, then bulk inserts and bulk
updates with their history rows, in one transaction. Only what the KBO publishes is written; staff
headcount, the financial figures, contact details and joint committee stay as the officers entered them.

An update (``import_kbo_update``) changes only the facts its files name and is applied as a whole, in
one transaction, or not at all. An enterprise it deletes from the register is never deleted here: the
company may have applications, and its history stays. It is marked as no longer active, as a stopped
enterprise is, so it leaves the population of the reach; a later extract that has it again revives it.

Every import that ends is recorded (``KboImport``) with its extract number from meta.csv: an update must
be newer than the newest extract imported, so the same update twice, or an older one, is refused; a
full extract older than it too (the same full extract again is safe and allowed).
"""

import datetime
import functools
import gc
import inspect
import operator
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from participants.kbo import normalise_kbo_number
from participants.kbo_extract import (
    KboEnterprise,
    KboExtractError,
    KboMeta,
    is_printed_enterprise_number,
    read_kbo_extract,
    read_kbo_update,
    read_meta,
)
from participants.models import (
    NON_PROFIT_LEGAL_FORMS,
    Company,
    KboExtractType,
    KboImport,
    LegalForm,
    company_derived_fields,
)
from participants.services import kbo_copy
from voorsprong import data_version
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
_DAY_MONTH_YEAR = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_NATURAL_PERSON = "1"  # TypeOfEnterprise
_ACTIVE = "AC"  # Status

# The fields the KBO publishes (``_company_values`` returns some or all of them); written with those below.
_PUBLISHED_FIELDS = [
    "kbo_number",
    "name",
    "legal_form",
    "is_non_profit",
    "founded_on",
    "is_active",
    "nace_code",
    "nace_version",
    "postal_code",
    "municipality",
]
_UPDATED_FIELDS = [*_PUBLISHED_FIELDS[1:], "size_class", "province", "updated_at"]


@dataclass
class SkipReason:
    count: int = 0
    examples: list[str] = field(default_factory=list)  # the first few enterprise numbers


@dataclass
class KboImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # companies an update took out of the register, marked as no longer active
    skipped: dict[str, SkipReason] = field(default_factory=dict)  # by reason
    record: KboImport | None = None  # once the import ended

    @property
    def skipped_count(self) -> int:
        return sum(reason.count for reason in self.skipped.values())

    def skip(self, reason: str, number: str) -> None:
        skipped = self.skipped.setdefault(reason, SkipReason())
        skipped.count += 1
        if len(skipped.examples) < EXAMPLES_PER_SKIP_REASON:
            skipped.examples.append(number)


class KboImportStopped(Exception):
    """The extract turned out unreadable halfway; ``result`` counts the batches written before, unless
    ``kept`` is False: of an update, or of a full extract loaded with COPY, nothing was kept."""

    def __init__(self, message: str, result: KboImportResult, *, kept: bool = True):
        super().__init__(message)
        self.message = message
        self.result = result
        self.kept = kept


class KboImportRefused(Exception):
    """The extract is not imported at all: it is older than what was imported, or not of the kind asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def import_kbo_extract(
    directory: Path, *, batch_size: int = DEFAULT_BATCH_SIZE, use_copy: bool | None = None
) -> KboImportResult:
    """Create or update a company for every enterprise in the full extract in ``directory``.

    Running it again on the same extract changes nothing. On PostgreSQL (or with ``use_copy``, which only
    PostgreSQL can) it loads the files with COPY, in one transaction: KboImportStopped when a file cannot
    be read, and nothing is changed. Elsewhere it streams the sorted files: if one turns out to be
    unsorted, the batch being read is not written and KboImportStopped says where; the batches before it
    stay.
    KboImportRefused when meta.csv says it is an update, or an extract older than the newest imported.
    """
    meta = _meta(directory)
    if meta.extract_type == KboExtractType.UPDATE:
        raise KboImportRefused(
            _("This is an update of the register, not a full extract: import it with --update.")
        )
    last = _last_extract_number()
    if meta.extract_number is not None and last is not None and meta.extract_number < last:
        raise KboImportRefused(
            _(
                "This full extract (number %(number)d) is older than the extract already imported "
                "(number %(last)d)."
            )
            % {"number": meta.extract_number, "last": last}
        )
    reason = _("Imported from the KBO open data")
    if connection.vendor == "postgresql" if use_copy is None else use_copy:
        return _import_by_copy(directory, meta, reason)
    result = KboImportResult()
    batch: list[KboEnterprise] = []
    try:
        for enterprise in read_kbo_extract(directory):
            batch.append(enterprise)
            if len(batch) == batch_size:
                with transaction.atomic():
                    _write_batch(batch, result, reason)
                batch = []
    except KboExtractError as error:
        raise KboImportStopped(str(error), result) from error
    with transaction.atomic():
        _write_batch(batch, result, reason)
        _record(KboExtractType.FULL, meta, result)
    return result


def _import_by_copy(directory: Path, meta: KboMeta, reason: str) -> KboImportResult:
    """Import the full extract through COPY and staging tables (participants.services.kbo_copy), in one
    transaction: a file that cannot be read changes nothing."""
    result = KboImportResult()
    now = timezone.now()
    try:
        staging = kbo_copy.load_staging(directory, _PUBLISHED_FIELDS)
    except KboExtractError as error:
        raise KboImportStopped(str(error), KboImportResult(), kept=False) from error
    try:
        with transaction.atomic(), _cycle_collector_paused():
            kbo_copy.create_accepted_table(_UPDATED_FIELDS)
            for chunk in kbo_copy.reduced_enterprises(staging):
                changed = []
                result.created += kbo_copy.insert_companies(
                    _new_companies(chunk, result, changed, now),
                    sum(pk is None for _enterprise, pk, _current in chunk),
                    reason,
                    now,
                )
                known = Company.objects.in_bulk([pk for _enterprise, pk in changed])
                merged = [_merged(enterprise, known[pk], result, now) for enterprise, pk in changed]
                result.updated += len(merged)
                kbo_copy.copy_accepted([kbo_copy.company_row(company) for company in merged], _UPDATED_FIELDS)
            if result.updated:
                kbo_copy.update_accepted(_UPDATED_FIELDS, reason, now)
            if result.created or result.updated:
                kbo_copy.analyze_companies()
                data_version.bump()
            _record(KboExtractType.FULL, meta, result)
    finally:
        kbo_copy.drop_staging(staging)
    return result


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the block, and let it run once at its end.

    A national import makes tens of millions of short-lived objects (the rows read, the tuples and dicts
    judged and written), none of them in a reference cycle: reference counting frees each at once. The
    collector, which looks through the newest objects after every 700 made, took a quarter of Python's time
    all the same; Python is the slower side of the import, which took 5 s less without it (of 62 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _new_companies(
    chunk: list[tuple[KboEnterprise, int | None, dict | None]],
    result: KboImportResult,
    changed: list[tuple[KboEnterprise, int]],
    now: datetime.datetime,
) -> Iterator[dict]:
    """Yield the fields of each new company of a chunk of the reduced extract as it is judged; count the
    skipped and unchanged enterprises in ``result`` and add the known companies that change to ``changed``."""
    for enterprise, pk, current in chunk:
        # A full extract's enterprise has every fact, so its values need no known company.
        values = _company_values(enterprise, result, None)
        if values is None:
            continue
        if pk is None:
            # Most of a first import: its row is written as is, without a Company to build.
            company = _new_company(values)
            company["created_at"] = company["updated_at"] = now
            yield company
        elif _differs(current, values):
            changed.append((enterprise, pk))
        else:
            # Most of a repeated import: compared with the values the reduction returned.
            result.unchanged += 1


def import_kbo_update(directory: Path, *, batch_size: int = DEFAULT_BATCH_SIZE) -> KboImportResult:
    """Apply the register's update in ``directory``: per kind of fact, its delete file, then its insert file.

    All or nothing, in one transaction: KboImportStopped when a file turns out unreadable (nothing is
    kept), KboImportRefused when meta.csv does not say it is an update newer than the newest extract
    imported, or before any extract with a number was imported.
    """
    meta = _meta(directory)
    if meta.extract_type != KboExtractType.UPDATE or meta.extract_number is None:
        raise KboImportRefused(
            _("meta.csv does not say this is an update (ExtractType update, with its ExtractNumber).")
        )
    result = KboImportResult()
    try:
        with transaction.atomic():
            last = _last_extract_number()
            if last is None:
                raise KboImportRefused(
                    _(
                        "No extract with a number was imported yet: import the full extract, with its "
                        "meta.csv, first."
                    )
                )
            if meta.extract_number <= last:
                raise KboImportRefused(
                    _(
                        "Update %(number)d is not newer than the extract already imported (number %(last)d): "
                        "it was applied before, or is older."
                    )
                    % {"number": meta.extract_number, "last": last}
                )
            try:
                # Claimed first: the same update run twice at once waits here for the other, then fails.
                with transaction.atomic():
                    record = _record(KboExtractType.UPDATE, meta, result)
            except IntegrityError as error:
                raise KboImportRefused(
                    _("Update %(number)d was applied at the same time by another import.")
                    % {"number": meta.extract_number}
                ) from error
            reason = _("Updated from the KBO open data (update %(number)d)") % {"number": meta.extract_number}
            batch: list[KboEnterprise] = []
            for enterprise in read_kbo_update(directory):
                batch.append(enterprise)
                if len(batch) == batch_size:
                    _write_batch(batch, result, reason)
                    batch = []
            _write_batch(batch, result, reason)
            _save_counts(record, result)
    except KboExtractError as error:
        raise KboImportStopped(str(error), KboImportResult(), kept=False) from error
    return result


def _meta(directory: Path) -> KboMeta:
    try:
        return read_meta(directory)
    except KboExtractError as error:
        raise KboImportRefused(str(error)) from error


def _last_extract_number() -> int | None:
    return KboImport.objects.aggregate(last=Max("extract_number"))["last"]


def _record(extract_type: str, meta: KboMeta, result: KboImportResult) -> KboImport:
    return _save_counts(
        KboImport(
            extract_type=extract_type, extract_number=meta.extract_number, snapshot_date=meta.snapshot_date
        ),
        result,
    )


def _save_counts(record: KboImport, result: KboImportResult) -> KboImport:
    record.created, record.updated, record.removed = result.created, result.updated, result.removed
    record.unchanged, record.skipped = result.unchanged, result.skipped_count
    record.save()
    result.record = record
    return record


def _company_values(enterprise: KboEnterprise, result: KboImportResult, known: Company | None) -> dict | None:
    """Return the Company fields the KBO publishes for this enterprise, or None when it is skipped.

    Of an update, only the fields of the facts it names (the others are None in ``enterprise``); the
    ``known`` company, if any, gives the rest that the checks need.
    """
    try:
        kbo_number = normalise_kbo_number(enterprise.number)
    except ValidationError as error:
        result.skip(_("invalid enterprise number: %(reason)s") % error.params, enterprise.number)
        return None
    if not is_printed_enterprise_number(enterprise.number):
        result.skip(_("enterprise number not printed as 0123.456.789"), enterprise.number)
        return None
    if enterprise.status is None and known is None:
        result.skip(_("not in the register's enterprise file, nor imported before"), enterprise.number)
        return None
    texts = (enterprise.name, enterprise.postal_code, enterprise.municipality, enterprise.nace_code)
    # One pattern of characters each text must keep to: checked once over them all, 1.9 million times.
    if not validate_one_line.accepts("".join(filter(None, texts))):
        # Skipped rather than cleaned, like every row the extract gets wrong: good data never has a
        # control character (PostgreSQL cannot even store a NUL) or a direction override.
        result.skip(_("a control or direction-override character in the extract's data"), enterprise.number)
        return None
    if enterprise.nace_code and not _NACE_CODE.fullmatch(enterprise.nace_code):
        result.skip(_("main activity is not a NACE-BEL code of up to 5 digits"), enterprise.number)
        return None
    name = enterprise.name if enterprise.name is not None else known.name
    if not name:
        result.skip(_("no legal name in the extract"), enterprise.number)
        return None
    values = {"kbo_number": kbo_number, "name": _fit(name, "name")}
    if enterprise.status is not None:
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
        legal_form = (
            LegalForm.SOLE_TRADER
            if natural_person
            else JURIDICAL_FORMS.get(enterprise.juridical_form, LegalForm.OTHER)
        )
        values |= {
            "legal_form": legal_form,
            "is_non_profit": legal_form in NON_PROFIT_LEGAL_FORMS,
            "founded_on": founded_on,
            "is_active": enterprise.status == _ACTIVE,
        }
    else:
        natural_person = known.legal_form == LegalForm.SOLE_TRADER
    if enterprise.nace_code is not None:
        values |= {"nace_code": enterprise.nace_code, "nace_version": enterprise.nace_version}
    # The seat of a natural person is not in the open data, so an update leaves it as it was.
    if not natural_person and enterprise.postal_code is not None:
        values["postal_code"] = _fit(enterprise.postal_code, "postal_code")
        values["municipality"] = _fit(enterprise.municipality, "municipality")
    return values


# Some tens of thousands of start dates among 1.9 million enterprises: each one parsed once.
@functools.lru_cache(maxsize=1 << 16)
def _start_date(text: str) -> datetime.date | None:
    """Return the date of dd-mm-yyyy; ValueError when it is not one."""
    if not text:
        return None
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        # What strptime would return (ValueError for 31-02-2020 too), at a tenth of its cost per line.
        day, month, year = match.groups()
        return datetime.date(int(year), int(month), int(day))
    return datetime.datetime.strptime(text, "%d-%m-%Y").date()


def _fit(text: str, field_name: str) -> str:
    """Cut to the column's length: a few KBO names are longer than any column allows (up to 320)."""
    return text[: _max_length(field_name)]


@functools.cache
def _max_length(field_name: str) -> int:
    return Company._meta.get_field(field_name).max_length


_DERIVED_FROM = tuple(inspect.signature(company_derived_fields).parameters)
_DERIVED_ARGUMENTS = operator.itemgetter(*_DERIVED_FROM)


@functools.cache
def _company_defaults() -> dict:
    # The KBO publishes no staff figures: the size class stays unknown until the SME status is declared
    # (participants.services.sme), never micro by default.
    return {field.attname: field.get_default() for field in Company._meta.concrete_fields} | {
        "staff_headcount": None
    }


def _new_company(values: dict) -> dict:
    """Return the fields of a new company with the KBO's ``values``, its derived fields included."""
    # One dict built, updated in place: 1.9 million times in a first national import.
    company = {**_company_defaults(), **values}
    company.update(_derived_fields(*_DERIVED_ARGUMENTS(company)))
    return company


# A few thousand combinations of postal code, activity and non-profit among 1.9 million new companies.
@functools.lru_cache(maxsize=1 << 14)
def _derived_fields(*arguments) -> dict:
    """Return ``company_derived_fields`` of its ``arguments`` in order; the caller must not change it."""
    return company_derived_fields(**dict(zip(_DERIVED_FROM, arguments, strict=True)))


def _merged(
    enterprise: KboEnterprise, company: Company | None, result: KboImportResult, now: datetime.datetime
) -> Company | None:
    """Return the company as the extract has it when it is new (no pk yet) or changed; None when the
    enterprise is skipped or the company already agrees (counted as unchanged)."""
    values = _company_values(enterprise, result, company)
    if values is None:
        return None
    if company is None:
        return Company(**_new_company(values))
    if _differs({name: getattr(company, name) for name in values}, values):
        for name, value in values.items():
            setattr(company, name, value)
        company.refresh_derived_fields()
        company.updated_at = now  # bulk_update does not apply auto_now
        return company
    result.unchanged += 1
    return None


def _differs(current: dict, values: dict) -> bool:
    """Return whether the extract's ``values`` change the company's ``current`` fields."""
    return any(current[name] != value for name, value in values.items())


def _write_batch(batch: list[KboEnterprise], result: KboImportResult, reason: str) -> None:
    """Write a batch of enterprises with their history rows, in the caller's transaction."""
    if not batch:
        return
    numbers = [re.sub(r"\D", "", enterprise.number) for enterprise in batch]
    known = Company.objects.in_bulk(numbers, field_name="kbo_number")
    new, changed, removed = [], [], []
    now = timezone.now()
    for enterprise, number in zip(batch, numbers, strict=True):
        company = known.get(number)
        if enterprise.removed:
            if company is not None and company.is_active:
                company.is_active = False
                company.updated_at = now
                removed.append(company)
            elif company is not None:
                result.unchanged += 1
            continue
        merged = _merged(enterprise, company, result, now)
        if merged is not None:
            (new if merged.pk is None else changed).append(merged)
    removed_reason = _("Removed from the KBO register")
    if connection.vendor == "postgresql":
        kbo_copy.write_companies([*new, *changed], _UPDATED_FIELDS, reason, now)
        kbo_copy.write_companies(removed, ["is_active", "updated_at"], removed_reason, now)
    else:
        bulk_create_with_history(new, Company, default_change_reason=reason)
        bulk_update_with_history(changed, Company, fields=_UPDATED_FIELDS, default_change_reason=reason)
        bulk_update_with_history(
            removed, Company, fields=["is_active", "updated_at"], default_change_reason=removed_reason
        )
    if new or changed or removed:
        data_version.bump()  # bulk writes send no signals; the population of the reach changed
    result.created += len(new)
    result.updated += len(changed)
    result.removed += len(removed)
