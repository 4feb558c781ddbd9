"""The answer-ready documents of question 244: every format from one figures dict, the same numbers in
each, Belgian notation in the PDF and DOCX, and no personal data anywhere."""

import copy
import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from django.utils import translation

from reporting.documents import CONTENT_TYPES, FILE_EXTENSIONS, STEPS, render_report
from reporting.documents.formatting import euro, long_date, month_year, number, period, score, share
from reporting.documents.pdf import render_html
from reporting.models import ReportFormat
from reporting.questions import UnknownQuestion
from reporting.questions.pq244.answer import build_document
from reporting.statistics.outcomes import MASKED

pytestmark = pytest.mark.engine_independent

TEMPLATE = "reporting/pq244.html"

FORMATS = list(CONTENT_TYPES)
FINGERPRINT = "3f6c0a9e41d27b58c0e4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f"


def _places(start_year: int, end_year: int, places: int, taken: dict[int, int]) -> list[dict]:
    return [
        {"start": f"{year}-01-01", "end": f"{year}-12-31", "places": places, "taken": taken.get(year, 0)}
        for year in range(start_year, end_year + 1)
    ]


def _action(date, campaign, channel, description):
    return {"date": date, "campaign": campaign, "channel": channel, "description": description}


WAVE_1 = [
    _action(
        "2025-02-03", "Campagne februari 2025", "website", "Overkoepelende website www.voorsprongtrajecten.be"
    ),
    _action("2025-02-03", "Campagne februari 2025", "mailing", "Gerichte mailings en aanpak per segment"),
    _action(
        "2025-02-24",
        "Campagne februari 2025",
        "social_media",
        "Sociale-mediacampagnes via Meta, LinkedIn en Google",
    ),
]
WAVE_2 = [
    _action(
        "2025-09-01",
        "Campagne Voorsprong in Motivatie",
        "social_media",
        "Sociale-mediacampagne op LinkedIn, Meta en YouTube",
    ),
    _action(
        "2025-09-08",
        "Campagne Voorsprong in Motivatie",
        "print",
        "Advertenties in Knack Focus, HR Focus en HR-magazine",
    ),
    _action("2025-09-22", "Campagne Voorsprong in Motivatie", "event", "Beursstand op verschillende events"),
]
WAVE_3 = [
    _action(
        "2026-01-12",
        "Vervolgcampagne 2026",
        "social_media",
        "Vervolg van de campagne voor de drie Voorsprongtrajecten",
    )
]
BARRIER_CODES = ("dispositional", "situational", "institutional", "informational", "financial", "digital")
NO_EVALUATIONS = {
    "completed": 0,
    "responses": 0,
    "response_rate": None,
    "follow_ups": {"due": 0, "received": 0},
    "follow_up_rate": None,
    "average_scores": dict.fromkeys(
        (
            "usefulness",
            "coach_quality",
            "learning_culture_effect",
            "would_recommend",
            "learning_transfer",
            "motivation",
        )
    ),
    "staff_reached": {"total": None, "low_skilled": None, "aged_55_plus": None},
    "training_policy": {"before": None, "after": None},
    "barriers": {code: {"met_at_intake": 0, "removed": 0} for code in BARRIER_CODES},
    "recommendations": [],
}
NO_STOPS = dict.fromkeys(
    ("administrative_burden", "no_time", "reorganisation", "bankruptcy_or_stop", "goal_reached", "other"), 0
)
NO_REFERRALS = {"total": 0, "intakes": 0, "by_sector_fund": {}, "intakes_by_sector_fund": {}}


def _project(name: str, *organisations: tuple[str, str], partnership: str | None = None) -> dict:
    return {
        "name": name,
        "partnership": partnership,
        "organisations": [{"name": who, "kind": kind} for who, kind in organisations],
    }


PROVIDERS = ("Alert!", "Vico Consult", "Room without a Roof", "Obelisk")
PROMOTERS = ("Voka", "UNIZO", "Verso", "Emino", "I-Diverso", "Werkplekarchitecten", "Keerpunt")
UNIONS = ("ABVV", "ACLVB", "ACV")
PARTNERSHIPS = {"Voka": "P1", "UNIZO": "P1", "Verso": "P1", "Emino": "P2", "I-Diverso": "P2"}

