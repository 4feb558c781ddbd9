"""The answer to question 244 as text blocks, the same in the PDF and the DOCX.

The document is the draft of a minister's answer and is always Dutch, so its sentences are written here
in Dutch directly rather than through the UI's translation catalogue. Numbers and dates go through
:mod:`reporting.documents.formatting` (Belgian notation). Answers 2 to 9 name trajects, partner
organisations and sector funds, never a participating company.

Answer 6 adds, for a traject with evaluations, a paragraph on what the coaching changed (the outcome
figures of ``reporting.statistics.outcomes``): the response rate, the follow-up rate, the share with a
training policy before and after, learning transfer and motivation, the employees reached and the barrier
most often removed. A figure masked because it rests on fewer than five companies is said in words
("minder dan vijf bedrijven"), never as a number; a response rate so masked is left out, as the
sentence before it already gives the counts it rests on. Without evaluations the answer is as before.
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
from reporting.statistics.outcomes import is_masked

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
# The organisations that run a project; the others in it (unions, ...) are whom it was submitted for.
LEADING_KINDS = ("service_provider", "promoter")
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
    "unknown": "Grootte nog niet verklaard",
}
FUNDING_PARTS = (
    ("eu", "Europese middelen"),
    ("flemish", "Vlaamse subsidies"),
    ("own_promoter", "eigen inbreng van de promotoren"),
    ("own_company", "eigen inbreng van de ondernemingen"),
)
SMES = "KMO's"
# The barriers to learning as the minister names them (``participants.models.Barrier``).
BARRIERS = {
    "dispositional": "de dispositionele drempel (motivatie, houding)",
    "situational": "de situationele drempel (tijd, werkdruk, gezin)",
    "institutional": "de institutionele drempel (aanbod, voorwaarden, timing)",
    "informational": "de informationele drempel (het aanbod niet kennen)",
    "financial": "de financiële drempel",
    "digital": "de digitale drempel",
}
OUTCOME_SCORES = (("learning_transfer", "de leertransfer"), ("motivation", "hun motivatie om te leren"))
FEWER_THAN_FIVE = "minder dan vijf bedrijven"
FEWER_THAN_FIVE_STARTS = "Minder dan vijf bedrijven"
NO_EVALUATION = "ik kan bijgevolg nog geen evaluatie of aanbevelingen delen."
ORDINALS = (
    "eerste",
    "tweede",
    "derde",
    "vierde",
    "vijfde",
    "zesde",
    "zevende",
    "achtste",
    "negende",
    "tiende",
)


def plural(count: int, singular: str, many: str) -> str:
    return f"{number(count)} {singular if count == 1 else many}"


def plural_in_words(count: int, singular: str, many: str) -> str:
    """``vier dienstverleners``, ``één partnerschap``: small counts in words, as the minister writes them."""
    return f"{'één' if count == 1 else in_words(count)} {singular if count == 1 else many}"


def ordinal(position: int) -> str:
    """``2`` -> ``tweede``; from eleven on ``11de``."""
    return ORDINALS[position - 1] if 0 < position <= len(ORDINALS) else f"{position}de"


def with_statement(text: str, statement: str) -> str:
    return f"{text} {statement}" if statement else text


class Statements:
    """The statements of one answer (``figures["statements"]``): an answer function takes a traject's to
    say it after that traject's figures; :func:`build_document` puts the answer's own statement first and
    any traject's the function did not take after the rest."""

    def __init__(self, figures: PQ244Figures, answer: int):
        self._texts = {
            item["traject"]: item["text"] for item in figures["statements"] if item["answer"] == answer
        }
        self._names = {traject["code"]: traject["name"] for traject in figures["trajects"]}

    def about(self, traject: TrajectFigures) -> str:
        """Return the statement about ``traject`` ("" without one), taken: it is said once."""
        return self._texts.pop(traject["code"], "")

    def around(self, blocks: list) -> list:
        """Return ``blocks`` with the answer's own statement first and the statements not taken last."""
        whole = self._texts.pop(None, "")
        rest = [Paragraph(text, lead=f"{self._names.get(code, code)}:") for code, text in self._texts.items()]
        return [*([Paragraph(whole)] if whole else []), *blocks, *rest]


