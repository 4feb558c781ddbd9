"""Synthetic companies, applications, coaching sessions, evaluations, referrals and what the coaching
changed (``demo.outcomes``).

One block per unit of ``--scale``. As of 26 November 2025 (question 244) a block holds exactly
151 / 988 / 20 companies with an approved application in leren / werk / motivatie; werk splits
608 SME-or-micro / 242 non-profit / 138 large, leren and motivatie hold SMEs only, and some
companies take part in two trajects. Around that: later approvals, rejections, withdrawals,
pending and draft applications, so that every status and the as-of rules have something to show, a few
companies as the KBO import leaves them (staff not declared: size class unknown), without applications,
and the demo promoter's cost declarations, each declared, approved and paid by three people.

Everything is drawn from random generators seeded by the block number (what was added later from
generators of its own, so nothing drawn before changes), and a block whose first company exists is
skipped, so a second run changes nothing. Rows are written with bulk inserts (the volume at
``--scale 100`` is about a million sessions); the database constraints still hold every row.
"""

import datetime
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from faker import Faker
from simple_history.utils import bulk_create_with_history

from demo.dates import AS_OF, HORIZON, QUESTIONNAIRES_FROM
from demo.outcomes import Outcomes
from demo.programme import SECTOR_FUNDS
from funding.models import (
    AidLine,
    ApplicationFunding,
    CompanyLink,
    Declaration,
    DeclarationShare,
    DeclarationStatus,
    DeclaredAid,
    FundingRule,
    FundingSource,
    LinkKind,
)
from funding.selectors import subsidy_shares
from funding.services import LEGAL_BASIS, charge_to_sources, planned_aid, split_cost
from participants.kbo import kbo_number_with_check_digits
from participants.models import (
    APPROVED_STATUSES,
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Evaluation,
    ExitAnswer,
    FollowUp,
    Invitation,
    LearningSituation,
    LegalForm,
    Milestone,
    Referral,
    StopReason,
)
from trajects.size_classes import SizeClass
from voorsprong import data_version
from voorsprong.models import User
from voorsprong.money import to_cents

# Fictitious KBO numbers: 15xx.xxx.xxx lies far beyond the numbers issued so far.
KBO_BASE = 15_000_000
BLOCK_SIZE = 10_000
MAX_SCALE = 500
BATCH_SIZE = 5_000

MICRO, SMALL, MEDIUM, LARGE, NON_PROFIT = (
    SizeClass.MICRO,
    SizeClass.SMALL,
    SizeClass.MEDIUM,
    SizeClass.LARGE,
    SizeClass.NON_PROFIT,
)
SME_MIX = {MICRO: 30, SMALL: 45, MEDIUM: 25}
WERK_MIX = {MICRO: 20, SMALL: 25, MEDIUM: 16, NON_PROFIT: 24, LARGE: 15}

# The werk companies approved by 26/11/2025 per size class (answer 2: 61.5% / 24.5% / 14%).
WERK_APPROVED = {MICRO: 200, SMALL: 250, MEDIUM: 158, NON_PROFIT: 242, LARGE: 138}
LEREN_SHARED_WITH_WERK = 30
# Companies as the KBO import creates them: no staff or financial figures, so their size class is unknown.
IMPORTED_UNDECLARED = 10
MOTIVATIE_SHARED_WITH_WERK = 5
MOTIVATIE_SHARED_WITH_LEREN = 3


def _d(year, month, day):
    return datetime.date(year, month, day)


@dataclass
class Cohort:
    """Applications of one traject that share an outcome and a window of dates."""

    traject: str
    outcome: str  # "approved", "rejected", "submitted", "withdrawn" or "draft"
    count: int
    first: datetime.date
    last: datetime.date
    mix: dict = field(default_factory=lambda: SME_MIX)


