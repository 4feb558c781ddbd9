"""The cabinet's page (officers and administrators use it too): ask for a report of a registered question,
follow its progress, download it, retry it; compose an own overview (the breakdown: dimensions and a
measure, as a table and a chart, downloaded through the same report jobs); compare the figures of
two dates; and read what the coaching changed per traject as of a date (the outcome figures of
``reporting.statistics.outcomes``, masked where they rest on fewer than five companies).

Everyone else gets 403, anonymous visitors the login page. The progress bars follow the JSON of
``/api/v1/report-requests/{id}/`` with a few lines of inline script; the page reloads once a report is
done or failed, to show its download link or its error.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from participants.models import Barrier, StopReason
from reporting import selectors
from reporting.documents import breakdown as breakdown_documents
from reporting.documents.formatting import as_date, figure
from reporting.kinds import UnknownKind, get_kind
from reporting.kinds.breakdown import KEY as BREAKDOWN
from reporting.models import ReportFormat, ReportRequest, ReportStatus
from reporting.questions import get_question, questions
from reporting.services import report_requests
from reporting.statistics import reach
from reporting.statistics.breakdown import DIMENSIONS, MAX_DIMENSIONS, MEASURES
from reporting.statistics.outcomes import traject_outcomes
from reporting.statistics.reach_documents import count, per_thousand, ratio, reach_chart, under_reached
from voorsprong.forms import day_input
from voorsprong.services import WorkflowRefusal
from voorsprong.validators import validate_day
from voorsprong.views import role_required

RECENT_REQUESTS = 20
SNAPSHOT_DATES_OFFERED = 90


def _question_choices(compared: bool = False) -> list[tuple[int, str]]:
    return [
        (question.number, question.title)
        for question in questions()
        if not compared or question.changes is not None
    ]


class ReportForm(forms.Form):
    question = forms.TypedChoiceField(label=gettext_lazy("Parliamentary question"), coerce=int)
    as_of = forms.DateField(
        validators=[validate_day], label=gettext_lazy("As of"), initial=timezone.localdate, widget=day_input()
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ReportFormat.choices, initial="pdf")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _question_choices()
        self.fields["question"].choices = choices
        self.fields["question"].initial = choices[0][0] if choices else None


class CompareForm(forms.Form):
    question = forms.TypedChoiceField(
        label=gettext_lazy("Parliamentary question"), coerce=int, required=False, empty_value=None
    )
    since = forms.DateField(
        validators=[validate_day], label=gettext_lazy("Since"), widget=day_input(list="snapshot-dates")
    )
    until = forms.DateField(
        validators=[validate_day],
        label=gettext_lazy("Until"),
        required=False,
        widget=day_input(list="snapshot-dates"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = _question_choices(compared=True)

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


class ReachForm(forms.Form):
    """The date and the cells of the reach the page shows (a form of its own: prefix ``bereik``)."""

    as_of = forms.DateField(validators=[validate_day], label=gettext_lazy("As of"), widget=day_input())
    by = forms.ChoiceField(
        label=gettext_lazy("Per"),
        choices=[
            ("province", gettext_lazy("province")),
            ("nace_section", gettext_lazy("sector (NACE section)")),
            ("size_class", gettext_lazy("size class")),
        ],
    )


def _reach(query) -> dict:
    """Return the reach the page shows: today's per province, or the date and cells asked for."""
    form = ReachForm(query if "bereik-by" in query else None, prefix="bereik")
    if form.is_bound and not form.is_valid():
        return {"form": form}
    data = form.cleaned_data if form.is_bound else {"as_of": timezone.localdate(), "by": "province"}
    if not form.is_bound:
        form = ReachForm(initial=data, prefix="bereik")
    figures = reach.reach_figures(data["as_of"], data["by"])
    chart = reach_chart(figures)
    under = {cell["code"] for cell in under_reached(figures)}
    total = figures["total"]
    return {
        "form": form,
        "figures": figures,
        "download": KindReportForm(
            "reach", parameters={"by": data["by"]}, initial={"as_of": data["as_of"], "format": "pdf"}
        ),
        "chart": chart.svg if chart else None,
        "as_of": data["as_of"],
        "table_date": figures["size_table"] and as_date(figures["size_table"]["reference_date"]),
        "by_label": dict(ReachForm.base_fields["by"].choices)[data["by"]],
        "rows": [
            {
                "code": cell["code"],
                "label": cell["label"],
                "population": count(cell["population"]),
                "reached": count(cell["reached"]),
                "per_thousand": per_thousand(cell["reach_per_1000"]),
                "ratio": ratio(cell["representation_ratio"]),
                "under": cell["code"] in under,
            }
            for cell in figures["cells"]
        ],
        "total": {
            "population": count(total["population"]),
            "reached": count(total["reached"]),
            "per_thousand": per_thousand(total["reach_per_1000"]),
        },
    }