SAMPLE = {
    "question": 244,
    "as_of": "2025-11-26",
    "fingerprint": FINGERPRINT,
    "companies_in_any_traject": 1142,
    "trajects": [
        {
            "code": "leren",
            "name": "Voorsprong in leren",
            "start_date": "2023-05-01",
            "approved_companies": 151,
            "size_classes": {
                "micro": 38,
                "small": 71,
                "medium": 42,
                "large": 0,
                "non_profit": 0,
                "unknown": 0,
            },
            "size_class_shares": {"sme": "100.0", "non_profit": "0.0", "large": "0.0", "unknown": "0.0"},
            "places": _places(2023, 2025, 90, {2023: 28, 2024: 61, 2025: 62}),
            "funding": {
                "total": "6722000.00",
                "eu": "2688800.00",
                "flemish": "4033200.00",
                "own_promoter": "0.00",
                "own_company": "0.00",
            },
            "own_company_share": "0.0",
            "partners": [{"name": name, "kind": "service_provider"} for name in PROVIDERS],
            "projects": [_project(f"Leren – {name}", (name, "service_provider")) for name in PROVIDERS],
            "partnerships": [],
            "evaluations": NO_EVALUATIONS,
            "stop_reasons": NO_STOPS,
            "communication_actions": [*WAVE_1, *WAVE_3],
            "referrals": {
                "total": 6,
                "intakes": 2,
                "by_sector_fund": {"Cevora": 4, "Alimento": 2},
                "intakes_by_sector_fund": {"Cevora": 2, "Alimento": 0},
            },
        },
        {
            "code": "werk",
            "name": "Voorsprong in werk voor iedereen",
            "start_date": "2024-01-01",
            "approved_companies": 988,
            "size_classes": {
                "micro": 180,
                "small": 260,
                "medium": 168,
                "large": 138,
                "non_profit": 242,
                "unknown": 0,
            },
            "size_class_shares": {"sme": "61.5", "non_profit": "24.5", "large": "14.0", "unknown": "0.0"},
            "places": _places(2024, 2025, 750, {2024: 402, 2025: 586}),
            "funding": {
                "total": "62500000.00",
                "eu": "25000000.00",
                "flemish": "28125000.00",
                "own_promoter": "9375000.00",
                "own_company": "0.00",
            },
            "own_company_share": "0.0",
            "partners": [
                *({"name": name, "kind": "promoter"} for name in PROMOTERS),
                *({"name": name, "kind": "union"} for name in UNIONS),
            ],
            "projects": [
                _project(
                    f"Werk – {name}",
                    (name, "promoter"),
                    *(((union, "union") for union in UNIONS) if name == "Keerpunt" else ()),
                    partnership=PARTNERSHIPS.get(name, "P3"),
                )
                for name in PROMOTERS
            ],
            "partnerships": ["P1", "P2", "P3"],
            "evaluations": {
                "completed": 14,
                "responses": 9,
                "response_rate": "64.3",
                "follow_ups": {"due": 6, "received": "< 5"},
                "follow_up_rate": "50.0",
                "average_scores": {
                    "usefulness": "4.22",
                    "coach_quality": "4.56",
                    "learning_culture_effect": "3.89",
                    "would_recommend": "4.44",
                    "learning_transfer": "3.78",
                    "motivation": "4.11",
                },
                "staff_reached": {"total": 212, "low_skilled": 64, "aged_55_plus": 31},
                "training_policy": {"before": "28.6", "after": "71.4"},
                "barriers": {
                    "dispositional": {"met_at_intake": "< 5", "removed": 0},
                    "situational": {"met_at_intake": 8, "removed": 5},
                    "institutional": {"met_at_intake": 5, "removed": "< 5"},
                    "informational": {"met_at_intake": 6, "removed": "< 5"},
                    "financial": {"met_at_intake": "< 5", "removed": "< 5"},
                    "digital": {"met_at_intake": 0, "removed": 0},
                },
                "recommendations": [
                    "Meer tijd voor de opvolging na het traject.",
                    "Minder papierwerk bij de start.",
                ],
            },
            "stop_reasons": {**NO_STOPS, "administrative_burden": "< 5", "no_time": 6, "other": "< 5"},
            "communication_actions": [*WAVE_1, *WAVE_3],
            "referrals": {
                "total": 57,
                "intakes": 31,
                "by_sector_fund": {"Cevora": 21, "VIVO": 15, "Constructiv": 12, "Alimento": 9},
                "intakes_by_sector_fund": {"Cevora": 14, "VIVO": 8, "Constructiv": 5, "Alimento": 4},
            },
        },
        {
            "code": "motivatie",
            "name": "Voorsprong in motivatie",
            "start_date": "2025-09-01",
            "approved_companies": 20,
            "size_classes": {"micro": 6, "small": 9, "medium": 5, "large": 0, "non_profit": 0, "unknown": 0},
            "size_class_shares": {"sme": "100.0", "non_profit": "0.0", "large": "0.0", "unknown": "0.0"},
            "places": [{"start": "2025-09-01", "end": "2027-08-31", "places": 253, "taken": 20}],
            "funding": {
                "total": "11000000.00",
                "eu": "4400000.00",
                "flemish": "6600000.00",
                "own_promoter": "0.00",
                "own_company": "0.00",
            },
            "own_company_share": "15.0",
            "partners": [],
            "projects": [],
            "partnerships": [],
            "evaluations": NO_EVALUATIONS,
            "stop_reasons": NO_STOPS,
            "communication_actions": [*WAVE_2, *WAVE_3],
            "referrals": NO_REFERRALS,
        },
    ],
    "initiatives": [
        {
            "title": "Praktijkgids Levenslang Leren",
            "text": "Een gids met concrete tools, inspiratie en praktijkvoorbeelden voor een duurzaam "
            "leerklimaat.",
        },
        {"title": "Leerlens", "text": "Een digitale reflectietool die informeel leren zichtbaar maakt."},
    ],
    "statements": [
        {"answer": 6, "traject": "werk", "text": "Ik verwacht meer evaluaties in de zomer van 2026."},
        {"answer": 9, "traject": None, "text": "De sectorfondsen werken samen met de drie partnerschappen."},
    ],
}