# Decided on or before AS_OF: these are the companies of answer 1. Capacity per calendar year:
# leren 35 + 60 + 56 (+5 in December 2025) of 90; werk 420 + 568 (+10) of 750; motivatie 20 + 15 of 253.
COUNTED = [
    Cohort("leren", "approved", 35, _d(2023, 5, 15), _d(2023, 12, 15)),
    Cohort("leren", "approved", 60, _d(2024, 1, 10), _d(2024, 12, 13)),
    Cohort("leren", "approved", 56, _d(2025, 1, 10), AS_OF),
    Cohort("werk", "approved", 420, _d(2024, 1, 15), _d(2024, 12, 13)),
    Cohort("werk", "approved", 568, _d(2025, 1, 10), AS_OF),
    Cohort("motivatie", "approved", 20, _d(2025, 9, 15), AS_OF),
]
OTHERS = [
    Cohort("leren", "approved", 5, _d(2025, 11, 27), _d(2025, 12, 19)),
    Cohort("leren", "approved", 15, _d(2026, 1, 12), _d(2026, 10, 30)),
    Cohort("werk", "approved", 10, _d(2025, 11, 27), _d(2025, 12, 19), WERK_MIX),
    Cohort("werk", "approved", 30, _d(2026, 1, 12), _d(2026, 10, 30), WERK_MIX),
    Cohort("motivatie", "approved", 15, _d(2025, 11, 27), _d(2026, 10, 30)),
    Cohort("leren", "rejected", 8, _d(2023, 6, 1), _d(2026, 10, 30), {**SME_MIX, LARGE: 40}),
    Cohort("werk", "rejected", 30, _d(2024, 2, 1), _d(2026, 10, 30), WERK_MIX),
    Cohort("motivatie", "rejected", 2, _d(2025, 9, 15), _d(2026, 10, 30), {**SME_MIX, LARGE: 50}),
    Cohort("leren", "submitted", 5, _d(2026, 9, 15), HORIZON),
    Cohort("werk", "submitted", 15, _d(2026, 9, 15), HORIZON, WERK_MIX),
    Cohort("motivatie", "submitted", 6, _d(2026, 9, 15), HORIZON),
    Cohort("leren", "withdrawn", 3, _d(2023, 6, 1), _d(2026, 9, 1)),
    Cohort("werk", "withdrawn", 8, _d(2024, 2, 1), _d(2026, 9, 1), WERK_MIX),
    Cohort("motivatie", "withdrawn", 1, _d(2025, 9, 15), _d(2026, 9, 1)),
    Cohort("werk", "draft", 3, HORIZON, HORIZON, WERK_MIX),
]

