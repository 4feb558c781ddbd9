"""What every page's header needs: the menu of the officers, the financial service and the administrators."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from voorsprong.roles import Role

# (label, URL name, the roles whose pages it opens, or None for every staff member). The pages decide who
# may open them; the menu only leaves out what would answer 403 (tests/test_navigation.py holds it to
# that). The URL names are those of the apps above the kernel, which it reaches by name only.
MENU = (
    (_("Work queue"), "work_queue", (Role.OFFICER, Role.FINANCE)),
    (_("Administration"), "admin:index", None),
    (_("Budget monitor"), "funding:budget_monitor", (Role.OFFICER, Role.FINANCE)),
    (_("Reports"), "reports:list", (Role.OFFICER, Role.CABINET)),
    # Every user's own; the other roles find it next to their own links (base.html).
    (_("API keys"), "api_tokens", None),
)
MENU_ROLES = (Role.OFFICER, Role.FINANCE)


def menu_for(user, path: str = "") -> list[dict]:
    """Return the menu links ``user`` may open, the one ``path`` lies under marked current; empty for anyone
    but officers, the financial service and administrators (the other roles' pages carry their own)."""
    if not (user.is_authenticated and user.is_staff and user.acts_as(*MENU_ROLES)):
        return []
    links = []
    for label, name, roles in MENU:
        if roles is None or user.acts_as(*roles):
            url = reverse(name)
            key = name.replace(":", "-").replace("_", "-")
            links.append({"label": label, "url": url, "key": key, "current": path.startswith(url)})
    return links


def menu(request) -> dict:
    user = getattr(request, "user", None)
    return {"menu": menu_for(user, request.path) if user is not None else []}
