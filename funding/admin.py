from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from rangefilter.filters import DateRangeFilterBuilder
from simple_history.admin import SimpleHistoryAdmin

from funding import services
from funding.aid_register import CONTENT_TYPES, FORMATS, register_file
from funding.models import (
    AidBasis,
    AidLine,
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    CompanyLink,
    Declaration,
    DeclarationAttachment,
    DeclarationShare,
    DeclaredAid,
    FundingRule,
    FundingSource,
)
from funding.selectors import aid_position, single_undertaking
from participants.kbo import kbo_search_term
from participants.models import Company
from voorsprong import money
from voorsprong.admin import (
    NoDeleteMixin,
    NoRevertMixin,
    ReadOnlyMixin,
    ReasonForm,
    RefusalInFormMixin,
    download_link,
    notation_column,
)
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal
from voorsprong.validators import validate_day


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "is_subsidy")
    list_filter = ("is_subsidy",)
    search_fields = ("name", "code")


@admin.register(BudgetLine)
class BudgetLineAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """Budget lines through ``save_budget_line``: never below what approvals committed on the line.
    Approvals charge a line by its traject, source and period, so those stay once it exists; a line is
    corrected, never deleted."""

    list_display = ("traject", "source", "capacity_period", notation_column(BudgetLine, "amount"))
    list_filter = ("traject", "source")
    list_select_related = ("traject", "source", "capacity_period__traject")

    def get_readonly_fields(self, request, obj=None):
        return ("traject", "source", "capacity_period") if obj else ()

    def save_model(self, request, obj, form, change):
        services.save_budget_line(obj, by=request.user)


@admin.register(FundingRule)
class FundingRuleAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """Funding rules through ``save_funding_rule``. A changed rule splits later approvals only: committed
    money (``ApplicationFunding``) is never computed again. Every approval needs its traject's rule, so
    none is deleted."""

    list_display = (
        "traject",
        notation_column(FundingRule, "default_planned_cost"),
        "promoter_share",
        "company_surcharge",
        "aid_basis",
    )
    list_select_related = ("traject",)

    def get_readonly_fields(self, request, obj=None):
        return ("traject",) if obj else ()

    def save_model(self, request, obj, form, change):
        services.save_funding_rule(obj, by=request.user)