# (NACE code, joint committee, word in the name)
PROFIT_SECTORS = [
    ("62010", "200", "IT Solutions"),
    ("70220", "200", "Consult"),
    ("46900", "200", "Trading"),
    ("69201", "200", "Boekhouding"),
    ("41201", "124", "Bouw"),
    ("43221", "149.01", "Installaties"),
    ("10711", "118", "Bakkerij"),
    ("56101", "302", "Brasserie"),
    ("45201", "112", "Garage"),
    ("49410", "140", "Transport"),
    ("47190", "201", "Retail"),
    ("25620", "111", "Metaalwerken"),
]
NON_PROFIT_SECTORS = [
    ("87301", "330", "Woonzorg"),
    ("88101", "319", "Welzijn"),
    ("86101", "330", "Zorgnet"),
    ("94991", "329", "Jeugdwerk"),
    ("85599", "329", "Vorming"),
]
# (postal code, municipality, weight)
MUNICIPALITIES = [
    ("2000", "Antwerpen", 9),
    ("2800", "Mechelen", 4),
    ("2300", "Turnhout", 3),
    ("2440", "Geel", 2),
    ("2500", "Lier", 2),
    ("3000", "Leuven", 5),
    ("1800", "Vilvoorde", 2),
    ("3300", "Tienen", 1),
    ("1700", "Dilbeek", 2),
    ("1500", "Halle", 2),
    ("3500", "Hasselt", 4),
    ("3600", "Genk", 3),
    ("3900", "Pelt", 1),
    ("3700", "Tongeren", 1),
    ("9000", "Gent", 8),
    ("9300", "Aalst", 3),
    ("9100", "Sint-Niklaas", 3),
    ("9200", "Dendermonde", 2),
    ("9700", "Oudenaarde", 1),
    ("8000", "Brugge", 4),
    ("8500", "Kortrijk", 4),
    ("8800", "Roeselare", 3),
    ("8400", "Oostende", 2),
    ("8900", "Ieper", 1),
    ("1000", "Brussel", 3),
]
# (staff from, staff to, turnover from, turnover to, balance from, balance to) in EUR, per size class
SIZE_PROFILES = {
    MICRO: (1, 9, 150_000, 1_900_000, 80_000, 1_500_000),
    SMALL: (10, 49, 2_200_000, 9_500_000, 1_500_000, 8_000_000),
    MEDIUM: (50, 249, 10_500_000, 48_000_000, 8_000_000, 40_000_000),
    LARGE: (250, 2_500, 55_000_000, 800_000_000, 45_000_000, 600_000_000),
    NON_PROFIT: (3, 600, 200_000, 60_000_000, 150_000, 40_000_000),
}
LEGAL_FORMS = {
    MICRO: {LegalForm.BV: 80, LegalForm.SOLE_TRADER: 10, LegalForm.VOF: 5, LegalForm.COMMV: 5},
    SMALL: {LegalForm.BV: 85, LegalForm.CV: 10, LegalForm.NV: 5},
    MEDIUM: {LegalForm.BV: 60, LegalForm.NV: 40},
    LARGE: {LegalForm.NV: 80, LegalForm.BV: 20},
    NON_PROFIT: {LegalForm.VZW: 85, LegalForm.PRIVATE_FOUNDATION: 10, LegalForm.IVZW: 5},
}
# How the legal form shows in a company name (not taken from the translated labels, so the
# generated names do not depend on the active language).
NAME_SUFFIX = {
    LegalForm.BV: "BV",
    LegalForm.NV: "NV",
    LegalForm.CV: "CV",
    LegalForm.COMMV: "CommV",
    LegalForm.VOF: "VOF",
    LegalForm.SOLE_TRADER: "",
    LegalForm.VZW: "vzw",
    LegalForm.IVZW: "ivzw",
    LegalForm.PRIVATE_FOUNDATION: "Stichting",
}
DURATION_DAYS = {"leren": (420, 900), "werk": (300, 720), "motivatie": (240, 540)}
REJECTION_REASONS = [
    "Onvolledige aanvraag: het actieplan ontbreekt.",
    "De onderneming toont geen nood aan begeleiding aan binnen dit traject.",
    "Dubbele financiering: de onderneming krijgt al steun voor dezelfde begeleiding.",
]
NOT_AN_SME = "De onderneming is geen KMO en komt niet in aanmerking voor dit traject."
# Why trajectories stop: three situations, each split over two reason codes with their weights and a text
# (which "other" needs; the others mostly have one too). The situation is the draw the demo always made,
# so every other draw (and figure) stays as it was; the code within it has a generator of its own.
STOP_REASONS = [
    [
        (StopReason.NO_TIME, 3, "De onderneming heeft onvoldoende tijd om het traject verder te zetten."),
        (StopReason.ADMINISTRATIVE_BURDEN, 2, "De rapportering en de bewijsstukken vragen te veel werk."),
    ],
    [
        (StopReason.REORGANISATION, 3, "Reorganisatie binnen de onderneming."),
        (StopReason.BANKRUPTCY_OR_STOP, 1, "De onderneming stopt haar activiteiten."),
    ],
    [
        (StopReason.OTHER, 3, "Wissel van zaakvoerder; het traject wordt later opnieuw bekeken."),
        (StopReason.GOAL_REACHED, 2, ""),
    ],
]
WITHDRAWAL_REASON = "Ingetrokken op vraag van de onderneming."
# Per block: pairs of companies linked into one single undertaking, and applications that declare other
# de-minimis aid (far below the ceiling, so no approval of the demo would have been refused).
LINKED_PAIRS = 12
DECLARED_AID = 40
OTHER_GRANTORS = [
    "Agentschap Innoveren en Ondernemen (VLAIO)",
    "Provincie Antwerpen",
    "Stad Gent",
    "Vlaams Energie- en Klimaatagentschap",
]
RECOMMENDATIONS = [
    "",
    "Meer ruimte voor opvolging na het traject.",
    "De coach kende onze sector goed; graag een vervolgtraject.",
    "Minder administratie bij de start van het traject.",
    "Betrek de leidinggevenden vroeger in het traject.",
    "Heel bruikbaar: we hebben nu een opleidingsbeleid op papier.",
]
SCORE_WEIGHTS = {1: 2, 2: 5, 3: 18, 4: 40, 5: 35}
DECLARATION_DAYS = 90  # the demo promoter declares its costs per quarter of coaching
DECLARATION_REJECTION = "Bewijsstukken ontbreken voor een deel van de uren."
# The change reason of the history row every seeded row gets.
DEMO_REASON = "Demogegevens"