class OutcomesForm(forms.Form):
    """The date of the outcome figures the page shows (a form of its own: prefix ``resultaten``)."""

    as_of = forms.DateField(validators=[validate_day], label=gettext_lazy("As of"), widget=day_input())


# The rows of the outcome table: a label, how to read the figure from a traject's outcomes, its unit.
OUTCOME_ROWS = (
    (gettext_lazy("Trajectories completed"), lambda found: found["completed"], "count"),
    (gettext_lazy("Evaluations received"), lambda found: found["responses"], "count"),
    (gettext_lazy("Response rate"), lambda found: found["response_rate"], "share"),
    (gettext_lazy("Follow-ups due"), lambda found: found["follow_ups"]["due"], "count"),
    (gettext_lazy("Follow-ups received"), lambda found: found["follow_ups"]["received"], "count"),
    (gettext_lazy("Follow-up rate"), lambda found: found["follow_up_rate"], "share"),
    (
        gettext_lazy("With a training policy at intake"),
        lambda found: found["training_policy"]["before"],
        "share",
    ),
    (
        gettext_lazy("With a training policy at closing"),
        lambda found: found["training_policy"]["after"],
        "share",
    ),
    (
        gettext_lazy("Learning transfer (1-5)"),
        lambda found: found["average_scores"]["learning_transfer"],
        "score",
    ),
    (gettext_lazy("Motivation (1-5)"), lambda found: found["average_scores"]["motivation"], "score"),
    (gettext_lazy("Employees reached"), lambda found: found["staff_reached"]["total"], "count"),
    (gettext_lazy("Of whom low-skilled"), lambda found: found["staff_reached"]["low_skilled"], "count"),
    (gettext_lazy("Of whom aged 55 or over"), lambda found: found["staff_reached"]["aged_55_plus"], "count"),
)
BARRIER_NAMES = {
    Barrier.DISPOSITIONAL: gettext_lazy("Dispositional barrier (motivation, attitude)"),
    Barrier.SITUATIONAL: gettext_lazy("Situational barrier (time, workload, family)"),
    Barrier.INSTITUTIONAL: gettext_lazy("Institutional barrier (offer, conditions, timing)"),
    Barrier.INFORMATIONAL: gettext_lazy("Informational barrier (not knowing the offer)"),
    Barrier.FINANCIAL: gettext_lazy("Financial barrier"),
    Barrier.DIGITAL: gettext_lazy("Digital barrier"),
}


def _outcomes(query) -> dict:
    """Return the outcome figures per traject the page shows, as of today or the date asked for: a table
    of figures, one of barriers (met at intake, removed at closing) and one of stop reasons, a column (or
    two) per traject, every figure written as the documents write it, masked ones as ``< 5``."""
    form = OutcomesForm(query if "resultaten-as_of" in query else None, prefix="resultaten")
    if form.is_bound and not form.is_valid():
        return {"form": form}
    as_of = form.cleaned_data["as_of"] if form.is_bound else timezone.localdate()
    if not form.is_bound:
        form = OutcomesForm(initial={"as_of": as_of}, prefix="resultaten")
    trajects = traject_outcomes(as_of)
    return {
        "form": form,
        "as_of": as_of,
        "trajects": [traject["name"] for traject in trajects],
        "figures": [
            {"label": label, "values": [figure(read(traject["outcomes"]), unit) for traject in trajects]}
            for label, read, unit in OUTCOME_ROWS
        ],
        "barriers": [
            {
                "label": name,
                "values": [
                    figure(traject["outcomes"]["barriers"][barrier][which])
                    for traject in trajects
                    for which in ("met_at_intake", "removed")
                ],
            }
            for barrier, name in BARRIER_NAMES.items()
        ],
        "stop_reasons": [
            {
                "label": reason.label,
                "values": [figure(traject["outcomes"]["stop_reasons"][reason]) for traject in trajects],
            }
            for reason in StopReason
        ],
    }


