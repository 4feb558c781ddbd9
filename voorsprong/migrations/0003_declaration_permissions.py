from django.db import migrations


class Migration(migrations.Migration):
    """Officers decide on cost declarations, promoters declare them."""

    # This migration once created or updated the role groups by calling today's voorsprong.roles, which a
    # migration must never do. The groups are configuration, not data: voorsprong.apps syncs them from
    # voorsprong.roles.ROLE_PERMISSIONS after every migrate, with the permissions of the models that exist.
    # Kept, empty, because later migrations depend on it.

    dependencies = [
        ("voorsprong", "0002_role_groups"),
        ("funding", "0006_funding_rules_and_declarations"),
    ]

    operations = []
