"""Applications approved before the size class was frozen at approval take the company's class of today.

Nothing better is known for them: the companies' figures of the day of their approval were not kept.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def freeze_current_size_class(apps, schema_editor):
    Application = apps.get_model("participants", "Application")
    Company = apps.get_model("participants", "Company")
    company_class = Company.objects.filter(pk=OuterRef("company_id")).values("size_class")[:1]
    Application.objects.filter(decided_on__isnull=False).exclude(status="rejected").update(
        size_class_at_approval=Subquery(company_class)
    )


class Migration(migrations.Migration):
    dependencies = [("participants", "0008_unknown_staff_of_imported_companies")]

    operations = [migrations.RunPython(freeze_current_size_class, migrations.RunPython.noop)]