# -- the answers ---------------------------------------------------------------------------------------
def answer_1(figures: PQ244Figures, said: Statements) -> list:
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


def _only_smes(traject: TrajectFigures) -> bool:
    sizes = traject["size_classes"]
    return bool(traject["approved_companies"]) and sizes["micro"] + sizes["small"] + sizes["medium"] == sum(
        sizes.values()
    )


def answer_2(figures: PQ244Figures, said: Statements) -> list:
    blocks = []
    for traject in figures["trajects"]:
        sizes, shares, name = traject["size_classes"], traject["size_class_shares"], traject["name"]
        sme = sizes["micro"] + sizes["small"] + sizes["medium"]
        if not traject["approved_companies"]:
            text = f"{name}: er zijn nog geen bedrijven met een goedgekeurde aanvraag."
        elif _only_smes(traject):
            text = f"{name} bereikt enkel KMO's: {_size_breakdown(sizes)}."
        else:
            text = (
                f"In {name} bereiken we {share(shares['sme'])} KMO's en micro-ondernemingen, "
                f"{share(shares['non_profit'])} non-profitorganisaties en {share(shares['large'])} grote "
                f"bedrijven. Het gaat om {plural(sme, 'KMO', SMES)} ({_size_breakdown(sizes)}), "
                f"{plural(sizes['non_profit'], 'non-profitorganisatie', 'non-profitorganisaties')} en "
                f"{plural(sizes['large'], 'groot bedrijf', 'grote bedrijven')}."
            )
        if sizes["unknown"]:
            unknown = plural(sizes["unknown"], "bedrijf", "bedrijven")
            unknown_share = share(shares["unknown"])
            text += f" Van {unknown} ({unknown_share}) was de KMO-status bij de goedkeuring niet verklaard."
        blocks.append(Paragraph(with_statement(text, said.about(traject))))
    if any(traject["approved_companies"] for traject in figures["trajects"]):
        blocks.append(Figure(charts.size_split(figures["trajects"], SIZE_LABELS)))
    return blocks


def _duration(start, end) -> str:
    """Return ``2 jaar`` or ``18 maanden`` for a period of whole months, else nothing."""
    start, after = as_date(start), as_date(end) + datetime.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day != start.day or months <= 0:
        return ""
    return f"{months // 12} jaar" if months % 12 == 0 else f"{months} maanden"


def _in_period(row: dict) -> str:
    """``in 2024`` for a calendar year, else ``in de periode`` and the period's first and last day."""
    text = period(row["start"], row["end"])
    return f"in {text}" if text.isdigit() else f"in de periode {text}"


def _capacity(traject: TrajectFigures, as_of: datetime.date) -> str:
    """Return the places a traject opens with the places taken in each period, never a total of several
    periods next to the places of one: ``90 plaatsen per jaar. Daarvan werden er 35 ingenomen in 2023, 60 in
    2024 en tot nu toe 56 in 2025.`` A period still running on ``as_of`` says ``tot nu toe``."""
    rows, name = traject["places"], traject["name"]
    if not rows:
        return f"{name}: er zijn nog geen plaatsen opengesteld."

    def so_far(row: dict) -> str:
        return "tot nu toe " if as_of <= as_date(row["end"]) else ""

    calendar_years = all(period(row["start"], row["end"]).isdigit() for row in rows)
    if calendar_years and len({row["places"] for row in rows}) == 1:
        opened = f"{plural(rows[0]['places'], 'plaats', 'plaatsen')} per jaar"
        taken = enumerate_nl(f"{so_far(row)}{number(row['taken'])} {_in_period(row)}" for row in rows)
        return f"{name}: {opened}. Daarvan werden er {taken} ingenomen."
    if len(rows) == 1:
        row = rows[0]
        duration = _duration(row["start"], row["end"])
        over = f"overheen {duration} " if duration else ""
        opened = f"{plural(row['places'], 'plaats', 'plaatsen')} {over}({period(row['start'], row['end'])})"
        return f"{name}: {opened}. Daarvan werden er {so_far(row)}{number(row['taken'])} ingenomen."
    periods = "; ".join(
        f"{plural(row['places'], 'plaats', 'plaatsen')} {_in_period(row)}, waarvan {so_far(row)}"
        f"{number(row['taken'])} ingenomen"
        for row in rows
    )
    return f"{name}: {periods}."


