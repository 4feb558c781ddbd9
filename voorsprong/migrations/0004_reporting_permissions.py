from django.db import migrations


class Migration(migrations.Migration):
    """Officers keep the initiatives of answer 8; the cabinet reads the statistics snapshots."""

    # This migration once created or updated the role groups by calling today's voorsprong.roles, which a
    # migration must never do. The groups are configuration, not data: voorsprong.apps syncs them from
    # voorsprong.roles.ROLE_PERMISSIONS after every migrate, with the permissions of the models that exist.
    # Kept, empty, because later migrations depend on it.

    dependencies = [
        ("voorsprong", "0003_declaration_permissions"),
        ("reporting", "0003_initiatives_and_snapshots"),
    ]

    operations = []