@admin.register(ApplicationFunding)
class ApplicationFundingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Committed money, to read: approvals commit it and withdrawals give it back, never a hand."""

    list_display = ("application", "source", notation_column(ApplicationFunding, "amount"))
    list_filter = ("source", "application__traject")
    list_select_related = ("application__company", "application__traject", "source")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)


class DeclarationShareInline(admin.TabularInline):
    model = DeclarationShare
    fields = ("source", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.display(description=_("file"))
def attachment_download(attachment: DeclarationAttachment):
    return download_link(
        reverse("declaration-attachment", args=[attachment.declaration_id, attachment.pk]),
        attachment.original_name,
    )


class DeclarationAttachmentInline(admin.TabularInline):
    model = DeclarationAttachment
    fields = (attachment_download, "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _decide_each(request, objects, decision, **kwargs) -> None:
    """Run a decision service per object (a declaration, an approval over the budget) and tell the user
    what happened to each."""
    for obj in objects:
        try:
            changed = decision(obj, by=request.user, **kwargs)
        except WorkflowRefusal as refusal:
            messages.warning(request, f"{obj}: {refusal.message}")
        else:
            messages.success(request, f"{obj}: {changed.get_status_display().lower()}")


def _decide_each_with_reason(model_admin, request, objects, decision, title, intro, submit_label):
    """Ask for one reason, then run the decision service on each selected object with it."""
    form = ReasonForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        _decide_each(request, objects, decision, reason=form.cleaned_data["reason"])
        return None
    return TemplateResponse(
        request,
        # The applications' reason form lists any selected objects under this name.
        "admin/reason_for_selected.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "objects": objects,
            "form": form,
            "opts": model_admin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(Declaration)
class DeclarationAdmin(NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    actions = ["approve_selected", "reject_selected", "mark_paid_selected"]
    list_display = (
        "company",
        "traject",
        "period",
        notation_column(Declaration, "amount"),
        notation_column(Declaration, "hours", money.hours),
        "status",
        "declared_on",
        "paid_on",
    )
    list_filter = ("status", "application__traject")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)
    inlines = [DeclarationShareInline, DeclarationAttachmentInline]
    # A declaration is added as declare_costs takes it. What was declared then passed the commitment check
    # and its shares follow from it, so it stays as it is; status and decisions change only by the actions.
    add_fields = ("application", "period_start", "period_end", "amount", "hours", "description")
    readonly_fields = (
        *add_fields,
        "declared_by",
        "declared_on",
        "status",
        "decided_by",
        "decided_on",
        "reason",
        "paid_on",
        "paid_by",
    )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def has_change_permission(self, request, obj=None):
        # The change permission offers the actions; a saved declaration's form is only read.
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        declared = services.declare_costs(
            obj.application,
            by=request.user,
            period_start=obj.period_start,
            period_end=obj.period_end,
            amount=obj.amount,
            hours=obj.hours,
            description=obj.description,
        )
        # The admin goes on with obj (log entry, message, redirect), so it takes the saved row's key.
        obj.pk = declared.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except WorkflowRefusal as refusal:
            # Raised by save_model after the admin's transaction rolled back; the form comes back filled in.
            self.message_user(request, refusal.message, messages.ERROR)
            query = request.GET.copy()
            for name in self.add_fields:
                if request.POST.get(name):
                    query[name] = request.POST[name]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")

    # Each user is offered the actions of their role: officers decide, the financial service pays.
    def has_decide_permission(self, request):
        return request.user.acts_as(Role.OFFICER) and self.has_change_permission(request)

    def has_pay_permission(self, request):
        return request.user.acts_as(Role.FINANCE) and self.has_change_permission(request)

    @admin.display(description=_("company"), ordering="application__company__name")
    def company(self, declaration):
        return declaration.application.company.name

    @admin.display(description=_("traject"), ordering="application__traject__name")
    def traject(self, declaration):
        return declaration.application.traject.name

    @admin.display(description=_("period"), ordering="period_start")
    def period(self, declaration):
        start, end = (
            date_format(day, "SHORT_DATE_FORMAT")
            for day in (declaration.period_start, declaration.period_end)
        )
        return f"{start} – {end}"

    @admin.action(description=_("Approve selected declarations"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        _decide_each(request, queryset, services.approve_declaration)

    @admin.action(description=_("Reject selected declarations"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return _decide_each_with_reason(
            self,
            request,
            queryset,
            services.reject_declaration,
            _("Reject selected declarations"),
            _("These declarations will be rejected with the reason below:"),
            _("Reject"),
        )

    @admin.action(description=_("Mark selected declarations as paid"), permissions=["pay"])
    def mark_paid_selected(self, request, queryset):
        _decide_each(request, queryset, services.mark_declaration_paid)


@admin.register(BudgetOverride)
class BudgetOverrideAdmin(RefusalInFormMixin, NoRevertMixin, SimpleHistoryAdmin):
    """Approvals over the budget: an officer requests one here (or with the applications' action "approve
    despite the budget"), another signs it off or refuses it with the actions."""

    actions = ["sign_off_selected", "refuse_selected"]
    list_display = ("application", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "application__traject")
    list_select_related = ("application__company", "application__traject", "requested_by", "decided_by")
    search_fields = ("application__company__name", "application__company__kbo_number", "reason")
    raw_id_fields = ("application",)
    add_fields = ("application", "reason")
    readonly_fields = (
        *add_fields,
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "refusal_reason",
    )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who asked and who signed off stays

    def has_change_permission(self, request, obj=None):
        # The change permission offers the actions; a request is signed off or refused, never edited.
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        requested = services.request_budget_override(obj.application, by=request.user, reason=obj.reason)
        # The admin goes on with obj (log entry, message, redirect), so it takes the saved row's key.
        obj.pk = requested.pk

    @admin.action(description=_("Sign off selected approvals over the budget"), permissions=["change"])
    def sign_off_selected(self, request, queryset):
        _decide_each(
            request, queryset.select_related(*self.list_select_related), services.sign_off_budget_override
        )

    @admin.action(description=_("Refuse selected approvals over the budget"), permissions=["change"])
    def refuse_selected(self, request, queryset):
        return _decide_each_with_reason(
            self,
            request,
            queryset.select_related(*self.list_select_related),
            services.refuse_budget_override,
            _("Refuse selected approvals over the budget"),
            _("These approvals over the budget will be refused with the reason below:"),
            _("Refuse"),
        )


@admin.register(DeclarationShare)
class DeclarationShareAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The shares of each declaration per funding source, to read: ``declare_costs`` makes them."""

    list_display = ("declaration", "source", notation_column(DeclarationShare, "amount"))
    list_filter = ("source", "declaration__application__traject")
    list_select_related = ("declaration__application__company", "declaration__application__traject", "source")
    raw_id_fields = ("declaration",)


@admin.register(DeclarationAttachment)
class DeclarationAttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The documents of each declaration, to read: ``declare_costs`` stores them with it."""

    list_display = ("declaration", attachment_download, "uploaded_at")
    list_select_related = ("declaration__application__company", "declaration__application__traject")
    fields = ("declaration", attachment_download, "uploaded_at")
    readonly_fields = fields


# -- State aid ---------------------------------------------------------------------------------------
class AidRegisterForm(forms.Form):
    start = forms.DateField(
        validators=[validate_day], label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        validators=[validate_day],
        label=_("Up to and including"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    file_format = forms.ChoiceField(label=_("Format"), choices=[(name, name.upper()) for name in FORMATS])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return cleaned


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        validators=[validate_day],
        label=_("As of"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class UndertakingFilter(admin.SimpleListFilter):
    """The lines of a company's whole single undertaking (``?undertaking=<company id>``)."""

    title = _("single undertaking of")
    parameter_name = "undertaking"

    def lookups(self, request, model_admin):
        # Reached by a link (the headroom page), not picked from a list of every company.
        value = self.value()
        return [(value, value)] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(company_id__in=single_undertaking(int(value)))


@admin.register(AidLine)
class AidLineAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """The aid ledger, read-only: approvals write its lines and withdrawals cancel them. Per company, the
    headroom page shows the single undertaking's de-minimis position as the API does; the register page
    downloads the aid granted in a period."""

    change_list_template = "admin/funding/aidline/change_list.html"
    list_display = (
        "company",
        "granted_on",
        notation_column(AidLine, "amount"),
        "basis",
        "application",
        "cancelled_on",
        "headroom",
    )
    list_filter = (
        UndertakingFilter,
        "basis",
        ("granted_on", DateRangeFilterBuilder(title=_("granted on"))),
        ("cancelled_on", admin.EmptyFieldListFilter),
    )
    list_select_related = ("company", "application__company", "application__traject")
    search_fields = ("company__name", "company__kbo_number")
    date_hierarchy = "granted_on"

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, kbo_search_term(search_term))

    @admin.display(description=_("headroom"))
    def headroom(self, line):
        url = reverse("admin:funding_aidline_headroom", args=[line.company_id])
        return format_html('<a href="{}">{}</a>', url, _("Headroom"))

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "headroom/<int:company_id>/",
                self.admin_site.admin_view(self.headroom_view),
                name=f"{prefix}_headroom",
            ),
            path("register/", self.admin_site.admin_view(self.register_view), name=f"{prefix}_register"),
            *super().get_urls(),
        ]

    def headroom_view(self, request, company_id: int):
        """Show the de-minimis position of a company's single undertaking, as of today or ``as_of``."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        company = get_object_or_404(Company, pk=company_id)
        form = AsOfForm(request.GET or None)
        as_of = (form.cleaned_data["as_of"] if form.is_valid() else None) or timezone.localdate()
        position = aid_position(company.pk, as_of)
        companies = Company.objects.in_bulk(position.companies)
        lines = [
            {**line, "company": companies[line["company"]], "basis": AidBasis(line["basis"]).label}
            for line in position.lines
        ]
        return TemplateResponse(
            request,
            "admin/funding/aidline/headroom.html",
            {
                **self.admin_site.each_context(request),
                "title": _("De-minimis headroom of %(company)s") % {"company": company.name},
                "opts": self.opts,
                "form": form,
                "company": company,
                "position": position,
                "lines": lines,
                "group": [companies[company_id] for company_id in position.companies],
            },
        )

    def register_view(self, request):
        """Download the aid granted in a period, for the central de-minimis register."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = AidRegisterForm(request.GET or None)
        if form.is_valid():
            data = form.cleaned_data
            content, filename = register_file(data["start"], data["end"], data["file_format"])
            response = HttpResponse(content, content_type=CONTENT_TYPES[data["file_format"]])
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return TemplateResponse(
            request,
            "admin/funding/aidline/register.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Aid register"),
                "opts": self.opts,
                "form": form,
            },
        )


