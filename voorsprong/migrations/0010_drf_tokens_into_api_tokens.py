"""DRF's tokens (``rest_framework.authtoken``, no longer installed) become API tokens that expire
API_TOKEN_TTL_DAYS from now, so scripts keep working until then; their table, which held the keys in
plain text, is dropped and its migrations forgotten, as if the app had never been installed."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

DRF_TABLE = "authtoken_token"


def move_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if DRF_TABLE not in connection.introspection.table_names(cursor):
            return
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {quote('key')}, {quote('user_id')} FROM {quote(DRF_TABLE)}")
        rows = cursor.fetchall()
        ApiToken = apps.get_model("voorsprong", "ApiToken")
        now = timezone.now()
        ApiToken.objects.using(connection.alias).bulk_create(
            ApiToken(
                user_id=user_id,
                digest=hashlib.sha256(key.encode()).hexdigest(),
                label="Overgenomen sleutel",
                created_at=now,
                expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
            )
            for key, user_id in rows
        )
        cursor.execute(f"DROP TABLE {quote(DRF_TABLE)}")
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [("voorsprong", "0009_api_tokens")]

    operations = [migrations.RunPython(move_drf_tokens, migrations.RunPython.noop, elidable=True)]
