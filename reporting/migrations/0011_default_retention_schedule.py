from django.db import migrations
from django.utils import timezone

# The kinds of reporting.models.PersonalDataKind as they were when this migration was written, each kept
# five years from 31 December of the year of the last payment: the period for which ESF+ files are kept.
KINDS = (
    "company_contacts",
    "session_notes",
    "referral_notes",
    "evaluation_texts",
    "former_users",
    "access_requests",
)
DEFAULT_YEARS = 5


def seed_schedule(apps, schema_editor):
    RetentionRule = apps.get_model("reporting", "RetentionRule")
    HistoricalRetentionRule = apps.get_model("reporting", "HistoricalRetentionRule")
    for kind in KINDS:
        rule, created = RetentionRule.objects.get_or_create(kind=kind, defaults={"years": DEFAULT_YEARS})
        if created:
            # A migration's models send no signals: the history row that says where the rule came from.
            HistoricalRetentionRule.objects.create(
                id=rule.pk,
                kind=rule.kind,
                years=rule.years,
                history_date=timezone.now(),
                history_type="+",
                history_change_reason="Default retention schedule",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0010_personal_data"),
    ]

    operations = [
        migrations.RunPython(seed_schedule, migrations.RunPython.noop),
    ]