def _occupancy(row: dict) -> str:
    if not row["places"]:
        return "–"
    return share(decimal(row["taken"] * 100) / row["places"])


def answer_3(figures: PQ244Figures, said: Statements) -> list:
    as_of = as_date(figures["as_of"])
    blocks = [
        Paragraph(with_statement(_capacity(traject, as_of), said.about(traject)))
        for traject in figures["trajects"]
    ]
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


def _own_means(traject: TrajectFigures) -> str:
    """Return what the companies add to each coaching themselves, as the funding rule says: ``De begeleide
    KMO's vullen dit bedrag aan met 15% eigen middelen per begeleiding.``; nothing without such means."""
    own = traject["own_company_share"]
    if own is None or not decimal(own):
        return ""
    companies = SMES if _only_smes(traject) else "ondernemingen"
    return f"De begeleide {companies} vullen dit bedrag aan met {share(own)} eigen middelen per begeleiding."


def answer_4(figures: PQ244Figures, said: Statements) -> list:
    blocks = []
    for traject in figures["trajects"]:
        funding, name = traject["funding"], traject["name"]
        parts = [f"{euro(funding[key])} {label}" for key, label in FUNDING_PARTS if decimal(funding[key])]
        if not decimal(funding["total"]):
            text = f"{name}: er zijn nog geen middelen toegekend."
        elif parts:
            text = f"{name}: {euro(funding['total'])} totaal, waarvan {enumerate_nl(parts)}."
        else:
            text = f"{name}: {euro(funding['total'])} totaal."
        text = with_statement(text, _own_means(traject))
        blocks.append(Paragraph(with_statement(text, said.about(traject))))
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


def _leading(project) -> tuple[list, list]:
    """Return the organisations that run ``project`` and those it was submitted for (the unions of a joint
    project); a project of other organisations only is run by its first."""
    organisations = project["organisations"]
    leads = [partner for partner in organisations if partner["kind"] in LEADING_KINDS] or organisations[:1]
    return leads, [partner for partner in organisations if partner not in leads]


def _kind(partner) -> str:
    kind = partner["kind"].strip().lower().replace(" ", "_").replace("-", "_")
    return kind if kind in PARTNER_KINDS else "other"


