from django.db import migrations

from voorsprong.roles import sync_role_groups


def sync_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Officers read the funding rules; administrators manage them, like every officer's model."""

    dependencies = [
        ("voorsprong", "0005_idempotent_requests"),
        ("funding", "0006_funding_rules_and_declarations"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
