"""The answer to question 244 as text blocks, the same in the PDF and the DOCX.

The document is the draft of a minister's answer and is always Dutch, so its sentences are written here
in Dutch directly rather than through the UI's translation catalogue. Numbers and dates go through
:mod:`reporting.documents.formatting` (Belgian notation). Answers 2 to 9 name trajects, partner
organisations and sector funds, never a participating company.
"""

import datetime
from collections import defaultdict

from reporting.documents import charts
from reporting.documents.content import Answer, Bullets, Document, Figure, Paragraph, Table
from reporting.documents.formatting import (
    MONTHS,
    as_date,
    decimal,
    enumerate_nl,
    euro,
    in_words,
    month_year,
    number,
    period,
    score,
    share,
    short_period,
)
from reporting.questions import Heading
from reporting.questions.pq244.figures import PQ244Figures, TrajectFigures

HEADING = Heading(
    date=datetime.date(2025, 11, 26),
    asker="Ilse Malfroot",
    addressee="Zuhal Demir",
    addressee_title="Vlaams minister van Onderwijs, Justitie en Werk",
    title="Levenslang leren - Evaluatie",
    questions=(
        "Hoeveel Vlaamse bedrijven maakten al gebruik van deze trajecten? Graag een overzicht van alle "
        "deelnemers per voorsprongtraject sinds de opstart van de trajecten.",
        "Kan de minister een overzicht geven van hoeveel kmo's, non-profitorganisaties, "
        "micro-ondernemingen en grote bedrijven al participeerden aan één of meerdere "
        "voorsprongtrajecten?",
        "Hoeveel plaatsen worden per traject jaarlijks opengesteld, en hoeveel daarvan worden ingenomen?",
        "Hoeveel Europese en Vlaamse subsidies gaan er naar deze trajecten? Kan de minister dat "
        "opsplitsen per voorsprongtraject?",
        "Welke partners zijn allemaal betrokken bij dit programma?",
        "Hoe evalueren de bedrijven die hebben deelgenomen aan dit programma het traject? Welke "
        "aanbevelingen geven zij?",
        "Hoe promoot men dit bij ondernemingen? Welke acties worden ondernomen? Hoe wil de minister dit "
        "bij een groter publiek bekendmaken?",
        "Welke andere initiatieven onderneemt de Vlaamse Regering om het levenslang leren op de "
        "werkvloer te promoten?",
        "Welke rol spelen de sectorfondsen in dit programma?",
    ),
)

PARTNER_KINDS = {
    "service_provider": ("dienstverlener", "dienstverleners"),
    "promoter": ("promotor", "promotoren"),
    "union": ("vakbond", "vakbonden"),
    "sector_fund": ("sectorfonds", "sectorfondsen"),
    "other": ("partner", "partners"),
}
CHANNELS = {
    "website": "Website",
    "mailing": "Gerichte mailing",
    "social_media": "Sociale media",
    "newsletter": "Nieuwsbrief",
    "print": "Print en advertenties",
    "event": "Evenement",
    "partner_kit": "Deelpakket voor intermediairs",
    "other": "Andere",
}
SIZE_LABELS = {
    "micro": "Micro-ondernemingen",
    "small": "Kleine ondernemingen",
    "medium": "Middelgrote ondernemingen",
    "non_profit": "Non-profitorganisaties",
    "large": "Grote bedrijven",
}
FUNDING_PARTS = (
    ("eu", "Europese middelen"),
    ("flemish", "Vlaamse subsidies"),
    ("own_promoter", "eigen inbreng van de promotoren"),
    ("own_company", "eigen inbreng van de ondernemingen"),
)
SMES = "KMO's"
NO_EVALUATION = "ik kan bijgevolg nog geen evaluatie of aanbevelingen delen."
SECTOR_FUND_ROLE = (
    "In de Voorsprongtrajecten zijn er concrete afspraken gemaakt tussen de sectorfondsen en de "
    "partnerschappen waardoor de sectorconsulenten kandidaat-bedrijven kunnen aanbrengen en zelf ook een "
    "intake kunnen doen. De sectorconsulent kan, indien gewenst, mee op de hoogte blijven van de "
    "vorderingen in het aangebrachte bedrijf."
)


