from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.population import MAX_POPULATION, default_size, load_population
from demo.programme import DEMO_PASSWORD, load_programme
from demo.size_table import load_size_table
from demo.synthetic import AS_OF, MAX_SCALE, block_exists, load_block
from participants.selectors import approved_company_counts, companies_in_any_traject

# What each demo log-in is for, so a newcomer knows whom to log in as (`make run` shows this list).
DEMO_ROLES = {
    "officer": "officer: decides applications, manages trajects and budgets (admin)",
    "officer2": "officer: the second pair of eyes (four-eyes approvals)",
    "promoter": "promoter at Voka: Mijn trajecten, logs coaching sessions",
    "consultant": "sector consultant at Cevora: Mijn doorverwijzingen, refers companies",
    "cabinet": "cabinet: reports and statistics, no personal data",
    "finance": "financial service: declarations and the budget monitor",
    "admin": "administrator: everything",
}


class Command(BaseCommand):
    help = "Load the programme facts of question 244 and synthetic demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"Multiply the synthetic volume (1 to {MAX_SCALE}); places per period grow with it.",
        )
        parser.add_argument(
            "--population",
            type=int,
            help="Active enterprises in the population the reach compares with, imported as a KBO extract "
            f"(0 to {MAX_POPULATION:,}; by default 20,000 per unit of --scale).",
        )

    def handle(self, *args, scale: int, population: int | None = None, **options):
        if not 1 <= scale <= MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {MAX_SCALE}.")
        population = default_size(scale) if population is None else population
        if not 0 <= population <= MAX_POPULATION:
            raise CommandError(f"--population must be between 0 and {MAX_POPULATION}.")
        with transaction.atomic():
            programme = load_programme(scale)
        for block in range(scale):
            if block_exists(block):
                self.stdout.write(f"Block {block + 1}/{scale}: already there.")
                continue
            load_block(block, programme)
            self.stdout.write(f"Block {block + 1}/{scale}: loaded.")
        imported = load_population(population)
        if imported is None:
            self.stdout.write(f"Population of {population:,} active enterprises: already there.")
        else:
            self.stdout.write(
                f"Population of {population:,} active enterprises: imported from a synthetic KBO extract "
                f"({imported.created:,} new)."
            )

        # Last: the sample table of enterprises per size band describes the population loaded above.
        with transaction.atomic():
            size_table = load_size_table(programme["users"]["officer"])
        self.stdout.write(f"Size table: {'loaded' if size_table else 'already there (or no population)'}.")

        counts = approved_company_counts(AS_OF)
        self.stdout.write(
            "Companies with an approved application on {:%d/%m/%Y}: {} (in one or more trajects: {}).".format(
                AS_OF,
                ", ".join(f"{code} {counts.get(code, 0)}" for code in programme["trajects"]),
                companies_in_any_traject(AS_OF),
            )
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo log-ins (demo data only), each with the password {DEMO_PASSWORD}:")
        )
        for key, user in programme["users"].items():
            self.stdout.write(f"  {user.username:<11} {DEMO_ROLES[key]}")
