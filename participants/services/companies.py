"""Registering and correcting companies by hand (the KBO import has its own batch path)."""

from django.db import transaction

from participants.models import Company
from voorsprong.models import User
from voorsprong.services import save_as


@transaction.atomic
def register_company(*, by: User, **fields) -> Company:
    return save_as(Company(**fields), by, validate=True)


@transaction.atomic
def update_company(company: Company, *, by: User, **fields) -> Company:
    company = Company.objects.select_for_update().get(pk=company.pk)
    for name, value in fields.items():
        setattr(company, name, value)
    return save_as(company, by, validate=True)