@admin.register(CompanyLink)
class CompanyLinkAdmin(NoRevertMixin, RefusalInFormMixin, SimpleHistoryAdmin):
    """Links between companies that make them one single undertaking, through the State-aid services."""

    list_display = ("controlling_company", "controlled_company", "kind")
    list_filter = ("kind",)
    list_select_related = ("controlling_company", "controlled_company")
    search_fields = (
        "controlling_company__name",
        "controlling_company__kbo_number",
        "controlled_company__name",
        "controlled_company__kbo_number",
    )
    autocomplete_fields = ("controlling_company", "controlled_company")

    def get_readonly_fields(self, request, obj=None):
        # The companies make the link; a link between others is recorded anew.
        return ("controlling_company", "controlled_company") if obj else ()

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, kbo_search_term(search_term))

    def save_model(self, request, obj, form, change):
        if change:
            services.change_company_link(obj, kind=obj.kind, by=request.user)
            return
        created = services.record_company_link(
            controlling_company=obj.controlling_company,
            controlled_company=obj.controlled_company,
            kind=obj.kind,
            by=request.user,
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        services.remove_company_link(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            services.remove_company_link(link, by=request.user)


@admin.register(DeclaredAid)
class DeclaredAidAdmin(NoRevertMixin, RefusalInFormMixin, SimpleHistoryAdmin):
    """Other de-minimis aid companies declare with their applications, through the State-aid services."""

    list_display = (
        "company",
        "grantor",
        "granted_on",
        notation_column(DeclaredAid, "amount"),
        "regulation",
        "application",
    )
    list_filter = (("granted_on", DateRangeFilterBuilder(title=_("granted on"))),)
    list_select_related = ("company", "application__company", "application__traject")
    search_fields = ("company__name", "company__kbo_number", "grantor")
    autocomplete_fields = ("application",)
    fields = ("application", "company", "grantor", "granted_on", "amount", "regulation")

    def get_readonly_fields(self, request, obj=None):
        # The company is the application's; the application stays once declared.
        return ("application", "company") if obj else ("company",)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, kbo_search_term(search_term))

    def save_model(self, request, obj, form, change):
        values = {
            "grantor": obj.grantor,
            "granted_on": obj.granted_on,
            "amount": obj.amount,
            "regulation": obj.regulation,
            "by": request.user,
        }
        if change:
            services.change_declared_aid(obj, **values)
            return
        obj.pk = services.declare_other_aid(obj.application, **values).pk

    def delete_model(self, request, obj):
        services.remove_declared_aid(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for aid in queryset:
            services.remove_declared_aid(aid, by=request.user)