def kbo_number(index: int) -> str:
    return kbo_number_with_check_digits(KBO_BASE + index)


def with_history(rows: list, model) -> None:
    """Insert ``rows`` of ``model`` in bulk, each with its initial history row ("+", no user, the reason
    "Demogegevens"), as every row written later has one."""
    bulk_create_with_history(rows, model, batch_size=BATCH_SIZE, default_change_reason=DEMO_REASON)


def ascii_name(name: str) -> str:
    """Return ``name`` without accents (``michèle`` → ``michele``), for an e-mail address's local part."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def block_exists(block: int) -> bool:
    return Company.objects.filter(kbo_number=kbo_number(block * BLOCK_SIZE)).exists()


class Block:
    """Builds and writes one block of synthetic data."""

    def __init__(self, block: int, programme: dict):
        self.block = block
        self.rng = random.Random(f"voorsprong-demo-{block}")
        # A generator of their own, so the declarations leave every other draw (and figure) as it was.
        self.declaration_rng = random.Random(f"voorsprong-demo-declarations-{block}")
        self.stop_rng = random.Random(f"voorsprong-demo-stops-{block}")
        self.fake = Faker("nl_BE")
        self.fake.seed_instance(block)
        self.programme = programme
        self.companies: list[Company] = []
        self.fund_by_committee = {
            committee: name for name, committees in SECTOR_FUNDS.items() for committee in committees
        }
        # Every approved application commits the traject's default planned cost, split once per traject.
        sources = {source.code: source for source in FundingSource.objects.all()}
        self.commitments = {
            rule.traject_id: [
                (sources[code], amount)
                for code, amount in split_cost(
                    rule.default_planned_cost, rule, subsidy_shares(rule.traject)
                ).items()
            ]
            for rule in FundingRule.objects.select_related("traject")
        }
        # ... and grants the aid the approval step would record for it.
        self.aid = {
            rule.traject_id: (planned_aid(rule), rule.aid_basis) for rule in FundingRule.objects.all()
        }
        promoter = programme["users"]["promoter"]
        self.promoter_projects = {
            project.pk
            for projects in programme["projects"].values()
            for project in projects
            if project.organisations.filter(pk=promoter.organisation_id).exists()
        }

    # -- companies ----------------------------------------------------------------------------
    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def new_company(self, size_class: SizeClass) -> Company:
        rng = self.rng
        staff_from, staff_to, turnover_from, turnover_to, balance_from, balance_to = SIZE_PROFILES[size_class]
        postal_code, municipality, _weight = rng.choices(
            MUNICIPALITIES, weights=[m[2] for m in MUNICIPALITIES]
        )[0]
        legal_form = self.weighted(LEGAL_FORMS[size_class])
        if size_class == NON_PROFIT:
            nace, committee, word = rng.choice(NON_PROFIT_SECTORS)
            name = f"{word} {self.fake.last_name()}"
        else:
            nace, committee, word = rng.choice(PROFIT_SECTORS)
            name = f"{self.fake.last_name()} {word}"
        contact = self.fake.name()
        company = Company(
            kbo_number=kbo_number(self.block * BLOCK_SIZE + len(self.companies)),
            name=f"{name} {NAME_SUFFIX[legal_form]}".rstrip(),
            legal_form=legal_form,
            is_non_profit=size_class == NON_PROFIT,
            staff_headcount=rng.randint(staff_from, staff_to),
            turnover=Decimal(rng.randint(turnover_from // 1000, turnover_to // 1000) * 1000),
            balance_sheet_total=Decimal(rng.randint(balance_from // 1000, balance_to // 1000) * 1000),
            nace_code=nace,
            joint_committee=committee,
            postal_code=postal_code,
            municipality=municipality,
            founded_on=datetime.date(rng.randint(1960, 2022), rng.randint(1, 12), rng.randint(1, 28)),
            contact_name=contact,
            # Django's EmailValidator (and OpenAPI's format: email) take ASCII local parts only.
            contact_email=f"{ascii_name(contact.split()[0].lower())}@bedrijf{len(self.companies)}.example",
        )
        company.refresh_derived_fields()
        assert company.size_class == size_class, (company.size_class, size_class)
        self.companies.append(company)
        return company

    def imported_companies(self) -> None:
        """Add companies as the KBO import leaves them: staff unknown, one of them stopped.

        They draw from a generator of their own, so the rest of the block stays as it always was.
        """
        rng = random.Random(f"voorsprong-demo-imported-{self.block}")
        for index in range(IMPORTED_UNDECLARED):
            nace, _committee, word = rng.choice(PROFIT_SECTORS)
            postal_code, municipality, _weight = rng.choice(MUNICIPALITIES)
            company = Company(
                kbo_number=kbo_number(self.block * BLOCK_SIZE + len(self.companies)),
                name=f"{word} {rng.choice(['Noord', 'Zuid', 'Oost', 'West', 'Centrum'])} {index + 1} BV",
                legal_form=LegalForm.BV,
                staff_headcount=None,
                nace_code=nace,
                postal_code=postal_code,
                municipality=municipality,
                founded_on=datetime.date(rng.randint(1990, 2024), rng.randint(1, 12), rng.randint(1, 28)),
                is_active=index != 0,
            )
            company.refresh_derived_fields()
            self.companies.append(company)

    # -- dates ----------------------------------------------------------------------------------
    def date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    # -- the plan ------------------------------------------------------------------------------
    def company_pools(self) -> dict[str, list[Company]]:
        """Return the companies of the counted approvals per traject, overlaps included."""
        werk_classes = [size_class for size_class, count in WERK_APPROVED.items() for _ in range(count)]
        self.rng.shuffle(werk_classes)
        werk = [self.new_company(size_class) for size_class in werk_classes]
        werk_smes = [company for company in werk if company.size_class in SME_MIX]
        leren_counted = sum(cohort.count for cohort in COUNTED if cohort.traject == "leren")
        motivatie_counted = sum(cohort.count for cohort in COUNTED if cohort.traject == "motivatie")
        leren_own = [
            self.new_company(self.weighted(SME_MIX)) for _ in range(leren_counted - LEREN_SHARED_WITH_WERK)
        ]
        leren = werk_smes[:LEREN_SHARED_WITH_WERK] + leren_own
        shared = MOTIVATIE_SHARED_WITH_WERK + MOTIVATIE_SHARED_WITH_LEREN
        motivatie = (
            werk_smes[LEREN_SHARED_WITH_WERK : LEREN_SHARED_WITH_WERK + MOTIVATIE_SHARED_WITH_WERK]
            + leren_own[:MOTIVATIE_SHARED_WITH_LEREN]
            + [self.new_company(self.weighted(SME_MIX)) for _ in range(motivatie_counted - shared)]
        )
        for pool in (leren, motivatie):
            self.rng.shuffle(pool)
        return {"werk": werk, "leren": leren, "motivatie": motivatie}

    def plan(self) -> list[Application]:
        pools = self.company_pools()
        applications = []
        for cohort in COUNTED:
            for _ in range(cohort.count):
                applications.append(self.application(cohort, pools[cohort.traject].pop()))
        for cohort in OTHERS:
            for _ in range(cohort.count):
                applications.append(self.application(cohort, self.new_company(self.weighted(cohort.mix))))
        return applications

    def application(self, cohort: Cohort, company: Company) -> Application:
        traject = self.programme["trajects"][cohort.traject]
        projects = self.programme["projects"][cohort.traject]
        application = Application(
            company=company,
            traject=traject,
            project=self.rng.choice(projects) if projects else None,
            status=ApplicationStatus.DRAFT,
        )
        if cohort.outcome == "draft":
            return application
        day = self.date_between(cohort.first, cohort.last)
        if cohort.outcome == "submitted":
            application.status, application.submitted_on = ApplicationStatus.SUBMITTED, day
            return application
        application.submitted_on = max(traject.start_date, day - self.days(10, 60))
        if cohort.outcome == "withdrawn":
            application.status, application.reason = ApplicationStatus.WITHDRAWN, WITHDRAWAL_REASON
            application.ended_on = day
            return application
        application.decided_on = day
        application.decided_by = self.programme["users"]["officer"]
        if cohort.outcome == "rejected":
            application.status = ApplicationStatus.REJECTED
            application.reason = (
                NOT_AN_SME if not traject.allows(company.size_class) else self.rng.choice(REJECTION_REASONS)
            )
            return application
        application.capacity_period = self.period(traject, day)
        application.size_class_at_approval = company.size_class
        self.run_course(application, cohort.traject)
        return application

    def period(self, traject, day: datetime.date):
        return next(
            period
            for period in self.programme["periods"]
            if period.traject_id == traject.pk and period.start <= day <= period.end
        )

    def run_course(self, application: Application, traject_code: str) -> None:
        """Decide what happened after the approval: not started yet, in progress, completed or stopped."""
        application.status = ApplicationStatus.APPROVED
        started = application.decided_on + self.days(7, 45)
        if started > HORIZON or self.rng.random() < 0.04:
            return
        application.status, application.started_on = ApplicationStatus.IN_PROGRESS, started
        planned_end = started + self.days(*DURATION_DAYS[traject_code])
        if traject_code == "leren" and planned_end <= AS_OF:
            # The answer to question 244: no completed trajectory in leren yet.
            planned_end = AS_OF + self.days(14, 330)
        if self.rng.random() < 0.07:
            stop = started + self.days(20, max(21, (planned_end - started).days * 2 // 3))
            application.status, application.ended_on = ApplicationStatus.STOPPED, min(stop, HORIZON)
            situation = self.rng.choice(STOP_REASONS)
            weights = [weight for _code, weight, _text in situation]
            code, _weight, text = self.stop_rng.choices(situation, weights=weights)[0]
            application.stop_reason, application.reason = code, text
        elif planned_end <= HORIZON:
            application.status, application.ended_on = ApplicationStatus.COMPLETED, planned_end

    # -- sessions, evaluations, referrals -------------------------------------------------------
    def sessions(self, application: Application) -> list[CoachingSession]:
        if application.started_on is None:
            return []
        last = application.ended_on or HORIZON
        count = min(14, max(2, (last - application.started_on).days // 30 + self.rng.randint(1, 3)))
        dates = sorted(self.date_between(application.started_on, last) for _ in range(count - 2))
        dates = [application.started_on, *dates, last]
        completed = application.status == ApplicationStatus.COMPLETED
        # A completed trajectory went through every milestone; an open or stopped one part of them.
        reached = len(Milestone) if completed else self.rng.randint(1, len(Milestone) - 1)
        milestones = list(Milestone)
        kinds = [milestones[min(reached - 1, index * reached // count)] for index in range(count)]
        if completed:
            kinds[-1] = Milestone.CLOSING
        logged_by = self.session_logger(application)
        return [
            CoachingSession(
                application=application,
                date=day,
                hours=Decimal(
                    self.rng.choice(["1.00", "1.50", "2.00", "2.50", "3.00", "3.50", "4.00", "6.00"])
                ),
                kind=kinds[index],
                employees_present=self.rng.randint(1, 3) if index == 0 else self.rng.randint(0, 25),
                notes="",
                logged_by=logged_by,
            )
            for index, day in enumerate(dates)
        ]

    def session_logger(self, application: Application) -> User | None:
        """Return who logged the application's sessions: the demo promoter those of its own projects; the
        other promoters have no demo log-in."""
        promoter = self.programme["users"]["promoter"]
        return promoter if application.project_id in self.promoter_projects else None

    def evaluation(self, application: Application) -> Evaluation | None:
        """Return the company's evaluation, or None: about two in three companies answer; the first
        evaluations came in the summer of 2026."""
        if application.status != ApplicationStatus.COMPLETED or self.rng.random() > 0.65:
            return None
        day = max(application.ended_on + self.days(3, 25), QUESTIONNAIRES_FROM)
        if day > HORIZON:
            return None
        scores = self.rng.choices(list(SCORE_WEIGHTS), weights=list(SCORE_WEIGHTS.values()), k=4)
        return Evaluation(
            application=application,
            usefulness=scores[0],
            coach_quality=scores[1],
            learning_culture_effect=scores[2],
            would_recommend=scores[3],
            recommendations=self.rng.choice(RECOMMENDATIONS),
            submitted_at=datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC),
        )

    def referral(self, application: Application) -> Referral | None:
        """Return the referral behind the application, or None: sector consultants bring about one in eight
        werk companies (answer 9)."""
        fund = self.fund_by_committee.get(application.company.joint_committee)
        if application.traject.code != "werk" or fund is None or application.submitted_on is None:
            return None
        if self.rng.random() > 0.125:
            return None
        consultant = self.programme["consultants"][fund]
        return Referral(
            sector_fund=self.programme["sector_funds"][fund],
            consultant=consultant,
            company=application.company,
            traject=application.traject,
            referred_on=application.submitted_on - self.days(5, 30),
            intake_by=consultant if self.rng.random() < 0.5 else None,
            follow_progress=self.rng.random() < 0.8,
        )

    def declarations(self, application: Application) -> list[Declaration]:
        """Return the costs the demo promoter declared for one of its trajectories, a declaration per
        quarter of coaching ended by the horizon: the officer approves it (now and then rejects it), the
        financial service pays it, never the one who approved it; the latest still wait."""
        if application.started_on is None or application.project_id not in self.promoter_projects:
            return []
        rng, users = self.declaration_rng, self.programme["users"]
        committed = sum(amount for _source, amount in self.commitments.get(application.traject_id, []))
        last = min(application.ended_on or HORIZON, HORIZON)
        declarations, start = [], application.started_on
        while (end := start + datetime.timedelta(days=DECLARATION_DAYS - 1)) <= last:
            declared_on = end + datetime.timedelta(days=rng.randint(5, 20))
            if declared_on > HORIZON:
                break
            declaration = Declaration(
                application=application,
                period_start=start,
                period_end=end,
                amount=to_cents(committed * rng.randint(8, 12) / 100),
                hours=Decimal(rng.randint(6, 30)),
                description=f"Begeleiding {start:%d/%m/%Y} – {end:%d/%m/%Y}",
                declared_by=users["promoter"],
                declared_on=declared_on,
            )
            decided_on = declared_on + datetime.timedelta(days=rng.randint(7, 30))
            if decided_on <= HORIZON:
                declaration.decided_on, declaration.decided_by = decided_on, users["officer"]
                declaration.status = DeclarationStatus.APPROVED
                paid_on = decided_on + datetime.timedelta(days=rng.randint(10, 40))
                if rng.random() < 0.05:
                    declaration.status, declaration.reason = DeclarationStatus.REJECTED, DECLARATION_REJECTION
                elif paid_on <= HORIZON:
                    declaration.status, declaration.paid_on = DeclarationStatus.PAID, paid_on
                    declaration.paid_by = users["finance"]
            declarations.append(declaration)
            start = end + datetime.timedelta(days=1)
        return declarations

    # -- writing --------------------------------------------------------------------------------
    def write(self) -> None:
        applications = self.plan()
        self.imported_companies()
        outcomes = Outcomes(self.block, self.session_logger)
        outcomes.count_staff_reached(applications)
        with_history(self.companies, Company)
        referrals = []
        for application in applications:
            referral = self.referral(application)
            if referral is not None:
                referrals.append(referral)
                application.referral = referral
        with_history(referrals, Referral)
        with_history(applications, Application)
        with_history(
            [
                ApplicationFunding(application=application, source=source, amount=amount)
                for application in applications
                if application.status in APPROVED_STATUSES
                for source, amount in self.commitments.get(application.traject_id, [])
            ],
            ApplicationFunding,
        )
        sessions = []
        for application in applications:
            sessions.extend(self.sessions(application))
            if len(sessions) >= BATCH_SIZE:
                with_history(sessions, CoachingSession)
                sessions = []
        with_history(sessions, CoachingSession)
        evaluations = [
            evaluation for application in applications if (evaluation := self.evaluation(application))
        ]
        for evaluation in evaluations:
            outcomes.complete_evaluation(evaluation)
        with_history(evaluations, Evaluation)
        self.write_outcomes(outcomes, applications, evaluations)
        declarations = [
            declaration for application in applications for declaration in self.declarations(application)
        ]
        with_history(declarations, Declaration)
        committed = {
            traject_id: {source.pk: amount for source, amount in commitments}
            for traject_id, commitments in self.commitments.items()
        }
        DeclarationShare.objects.bulk_create(
            [
                DeclarationShare(declaration=declaration, source_id=source_id, amount=part)
                for declaration in declarations
                for source_id, part in charge_to_sources(
                    declaration.amount, committed[declaration.application.traject_id]
                ).items()
            ],
            batch_size=BATCH_SIZE,
        )
        self.write_state_aid(applications)

    def write_outcomes(
        self, outcomes: Outcomes, applications: list[Application], evaluations: list[Evaluation]
    ) -> None:
        """Write the learning situations at intake and closing, the invitations to the questionnaires and
        the follow-ups and exit answers that came (``demo.outcomes``)."""
        by_application = {id(evaluation.application): evaluation for evaluation in evaluations}
        with_history(outcomes.situations(applications, by_application), LearningSituation)
        invitations, follow_ups, exit_answers = outcomes.questionnaires(applications, by_application)
        Invitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
        for answers, model in ((follow_ups, FollowUp), (exit_answers, ExitAnswer)):
            with_history(answers, model)

    def write_state_aid(self, applications: list[Application]) -> None:
        """Write the aid lines of the approvals as the approval step would, some links between companies
        and some declared other aid. Drawn from a generator of its own, so the rest of the block stays as
        it was."""
        with_history(
            [
                AidLine(
                    company=application.company,
                    application=application,
                    granted_on=application.decided_on,
                    amount=amount,
                    basis=basis,
                    legal_basis=LEGAL_BASIS[basis],
                    grantor=settings.AID_GRANTING_AUTHORITY,
                )
                for application in applications
                if application.status in APPROVED_STATUSES and application.traject_id in self.aid
                for amount, basis in [self.aid[application.traject_id]]
            ],
            AidLine,
        )
        rng = random.Random(f"voorsprong-demo-aid-{self.block}")
        pairs = {}
        while len(pairs) < LINKED_PAIRS:
            controlling, controlled = rng.sample(self.companies, 2)
            pairs.setdefault(frozenset((controlling.pk, controlled.pk)), (controlling, controlled))
        with_history(
            [
                CompanyLink(
                    controlling_company=controlling,
                    controlled_company=controlled,
                    kind=rng.choice(LinkKind.values),
                )
                for controlling, controlled in pairs.values()
            ],
            CompanyLink,
        )
        submitted = [application for application in applications if application.submitted_on]
        declaring = rng.sample(submitted, DECLARED_AID)
        grants = {
            (application.company_id, rng.choice(OTHER_GRANTORS)): (
                application,
                application.submitted_on - datetime.timedelta(days=rng.randint(30, 900)),
                Decimal(rng.randint(10, 400) * 100),
            )
            for application in declaring
        }
        with_history(
            [
                DeclaredAid(
                    company_id=company_id,
                    application=application,
                    grantor=grantor,
                    granted_on=granted_on,
                    amount=amount,
                )
                for (company_id, grantor), (application, granted_on, amount) in grants.items()
            ],
            DeclaredAid,
        )


@transaction.atomic
def load_block(block: int, programme: dict) -> None:
    Block(block, programme).write()
    data_version.bump()  # the block is written in bulk, without signals
