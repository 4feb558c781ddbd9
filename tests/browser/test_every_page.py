"""Every page of every role, in Chromium at 1280 x 800 with a Dutch and an English browser: no page is wider
than the window, and every page speaks Dutch.

The data set is ``seed_demo``'s, so the lists are full and the names as long as in real use. Per browser
language one test logs in as each role in turn and opens every page the role reaches: its start page, its
portal pages and, for the roles that work in the admin, the admin's index, every app page and list linked
from it, each list's first change form and every add form. The anonymous visitor opens the log-in page,
the pre-check and a company's three questionnaires. The problems of all pages are collected and listed
together, page by page.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participants.models import FOLLOW_UP_AFTER, Application, ApplicationStatus, Questionnaire, Referral
from participants.questionnaire_links import make_questionnaire_token
from tests.demo_data import SMALL_POPULATION
from voorsprong.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH, HEIGHT = 1280, 800
PASSWORD = "voorsprong-demo"

# Words of Django's and the admin's own English that the Dutch interface translates; each one on a page
# means a string that escaped translation. Words Dutch shares with English (Filter, Status, Traject,
# Project, Reset) are not on the list; "Add" and "Change" as words, so that "Adding" in a name passes.
ENGLISH = re.compile(
    r"\b(?:Log out|Log in|View site|Welcome|Home|Add|Change|Save|Delete|History|Search|Go|Action:|"
    r"Show all|Show counts|All dates|Any date|Today|Yesterday|Now|Yes|Unknown|None|Select all|"
    r"Clear selection|Select|results|selected|Available|Chosen|Choose all|Remove all|From date|To date|"
    r"Filter by|By \w+|Please correct|This field is required|Enter a valid|Username|Password|Recent actions|"
    r"My actions|Page not found|Not Found|Forbidden|Server Error|Bad Request|Previous|Next|"
    r"Documentation|Close|Cancel|Submit)\b"
)

# What the page shows a person: its title, its visible text, and the words on buttons and in empty
# inputs, which innerText leaves out.
SHOWN_TEXT = """() => [
    document.title,
    document.body.innerText,
    ...[...document.querySelectorAll('input[type=submit], input[type=button], input[type=reset]')]
        .filter(e => e.offsetParent !== null).map(e => e.value),
    ...[...document.querySelectorAll('[placeholder]')]
        .filter(e => e.offsetParent !== null).map(e => e.placeholder),
].join('\\n')"""

# A box that scrolls sideways hides columns just as a wide page does: Django's lists scroll their table
# inside the page. A list box (<select multiple>) cutting a long option is not one.
OVERFLOW = """() => {
    const boxes = [...document.querySelectorAll('body *:not(select)')].filter(e => {
        const style = getComputedStyle(e);
        return ['auto', 'scroll'].includes(style.overflowX) && e.clientWidth > 100
            && e.scrollWidth > e.clientWidth + 1;
    }).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`
        + ` ${e.scrollWidth} px in ${e.clientWidth}`);
    return {page: document.documentElement.scrollWidth, window: window.innerWidth, boxes};
}"""


def problems_of(page, address: str) -> list[str]:
    """Open ``address`` and return what is wrong with it: an error status, a page or box wider than the
    window, a language other than Dutch, English words."""
    response = page.goto(address)
    if response is None or response.status != 200:
        return [f"answers {response.status if response else 'nothing'}"]
    found = []
    lang = page.evaluate("document.documentElement.lang")
    if not lang.lower().startswith("nl"):
        found.append(f'<html lang="{lang}">')
    overflow = page.evaluate(OVERFLOW)
    if overflow["page"] > overflow["window"]:
        found.append(f"page {overflow['page']} px wide in a {overflow['window']} px window")
    found += [f"scrolls sideways: {box}" for box in overflow["boxes"]]
    english = sorted(set(ENGLISH.findall(page.evaluate(SHOWN_TEXT))))
    if english:
        found.append("English: " + ", ".join(repr(word) for word in english))
    return found


def admin_pages(page) -> list[str]:
    """Return the admin pages a user reaches from the index: the app pages, the lists, each list's first
    change form (or view form), the add forms and the extra pages (object tools) of each list."""
    page.goto("/admin/")
    linked = page.eval_on_selector_all(
        "#content-main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    addresses = list(dict.fromkeys(linked))
    lists = [address for address in addresses if address.count("/") == 4 and not address.endswith("/add/")]
    for address in lists:
        page.goto(address)
        first_row = page.eval_on_selector_all(
            "#result_list tbody tr:first-child a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        tools = page.eval_on_selector_all(
            ".object-tools a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
        )
        # The object tools of a list: its add form (already linked from the index) and pages of its own;
        # exports are downloads, not pages.
        addresses += [first_row[0]] if first_row else []
        addresses += [tool for tool in tools if tool.startswith("/admin/") and "export" not in tool]
    return ["/admin/", *dict.fromkeys(addresses)]


def portal_pages(username: str) -> list[str]:
    """Return the pages outside the admin that ``username`` of the demo data works with."""
    user = User.objects.get(username=username)
    in_progress = Application.objects.filter(status=ApplicationStatus.IN_PROGRESS).order_by("pk")
    if username == "promoter":
        in_progress = in_progress.filter(project__organisations=user.organisation)
    coached = in_progress.first()
    coaching = [
        "/trajecten/",
        f"/trajecten/{coached.pk}/",
        f"/trajecten/{coached.pk}/afsluiten/?outcome=stopped",
        f"/trajecten/{coached.pk}/afsluiten/?outcome=completed",
    ]
    # 0403.170.701 is not in the demo data (its KBO numbers start with 15): the form for a new company.
    referrals = ["/doorverwijzingen/", "/doorverwijzingen/nieuw/", "/doorverwijzingen/nieuw/?kbo=0403170701"]
    # The situation at intake of a company whose intake the consultant did.
    intake = (
        Referral.objects.filter(intake_by=user, application__status=ApplicationStatus.IN_PROGRESS)
        .order_by("pk")
        .first()
    )
    baseline = [f"/doorverwijzingen/{intake.pk}/situatie-bij-intake/"] if intake else []
    return {
        "officer": ["/", *coaching, "/financiering/", "/rapporten/"],
        "finance": ["/", "/financiering/"],
        "promoter": ["/", *coaching],
        "consultant": ["/", *referrals, *baseline],
        "cabinet": ["/", "/rapporten/"],
        "admin": ["/", *coaching, *referrals, "/financiering/", "/rapporten/"],
    }[username]


def anonymous_pages() -> list[str]:
    """Return the public pages: the log-in, the pre-check and a company's three questionnaires."""
    completed = Application.objects.filter(status=ApplicationStatus.COMPLETED)
    unevaluated = completed.filter(evaluation__isnull=True).first()
    followed_up = completed.filter(
        follow_up__isnull=True, ended_on__lte=timezone.localdate() - FOLLOW_UP_AFTER
    ).first()
    stopped = Application.objects.filter(status=ApplicationStatus.STOPPED, exit_answer__isnull=True).first()
    return [
        "/aanmelden/",
        "/kan-ik-deelnemen/",
        "/kan-ik-deelnemen/?kbo=BE 0403.170.701&traject=leren",
        reverse("evaluation:form", args=[make_questionnaire_token(Questionnaire.EVALUATION, unevaluated)]),
        reverse(
            "evaluation:follow_up", args=[make_questionnaire_token(Questionnaire.FOLLOW_UP, followed_up)]
        ),
        reverse("evaluation:exit", args=[make_questionnaire_token(Questionnaire.EXIT, stopped)]),
    ]


@pytest.fixture
def demo_data():
    call_command("seed_demo", *SMALL_POPULATION, stdout=io.StringIO())


@pytest.mark.parametrize("locale", ["nl-BE", "en-US"])
def test_every_page_of_every_role_fits_1280_px_and_speaks_dutch(browser, live_server, demo_data, locale):
    failures = []

    def visit(who: str, page, addresses):
        for address in addresses:
            failures.extend(f"{who} {address}: {problem}" for problem in problems_of(page, address))

    def new_page():
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": WIDTH, "height": HEIGHT}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page

    context, page = new_page()
    visit("anonymous", page, anonymous_pages())
    context.close()

    for username in ("officer", "finance", "promoter", "consultant", "cabinet", "admin"):
        context, page = new_page()
        page.goto("/aanmelden/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()
        addresses = portal_pages(username)
        if User.objects.get(username=username).is_staff:
            addresses += admin_pages(page)
        visit(username, page, addresses)
        context.close()

    assert not failures, f"{len(failures)} problems with a {locale} browser:\n" + "\n".join(failures)
