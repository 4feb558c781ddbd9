from django.db import migrations

from voorsprong.roles import sync_role_groups


def sync_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Officers keep the initiatives of answer 8; the cabinet reads the statistics snapshots."""

    dependencies = [
        ("voorsprong", "0003_declaration_permissions"),
        ("reporting", "0003_initiatives_and_snapshots"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