# What must never reach a document: a participating company, its contact person and e-mail addresses,
# here in places of the figures no renderer documents.
COMPANY, CONTACT, E_MAIL = (
    "Bakkerij Vermeulen-Plantaert BV",
    "Annelies Plantaert",
    "annelies@plantaert-bakkerij.be",
)
PLANTED = copy.deepcopy(SAMPLE)
PLANTED["contact_persons"] = [{"name": CONTACT, "email": E_MAIL}]
PLANTED["trajects"][1]["companies"] = [{"name": COMPANY, "email": E_MAIL, "contact": CONTACT}]
PLANTED["trajects"][1]["partners"][0]["email"] = E_MAIL
PLANTED["trajects"][1]["evaluations"]["by_company"] = {COMPANY: {"usefulness": 5}}
PLANTED["trajects"][0]["referrals"]["companies"] = [COMPANY]
PLANTED["initiatives"][0]["contact"] = f"{CONTACT} <{E_MAIL}>"

# (path in the JSON, the raw value there, how the PDF and DOCX must write it)
BELGIAN = [
    (("trajects", 0, "approved_companies"), 151, "151"),
    (("trajects", 1, "approved_companies"), 988, "988"),
    (("trajects", 2, "approved_companies"), 20, "20"),
    (("trajects", 1, "size_class_shares", "sme"), "61.5", "61,5%"),
    (("trajects", 1, "size_class_shares", "non_profit"), "24.5", "24,5%"),
    (("trajects", 1, "size_class_shares", "large"), "14.0", "14%"),
    (("trajects", 0, "funding", "total"), "6722000.00", "6.722.000 euro"),
    (("trajects", 0, "funding", "eu"), "2688800.00", "2.688.800 euro"),
    (("trajects", 0, "funding", "flemish"), "4033200.00", "4.033.200 euro"),
    (("trajects", 1, "funding", "total"), "62500000.00", "62.500.000 euro"),
    (("trajects", 1, "funding", "eu"), "25000000.00", "25.000.000 euro"),
    (("trajects", 1, "funding", "flemish"), "28125000.00", "28.125.000 euro"),
    (("trajects", 1, "funding", "own_promoter"), "9375000.00", "9.375.000 euro"),
    (("trajects", 2, "funding", "total"), "11000000.00", "11.000.000 euro"),
    (("trajects", 2, "funding", "eu"), "4400000.00", "4.400.000 euro"),
    (("trajects", 2, "funding", "flemish"), "6600000.00", "6.600.000 euro"),
    (("trajects", 0, "places", 0, "places"), 90, "90"),
    (("trajects", 1, "places", 0, "places"), 750, "750"),
    (("trajects", 2, "places", 0, "places"), 253, "253"),
    (("companies_in_any_traject",), 1142, "1.142"),
    (("fingerprint",), FINGERPRINT, FINGERPRINT),
]
# Sentences as the minister wrote them, with the sample's figures.
SENTENCES = [
    "In Voorsprong in werk voor iedereen bereiken we 61,5% KMO's en micro-ondernemingen, "
    "24,5% non-profitorganisaties en 14% grote bedrijven.",
    "Voorsprong in leren: 6.722.000 euro totaal, waarvan 2.688.800 euro Europese middelen en "
    "4.033.200 euro Vlaamse subsidies.",
    "Voorsprong in werk voor iedereen: 62.500.000 euro totaal, waarvan 25.000.000 euro Europese middelen, "
    "28.125.000 euro Vlaamse subsidies en 9.375.000 euro eigen inbreng van de promotoren.",
    "Voorsprong in leren werkt met vier dienstverleners die begeleidingen uitvoeren bij de ondernemingen. "
    "Deze dienstverleners zijn Alert!, Vico Consult, Room without a Roof en Obelisk.",
    "Voorsprong in werk voor iedereen werkt met zeven administratieve projecten die zich verenigd hebben in "
    "drie partnerschappen. De promotoren zijn Voka, UNIZO, Verso, Emino, I-Diverso, Werkplekarchitecten en "
    "Keerpunt, dat een gezamenlijk project heeft ingediend voor ABVV, ACLVB en ACV.",
    "De begeleide KMO's vullen dit bedrag aan met 15% eigen middelen per begeleiding.",
    "Voorsprong in leren: Er zijn op heden nog geen afgeronde trajecten geregistreerd, ik kan bijgevolg nog "
    "geen evaluatie of aanbevelingen delen.",
    "Voorsprong in motivatie: 253 plaatsen overheen 2 jaar (1 september 2025 – 31 augustus 2027). Daarvan "
    "werden er tot nu toe 20 ingenomen.",
    "Voorsprong in leren: 90 plaatsen per jaar. Daarvan werden er 28 in 2023, 61 in 2024 en tot nu toe 62 in "
    "2025 ingenomen.",
    "Er komt voor de drie Voorsprongtrajecten een vervolg op de campagne. Die start in januari 2026.",
]