def plural(count: int, singular: str, many: str) -> str:
    return f"{number(count)} {singular if count == 1 else many}"


# -- the answers ---------------------------------------------------------------------------------------
def answer_1(figures: PQ244Figures) -> list:
    rows = [
        [traject["name"], month_year(traject["start_date"]), number(traject["approved_companies"])]
        for traject in figures["trajects"]
    ]
    return [
        Table(["", "Startdatum", "# bedrijven met goedgekeurde aanvraag"], rows, numeric=(2,)),
        Paragraph(
            f"In totaal namen {plural(figures['companies_in_any_traject'], 'bedrijf', 'bedrijven')} "
            "met een goedgekeurde aanvraag deel aan één of meerdere voorsprongtrajecten."
        ),
    ]


def _size_breakdown(sizes: dict) -> str:
    return (
        f"{plural(sizes['micro'], 'micro-onderneming', 'micro-ondernemingen')}, "
        f"{plural(sizes['small'], 'kleine', 'kleine')} en "
        f"{plural(sizes['medium'], 'middelgrote onderneming', 'middelgrote ondernemingen')}"
    )


def answer_2(figures: PQ244Figures) -> list:
    blocks = []
    for traject in figures["trajects"]:
        sizes, shares, name = traject["size_classes"], traject["size_class_shares"], traject["name"]
        total = sum(sizes.values())
        sme = sizes["micro"] + sizes["small"] + sizes["medium"]
        if not total:
            text = f"{name}: er zijn nog geen bedrijven met een goedgekeurde aanvraag."
        elif sme == total:
            text = f"{name} bereikt enkel KMO's: {_size_breakdown(sizes)}."
        else:
            text = (
                f"In {name} bereiken we {share(shares['sme'])} KMO's en micro-ondernemingen, "
                f"{share(shares['non_profit'])} non-profitorganisaties en {share(shares['large'])} grote "
                f"bedrijven. Het gaat om {plural(sme, 'KMO', SMES)} ({_size_breakdown(sizes)}), "
                f"{plural(sizes['non_profit'], 'non-profitorganisatie', 'non-profitorganisaties')} en "
                f"{plural(sizes['large'], 'groot bedrijf', 'grote bedrijven')}."
            )
        blocks.append(Paragraph(text))
    if any(sum(traject["size_classes"].values()) for traject in figures["trajects"]):
        blocks.append(Figure(charts.size_split(figures["trajects"], SIZE_LABELS)))
    return blocks


def _duration(start, end) -> str:
    """Return ``2 jaar`` or ``18 maanden`` for a period of whole months, else nothing."""
    start, after = as_date(start), as_date(end) + datetime.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day != start.day or months <= 0:
        return ""
    return f"{months // 12} jaar" if months % 12 == 0 else f"{months} maanden"


def _capacity(traject: TrajectFigures) -> str:
    rows, name = traject["places"], traject["name"]
    if not rows:
        return f"{name}: er zijn nog geen plaatsen opengesteld."
    calendar_years = all(period(row["start"], row["end"]).isdigit() for row in rows)
    taken = sum(row["taken"] for row in rows)
    if calendar_years and len({row["places"] for row in rows}) == 1:
        years = f"{rows[0]['start'][:4]}–{rows[-1]['end'][:4]}" if len(rows) > 1 else rows[0]["start"][:4]
        text = f"{name}: {plural(rows[0]['places'], 'plaats', 'plaatsen')} op jaarbasis ({years})"
    elif len(rows) == 1:
        row = rows[0]
        duration = _duration(row["start"], row["end"])
        over = f"overheen {duration} " if duration else ""
        opened = plural(row["places"], "plaats", "plaatsen")
        text = f"{name}: {opened} {over}({period(row['start'], row['end'])})"
    else:
        opened = enumerate_nl(
            f"{number(row['places'])} in {period(row['start'], row['end'])}" for row in rows
        )
        text = f"{name}: {opened} opengesteld"
    return f"{text}, waarvan er tot nu toe {number(taken)} ingenomen zijn."


