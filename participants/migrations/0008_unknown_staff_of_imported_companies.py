"""Companies the KBO import created and whose staff nobody declared get an unknown size class.

Until now the import wrote a headcount of 0, which made every such company a micro-enterprise. They are
recognised by their history: the row that created them carries the import's change reason (in English or
in Dutch, the language the import ran in), and no row of their history ever held a headcount other than 0.
A company an officer registered by hand with 0 staff keeps its class. Each change leaves a history row.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

IMPORT_REASONS = ("Imported from the KBO open data", "Geïmporteerd uit de open data van de KBO")
REASON = "Staff never declared (KBO import): size class unknown until the SME status is declared"


def undeclared_staff_is_unknown(apps, schema_editor):
    Company = apps.get_model("participants", "Company")
    HistoricalCompany = apps.get_model("participants", "HistoricalCompany")
    imported = HistoricalCompany.objects.filter(history_type="+", history_change_reason__in=IMPORT_REASONS)
    declared = HistoricalCompany.objects.filter(~Q(staff_headcount=0), staff_headcount__isnull=False)
    companies = (
        Company.objects.filter(staff_headcount=0, pk__in=imported.values("id"))
        .exclude(pk__in=declared.values("id"))
        .order_by("pk")
    )
    fields = [field.attname for field in Company._meta.concrete_fields]
    now = timezone.now()
    for company in companies.iterator(chunk_size=2000):
        # A non-profit stays non_profit: only its headcount becomes unknown.
        company.staff_headcount, company.updated_at = None, now
        if not company.is_non_profit:
            company.size_class = "unknown"
        company.save(update_fields=["staff_headcount", "size_class", "updated_at"])
        HistoricalCompany.objects.create(
            **{name: getattr(company, name) for name in fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [("participants", "0007_sme_status")]

    operations = [migrations.RunPython(undeclared_staff_is_unknown, migrations.RunPython.noop)]
