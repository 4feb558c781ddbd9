"""Report requests name a kind of report and its parameters instead of a question's number.

A request made before answers question 244 (or whichever number it holds): its kind becomes
``pq<number>`` and it has no parameters; the history rows alike.
"""

from django.db import migrations, models
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat


def kind_from_question(apps, schema_editor):
    for name in ("ReportRequest", "HistoricalReportRequest"):
        apps.get_model("reporting", name).objects.update(
            kind=Concat(Value("pq"), Cast("question", output_field=CharField()), output_field=CharField())
        )


def question_from_kind(apps, schema_editor):
    for name in ("ReportRequest", "HistoricalReportRequest"):
        model = apps.get_model("reporting", name)
        for pk, kind in model.objects.values_list("pk", "kind"):
            # Requests of other kinds cannot go back to a question: they become question 0.
            number = int(kind[2:]) if kind.startswith("pq") and kind[2:].isdigit() else 0
            model.objects.filter(pk=pk).update(question=number)


def kind_field():
    return models.CharField(
        default="", help_text="E.g. pq244 or breakdown.", max_length=40, verbose_name="kind of report"
    )


def parameters_field():
    return models.JSONField(blank=True, default=dict, verbose_name="parameters")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_initiatives_and_snapshots"),
    ]

    operations = [
        *(
            # Filled from the question's number below.
            migrations.AddField(model_name=model, name="kind", field=kind_field(), preserve_default=False)
            for model in ("reportrequest", "historicalreportrequest")
        ),
        *(
            migrations.AddField(model_name=model, name="parameters", field=parameters_field())
            for model in ("reportrequest", "historicalreportrequest")
        ),
        migrations.AlterField(
            model_name="reportrequest",
            name="question",
            field=models.PositiveIntegerField(null=True, verbose_name="parliamentary question"),
        ),
        migrations.AlterField(
            model_name="historicalreportrequest",
            name="question",
            field=models.PositiveIntegerField(null=True, verbose_name="parliamentary question"),
        ),
        migrations.RunPython(kind_from_question, question_from_kind),
        migrations.RemoveField(model_name="reportrequest", name="question"),
        migrations.RemoveField(model_name="historicalreportrequest", name="question"),
        migrations.AddConstraint(
            model_name="reportrequest",
            constraint=models.CheckConstraint(condition=~Q(kind=""), name="reportrequest_kind_given"),
        ),
        migrations.AddConstraint(
            model_name="reportrequest",
            constraint=models.CheckConstraint(
                condition=~Q(kind__startswith="pq") | Q(parameters={}),
                name="reportrequest_question_no_parameters",
            ),
        ),
        migrations.AddIndex(
            model_name="reportrequest",
            index=models.Index(fields=["kind", "as_of", "format"], name="reportrequest_identical"),
        ),
    ]