def flat(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) as single spaces, so wrapped lines still match."""
    return " ".join(text.split())


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext is missing: apt-get install poppler-utils (.ci/run installs it)")
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


def docx_text(content: bytes) -> str:
    import docx

    word = docx.Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    for section in word.sections:
        parts += [paragraph.text for paragraph in (*section.header.paragraphs, *section.footer.paragraphs)]
    return "\n".join(parts)


def xlsx_values(content: bytes) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def text_of(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        return pdf_text(content)
    if fmt == "docx":
        return docx_text(content)
    if fmt == "xlsx":
        return "\n".join(
            str(value) for rows in xlsx_values(content).values() for row in rows for value in row
        )
    return content.decode("utf-8-sig")


# -- the answers one by one ------------------------------------------------------------------------
# The lines WeasyPrint repeats on every page (the page's header and footer), left out of the answers.
RUNNING_LINES = re.compile(
    r"^(?:Schriftelijke vraag nr\. .*|Cijfers op .*|Vingerafdruk \w+|Pagina \d+ van \d+)$"
)


def pdf_answers(content: bytes) -> dict[int, str]:
    """The text of each numbered answer of the PDF (after ANTWOORD), without the pages' running lines."""
    lines = [line.strip() for line in pdf_text(content).splitlines()]
    lines = [line for line in lines[lines.index("ANTWOORD") :] if not RUNNING_LINES.match(line)]
    answers: dict[int, list[str]] = {}
    for line in lines:
        if line == f"{len(answers) + 1}.":  # the number of the next answer, alone on its line
            answers[len(answers) + 1] = []
        elif answers:
            answers[len(answers)].append(line)
    return {number_: flat(" ".join(text)) for number_, text in answers.items()}


def docx_answers(content: bytes) -> dict[int, str]:
    """The text of each numbered answer of the DOCX (its paragraphs and tables, in order, after
    ANTWOORD); the first paragraph of an answer starts with its number and a tab."""
    import docx
    from docx.table import Table

    answers: dict[int, list[str]] = {}
    started = False
    for block in docx.Document(io.BytesIO(content)).iter_inner_content():
        if isinstance(block, Table):
            text = " ".join(cell.text for row in block.rows for cell in row.cells)
        else:
            text = block.text
            started = started or text == "ANTWOORD"
            if started and text.startswith(f"{len(answers) + 1}.\t"):
                answers[len(answers) + 1] = []
                text = text.split("\t", 1)[1]
        if answers:
            answers[len(answers)].append(text)
    return {number_: flat(" ".join(text)) for number_, text in answers.items()}


