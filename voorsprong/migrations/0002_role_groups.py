from django.db import migrations


class Migration(migrations.Migration):
    # This migration once created or updated the role groups by calling today's voorsprong.roles, which a
    # migration must never do. The groups are configuration, not data: voorsprong.apps syncs them from
    # voorsprong.roles.ROLE_PERMISSIONS after every migrate, with the permissions of the models that exist.
    # Kept, empty, because later migrations depend on it.

    dependencies = [
        ("voorsprong", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("trajects", "0002_initial"),
        ("participants", "0003_initial"),
        ("funding", "0004_initial"),
        ("reporting", "0002_initial"),
    ]

    operations = []