def _partners(traject: TrajectFigures) -> str:
    """Return who a traject works with, as the minister writes it; nothing when it has no partner.

    ``Voorsprong in leren werkt met vier dienstverleners die begeleidingen uitvoeren bij de ondernemingen.
    Deze dienstverleners zijn Alert!, ...`` or, with partnerships, ``... werkt met zeven administratieve
    projecten die zich verenigd hebben in drie partnerschappen. De promotoren zijn Voka, ... en Keerpunt, dat
    een gezamenlijk project heeft ingediend voor ABVV, ACLVB en ACV.``
    """
    name, projects, partnerships = traject["name"], traject["projects"], traject["partnerships"]
    if not projects:
        names = [partner["name"] for partner in traject["partners"]]
        return f"{name} werkt met {enumerate_nl(names)}." if names else ""
    by_kind: dict[str, list[str]] = defaultdict(list)
    joint = []  # (who runs it, for whom), said after the list it closes or in a sentence of its own
    for project in projects:
        leads, others = _leading(project)
        for lead in leads:
            if lead["name"] not in by_kind[_kind(lead)]:
                by_kind[_kind(lead)].append(lead["name"])
        if others and leads:
            joint.append((leads[-1]["name"], enumerate_nl(partner["name"] for partner in others)))
    providers_only = list(by_kind) == ["service_provider"]
    projects_in_words = plural_in_words(len(projects), "administratief project", "administratieve projecten")
    if partnerships:
        united = plural_in_words(len(partnerships), "partnerschap", "partnerschappen")
        opening = f"{name} werkt met {projects_in_words} die zich verenigd hebben in {united}."
    elif providers_only:
        providers = by_kind["service_provider"]
        opening = (
            f"{name} werkt met {plural_in_words(len(providers), 'dienstverlener', 'dienstverleners')} die "
            "begeleidingen uitvoeren bij de ondernemingen."
        )
    else:
        opening = f"{name} werkt met {projects_in_words}."
    sentences = [opening]
    for kind in PARTNER_KINDS:
        names = by_kind.get(kind)
        if not names:
            continue
        subject = f"{'Deze' if providers_only else 'De'} {PARTNER_KINDS[kind][len(names) != 1]}"
        listed = enumerate_nl(names)
        for lead, submitted_for in list(joint):
            if names[-1] == lead:  # closes the list: said in it, as the minister does
                listed += f", dat een gezamenlijk project heeft ingediend voor {submitted_for}"
                joint.remove((lead, submitted_for))
        sentences.append(f"{subject} {'is' if len(names) == 1 else 'zijn'} {listed}.")
    sentences += [f"{lead} heeft een gezamenlijk project ingediend voor {whom}." for lead, whom in joint]
    return " ".join(sentences)


def answer_5(figures: PQ244Figures, said: Statements) -> list:
    blocks = []
    for traject in figures["trajects"]:
        text = with_statement(_partners(traject), said.about(traject))
        if text:  # a traject without partners is left out, not said to have none
            blocks.append(Paragraph(text))
    return blocks or [Paragraph("Er zijn nog geen partners bij de voorsprongtrajecten betrokken.")]


def _scores_sentence(scores: dict) -> str:
    shown = [
        f"{score(scores[field])} voor {label}"
        for field, label in OUTCOME_SCORES
        if scores[field] is not None and not is_masked(scores[field])
    ]
    hidden = [label for field, label in OUTCOME_SCORES if is_masked(scores[field])]
    sentences = (
        [f"De bedrijven die de evaluatie invulden, geven gemiddeld {enumerate_nl(shown)}."] if shown else []
    )
    if hidden:
        sentences.append(f"Over {enumerate_nl(hidden)} oordeelden {FEWER_THAN_FIVE}.")
    return " ".join(sentences)


def _staff_sentence(staff: dict) -> str:
    if staff["total"] is None:
        return ""
    if is_masked(staff["total"]):
        return f"Het aantal bereikte medewerkers is bekend voor {FEWER_THAN_FIVE} en vermeld ik daarom niet."
    return (
        f"De afgeronde trajecten bereikten {plural(staff['total'], 'medewerker', 'medewerkers')}, van "
        f"wie {number(staff['low_skilled'])} laaggeschoold en {number(staff['aged_55_plus'])} van 55 jaar "
        "of ouder."
    )


def _barrier_sentence(barriers: dict) -> str:
    removed = {code: change["removed"] for code, change in barriers.items() if code in BARRIERS}
    counted = {code: count for code, count in removed.items() if not is_masked(count) and count}
    if counted:
        most = max(counted.values())
        names = enumerate_nl(BARRIERS[code] for code, count in counted.items() if count == most)
        companies = plural(most, "bedrijf", "bedrijven")
        if list(counted.values()).count(most) == 1:
            return f"De drempel die het vaakst wegviel, is {names}: bij {companies}."
        return f"De drempels die het vaakst wegvielen, zijn {names}: elk bij {companies}."
    if any(is_masked(count) for count in removed.values()):
        return f"Elke drempel viel bij {FEWER_THAN_FIVE} weg."
    return ""


