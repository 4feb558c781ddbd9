from django.db import migrations

from voorsprong.roles import sync_role_groups


def sync_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Officers decide on cost declarations, promoters declare them."""

    dependencies = [
        ("voorsprong", "0002_role_groups"),
        ("funding", "0006_funding_rules_and_declarations"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