def _dimension_field(position: int) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=format_lazy("{} {}", gettext_lazy("Dimension"), position),
        required=position == 1,
        choices=lambda: (
            [("", "—")] * (position > 1) + [(key, dimension.label) for key, dimension in DIMENSIONS.items()]
        ),
    )


class OverviewForm(forms.Form):
    """The own overview: a date, one to three dimensions and a measure (read from the query string)."""

    as_of = forms.DateField(
        validators=[validate_day], label=gettext_lazy("As of"), initial=timezone.localdate, widget=day_input()
    )
    dimension_1 = _dimension_field(1)
    dimension_2 = _dimension_field(2)
    dimension_3 = _dimension_field(3)
    measure = forms.ChoiceField(
        label=gettext_lazy("Measure"),
        choices=lambda: [(key, measure.label) for key, measure in MEASURES.items()],
    )

    def clean(self):
        data = super().clean()
        if data.get("as_of") and data["as_of"] > timezone.localdate():
            self.add_error("as_of", _("Pick a date up to today."))
        data["by"] = [data[f"dimension_{position}"] for position in range(1, MAX_DIMENSIONS + 1)]
        data["by"] = [name for name in data["by"] if name]
        if len(set(data["by"])) != len(data["by"]):
            self.add_error("dimension_2", _("Choose each dimension once."))
        return data


class KindReportForm(forms.Form):
    """Downloading figures the page showed, through the report jobs: the kind (a hidden field, as are its
    date and parameters) and a format among those the kind is made in."""

    as_of = forms.DateField(validators=[validate_day], widget=forms.HiddenInput)
    format = forms.ChoiceField(label=gettext_lazy("Format"))

    def __init__(self, kind: str, *args, parameters: dict | None = None, date_shown=False, **kwargs):
        super().__init__(*args, **kwargs)
        if date_shown:  # the user picks the date here, rather than taking the one the page showed
            self.fields["as_of"] = forms.DateField(
                validators=[validate_day], label=gettext_lazy("As of"), widget=day_input()
            )
        self.kind = get_kind(kind)
        self.parameters = parameters or {}
        self.fields["format"].choices = [(fmt, dict(ReportFormat.choices)[fmt]) for fmt in self.kind.formats]


def _overview(query) -> dict:
    """Return the own overview asked for in ``query``: the form, and once it is valid the figures, their
    table and chart, and the form that downloads them; with no choice yet the form alone."""
    if "measure" not in query:
        return {"form": OverviewForm(initial={"dimension_1": "traject", "measure": "approved_companies"})}
    form = OverviewForm(query)
    if not form.is_valid():
        return {"form": form}
    data = form.cleaned_data
    parameters = {"by": data["by"], "measure": data["measure"]}
    figures = selectors.report_figures(
        BREAKDOWN, data["as_of"], get_kind(BREAKDOWN).clean_parameters(parameters)
    )
    return {
        "form": form,
        "figures": figures,
        "as_of": data["as_of"],
        "title": breakdown_documents.title(figures),
        "table": breakdown_documents.table(figures),
        "chart": breakdown_documents.page_chart(figures),
        "download": KindReportForm(
            BREAKDOWN,
            parameters={"by": ",".join(data["by"]), "measure": data["measure"]},
            initial={"as_of": data["as_of"], "format": "xlsx"},
        ),
    }