def shown_figures(figures: dict) -> dict[int, list[str]]:
    """Per answer, every figure of the JSON the answer gives, written as the documents write it."""
    shown: dict[int, list[str]] = {answer: [] for answer in range(1, 10)}
    shown[1].append(number(figures["companies_in_any_traject"]))
    for traject in figures["trajects"]:
        sizes, shares = traject["size_classes"], traject["size_class_shares"]
        shown[1] += [
            traject["name"],
            month_year(traject["start_date"]),
            number(traject["approved_companies"]),
        ]
        sme = sizes["micro"] + sizes["small"] + sizes["medium"]
        if traject["approved_companies"]:
            shown[2] += [number(sizes[name]) for name in ("micro", "small", "medium")]
        if sme != traject["approved_companies"]:  # only SMEs: no shares to give
            shown[2] += [number(sme), number(sizes["non_profit"]), number(sizes["large"])]
            shown[2] += [share(shares[name]) for name in ("sme", "non_profit", "large")]
        for row in traject["places"]:  # the places taken per period, never their sum over several periods
            shown[3] += [number(row["places"]), number(row["taken"])]
        shown[4] += [euro(amount) for amount in traject["funding"].values() if amount != "0.00"]
        if traject["own_company_share"] not in (None, "0.0"):
            shown[4].append(share(traject["own_company_share"]))
        shown[5] += [partner["name"] for partner in traject["partners"]]
        evaluations = traject["evaluations"]
        if evaluations["completed"]:
            shown[6].append(number(evaluations["completed"]))
        if evaluations["responses"]:
            shown[6].append(number(evaluations["responses"]))
            shown[6] += [score(value) for value in evaluations["average_scores"].values() if value != MASKED]
            shown[6] += evaluations["recommendations"]
            shown[6] += outcomes_shown(evaluations)
        # An action announced for after the date is said with its campaign, not listed before it runs.
        shown[7] += [
            action["description"]
            for action in traject["communication_actions"]
            if action["date"] <= figures["as_of"]
        ]
        referrals = traject["referrals"]
        if referrals["total"]:
            shown[9] += [number(referrals["total"]), number(referrals["intakes"])]
            shown[9] += [f"{fund} {number(count)}" for fund, count in referrals["by_sector_fund"].items()]
    for item in figures["initiatives"]:  # the texts as the minister writes them; the titles are labels
        shown[8].append(item["text"])
    for item in figures["statements"]:
        shown[item["answer"]].append(item["text"])
    return shown


def outcomes_shown(evaluations: dict) -> list[str]:
    """The outcome figures answer 6 gives (with evaluations), as the documents write them: the rates and
    shares, the employees reached and how often the barrier most often removed was; never a masked one."""
    shown = [
        share(value)
        for value in (
            evaluations["response_rate"],
            evaluations["follow_up_rate"],
            *evaluations["training_policy"].values(),
        )
        if value not in (None, MASKED)
    ]
    shown += [number(value) for value in evaluations["staff_reached"].values() if value not in (None, MASKED)]
    removed = [change["removed"] for change in evaluations["barriers"].values()]
    counted = [count for count in removed if count != MASKED and count]
    return shown + ([f"{number(max(counted))} bedrijven"] if counted else [])


def missing_figures(figures: dict, answers: dict[int, str], hyphens: bool = True) -> dict[int, list[str]]:
    """The figures of ``shown_figures`` not found in their own answer, each as a whole number or text
    (``151`` is not found in ``1.151`` or ``151,5``); ``hyphens=False`` compares without hyphens, which
    pdftotext drops where a word is broken over two lines."""
    assert sorted(answers) == list(range(1, 10)), sorted(answers)
    missing = {}
    for answer, expected in shown_figures(figures).items():
        text = answers[answer] if hyphens else answers[answer].replace("-", "")
        absent = [
            value
            for value in expected
            if not re.search(
                rf"(?<![\w.,]){re.escape(value if hyphens else value.replace('-', ''))}(?![\w]|[.,]\d)", text
            )
        ]
        if absent:
            missing[answer] = absent
    return missing


def document_answers(fmt: str, content: bytes) -> dict[int, str]:
    return pdf_answers(content) if fmt == "pdf" else docx_answers(content)


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {fmt: render_report(SAMPLE, fmt) for fmt in FORMATS}


def _at(data, path):
    for key in path:
        data = data[key]
    return data


