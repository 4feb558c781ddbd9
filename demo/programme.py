"""The real programme facts, as the minister gave them in the answer to question 244.

Everything here is created only when missing, so a second run changes nothing and an officer's
later edits (places, descriptions) are never overwritten.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group

from funding.models import AidBasis, BudgetLine, FundingRule, FundingSource, FundingSourceCode
from reporting.models import AnswerStatement, Initiative
from trajects.models import (
    CapacityPeriod,
    Channel,
    CommunicationAction,
    Organisation,
    OrganisationKind,
    Partnership,
    Project,
    Traject,
)
from trajects.size_classes import SME_CLASSES, SizeClass
from voorsprong.models import User
from voorsprong.roles import Role

DEMO_PASSWORD = "voorsprong-demo"

SME = [size_class.value for size_class in SME_CLASSES]

TRAJECTS = {
    "leren": {
        "name": "Voorsprong in leren",
        "start_date": datetime.date(2023, 5, 1),
        "allowed_size_classes": SME,
        "description": "Begeleiding van KMO's naar een sterke leercultuur, door vier dienstverleners.",
    },
    "werk": {
        "name": "Voorsprong in werk voor iedereen",
        "start_date": datetime.date(2024, 1, 1),
        "allowed_size_classes": SizeClass.values,
        "description": "Veranderingstrajecten voor inclusief werk bij KMO's, micro-ondernemingen, "
        "non-profitorganisaties en grote bedrijven.",
    },
    "motivatie": {
        "name": "Voorsprong in motivatie",
        "start_date": datetime.date(2025, 9, 1),
        "allowed_size_classes": SME,
        "description": "Begeleiding van KMO's rond motivatie en welzijn op de werkvloer.",
    },
}

# (traject, first day, last day, places): 90 per calendar year, 750 per year, 253 over two years.
CAPACITY_PERIODS = [
    *[("leren", datetime.date(year, 1, 1), datetime.date(year, 12, 31), 90) for year in range(2023, 2028)],
    *[("werk", datetime.date(year, 1, 1), datetime.date(year, 12, 31), 750) for year in range(2024, 2028)],
    ("motivatie", datetime.date(2025, 9, 1), datetime.date(2027, 8, 31), 253),
]

FUNDING_SOURCES = {
    FundingSourceCode.EU: ("Europese Unie (ESF+)", True),
    FundingSourceCode.FLEMISH: ("Vlaamse overheid", True),
    FundingSourceCode.OWN_PROMOTER: ("Eigen inbreng promotoren", False),
    FundingSourceCode.OWN_COMPANY: ("Eigen inbreng ondernemingen", False),
}

BUDGET = {
    "leren": {FundingSourceCode.EU: "2688800.00", FundingSourceCode.FLEMISH: "4033200.00"},
    "werk": {
        FundingSourceCode.EU: "25000000.00",
        FundingSourceCode.FLEMISH: "28125000.00",
        FundingSourceCode.OWN_PROMOTER: "9375000.00",
    },
    "motivatie": {FundingSourceCode.EU: "4400000.00", FundingSourceCode.FLEMISH: "6600000.00"},
}

# Planned cost per application (EUR), the promoters' own share and the companies' own means on top.
# Illustrative: the answer gives the budgets, not the cost of one trajectory.
FUNDING_RULES = {
    "leren": ("14900.00", "0", "0"),
    "werk": ("20800.00", "0.15", "0"),
    "motivatie": ("43400.00", "0", "0.15"),
}

SERVICE_PROVIDERS = ["Alert!", "Vico Consult", "Room without a Roof", "Obelisk"]
PROMOTERS = ["Voka", "UNIZO", "Verso", "Emino", "I-Diverso", "Werkplekarchitecten", "Keerpunt"]
UNIONS = ["ABVV", "ACLVB", "ACV"]
# (sector fund, the joint committees it serves)
SECTOR_FUNDS = {
    "Cevora": ["200"],
    "Constructiv": ["124"],
    "Volta": ["149.01"],
    "Alimento": ["118"],
    "Educam": ["112"],
    "Horeca Forma Vlaanderen": ["302"],
    "VIVO": ["330", "319"],
    "Sociare": ["329"],
}
# The answer names seven promoters in three partnerships but not who is with whom; this grouping
# is illustrative.
PARTNERSHIPS = {
    "Partnerschap Werkgevers": ["Voka", "UNIZO", "Verso"],
    "Partnerschap Inclusie": ["Emino", "I-Diverso"],
    "Partnerschap Werkplek": ["Werkplekarchitecten", "Keerpunt"],
}

# (campaign, date, channel, description, trajects, announced on) — answer 7, in the answer's words.
_WAVE_1 = "Campagne februari 2025"
_WAVE_2 = "Campagne Voorsprong in Motivatie"
_FOLLOW_UP = "Vervolgcampagne 2026"
_ALL = ["leren", "werk", "motivatie"]
COMMUNICATION_ACTIONS = [
    (
        _WAVE_1,
        datetime.date(2025, 2, 3),
        Channel.WEBSITE,
        "Website Voorsprongtrajecten: een overkoepelende website (www.voorsprongtrajecten.be) met daaronder "
        "een doorverwijzing naar de verschillende Voorsprongtrajecten",
        ["leren", "werk"],
        None,
    ),
    (
        _WAVE_1,
        datetime.date(2025, 2, 3),
        Channel.MAILING,
        "In kaart brengen en segmentatie van de doelgroep: gerichte mailings en aanpak per segment",
        ["leren", "werk"],
        None,
    ),
    (
        _WAVE_1,
        datetime.date(2025, 2, 10),
        Channel.PARTNER_KIT,
        "Deelpakketten met flyers, affiches, sociale media afbeeldingen & presentaties: Voor intermediaire "
        "partners met direct contact naar de einddoelgroep, en te gebruiken op events",
        ["leren", "werk"],
        None,
    ),
    (
        _WAVE_1,
        datetime.date(2025, 2, 17),
        Channel.NEWSLETTER,
        "Nieuwsbrieven & sociale mediaposts op eigen kanalen",
        ["leren", "werk"],
        None,
    ),
    (
        _WAVE_1,
        datetime.date(2025, 2, 24),
        Channel.SOCIAL_MEDIA,
        "Sociale mediacampagnes via Meta, LinkedIn en Google",
        ["leren", "werk"],
        None,
    ),
    (
        _WAVE_2,
        datetime.date(2025, 9, 1),
        Channel.SOCIAL_MEDIA,
        "Sociale mediacampagne op LinkedIn, Meta en YouTube",
        ["motivatie"],
        None,
    ),
    (
        _WAVE_2,
        datetime.date(2025, 9, 1),
        Channel.NEWSLETTER,
        "Nieuwsbrieven & sociale mediaposts op eigen kanalen",
        ["motivatie"],
        None,
    ),
    (
        _WAVE_2,
        datetime.date(2025, 9, 8),
        Channel.PRINT,
        "Advertenties in Knack Focus, HR focus en HR-magazine",
        ["motivatie"],
        None,
    ),
    (
        _WAVE_2,
        datetime.date(2025, 9, 15),
        Channel.PRINT,
        "Printadvertenties op bedrijfsterreinen",
        ["motivatie"],
        None,
    ),
    (
        _WAVE_2,
        datetime.date(2025, 9, 22),
        Channel.EVENT,
        "Beursstand op verschillende events",
        ["motivatie"],
        None,
    ),
    (
        _WAVE_2,
        datetime.date(2025, 9, 29),
        Channel.MAILING,
        "Gerichte mailings naar onze doelgroep",
        ["motivatie"],
        None,
    ),
    # The follow-up for the three trajects, announced before the question: the answer says it starts in
    # January 2026. Its actions are illustrative; the answer names none.
    (
        _FOLLOW_UP,
        datetime.date(2026, 1, 12),
        Channel.SOCIAL_MEDIA,
        "Sociale mediacampagne op LinkedIn, Meta en YouTube",
        _ALL,
        datetime.date(2025, 11, 3),
    ),
    (
        _FOLLOW_UP,
        datetime.date(2026, 1, 19),
        Channel.NEWSLETTER,
        "Nieuwsbrieven & sociale mediaposts op eigen kanalen",
        _ALL,
        datetime.date(2025, 11, 3),
    ),
    (
        _FOLLOW_UP,
        datetime.date(2026, 2, 2),
        Channel.MAILING,
        "Gerichte mailings naar onze doelgroep",
        _ALL,
        datetime.date(2025, 11, 3),
    ),
]

# (title, text) — answer 8: other initiatives of the Flemish Government.
INITIATIVES = [
    (
        "Praktijkgids Levenslang Leren",
        "Recentelijk werd de Praktijkgids Levenslang Leren voor bedrijven beschikbaar gesteld via "
        "vlaanderen.be/levenslangleren. Deze gids biedt concrete tools, inspiratie en praktijkvoorbeelden "
        "om een duurzaam leerklimaat te creëren en leren te verankeren in de dagelijkse werking van "
        "ondernemingen.",
    ),
    (
        "Leerlens",
        "Daarnaast ontwikkelt mijn administratie momenteel Leerlens, een digitale reflectietool die "
        "informeel leren zichtbaar, bespreekbaar en versterkend maakt.",
    ),
]

# (answer, traject or None for the whole answer, valid from, text) — what the minister states that no
# figure knows. An empty text ends the statement before it: the expectation of answer 6 once the
# evaluations came in, the recent start of motivatie a year after it.
STATEMENTS = [
    (
        5,
        "werk",
        datetime.date(2024, 1, 1),
        "Deze promotoren hebben een positieve evaluatie gekregen in de oproep.",
    ),
    (
        6,
        "werk",
        datetime.date(2025, 6, 1),
        "Ik verwacht de resultaten van de evaluaties in de zomer van 2026.",
    ),
    (6, "werk", datetime.date(2026, 7, 1), ""),
    (
        6,
        "motivatie",
        datetime.date(2025, 9, 1),
        "Gezien de recente opstart van Voorsprong in motivatie kan ik op dit moment nog geen evaluatie of "
        "aanbevelingen meegeven.",
    ),
    (6, "motivatie", datetime.date(2026, 9, 1), ""),
    (
        9,
        None,
        datetime.date(2024, 1, 1),
        "In de Voorsprongtrajecten werk voor iedereen zijn er concrete afspraken gemaakt tussen de "
        "sectorfondsen en de drie partnerschappen waardoor de sectorconsulenten kandidaat-bedrijven kunnen "
        "aanbrengen en zelf ook een intake kunnen doen. De sectorconsulent kan, indien gewenst, mee op de "
        "hoogte blijven van de vorderingen in het aangebrachte bedrijf.",
    ),
]


def load_programme(scale: int) -> dict:
    """Create the trajects, partners, places, budgets and campaign; return what the rest needs.

    ``scale`` multiplies the places and the budget lines, as the synthetic volume grows with it.
    """
    trajects = {
        code: Traject.objects.get_or_create(code=code, defaults=fields)[0]
        for code, fields in TRAJECTS.items()
    }
    for code, start, end, places in CAPACITY_PERIODS:
        CapacityPeriod.objects.get_or_create(
            traject=trajects[code], start=start, defaults={"end": end, "places": places * scale}
        )

    sources = {
        code: FundingSource.objects.get_or_create(
            code=code, defaults={"name": name, "is_subsidy": is_subsidy}
        )[0]
        for code, (name, is_subsidy) in FUNDING_SOURCES.items()
    }
    for code, amounts in BUDGET.items():
        for source_code, amount in amounts.items():
            BudgetLine.objects.get_or_create(
                traject=trajects[code],
                source=sources[source_code],
                capacity_period=None,
                # Scaled as the places are, so approvals at scale fit the budget as often as at scale 1.
                defaults={"amount": Decimal(amount) * scale},
            )

    for code, (cost, promoter_share, company_surcharge) in FUNDING_RULES.items():
        FundingRule.objects.get_or_create(
            traject=trajects[code],
            defaults={
                "default_planned_cost": Decimal(cost),
                "promoter_share": Decimal(promoter_share),
                "company_surcharge": Decimal(company_surcharge),
                # Coaching is not training in the sense of the exemption: all three grant de-minimis aid.
                "aid_basis": AidBasis.DE_MINIMIS,
            },
        )

    def organisation(name: str, kind: OrganisationKind) -> Organisation:
        return Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]

    providers = [organisation(name, OrganisationKind.SERVICE_PROVIDER) for name in SERVICE_PROVIDERS]
    promoters = {name: organisation(name, OrganisationKind.PROMOTER) for name in PROMOTERS}
    unions = [organisation(name, OrganisationKind.UNION) for name in UNIONS]
    sector_funds = {name: organisation(name, OrganisationKind.SECTOR_FUND) for name in SECTOR_FUNDS}

    projects = {"leren": [], "werk": [], "motivatie": []}
    for provider in providers:
        project, created = Project.objects.get_or_create(
            traject=trajects["leren"], name=f"Voorsprong in leren – {provider.name}"
        )
        if created:
            project.organisations.set([provider])
        projects["leren"].append(project)
    for partnership_name, members in PARTNERSHIPS.items():
        partnership, created = Partnership.objects.get_or_create(
            traject=trajects["werk"], name=partnership_name
        )
        if created:
            partnership.organisations.set([promoters[name] for name in members])
        for name in members:
            project, created = Project.objects.get_or_create(
                traject=trajects["werk"],
                name=f"Voorsprong in werk voor iedereen – {name}",
                defaults={"partnership": partnership},
            )
            if created:
                # Keerpunt is the joint project of the three unions.
                project.organisations.set([promoters[name], *(unions if name == "Keerpunt" else [])])
            projects["werk"].append(project)

    for campaign, date, channel, description, codes, announced_on in COMMUNICATION_ACTIONS:
        action, created = CommunicationAction.objects.get_or_create(
            campaign=campaign,
            date=date,
            channel=channel,
            description=description,
            defaults={"announced_on": announced_on},
        )
        if created:
            action.trajects.set([trajects[code] for code in codes])

    for position, (title, text) in enumerate(INITIATIVES):
        Initiative.objects.get_or_create(title=title, defaults={"text": text, "position": position})

    for answer, code, valid_from, text in STATEMENTS:
        AnswerStatement.objects.get_or_create(
            question=244,
            answer=answer,
            traject=trajects[code] if code else None,
            valid_from=valid_from,
            defaults={"text": text},
        )

    consultants = {name: _fund_consultant(name, fund) for name, fund in sector_funds.items()}
    return {
        "trajects": trajects,
        "projects": projects,
        "periods": list(CapacityPeriod.objects.all()),
        "sector_funds": sector_funds,
        "consultants": consultants,
        "users": _demo_users(promoters["Voka"], consultants["Cevora"]),
    }


def _fund_consultant(fund_name: str, fund: Organisation) -> User:
    """Return the consultant who brings in the demo referrals of a sector fund (Cevora's is the demo
    log-in)."""
    if fund_name == "Cevora":
        return _user("consultant", Role.SECTOR_CONSULTANT, organisation=fund)
    slug = fund_name.lower().replace(" ", "-")
    consultant, created = User.objects.get_or_create(
        username=f"consulent.{slug}",
        defaults={"organisation": fund, "first_name": "Consulent", "last_name": fund_name},
    )
    if created:
        consultant.set_unusable_password()
        consultant.save(update_fields=["password"])
        consultant.groups.add(Group.objects.get(name=Role.SECTOR_CONSULTANT))
    return consultant


# The demo log-ins' people, by username: the headers greet each by name.
DEMO_NAMES = {
    "officer": ("Annelies", "Peeters"),
    "officer2": ("Joris", "Van den Broeck"),
    "promoter": ("Sofie", "Maes"),
    "consultant": ("Wouter", "Claes"),
    "cabinet": ("Lien", "Wouters"),
    "finance": ("Koen", "De Smet"),
    "admin": ("Griet", "Janssens"),
}


def _user(username: str, role: Role, *, organisation=None, staff=False, superuser=False) -> User:
    first_name, last_name = DEMO_NAMES[username]
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "organisation": organisation,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@voorsprong.example",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.value))
    return user


def _demo_users(promoter: Organisation, consultant: User) -> dict[str, User]:
    """Return the demo log-ins by name: two officers, since approving over the budget takes two, and the
    financial service, which pays what an officer approved."""
    return {
        "officer": _user("officer", Role.OFFICER, staff=True),
        "officer2": _user("officer2", Role.OFFICER, staff=True),
        "promoter": _user("promoter", Role.PROMOTER, organisation=promoter),
        "consultant": consultant,
        "cabinet": _user("cabinet", Role.CABINET),
        "finance": _user("finance", Role.FINANCE, staff=True),
        "admin": _user("admin", Role.ADMIN, superuser=True),
    }