def _follow_up_sentence(rate) -> str:
    if is_masked(rate):
        return (
            f"{FEWER_THAN_FIVE_STARTS} rondden hun traject minstens zes maanden geleden af, te weinig om "
            "over de opvolging te rapporteren."
        )
    if rate is None:
        return ""
    return (
        "Van de bedrijven die hun traject minstens zes maanden geleden afrondden, beantwoordde "
        f"{share(rate)} de opvolgingsvragen."
    )


def _policy_sentence(policy: dict) -> str:
    if is_masked(policy["before"]):
        return (
            f"{FEWER_THAN_FIVE_STARTS} brachten zowel bij de start als bij de afronding hun leersituatie in "
            "kaart, te weinig om het aandeel met een opleidingsbeleid (VTO-beleid) te rapporteren."
        )
    if policy["before"] is None:
        return ""
    return (
        "Van de bedrijven die zowel bij de start als bij de afronding hun leersituatie in kaart brachten, "
        f"had {share(policy['before'])} bij de start een opleidingsbeleid (VTO-beleid) en "
        f"{share(policy['after'])} bij de afronding."
    )


def _outcomes(evaluations: dict) -> str:
    """Return what the coaching changed, in the minister's words, as far as the figures say it."""
    rate = evaluations["response_rate"]
    sentences = [
        f"De responsgraad bedraagt {share(rate)}." if rate is not None and not is_masked(rate) else "",
        _policy_sentence(evaluations["training_policy"]),
        _scores_sentence(evaluations["average_scores"]),
        _staff_sentence(evaluations["staff_reached"]),
        _barrier_sentence(evaluations["barriers"]),
        _follow_up_sentence(evaluations["follow_up_rate"]),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def answer_6(figures: PQ244Figures, said: Statements) -> list:
    blocks = []
    for traject in figures["trajects"]:
        evaluations, name = traject["evaluations"], traject["name"]
        completed, responses = evaluations["completed"], evaluations["responses"]
        statement = said.about(traject)
        # Without evaluations the minister's statement, when there is one, says what follows from it.
        conclusion = f" {NO_EVALUATION}" if not statement else ""
        if not completed:
            text = "Er zijn op heden nog geen afgeronde trajecten geregistreerd" + (
                f",{conclusion}" if conclusion else "."
            )
        elif not responses:
            text = (
                f"Er zijn {plural(completed, 'afgerond traject', 'afgeronde trajecten')} geregistreerd, maar "
                "nog geen ingevulde evaluaties" + (f";{conclusion}" if conclusion else ".")
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
        blocks.append(Paragraph(with_statement(text, statement), lead=f"{name}:"))
        changed = _outcomes(evaluations) if responses else ""
        if changed:
            blocks.append(Paragraph(changed))
        if responses and evaluations["recommendations"]:
            blocks.append(Paragraph("Hun aanbevelingen:"))
            blocks.append(Bullets(list(evaluations["recommendations"])))
        elif responses:
            blocks.append(Paragraph("Zij formuleerden geen aanbevelingen."))
    return blocks


def _campaigns(figures: PQ244Figures) -> list[tuple[datetime.date, list[str], list[str]]]:
    """Return the campaigns by their first day: (that day, the trajects' names, the actions' texts). An action
    that promotes several trajects is one action of its campaign."""
    actions: dict[tuple, list[str]] = {}
    for traject in figures["trajects"]:
        for action in traject["communication_actions"]:
            key = (action["campaign"], action["date"], action["channel"], action["description"])
            if traject["name"] not in actions.setdefault(key, []):
                actions[key].append(traject["name"])
    campaigns: dict[str, tuple] = {}
    for (campaign, day, channel, description), trajects in sorted(
        actions.items(), key=lambda item: item[0][1]
    ):
        _first, names, texts = campaigns.setdefault(campaign, (as_date(day), [], []))
        names += [name for name in trajects if name not in names]
        texts.append(description or CHANNELS.get(channel, channel))
    order = [traject["name"] for traject in figures["trajects"]]
    return sorted(
        ((first, sorted(names, key=order.index), texts) for first, names, texts in campaigns.values()),
        key=lambda campaign: campaign[0],
    )


def answer_7(figures: PQ244Figures, said: Statements) -> list:
    """The campaigns by date, in running Dutch: the first, the waves for a traject that started, a follow-up,
    and one announced for later (without its actions, which the minister does not list before they run)."""
    as_of = as_date(figures["as_of"])
    everyone = [traject["name"] for traject in figures["trajects"]]
    started = {traject["name"]: as_date(traject["start_date"]) for traject in figures["trajects"]}
    blocks = []
    for position, (first, names, texts) in enumerate(_campaigns(figures), start=1):
        month = f"{MONTHS[first.month - 1]} {first.year}"
        whom = (
            f"de {in_words(len(names))} Voorsprongtrajecten"
            if len(names) > 1 and sorted(names) == sorted(everyone)
            else enumerate_nl(names)
        )
        if first > as_of:
            what = "de campagne" if position == 1 else "een vervolg op de campagne"
            blocks.append(Paragraph(f"Er komt voor {whom} {what}. Die start in {month}."))
            continue
        opening = [
            name for name in names if (started[name].year, started[name].month) == (first.year, first.month)
        ]
        if position == 1:
            text = f"In {month} startte de campagne voor {whom}:"
        elif opening:
            trajects = enumerate_nl(f"‘{name}’" for name in opening)
            subject = (
                f"het Voorsprongtraject {trajects}"
                if len(opening) == 1
                else f"de Voorsprongtrajecten {trajects}"
            )
            wave = f"een {ordinal(position)} golf van de campagne"
            also = "" if opening == names else f" voor {whom}"
            verb = "startte" if len(opening) == 1 else "startten"
            text = f"In {month} {verb} {subject}. Hiervoor lanceerden we {wave}{also}:"
        else:
            text = f"In {month} startte een vervolg op de campagne voor {whom}:"
        blocks += [Paragraph(text), Bullets(texts)]
    return blocks or [Paragraph("Er is nog geen campagne gestart.")]


def answer_8(figures: PQ244Figures, said: Statements) -> list:
    if not figures["initiatives"]:
        return [Paragraph("Er zijn geen andere initiatieven geregistreerd.")]
    # The texts as the minister writes them; the titles are the officers' labels (the workbook has them).
    return [Paragraph(item["text"]) for item in figures["initiatives"]]


def answer_9(figures: PQ244Figures, said: Statements) -> list:
    blocks = []
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
        blocks.append(Paragraph(with_statement(text, said.about(traject)), lead=f"{traject['name']}:"))
    if not referred:
        blocks.append(Paragraph("Er zijn nog geen kandidaat-bedrijven via de sectorfondsen aangebracht."))
    return blocks


ANSWERS = (answer_1, answer_2, answer_3, answer_4, answer_5, answer_6, answer_7, answer_8, answer_9)


def build_document(figures: PQ244Figures) -> Document:
    """Return the answer to question 244 with ``figures``, as blocks of text, tables and charts, each
    answer with the statements that hold on the date of the figures."""
    answers = []
    for index, answer in enumerate(ANSWERS, start=1):
        said = Statements(figures, index)
        answers.append(Answer(index, said.around(answer(figures, said))))
    return Document.answering(
        HEADING,
        question=figures["question"],
        as_of=as_date(figures["as_of"]),
        fingerprint=figures["fingerprint"],
        answers=answers,
    )