# -- every format ----------------------------------------------------------------------------------------
def test_the_formats_are_those_a_report_request_offers():
    assert set(CONTENT_TYPES) == set(FILE_EXTENSIONS) == set(ReportFormat.values)
    assert FILE_EXTENSIONS["docx"] == ".docx"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(rendered, fmt):
    content = rendered[fmt]
    signature = {"pdf": b"%PDF-", "docx": b"PK", "xlsx": b"PK", "csv": b"\xef\xbb\xbfanswer;", "json": b"{"}
    assert content.startswith(signature[fmt])
    if fmt in ("docx", "xlsx"):
        assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="odt"):
        render_report(SAMPLE, "odt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_progress_is_reported_step_by_step(fmt):
    calls = []
    render_report(SAMPLE, fmt, progress=lambda percent, step: calls.append((percent, step)))
    percents = [percent for percent, _step in calls]
    assert percents == sorted(percents) and percents[0] < 100 and percents[-1] == 100
    assert all(isinstance(step, str) and step for _percent, step in calls)
    labels = {str(label) for _percent, label in STEPS.values()}
    assert {step for _percent, step in calls} <= labels
    if fmt in ("pdf", "docx"):
        assert len(calls) == len(STEPS)


def test_the_document_is_dutch_whatever_language_is_active():
    with translation.override("en"):
        text = flat(docx_text(render_report(SAMPLE, "docx")))
        assert translation.get_language() == "en"
    assert "ANTWOORD" in text and "op vraag nr. 244 van 26 november 2025" in text


# -- PDF and DOCX read like the minister's answer ----------------------------------------------------
def test_the_json_holds_the_figures_the_documents_write(rendered):
    figures = json.loads(rendered["json"])
    for path, raw, _belgian in BELGIAN:
        assert _at(figures, path) == raw, path


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_documents_write_the_json_numbers_in_belgian_notation(rendered, fmt):
    text = flat(text_of(fmt, rendered[fmt]))
    for _path, _raw, belgian in BELGIAN:
        assert belgian in text, belgian
    for start in ("Mei 2023", "Januari 2024", "September 2025"):
        assert start in text
    assert "Schriftelijke vraag nr. 244" in text or "SCHRIFTELIJKE VRAAG nr. 244" in text
    assert "26 november 2025" in text
    # The answers, numbered 1 to 9 in order, after the heading ANTWOORD.
    answers = text[text.index("ANTWOORD") :]
    positions = [re.search(rf"(?:^|\s){number}\.\s", answers) for number in range(1, 10)]
    assert all(positions), [n for n, found in enumerate(positions, start=1) if not found]
    assert [found.start() for found in positions] == sorted(found.start() for found in positions)
    assert "# bedrijven met goedgekeurde aanvraag" in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_figure_of_the_json_is_in_its_own_answer(rendered, fmt):
    answers = document_answers(fmt, rendered[fmt])
    assert missing_figures(json.loads(rendered["json"]), answers, hyphens=fmt != "pdf") == {}


def test_a_figure_the_answer_leaves_out_is_noticed(rendered):
    """The comparison itself: a figure changed in the JSON is missing from the document's answer."""
    figures = json.loads(rendered["json"])
    figures["trajects"][1]["evaluations"]["average_scores"]["usefulness"] = "4.21"
    figures["trajects"][1]["referrals"]["by_sector_fund"]["VIVO"] = 16
    assert missing_figures(figures, docx_answers(rendered["docx"])) == {6: ["4,21"], 9: ["VIVO 16"]}


def test_the_docx_answers_in_the_ministers_sentences(rendered):
    text = flat(docx_text(rendered["docx"]))
    for sentence in SENTENCES:
        assert sentence in text, sentence
    assert "In februari 2025 startte de campagne voor Voorsprong in leren en Voorsprong in werk voor " in text
    assert (
        "In september 2025 startte het Voorsprongtraject ‘Voorsprong in motivatie’. Hiervoor lanceerden "
        "we een "
        "tweede golf van de campagne:" in text
    )
    assert "Cevora 21, VIVO 15, Constructiv 12 en Alimento 9" in text
    # The statements that hold next to the figures: the answer's own first, a traject's after its figures.
    assert (
        "Voorsprong in werk voor iedereen: 9 van de 14 bedrijven met een afgerond traject vulden de "
        "evaluatie in." in text
    )
    assert (
        "voor de vraag of zij het traject zouden aanbevelen. Ik verwacht meer evaluaties in de zomer" in text
    )
    paragraphs = docx_text(rendered["docx"]).splitlines()
    assert paragraphs[
        paragraphs.index("9.\tDe sectorfondsen werken samen met de drie partnerschappen.") + 1
    ] == (
        "Voorsprong in leren: de sectorconsulenten brachten 6 kandidaat-bedrijven aan en deden zelf 2 "
        "intakes. "
        "Per sectorfonds: Cevora 4 en Alimento 2."
    )


def test_the_pdf_answers_in_the_ministers_sentences(rendered):
    # pdftotext drops a hyphen at the end of a line ("micro-|ondernemingen"), so hyphens are left out.
    text = flat(pdf_text(rendered["pdf"])).replace("-", "")
    for sentence in SENTENCES:
        assert sentence.replace("-", "") in text, sentence


def test_the_table_of_answer_1_gives_start_month_and_companies(rendered):
    import docx

    table = docx.Document(io.BytesIO(rendered["docx"])).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["", "Startdatum", "# bedrijven met goedgekeurde aanvraag"],
        ["Voorsprong in leren", "Mei 2023", "151"],
        ["Voorsprong in werk voor iedereen", "Januari 2024", "988"],
        ["Voorsprong in motivatie", "September 2025", "20"],
    ]


