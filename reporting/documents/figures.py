"""The figures a document may show, and nothing else.

``reporting.statistics.pq244_figures`` gives aggregates only; this projection keeps it that way for the
documents: every renderer (the JSON too) reads the figures through :func:`public_figures`, which copies
the documented fields and drops anything else a caller may have added (a company's name, a contact's
e-mail address). Free texts (recommendations, campaign descriptions, initiatives) are written by people,
so any e-mail address in them is blanked out as well.
"""

import re

SIZE_CLASSES = ("micro", "small", "medium", "large", "non_profit")
SHARES = ("sme", "non_profit", "large")
FUNDING = ("total", "eu", "flemish", "own_promoter", "own_company")
SCORES = ("usefulness", "coach_quality", "learning_culture_effect", "would_recommend")
E_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
E_MAIL_REMOVED = "[e-mailadres verwijderd]"


def scrub(text) -> str:
    """A free text without e-mail addresses."""
    return E_MAIL.sub(E_MAIL_REMOVED, str(text or ""))


def _int(value) -> int:
    return int(value or 0)


def _amount(value) -> str:
    return str(value) if value not in (None, "") else "0.00"


def _optional(value) -> str | None:
    return None if value in (None, "") else str(value)


def _traject(traject: dict) -> dict:
    sizes = traject.get("size_classes") or {}
    shares = traject.get("size_class_shares") or {}
    funding = traject.get("funding") or {}
    evaluations = traject.get("evaluations") or {}
    scores = evaluations.get("average_scores") or {}
    referrals = traject.get("referrals") or {}
    return {
        "code": str(traject["code"]),
        "name": str(traject["name"]),
        "start_date": str(traject["start_date"]),
        "approved_companies": _int(traject.get("approved_companies")),
        "size_classes": {name: _int(sizes.get(name)) for name in SIZE_CLASSES},
        "size_class_shares": {name: _optional(shares.get(name)) for name in SHARES},
        "places": [
            {
                "start": str(row["start"]),
                "end": str(row["end"]),
                "places": _int(row.get("places")),
                "taken": _int(row.get("taken")),
            }
            for row in traject.get("places") or []
        ],
        "funding": {name: _amount(funding.get(name)) for name in FUNDING},
        "partners": [
            {"name": str(partner["name"]), "kind": str(partner.get("kind") or "other")}
            for partner in traject.get("partners") or []
        ],
        "evaluations": {
            "completed": _int(evaluations.get("completed")),
            "responses": _int(evaluations.get("responses")),
            "average_scores": {name: _optional(scores.get(name)) for name in SCORES},
            "recommendations": [scrub(text) for text in evaluations.get("recommendations") or []],
        },
        "communication_actions": [
            {
                "date": str(action["date"]),
                "campaign": scrub(action.get("campaign")),
                "channel": str(action.get("channel") or ""),
                "description": scrub(action.get("description")),
            }
            for action in traject.get("communication_actions") or []
        ],
        "referrals": {
            "total": _int(referrals.get("total")),
            "intakes": _int(referrals.get("intakes")),
            "by_sector_fund": {
                str(fund): _int(count) for fund, count in (referrals.get("by_sector_fund") or {}).items()
            },
        },
    }


def public_figures(figures: dict) -> dict:
    """The documented fields of ``pq244_figures``, with defaults for missing parts and nothing more."""
    companies = figures.get("companies_in_any_traject")
    return {
        "question": int(figures["question"]),
        "as_of": str(figures["as_of"]),
        "fingerprint": str(figures.get("fingerprint") or ""),
        "trajects": [_traject(traject) for traject in figures.get("trajects") or []],
        "companies_in_any_traject": None if companies is None else _int(companies),
        "initiatives": [
            {"title": scrub(item.get("title")), "text": scrub(item.get("text"))}
            for item in figures.get("initiatives") or []
        ],
    }