def _occupancy(row: dict) -> str:
    if not row["places"]:
        return "–"
    return share(decimal(row["taken"] * 100) / row["places"])


def answer_3(figures: PQ244Figures) -> list:
    blocks = [Paragraph(_capacity(traject)) for traject in figures["trajects"]]
    rows = [
        [
            "" if index else traject["name"],  # the traject's name once, over its periods
            short_period(row["start"], row["end"]),
            number(row["places"]),
            number(row["taken"]),
            _occupancy(row),
        ]
        for traject in figures["trajects"]
        for index, row in enumerate(traject["places"])
    ]
    if rows:
        blocks.append(
            Table(["", "Periode", "Opengesteld", "Ingenomen", "Bezetting"], rows, numeric=(2, 3, 4))
        )
        blocks.append(Figure(charts.places(figures["trajects"])))
    return blocks


def answer_4(figures: PQ244Figures) -> list:
    blocks = []
    for traject in figures["trajects"]:
        funding, name = traject["funding"], traject["name"]
        parts = [f"{euro(funding[key])} {label}" for key, label in FUNDING_PARTS if decimal(funding[key])]
        if not decimal(funding["total"]):
            blocks.append(Paragraph(f"{name}: er zijn nog geen middelen toegekend."))
        elif parts:
            blocks.append(
                Paragraph(f"{name}: {euro(funding['total'])} totaal, waarvan {enumerate_nl(parts)}.")
            )
        else:
            blocks.append(Paragraph(f"{name}: {euro(funding['total'])} totaal."))
    eu = sum(decimal(traject["funding"]["eu"]) for traject in figures["trajects"])
    flemish = sum(decimal(traject["funding"]["flemish"]) for traject in figures["trajects"])
    if len(figures["trajects"]) > 1 and (eu or flemish):
        blocks.append(
            Paragraph(
                f"Samen gaat er {euro(eu)} aan Europese middelen en {euro(flemish)} aan Vlaamse subsidies "
                "naar de voorsprongtrajecten."
            )
        )
    return blocks


def answer_5(figures: PQ244Figures) -> list:
    blocks = []
    for traject in figures["trajects"]:
        by_kind = defaultdict(list)
        for partner in traject["partners"]:
            kind = partner["kind"].strip().lower().replace(" ", "_").replace("-", "_")
            by_kind[kind if kind in PARTNER_KINDS else "other"].append(partner["name"])
        if not by_kind:
            blocks.append(Paragraph(f"{traject['name']}: er zijn geen partners geregistreerd."))
            continue
        groups = [
            f"{in_words(len(names))} {PARTNER_KINDS[kind][len(names) != 1]} ({enumerate_nl(names)})"
            for kind in PARTNER_KINDS
            if (names := by_kind.get(kind))
        ]
        blocks.append(Paragraph(f"{traject['name']} werkt met {enumerate_nl(groups)}."))
    return blocks


def answer_6(figures: PQ244Figures) -> list:
    blocks = []
    for traject in figures["trajects"]:
        evaluations, name = traject["evaluations"], traject["name"]
        completed, responses = evaluations["completed"], evaluations["responses"]
        if not completed:
            text = f"Er zijn op heden nog geen afgeronde trajecten geregistreerd, {NO_EVALUATION}"
        elif not responses:
            text = (
                f"Er zijn {plural(completed, 'afgerond traject', 'afgeronde trajecten')} geregistreerd, maar "
                f"nog geen ingevulde evaluaties; {NO_EVALUATION}"
            )
        else:
            scores = evaluations["average_scores"]
            text = (
                f"{number(responses)} van de {plural(completed, 'bedrijf', 'bedrijven')} met een afgerond "
                f"traject vulden de evaluatie in. Op een schaal van 1 tot 5 geven zij gemiddeld "
                f"{score(scores['usefulness'])} voor het nut van het traject, "
                f"{score(scores['coach_quality'])} voor de kwaliteit van de begeleiding, "
                f"{score(scores['learning_culture_effect'])} voor het effect op de leercultuur en "
                f"{score(scores['would_recommend'])} voor de vraag of zij het traject zouden aanbevelen."
            )
        blocks.append(Paragraph(text, lead=f"{name}:"))
        if responses and evaluations["recommendations"]:
            blocks.append(Paragraph("Hun aanbevelingen:"))
            blocks.append(Bullets(list(evaluations["recommendations"])))
        elif responses:
            blocks.append(Paragraph("Zij formuleerden geen aanbevelingen."))
    return blocks