def test_the_pdf_draws_its_charts_as_inline_svg_without_the_network():
    with translation.override("nl-be"):
        html = render_html(build_document(SAMPLE), TEMPLATE)
    assert html.count("<svg ") == 2
    assert "<script" not in html and "<img" not in html
    assert not re.search(r"(?:src|href)=\"?https?:", html)
    assert "Bedrijven per grootteklasse en per traject" in html
    assert "Opengestelde en ingenomen plaatsen per traject en periode" in html


def test_the_docx_embeds_the_charts_as_png(rendered):
    from PIL import Image

    archive = zipfile.ZipFile(io.BytesIO(rendered["docx"]))
    pictures = [name for name in archive.namelist() if name.startswith("word/media/")]
    assert len(pictures) == 2
    for name in pictures:
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "PNG" and image.width > 1000


def test_figures_of_a_question_no_module_registered_are_refused():
    with pytest.raises(UnknownQuestion):
        render_report({**SAMPLE, "question": 999}, "docx")


def test_a_traject_without_companies_or_places_is_said_plainly():
    empty = {
        "code": "nieuw",
        "name": "Voorsprong in iets nieuws",
        "start_date": "2026-03-01",
        "approved_companies": 0,
        "size_classes": dict.fromkeys(("micro", "small", "medium", "large", "non_profit", "unknown"), 0),
        "size_class_shares": dict.fromkeys(("sme", "non_profit", "large", "unknown")),
        "places": [],
        "funding": dict.fromkeys(("total", "eu", "flemish", "own_promoter", "own_company"), "0.00"),
        "own_company_share": None,
        "partners": [],
        "projects": [],
        "partnerships": [],
        "evaluations": NO_EVALUATIONS,
        "stop_reasons": NO_STOPS,
        "communication_actions": [],
        "referrals": NO_REFERRALS,
    }
    figures = {
        **SAMPLE,
        "trajects": [empty],
        "initiatives": [],
        "statements": [],
        "companies_in_any_traject": 0,
    }
    text = flat(docx_text(render_report(figures, "docx")))
    assert "Voorsprong in iets nieuws: er zijn nog geen bedrijven met een goedgekeurde aanvraag." in text
    assert "Voorsprong in iets nieuws: er zijn nog geen plaatsen opengesteld." in text
    assert "Er zijn geen andere initiatieven geregistreerd." in text
    assert render_report(figures, "pdf").startswith(b"%PDF-")


# -- XLSX, CSV, JSON ---------------------------------------------------------------------------------
def test_the_xlsx_has_a_sheet_per_answer_with_numbers_as_numbers(rendered):
    import datetime

    sheets = xlsx_values(rendered["xlsx"])
    for number_ in range(1, 10):
        assert any(title.startswith(f"{number_} ") for title in sheets), number_
    participants = sheets["1 Deelnemers"]
    assert participants[1] == ("leren", "Voorsprong in leren", datetime.datetime(2023, 5, 1), 151)
    assert [row[3] for row in participants[1:]] == [151, 988, 20, 1142]
    sizes = {row[0]: row for row in sheets["2 Grootteklassen"][1:]}
    assert sizes["Voorsprong in werk voor iedereen"][1:] == (180, 260, 168, 242, 138, 0, 61.5, 24.5, 14, 0)
    money = {row[0]: row[1:] for row in sheets["4 Middelen"][1:]}
    assert money["Voorsprong in leren"] == (6722000, 2688800, 4033200, 0, 0, 0)
    assert money["Voorsprong in werk voor iedereen"][:4] == (62500000, 25000000, 28125000, 9375000)
    assert money["Voorsprong in motivatie"][-1] == 15  # the companies' own means per coaching, in percent
    places = sheets["3 Plaatsen"]
    assert (
        "Voorsprong in motivatie",
        datetime.datetime(2025, 9, 1),
        datetime.datetime(2027, 8, 31),
        253,
        20,
    ) in places
    assert sum(row[3] for row in places[1:] if row[0] == "Voorsprong in leren") == 270
    for rows in sheets.values():
        for row in rows[1:]:
            for value in row:
                assert not (isinstance(value, str) and re.fullmatch(r"-?\d+(?:[.,]\d+)?", value)), value
    info = dict(sheets["Vraag"][1:])
    assert info["Vingerafdruk van de gegevens"] == FINGERPRINT