def _ask_for_kind_report(request):
    """Queue the report of a kind as the page showed it (the own overview, the reach, the ESF+
    monitoring): its parameters come as the page sent them and the kind checks them; a refusal is shown
    as a message."""
    try:
        form = KindReportForm(request.POST.get("kind", ""), request.POST)
    except UnknownKind:
        form = None
    if form is None or form.kind.question is not None or not form.is_valid():
        messages.error(request, _("This report cannot be made: choose it again."))
        return redirect("reports:list")
    names = form.kind.parameters().fields if form.kind.parameters else {}
    try:
        report = report_requests.request_report(
            kind=form.kind.key,
            parameters={name: request.POST.get(name, "") for name in names},
            as_of=form.cleaned_data["as_of"],
            fmt=form.cleaned_data["format"],
            by=request.user,
        )
    except WorkflowRefusal as refusal:
        messages.error(request, refusal.message)
    else:
        if report.reused:
            messages.info(request, _("This report is already being prepared; follow its progress below."))
        else:
            messages.success(request, _("The report is being prepared; follow its progress below."))
    return redirect("reports:list")


def _report_label(report: ReportRequest) -> str:
    """Return what a request reports on, in words: its question's number, or its kind's title and the
    overview's dimensions and measure."""
    if report.question is not None:
        return str(report.question)
    try:
        title = str(get_kind(report.kind).title)
    except UnknownKind:
        return report.kind
    if report.kind == BREAKDOWN and report.parameters.get("measure") in MEASURES:
        by = ", ".join(
            str(DIMENSIONS[name].label).lower() for name in report.parameters["by"] if name in DIMENSIONS
        )
        return f"{MEASURES[report.parameters['measure']].label} – {by}"
    return title


def _signed(number) -> str:
    return f"+{number}" if number > 0 else str(number)


def _comparison(query) -> dict:
    """Return the comparison of two dates' figures of a question: without a choice the first question's,
    since its latest snapshot before today until today."""
    choices = _question_choices(compared=True)
    if not choices:
        return {}
    form = CompareForm(query) if "since" in query else None
    if form is not None and not form.is_valid():
        return {"form": form, "dates": selectors.snapshot_dates(choices[0][0], SNAPSHOT_DATES_OFFERED)}
    number = (form is not None and form.cleaned_data["question"]) or choices[0][0]
    dates = selectors.snapshot_dates(number, SNAPSHOT_DATES_OFFERED)
    if form is not None:
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    else:
        today = timezone.localdate()
        since, until = next((day for day in dates if day < today), None), today
        form = CompareForm(initial={"question": number, "since": since, "until": until})
        if since is None:
            return {"form": form, "dates": dates}
    old, old_from_snapshot = selectors.figures_on(number, since)
    new, new_from_snapshot = selectors.figures_on(number, until)
    rows = [{**row, "signed": _signed(row["difference"])} for row in get_question(number).changes(old, new)]
    return {
        "form": form,
        "dates": dates,
        "since": since,
        "until": until,
        "since_from_snapshot": old_from_snapshot,
        "until_from_snapshot": new_from_snapshot,
        "rows": rows,
    }


@role_required(*report_requests.REPORT_ROLES)
def report_list(request):
    if request.method == "POST" and "kind" in request.POST:
        return _ask_for_kind_report(request)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = report_requests.request_report(
                question=data["question"], as_of=data["as_of"], fmt=data["format"], by=request.user
            )
        except WorkflowRefusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            if report.reused:
                messages.info(request, _("This report is already being prepared; follow its progress below."))
            else:
                messages.success(request, _("The report is being prepared; follow its progress below."))
            return redirect("reports:list")
    reports = selectors.recent_reports(RECENT_REQUESTS)
    for report in reports:
        report.label = _report_label(report)
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
            "reach": _reach(request.GET),
            "overview": _overview(request.GET),
            "outcomes": _outcomes(request.GET),
            "esf": KindReportForm(
                "esf", initial={"as_of": timezone.localdate(), "format": "xlsx"}, date_shown=True
            ),
            "breakdown": BREAKDOWN,
            "status_labels": dict(ReportStatus.choices),
        },
    )


@role_required(*report_requests.REPORT_ROLES)
@require_POST
def retry(request, pk: int):
    report = get_object_or_404(ReportRequest, pk=pk)
    try:
        report_requests.retry_report(report, by=request.user)
    except WorkflowRefusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The report is being prepared again."))
    return redirect("reports:list")
