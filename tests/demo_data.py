"""The demo data for the tests that read it: seeded once for a module or class, undone afterwards."""

import io
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction

# The options that seed a small population: the programme's figures and pages do not depend on the
# population, and importing the default 20,000 enterprises is most of what seeding costs.
SMALL_POPULATION = ("--population", "500")


@contextmanager
def demo_data(django_db_blocker, *options: str):
    """Seed the demo data (``seed_demo`` with ``options``) inside a transaction, yield what the command
    printed, and roll it all back afterwards: seeding takes tens of seconds, too long for every test."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", *options, stdout=output)
        try:
            yield output.getvalue()
        finally:
            transaction.set_rollback(True)