def test_the_xlsx_writes_dutch_labels_and_fills_every_cell_it_has_figures_for(rendered):
    from django.utils import translation

    with translation.override("en"):  # the workbook is Dutch whatever language is active
        sheets = xlsx_values(render_report(SAMPLE, "xlsx"))
    kinds = {(row[1], row[2]) for row in sheets["5 Partners"][1:]}
    assert {("Alert!", "Dienstverlener"), ("Voka", "Promotor"), ("ACV", "Vakbond")} <= kinds
    channels = {row[3] for row in sheets["7 Communicatie"][1:]}
    assert channels == {"Website", "Gerichte mailing", "Sociale media", "Print en advertenties", "Evenement"}
    for rows in sheets.values():
        for row in rows:
            for code in ("service_provider", "social_media", "partner_kit", "promoter"):
                assert code not in row, (code, row)
    funds = {(row[0], row[1]): row[2:] for row in sheets["9 Sectorfondsen"][1:]}
    assert funds["Voorsprong in werk voor iedereen", "Alle sectorfondsen"] == (57, 31)
    assert funds["Voorsprong in werk voor iedereen", "Cevora"] == (21, 14)
    assert funds["Voorsprong in leren", "Alimento"] == (2, 0)
    assert all(None not in values for values in funds.values())
    projects = sheets["5 Projecten"]
    assert projects[0] == ("Traject", "Project", "Partnerschap", "Organisaties")
    assert (
        "Voorsprong in werk voor iedereen",
        "Werk – Keerpunt",
        "P3",
        "Keerpunt, ABVV, ACLVB, ACV",
    ) in projects
    assert sheets["Toelichtingen"][1:] == [
        (6, "Voorsprong in werk voor iedereen", "Ik verwacht meer evaluaties in de zomer van 2026."),
        (9, "Het hele antwoord", "De sectorfondsen werken samen met de drie partnerschappen."),
    ]


def test_the_csv_is_one_flat_semicolon_table(rendered):
    content = rendered["csv"]
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["answer", "traject", "figure", "value"]
    assert all(len(row) == 4 for row in rows)
    values = {(row[0], row[1], row[2]): row[3] for row in rows[1:]}
    assert values["1", "leren", "approved_companies"] == "151"
    assert values["2", "werk", "size_class_shares.sme"] == "61,5"
    assert values["4", "leren", "funding.total"] == "6722000,00"
    assert values["4", "werk", "funding.own_promoter"] == "9375000,00"
    assert values["3", "motivatie", "places.2025-09-01/2027-08-31.places"] == "253"
    assert values["0", "", "fingerprint"] == FINGERPRINT
    assert values["9", "werk", "referrals.by_sector_fund.Cevora"] == "21"
    assert values["9", "werk", "referrals.intakes_by_sector_fund.Cevora"] == "14"
    assert values["4", "motivatie", "own_company_share"] == "15,0"
    assert values["6", "werk", "statement"] == "Ik verwacht meer evaluaties in de zomer van 2026."
    assert [row[0] for row in rows[1:]] == sorted((row[0] for row in rows[1:]), key=int)


def test_the_json_is_the_figures_as_they_are(rendered):
    content = rendered["json"]
    assert json.loads(content) == SAMPLE
    assert content.decode("utf-8") == json.dumps(SAMPLE, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    with_accent = {**SAMPLE, "initiatives": [{"title": "Één gids", "text": "Leren op de werkvloer"}]}
    assert "Één gids".encode() in render_report(with_accent, "json")


# -- no personal data --------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_company_contact_or_e_mail_reaches_a_document(fmt):
    text = text_of(fmt, render_report(PLANTED, fmt))
    for secret in (COMPANY, CONTACT, E_MAIL, "plantaert"):
        assert secret.lower() not in text.lower(), secret
    assert "@" not in text


def test_the_pdfs_html_has_no_personal_data_either():
    with translation.override("nl-be"):
        html = render_html(build_document(PLANTED), TEMPLATE)
    for secret in (COMPANY, CONTACT, E_MAIL):
        assert secret not in html


# -- Belgian notation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6722000.00", "6.722.000"),
        ("1234.5", "1.234,50"),
        (988, "988"),
        ("0.00", "0"),
        ("-1500.25", "-1.500,25"),
    ],
)
def test_numbers_are_written_the_belgian_way(value, expected):
    assert number(value) == expected


def test_amounts_shares_and_dates_are_written_as_the_minister_does():
    assert euro("9375000.00") == "9.375.000 euro"
    assert (share("61.5"), share("14.0"), share("0.0"), share(None)) == ("61,5%", "14%", "0%", "–")
    assert month_year("2023-05-01") == "Mei 2023"
    assert long_date("2025-11-26") == "26 november 2025"
    assert period("2024-01-01", "2024-12-31") == "2024"
    assert period("2025-09-01", "2027-08-31") == "1 september 2025 – 31 augustus 2027"
