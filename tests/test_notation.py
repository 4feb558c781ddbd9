"""One notation everywhere (nl-BE): dates as 26/11/2025 in tables and forms and 26 november 2025 in running
text, amounts as 1.234,56, hours as 13,5, and Dutch labels rather than codes in spreadsheets."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats
from openpyxl import load_workbook

from funding.models import Declaration
from funding.models import DeclarationStatus as DS
from reporting.documents import render_report
from tests.factories import ApprovedApplicationFactory, UserFactory
from tests.test_documents import SAMPLE
from voorsprong import money
from voorsprong.formats import long_date, short_date
from voorsprong.roles import Role
from voorsprong.spreadsheets import Column, Sheet, write_workbook

DAY = datetime.date(2025, 11, 26)


def test_dates_in_tables_and_forms_and_in_running_text():
    assert formats.date_format(DAY) == formats.date_format(DAY, "SHORT_DATE_FORMAT") == "26/11/2025"
    assert formats.localize(DAY) == short_date(DAY) == "26/11/2025"  # what the admin's lists show
    assert long_date(DAY) == "26 november 2025"
    rendered = Template("{% load notation %}{{ day }} · {{ day|long_date }}").render(Context({"day": DAY}))
    assert rendered == "26/11/2025 · 26 november 2025"


@pytest.mark.parametrize("written", ["26/11/2025", "2025-11-26", "26-11-2025"])
def test_a_date_field_takes_the_belgian_and_the_iso_notation(written):
    field = forms.DateField()
    assert field.clean(written) == DAY
    assert forms.DateInput().format_value(DAY) == "26/11/2025"  # and writes it the Belgian way


@pytest.mark.parametrize("written", ["11/26/2025", "26 november 2025", "2025/13/01"])
def test_a_date_field_refuses_other_notations(written):
    with pytest.raises(forms.ValidationError, match="Voer een geldige datum in"):
        forms.DateField().clean(written)


@pytest.mark.parametrize(
    ("value", "amount", "euro", "hours"),
    [
        (Decimal("1234.5"), "1.234,50", "€\u00a01.234,50", "1.234,5"),
        (Decimal("13.50"), "13,50", "€\u00a013,50", "13,5"),
        (Decimal("40.50"), "40,50", "€\u00a040,50", "40,5"),
        (Decimal("8.00"), "8,00", "€\u00a08,00", "8"),
        (Decimal("0.25"), "0,25", "€\u00a00,25", "0,25"),
        (Decimal("2688800"), "2.688.800,00", "€\u00a02.688.800,00", "2.688.800"),
        # Ties round half up, away from zero, as in the budget's sums.
        (Decimal("2.005"), "2,01", "€\u00a02,01", "2,01"),
        (Decimal("0.125"), "0,13", "€\u00a00,13", "0,13"),
        (Decimal("-0.125"), "-0,13", "€\u00a0-0,13", "-0,13"),
        (None, "", "", ""),
    ],
)
def test_amounts_always_have_cents_and_hours_no_trailing_zeros(value, amount, euro, hours):
    assert (money.amount(value), money.euro(value), money.hours(value)) == (amount, euro, hours)


@pytest.mark.django_db
def test_admin_lists_write_dates_amounts_and_hours_the_belgian_way(client):
    application = ApprovedApplicationFactory()
    Declaration.objects.create(
        application=application,
        period_start=datetime.date(2025, 10, 1),
        period_end=datetime.date(2025, 12, 31),
        amount=Decimal("12345.60"),
        hours=Decimal("40.50"),
        status=DS.SUBMITTED,
        declared_by=UserFactory(),
        declared_on=DAY,
    )
    client.force_login(UserFactory(role=Role.FINANCE, is_staff=True))
    page = client.get("/admin/funding/declaration/").content.decode()
    assert '<td class="field-declared_on nowrap">26/11/2025</td>' in page
    assert '<td class="field-amount">12.345,60</td>' in page and "12345,60" not in page
    assert '<td class="field-hours">40,5</td>' in page


@pytest.mark.django_db
def test_the_admin_date_input_writes_and_takes_26_11_2025(client):
    client.force_login(UserFactory(role=Role.OFFICER, is_staff=True))
    # The admin's calendar (DateTimeShortcuts) writes and reads the first DATE_INPUT_FORMAT of the catalogue.
    catalogue = client.get("/admin/jsi18n/").content.decode()
    first = re.search(r'"DATE_INPUT_FORMATS": \[\s*"([^"]+)"', catalogue)
    assert first and first.group(1) == "%d/%m/%Y"
    assert re.search(r'"SHORT_DATE_FORMAT": "d/m/Y"', catalogue)
    assert re.search(r'"DECIMAL_SEPARATOR": ","', catalogue)


def test_spreadsheet_yes_and_no_are_dutch():
    sheet = load_workbook(
        io.BytesIO(write_workbook([Sheet("Blad", [Column("Ja?")], [[True], [False]])]))
    ).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["ja", "nee"]


def test_the_answers_workbook_shows_labels_not_codes():
    sheets = {sheet.title: sheet for sheet in load_workbook(io.BytesIO(render_report(SAMPLE, "xlsx")))}
    kinds = {row[2].value for row in sheets["5 Partners"].iter_rows(min_row=2)}
    channels = {row[3].value for row in sheets["7 Communicatie"].iter_rows(min_row=2)}
    assert kinds and channels
    assert not kinds & {"service_provider", "promoter", "sector_fund", "union"}, kinds
    assert "Dienstverlener" in kinds or "Promotor" in kinds, kinds
    assert not channels & {"social_media", "website", "mailing", "newsletter"}, channels
    assert "Gerichte mailing" in channels or "Sociale media" in channels, channels
