"""The figures as a workbook: a sheet per answer, numbers as numbers, dates as dates.

Headers and labels are Dutch in the answer's own words (``reporting.questions.pq244.answer``), whatever
language is active and whether or not the UI's catalogue is compiled; amounts are written as ``Decimal``
so Excel gets the exact value, with a display format only. :mod:`voorsprong.spreadsheets` writes the
workbook.
"""

from reporting.documents.content import KNOWN_QUESTIONS
from reporting.documents.formatting import as_date, decimal, figure_cell
from reporting.questions.pq244.answer import BARRIERS, CHANNELS, PARTNER_KINDS
from voorsprong.spreadsheets import HUNDREDTHS, MONEY, TENTHS, WHOLE, Column, Sheet, write_workbook

SHARE, SCORE = TENTHS, HUNDREDTHS


def _optional_decimal(value):
    return None if value is None else decimal(value)


def _outcome_row(evaluations: dict) -> list:
    """The cells of a traject's row of the sheet "6 Resultaten", in its columns' order."""
    return [
        figure_cell(value)
        for value in (
            evaluations["response_rate"],
            evaluations["follow_ups"]["due"],
            evaluations["follow_ups"]["received"],
            evaluations["follow_up_rate"],
            evaluations["training_policy"]["before"],
            evaluations["training_policy"]["after"],
            evaluations["average_scores"]["learning_transfer"],
            evaluations["average_scores"]["motivation"],
            *evaluations["staff_reached"].values(),
        )
    ]


# The stop reasons in the words of the promoters' choice (``participants.models.StopReason``).
STOP_REASONS = {
    "administrative_burden": "Administratieve last",
    "no_time": "Geen tijd",
    "reorganisation": "Reorganisatie",
    "bankruptcy_or_stop": "Faillissement of stopzetting",
    "goal_reached": "Doel al bereikt",
    "other": "Andere",
}


def _kind(code: str) -> str:
    """``service_provider`` -> ``Dienstverlener``; a kind the answer does not know stays as it is."""
    return PARTNER_KINDS[code][0].capitalize() if code in PARTNER_KINDS else code


def _columns(*columns: tuple[str, str | None]) -> list[Column]:
    return [Column(header, number_format) for header, number_format in columns]


