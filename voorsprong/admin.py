from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from voorsprong.models import User

admin.site.site_header = _("Voorsprong back office")
admin.site.site_title = _("Voorsprong")
admin.site.index_title = _("Administration of the Voorsprong trajects")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "organisation", "is_staff", "is_active")
    list_filter = ("groups", "organisation__kind", "is_staff", "is_active")
    list_select_related = ("organisation",)
    search_fields = ("username", "first_name", "last_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("organisation",)}),
    )
