from django.db import migrations


class Migration(migrations.Migration):
    """Officers read the funding rules; administrators manage them, like every officer's model."""

    # This migration once created or updated the role groups by calling today's voorsprong.roles, which a
    # migration must never do. The groups are configuration, not data: voorsprong.apps syncs them from
    # voorsprong.roles.ROLE_PERMISSIONS after every migrate, with the permissions of the models that exist.
    # Kept, empty, because later migrations depend on it.

    dependencies = [
        ("voorsprong", "0005_idempotent_requests"),
        ("funding", "0006_funding_rules_and_declarations"),
    ]

    operations = []
