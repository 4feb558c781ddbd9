"""The figures as a workbook: a sheet per answer, numbers as numbers, dates as dates.

Column headers are Dutch like the rest of the answer; amounts are written as ``Decimal`` so Excel gets
the exact value, with a display format only.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reporting.documents.content import KNOWN_QUESTIONS
from reporting.documents.formatting import as_date, decimal

MONEY, SHARE, SCORE, DATE, WHOLE = "#,##0.00", "0.0", "0.00", "DD/MM/YYYY", "#,##0"
BOLD = Font(bold=True)


def _optional_decimal(value):
    return None if value is None else decimal(value)


def _sheet(workbook, title: str, columns: list[tuple[str, str | None]], rows) -> None:
    """A sheet with a bold header row; columns are (header, number format or None)."""
    sheet = workbook.create_sheet(title)
    sheet.append([header for header, _format in columns])
    for cell in sheet[1]:
        cell.font = BOLD
    widths = [len(header) for header, _format in columns]
    for row in rows:
        sheet.append(list(row))
        for column, (value, (_header, number_format)) in enumerate(zip(row, columns, strict=True)):
            cell = sheet.cell(row=sheet.max_row, column=column + 1)
            if number_format and value is not None:
                cell.number_format = number_format
            widths[column] = max(widths[column], min(len(str(value or "")), 80))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    sheet.freeze_panes = "A2"


def render_xlsx(figures: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    trajects = figures["trajects"]
    known = KNOWN_QUESTIONS.get(figures["question"], {})

    _sheet(
        workbook,
        "Vraag",
        [("Gegeven", None), ("Waarde", None)],
        [
            ("Schriftelijke vraag nr.", figures["question"]),
            ("Datum van de vraag", known.get("date")),
            ("Cijfers op", as_date(figures["as_of"])),
            ("Vingerafdruk van de gegevens", figures["fingerprint"]),
        ],
    )
    info = workbook["Vraag"]
    for row in (3, 4):
        info.cell(row=row, column=2).number_format = DATE

    answer_1 = [(t["code"], t["name"], as_date(t["start_date"]), t["approved_companies"]) for t in trajects]
    if figures["companies_in_any_traject"] is not None:
        answer_1.append(
            ("", "Bedrijven in één of meerdere trajecten", None, figures["companies_in_any_traject"])
        )
    _sheet(
        workbook,
        "1 Deelnemers",
        [
            ("Code", None),
            ("Traject", None),
            ("Startdatum", DATE),
            ("Bedrijven met goedgekeurde aanvraag", WHOLE),
        ],
        answer_1,
    )
    _sheet(
        workbook,
        "2 Grootteklassen",
        [
            ("Traject", None),
            ("Micro-ondernemingen", WHOLE),
            ("Kleine ondernemingen", WHOLE),
            ("Middelgrote ondernemingen", WHOLE),
            ("Non-profitorganisaties", WHOLE),
            ("Grote bedrijven", WHOLE),
            ("Aandeel KMO's (%)", SHARE),
            ("Aandeel non-profit (%)", SHARE),
            ("Aandeel grote bedrijven (%)", SHARE),
        ],
        [
            (
                t["name"],
                *(t["size_classes"][name] for name in ("micro", "small", "medium", "non_profit", "large")),
                *(_optional_decimal(t["size_class_shares"][name]) for name in ("sme", "non_profit", "large")),
            )
            for t in trajects
        ],
    )
    _sheet(
        workbook,
        "3 Plaatsen",
        [("Traject", None), ("Begin", DATE), ("Einde", DATE), ("Opengesteld", WHOLE), ("Ingenomen", WHOLE)],
        [
            (t["name"], as_date(row["start"]), as_date(row["end"]), row["places"], row["taken"])
            for t in trajects
            for row in t["places"]
        ],
    )
    _sheet(
        workbook,
        "4 Middelen",
        [
            ("Traject", None),
            ("Totaal (euro)", MONEY),
            ("Europese middelen (euro)", MONEY),
            ("Vlaamse subsidies (euro)", MONEY),
            ("Eigen inbreng promotoren (euro)", MONEY),
            ("Eigen inbreng ondernemingen (euro)", MONEY),
        ],
        [
            (
                t["name"],
                *(
                    decimal(t["funding"][name])
                    for name in ("total", "eu", "flemish", "own_promoter", "own_company")
                ),
            )
            for t in trajects
        ],
    )
    _sheet(
        workbook,
        "5 Partners",
        [("Traject", None), ("Partner", None), ("Soort", None)],
        [(t["name"], partner["name"], partner["kind"]) for t in trajects for partner in t["partners"]],
    )
    _sheet(
        workbook,
        "6 Evaluaties",
        [
            ("Traject", None),
            ("Afgeronde trajecten", WHOLE),
            ("Ingevulde evaluaties", WHOLE),
            ("Nut van het traject (1-5)", SCORE),
            ("Kwaliteit van de begeleiding (1-5)", SCORE),
            ("Effect op de leercultuur (1-5)", SCORE),
            ("Zou het traject aanbevelen (1-5)", SCORE),
        ],
        [
            (
                t["name"],
                t["evaluations"]["completed"],
                t["evaluations"]["responses"],
                *(
                    _optional_decimal(t["evaluations"]["average_scores"][name])
                    for name in ("usefulness", "coach_quality", "learning_culture_effect", "would_recommend")
                ),
            )
            for t in trajects
        ],
    )
    _sheet(
        workbook,
        "6 Aanbevelingen",
        [("Traject", None), ("Aanbeveling", None)],
        [(t["name"], text) for t in trajects for text in t["evaluations"]["recommendations"]],
    )
    _sheet(
        workbook,
        "7 Communicatie",
        [("Traject", None), ("Datum", DATE), ("Campagne", None), ("Kanaal", None), ("Actie", None)],
        [
            (t["name"], as_date(a["date"]), a["campaign"], a["channel"], a["description"])
            for t in trajects
            for a in t["communication_actions"]
        ],
    )
    _sheet(
        workbook,
        "8 Initiatieven",
        [("Initiatief", None), ("Tekst", None)],
        [(item["title"], item["text"]) for item in figures["initiatives"]],
    )
    _sheet(
        workbook,
        "9 Sectorfondsen",
        [("Traject", None), ("Sectorfonds", None), ("Aangebrachte bedrijven", WHOLE), ("Intakes", WHOLE)],
        [
            row
            for t in trajects
            for row in (
                (t["name"], "Alle sectorfondsen", t["referrals"]["total"], t["referrals"]["intakes"]),
                *(
                    (t["name"], fund, count, None)
                    for fund, count in sorted(t["referrals"]["by_sector_fund"].items())
                ),
            )
        ],
    )
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
