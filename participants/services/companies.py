"""Registering and correcting companies by hand (the KBO import has its own batch path)."""

from django.db import transaction

from participants.models import Company
from voorsprong.models import User
from voorsprong.services import save_as


@transaction.atomic
def save_company(company: Company, *, by: User) -> Company:
    """Validate and save a new or edited company; the API and the admin both come through here."""
    return save_as(company, by, validate=True)