def render_xlsx(figures: dict) -> bytes:
    trajects = figures["trajects"]
    names = {t["code"]: t["name"] for t in trajects}
    known = KNOWN_QUESTIONS.get(figures["question"], {})

    answer_1 = [(t["code"], t["name"], as_date(t["start_date"]), t["approved_companies"]) for t in trajects]
    if figures["companies_in_any_traject"] is not None:
        answer_1.append(
            ("", "Bedrijven in één of meerdere trajecten", None, figures["companies_in_any_traject"])
        )
    sheets = [
        Sheet(
            "Vraag",
            _columns(("Gegeven", None), ("Waarde", None)),
            [
                ("Schriftelijke vraag nr.", figures["question"]),
                ("Datum van de vraag", known.get("date")),
                ("Cijfers op", as_date(figures["as_of"])),
                ("Vingerafdruk van de gegevens", figures["fingerprint"]),
            ],
        ),
        Sheet(
            "1 Deelnemers",
            _columns(
                ("Code", None),
                ("Traject", None),
                ("Startdatum", None),
                ("Bedrijven met goedgekeurde aanvraag", WHOLE),
            ),
            answer_1,
        ),
        Sheet(
            "2 Grootteklassen",
            _columns(
                ("Traject", None),
                ("Micro-ondernemingen", WHOLE),
                ("Kleine ondernemingen", WHOLE),
                ("Middelgrote ondernemingen", WHOLE),
                ("Non-profitorganisaties", WHOLE),
                ("Grote bedrijven", WHOLE),
                ("Grootte nog niet verklaard", WHOLE),
                ("Aandeel KMO's (%)", SHARE),
                ("Aandeel non-profit (%)", SHARE),
                ("Aandeel grote bedrijven (%)", SHARE),
                ("Aandeel grootte niet verklaard (%)", SHARE),
            ),
            [
                (
                    t["name"],
                    *(
                        t["size_classes"][name]
                        for name in ("micro", "small", "medium", "non_profit", "large", "unknown")
                    ),
                    *(
                        _optional_decimal(t["size_class_shares"][name])
                        for name in ("sme", "non_profit", "large", "unknown")
                    ),
                )
                for t in trajects
            ],
        ),
        Sheet(
            "3 Plaatsen",
            _columns(
                ("Traject", None),
                ("Begin", None),
                ("Einde", None),
                ("Opengesteld", WHOLE),
                ("Ingenomen", WHOLE),
            ),
            [
                (t["name"], as_date(row["start"]), as_date(row["end"]), row["places"], row["taken"])
                for t in trajects
                for row in t["places"]
            ],
        ),
        Sheet(
            "4 Middelen",
            _columns(
                ("Traject", None),
                ("Totaal (euro)", MONEY),
                ("Europese middelen (euro)", MONEY),
                ("Vlaamse subsidies (euro)", MONEY),
                ("Eigen inbreng promotoren (euro)", MONEY),
                ("Eigen inbreng ondernemingen (euro)", MONEY),
                ("Eigen middelen ondernemingen per begeleiding (%)", SHARE),
            ),
            [
                (
                    t["name"],
                    *(
                        decimal(t["funding"][name])
                        for name in ("total", "eu", "flemish", "own_promoter", "own_company")
                    ),
                    _optional_decimal(t["own_company_share"]),
                )
                for t in trajects
            ],
        ),
        Sheet(
            "5 Partners",
            _columns(("Traject", None), ("Partner", None), ("Soort", None)),
            [(t["name"], p["name"], _kind(p["kind"])) for t in trajects for p in t["partners"]],
        ),
        Sheet(
            "5 Projecten",
            _columns(("Traject", None), ("Project", None), ("Partnerschap", None), ("Organisaties", None)),
            [
                (
                    t["name"],
                    project["name"],
                    project["partnership"],
                    ", ".join(partner["name"] for partner in project["organisations"]),
                )
                for t in trajects
                for project in t["projects"]
            ],
        ),
        Sheet(
            "6 Evaluaties",
            _columns(
                ("Traject", None),
                ("Afgeronde trajecten", WHOLE),
                ("Ingevulde evaluaties", WHOLE),
                ("Nut van het traject (1-5)", SCORE),
                ("Kwaliteit van de begeleiding (1-5)", SCORE),
                ("Effect op de leercultuur (1-5)", SCORE),
                ("Zou het traject aanbevelen (1-5)", SCORE),
            ),
            [
                (
                    t["name"],
                    t["evaluations"]["completed"],
                    t["evaluations"]["responses"],
                    *(
                        _optional_decimal(t["evaluations"]["average_scores"][name])
                        for name in (
                            "usefulness",
                            "coach_quality",
                            "learning_culture_effect",
                            "would_recommend",
                        )
                    ),
                )
                for t in trajects
            ],
        ),
        Sheet(
            "6 Resultaten",
            _columns(
                ("Traject", None),
                ("Responsgraad (%)", SHARE),
                ("Opvolging verwacht", WHOLE),
                ("Opvolging ontvangen", WHOLE),
                ("Opvolgingsgraad (%)", SHARE),
                ("Opleidingsbeleid bij de start (%)", SHARE),
                ("Opleidingsbeleid bij de afronding (%)", SHARE),
                ("Leertransfer (1-5)", SCORE),
                ("Motivatie (1-5)", SCORE),
                ("Bereikte medewerkers", WHOLE),
                ("Waarvan laaggeschoold", WHOLE),
                ("Waarvan 55 jaar of ouder", WHOLE),
            ),
            [(t["name"], *_outcome_row(t["evaluations"])) for t in trajects],
        ),
        Sheet(
            "6 Drempels",
            _columns(
                ("Traject", None),
                ("Drempel", None),
                ("Bedrijven met de drempel bij de start", WHOLE),
                ("Weggevallen bij de afronding", WHOLE),
            ),
            [
                (
                    t["name"],
                    BARRIERS.get(code, code).removeprefix("de ").capitalize(),
                    change["met_at_intake"],
                    change["removed"],
                )
                for t in trajects
                for code, change in t["evaluations"]["barriers"].items()
            ],
        ),
        Sheet(
            "6 Stopzettingen",
            _columns(("Traject", None), ("Reden", None), ("Gestopte trajecten", WHOLE)),
            [
                (t["name"], STOP_REASONS.get(reason, reason), count)
                for t in trajects
                for reason, count in t["stop_reasons"].items()
            ],
        ),
        Sheet(
            "6 Aanbevelingen",
            _columns(("Traject", None), ("Aanbeveling", None)),
            [(t["name"], text) for t in trajects for text in t["evaluations"]["recommendations"]],
        ),
        Sheet(
            "7 Communicatie",
            _columns(
                ("Traject", None), ("Datum", None), ("Campagne", None), ("Kanaal", None), ("Actie", None)
            ),
            [
                (
                    t["name"],
                    as_date(a["date"]),
                    a["campaign"],
                    CHANNELS.get(a["channel"], a["channel"]),
                    a["description"],
                )
                for t in trajects
                for a in t["communication_actions"]
            ],
        ),
        Sheet(
            "8 Initiatieven",
            _columns(("Initiatief", None), ("Tekst", None)),
            [(item["title"], item["text"]) for item in figures["initiatives"]],
        ),
        Sheet(
            "9 Sectorfondsen",
            _columns(
                ("Traject", None),
                ("Sectorfonds", None),
                ("Aangebrachte bedrijven", WHOLE),
                ("Intakes", WHOLE),
            ),
            [
                row
                for t in trajects
                for row in (
                    (t["name"], "Alle sectorfondsen", t["referrals"]["total"], t["referrals"]["intakes"]),
                    *(
                        (t["name"], fund, count, t["referrals"]["intakes_by_sector_fund"].get(fund, 0))
                        for fund, count in sorted(t["referrals"]["by_sector_fund"].items())
                    ),
                )
            ],
        ),
        Sheet(
            "Toelichtingen",
            _columns(("Antwoord", WHOLE), ("Traject", None), ("Toelichting", None)),
            [
                (item["answer"], names.get(item["traject"], "Het hele antwoord"), item["text"])
                for item in figures["statements"]
            ],
        ),
    ]
    return write_workbook(sheets)