def answer_7(figures: PQ244Figures) -> list:
    as_of = as_date(figures["as_of"])
    # One action may promote several trajects; it is listed once, with all of them.
    actions: dict[tuple, list[str]] = {}
    for traject in figures["trajects"]:
        for action in traject["communication_actions"]:
            key = (action["campaign"], action["date"], action["channel"], action["description"])
            actions.setdefault(key, [])
            if traject["name"] not in actions[key]:
                actions[key].append(traject["name"])
    campaigns: dict[str, list] = defaultdict(list)
    for key, trajects in sorted(actions.items(), key=lambda item: (item[0][1], item[0][0])):
        campaigns[key[0]].append((key, trajects))
    if not campaigns:
        return [Paragraph("Er zijn nog geen communicatieacties geregistreerd.")]
    blocks = []
    for campaign, items in campaigns.items():
        first = as_date(items[0][0][1])
        verb = "startte" if first <= as_of else "start"
        trajects = list(dict.fromkeys(name for _key, names in items for name in names))
        # "Campagne februari 2025" or "Vervolgcampagne 2026" names itself; another name is quoted.
        named = campaign if "campagne" in campaign.lower() else f"campagne ‘{campaign}’"
        blocks.append(
            Paragraph(
                f"In {MONTHS[first.month - 1]} {first.year} {verb} de {named} voor {enumerate_nl(trajects)}:"
            )
        )
        blocks.append(Bullets([key[3] or CHANNELS.get(key[2], key[2]) for key, _trajects in items]))
    return blocks


def answer_8(figures: PQ244Figures) -> list:
    if not figures["initiatives"]:
        return [Paragraph("Er zijn geen andere initiatieven geregistreerd.")]
    return [Paragraph(item["text"], lead=f"{item['title']}:") for item in figures["initiatives"]]


def answer_9(figures: PQ244Figures) -> list:
    blocks = [Paragraph(SECTOR_FUND_ROLE)]
    referred = [traject for traject in figures["trajects"] if traject["referrals"]["total"]]
    for traject in referred:
        referrals = traject["referrals"]
        text = (
            f"de sectorconsulenten brachten "
            f"{plural(referrals['total'], 'kandidaat-bedrijf', 'kandidaat-bedrijven')} aan en deden zelf "
            f"{plural(referrals['intakes'], 'intake', 'intakes')}."
        )
        funds = sorted(referrals["by_sector_fund"].items(), key=lambda item: (-item[1], item[0]))
        if funds:
            text += f" Per sectorfonds: {enumerate_nl(f'{fund} {number(count)}' for fund, count in funds)}."
        blocks.append(Paragraph(text, lead=f"{traject['name']}:"))
    if not referred:
        blocks.append(Paragraph("Er zijn nog geen kandidaat-bedrijven via de sectorfondsen aangebracht."))
    return blocks


ANSWERS = (answer_1, answer_2, answer_3, answer_4, answer_5, answer_6, answer_7, answer_8, answer_9)


def build_document(figures: PQ244Figures) -> Document:
    """Return the answer to question 244 with ``figures``, as blocks of text, tables and charts."""
    return Document.answering(
        HEADING,
        question=figures["question"],
        as_of=as_date(figures["as_of"]),
        fingerprint=figures["fingerprint"],
        answers=[Answer(index, answer(figures)) for index, answer in enumerate(ANSWERS, start=1)],
    )
