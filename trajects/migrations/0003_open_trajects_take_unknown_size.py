"""A traject open to every size class (werk) also takes companies whose size class is unknown.

SME-only trajects (leren, motivatie) are left as they are: they refuse such a company until its SME status
is declared.
"""

from django.db import migrations
from django.utils import timezone

EVERY_KNOWN_CLASS = {"micro", "small", "medium", "large", "non_profit"}


def open_to_unknown(apps, schema_editor):
    Traject = apps.get_model("trajects", "Traject")
    HistoricalTraject = apps.get_model("trajects", "HistoricalTraject")
    fields = [field.attname for field in Traject._meta.concrete_fields]
    for traject in Traject.objects.order_by("pk"):
        allowed = traject.allowed_size_classes or []
        if EVERY_KNOWN_CLASS <= set(allowed) and "unknown" not in allowed:
            traject.allowed_size_classes = [*allowed, "unknown"]
            traject.save(update_fields=["allowed_size_classes"])
            HistoricalTraject.objects.create(
                **{name: getattr(traject, name) for name in fields},
                history_date=timezone.now(),
                history_type="~",
                history_change_reason="Open to every size class: also to an unknown one",
            )


class Migration(migrations.Migration):
    dependencies = [("trajects", "0002_initial")]

    operations = [migrations.RunPython(open_to_unknown, migrations.RunPython.noop)]
