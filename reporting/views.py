"""The cabinet's page (officers and administrators use it too): ask for a report of question 244, follow
its progress, download it, retry it; and compare the figures of two dates.

Everyone else gets 403, anonymous visitors the login page. The progress bars follow the JSON of
``/api/v1/report-requests/{id}/`` with a few lines of inline script; the page reloads once a report is
done or failed, to show its download link or its error.
"""

import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reporting import services
from reporting.models import ReportFormat, ReportRequest, ReportStatus, StatisticsSnapshot
from trajects.size_classes import SizeClass
from voorsprong.services import WorkflowRefusal
from voorsprong.views import role_required

QUESTION = 244
RECENT_REQUESTS = 20
SNAPSHOT_DATES_OFFERED = 90


def _date_widget(**attrs) -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **attrs})


class ReportForm(forms.Form):
    question = forms.TypedChoiceField(
        label=gettext_lazy("Parliamentary question"),
        choices=[(QUESTION, gettext_lazy("Question 244 – the Voorsprong trajects"))],
        coerce=int,
        initial=QUESTION,
    )
    as_of = forms.DateField(label=gettext_lazy("As of"), initial=timezone.localdate, widget=_date_widget())
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ReportFormat.choices, initial="pdf")


class CompareForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Since"), widget=_date_widget(list="snapshot-dates"))
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=_date_widget(list="snapshot-dates")
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        since, until = data.get("since"), data.get("until") or today
        if until > today:
            self.add_error("until", _("Pick a date up to today."))
        elif since and since > until:
            self.add_error("since", _("Pick a date before the second one."))
        data["until"] = until
        return data


def _figure_label(name: str) -> str:
    labels = {
        "approved_companies": _("approved companies"),
        "places_taken": _("places taken"),
        "evaluations.responses": _("evaluations received"),
        "referrals.total": _("referrals"),
    }
    if name.startswith("size_classes."):
        size_class = name.removeprefix("size_classes.")
        if size_class in SizeClass.values:
            return _("approved companies: %(size_class)s") % {
                "size_class": SizeClass(size_class).label.lower()
            }
    return labels.get(name, name)


def _signed(number) -> str:
    return f"+{number}" if number > 0 else str(number)


def _figures_on(day: datetime.date) -> tuple[dict, bool]:
    """The figures of a day, and whether they come from its snapshot: a past day's snapshot shows them
    as they were known then; today, and a day without a snapshot, are computed now."""
    if day < timezone.localdate():
        snapshot = StatisticsSnapshot.objects.filter(question=QUESTION, as_of=day).first()
        if snapshot:
            return snapshot.figures, True
    return services.current_figures(QUESTION, day), False


def _comparison(query) -> dict:
    from reporting.statistics import figures_changes

    dates = list(
        StatisticsSnapshot.objects.filter(question=QUESTION)
        .order_by("-as_of")
        .values_list("as_of", flat=True)[:SNAPSHOT_DATES_OFFERED]
    )
    today = timezone.localdate()
    if "since" in query:
        form = CompareForm(query)
        if not form.is_valid():
            return {"form": form, "dates": dates}
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    else:
        # Without a choice: since the latest snapshot before today, if there is one.
        since = next((day for day in dates if day < today), None)
        until = today
        form = CompareForm(initial={"since": since, "until": until})
        if since is None:
            return {"form": form, "dates": dates}
    old, old_from_snapshot = _figures_on(since)
    new, new_from_snapshot = _figures_on(until)
    names = {
        traject["code"]: traject["name"] for traject in (*old.get("trajects", []), *new.get("trajects", []))
    }
    rows = [
        {
            **row,
            "traject_name": names.get(row["traject"], row["traject"]),
            "figure_label": _figure_label(row["figure"]),
            "signed": _signed(row["difference"]),
        }
        for row in figures_changes(old, new)
    ]
    return {
        "form": form,
        "dates": dates,
        "since": since,
        "until": until,
        "since_from_snapshot": old_from_snapshot,
        "until_from_snapshot": new_from_snapshot,
        "rows": rows,
    }


@role_required(*services.REPORT_ROLES)
def report_list(request):
    form = ReportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.request_report(
                question=data["question"], as_of=data["as_of"], fmt=data["format"], by=request.user
            )
        except WorkflowRefusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            if not report.reused:
                messages.success(request, _("The report is being prepared; follow its progress below."))
            elif report.status == ReportStatus.DONE:
                messages.info(
                    request, _("This report was already made from the same figures: download it below.")
                )
            else:
                messages.info(request, _("This report is already being prepared; follow its progress below."))
            return redirect("reports:list")
    reports = ReportRequest.objects.select_related("requested_by").order_by("-created_at", "-pk")
    reports = list(reports[:RECENT_REQUESTS])
    for report in reports:
        report.status_url = reverse("report-request-detail", args=[report.pk])
        if report.status == ReportStatus.DONE and report.file:
            report.download_url = reverse("report-request-download", args=[report.pk])
    return render(
        request,
        "reporting/report_list.html",
        {
            "form": form,
            "reports": reports,
            "comparison": _comparison(request.GET),
            "status_labels": dict(ReportStatus.choices),
        },
    )


@role_required(*services.REPORT_ROLES)
@require_POST
def retry(request, pk: int):
    report = get_object_or_404(ReportRequest, pk=pk)
    try:
        services.retry_report(report, by=request.user)
    except WorkflowRefusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The report is being prepared again."))
    return redirect("reports:list")
