"""Stopped applications get a stop reason code; the reason text is then needed only with "other".

The applications stopped before the codes existed take "other": their free-text reason (required when they
stopped) stays the explanation, so they meet the new constraints.
"""

from django.db import migrations, models


def code_earlier_stops_as_other(apps, schema_editor):
    Application = apps.get_model("participants", "Application")
    Application.objects.filter(status="stopped").update(stop_reason="other")


class Migration(migrations.Migration):
    dependencies = [("participants", "0012_latest_approval_per_company_index")]

    operations = [
        migrations.RemoveConstraint(
            model_name="application",
            name="application_reason_given",
        ),
        migrations.AddField(
            model_name="application",
            name="stop_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("administrative_burden", "Administrative burden"),
                    ("no_time", "No time"),
                    ("reorganisation", "Reorganisation"),
                    ("bankruptcy_or_stop", "Bankruptcy or end of the business"),
                    ("goal_reached", "Goal already reached"),
                    ("other", "Other"),
                ],
                help_text="Why the trajectory stopped; only for a stopped application.",
                max_length=24,
                verbose_name="stop reason",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="stop_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("administrative_burden", "Administrative burden"),
                    ("no_time", "No time"),
                    ("reorganisation", "Reorganisation"),
                    ("bankruptcy_or_stop", "Bankruptcy or end of the business"),
                    ("goal_reached", "Goal already reached"),
                    ("other", "Other"),
                ],
                help_text="Why the trajectory stopped; only for a stopped application.",
                max_length=24,
                verbose_name="stop reason",
            ),
        ),
        migrations.RunPython(code_earlier_stops_as_other, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ("rejected", "withdrawn")), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="application_reason_given",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "stop_reason__in",
                        [
                            "administrative_burden",
                            "no_time",
                            "reorganisation",
                            "bankruptcy_or_stop",
                            "goal_reached",
                            "other",
                        ],
                    ),
                    ("stop_reason", ""),
                    _connector="OR",
                ),
                name="application_stop_reason_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "stopped"), models.Q(("stop_reason", ""), _negated=True)),
                    models.Q(models.Q(("status", "stopped"), _negated=True), ("stop_reason", "")),
                    _connector="OR",
                ),
                name="application_stop_reason_when_stopped",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("stop_reason", "other"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="application_other_stop_reason_explained",
            ),
        ),
    ]
