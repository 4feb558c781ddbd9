from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from voorsprong.roles import Role

# Where each role starts after logging in; staff work in the admin.
_START_PAGE = {
    Role.PROMOTER: "coaching:applications",
    Role.SECTOR_CONSULTANT: "referrals:list",
    Role.CABINET: "reports:list",
}


@login_required
def home(request):
    for role, page in _START_PAGE.items():
        if request.user.has_role(role):
            return redirect(page)
    return redirect("admin:index")
