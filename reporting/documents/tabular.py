"""The figures as one flat CSV table and as JSON."""

import csv
import io
import json

from reporting.documents.formatting import decimal
from reporting.statistics.outcomes import is_masked
from voorsprong.spreadsheets import csv_text


def _csv_number(value) -> str:
    """Decimal comma without grouping, as a Belgian spreadsheet reads a ``;``-separated file; a masked
    figure as it is (``< 5``)."""
    if value is None:
        return ""
    if isinstance(value, int) or is_masked(value):
        return str(value)
    return str(decimal(value)).replace(".", ",")


def csv_rows(figures: dict):
    """(answer, traject, figure, value): the figure is the field's path in the JSON.

    Text that people typed (names, recommendations, actions, initiatives) goes through ``csv_text``,
    so a spreadsheet opening the file does not run it as a formula.
    """
    yield 0, "", "question", figures["question"]
    yield 0, "", "as_of", figures["as_of"]
    yield 0, "", "fingerprint", figures["fingerprint"]
    if figures["companies_in_any_traject"] is not None:
        yield 1, "", "companies_in_any_traject", figures["companies_in_any_traject"]
    for t in figures["trajects"]:
        code = t["code"]
        yield 1, code, "name", csv_text(t["name"])
        yield 1, code, "start_date", t["start_date"]
        yield 1, code, "approved_companies", t["approved_companies"]
        for name, count in t["size_classes"].items():
            yield 2, code, f"size_classes.{name}", count
        for name, value in t["size_class_shares"].items():
            yield 2, code, f"size_class_shares.{name}", _csv_number(value)
        for row in t["places"]:
            key = f"places.{row['start']}/{row['end']}"
            yield 3, code, f"{key}.places", row["places"]
            yield 3, code, f"{key}.taken", row["taken"]
        for name, value in t["funding"].items():
            yield 4, code, f"funding.{name}", _csv_number(value)
        yield 4, code, "own_company_share", _csv_number(t["own_company_share"])
        for partner in t["partners"]:
            yield 5, code, f"partners.{partner['kind']}", csv_text(partner["name"])
        for index, project in enumerate(t["projects"], start=1):
            yield 5, code, f"projects.{index}.name", csv_text(project["name"])
            if project["partnership"]:
                yield 5, code, f"projects.{index}.partnership", csv_text(project["partnership"])
            for partner in project["organisations"]:
                yield 5, code, f"projects.{index}.{partner['kind']}", csv_text(partner["name"])
        evaluations = t["evaluations"]
        yield 6, code, "evaluations.completed", evaluations["completed"]
        yield 6, code, "evaluations.responses", evaluations["responses"]
        yield 6, code, "evaluations.response_rate", _csv_number(evaluations["response_rate"])
        for name, value in evaluations["follow_ups"].items():
            yield 6, code, f"evaluations.follow_ups.{name}", value
        yield 6, code, "evaluations.follow_up_rate", _csv_number(evaluations["follow_up_rate"])
        for name, value in evaluations["average_scores"].items():
            yield 6, code, f"evaluations.average_scores.{name}", _csv_number(value)
        for name, value in evaluations["staff_reached"].items():
            yield 6, code, f"evaluations.staff_reached.{name}", _csv_number(value)
        for name, value in evaluations["training_policy"].items():
            yield 6, code, f"evaluations.training_policy.{name}", _csv_number(value)
        for barrier, change in evaluations["barriers"].items():
            for name, value in change.items():
                yield 6, code, f"evaluations.barriers.{barrier}.{name}", value
        for reason, value in t["stop_reasons"].items():
            yield 6, code, f"stop_reasons.{reason}", value
        for text in evaluations["recommendations"]:
            yield 6, code, "evaluations.recommendations", csv_text(text)
        for action in t["communication_actions"]:
            key = f"communication_actions.{action['date']}.{action['channel']}"
            yield 7, code, key, csv_text(f"{action['campaign']}: {action['description']}")
        yield 9, code, "referrals.total", t["referrals"]["total"]
        yield 9, code, "referrals.intakes", t["referrals"]["intakes"]
        for fund, count in sorted(t["referrals"]["by_sector_fund"].items()):
            yield 9, code, f"referrals.by_sector_fund.{fund}", count
        for fund, count in sorted(t["referrals"]["intakes_by_sector_fund"].items()):
            yield 9, code, f"referrals.intakes_by_sector_fund.{fund}", count
    for index, item in enumerate(figures["initiatives"], start=1):
        yield 8, "", f"initiatives.{index}.title", csv_text(item["title"])
        yield 8, "", f"initiatives.{index}.text", csv_text(item["text"])
    for item in figures["statements"]:
        yield item["answer"], item["traject"] or "", "statement", csv_text(item["text"])


def render_csv(figures: dict) -> bytes:
    content = io.StringIO()
    writer = csv.writer(content, delimiter=";")
    writer.writerow(["answer", "traject", "figure", "value"])
    writer.writerows(sorted(csv_rows(figures), key=lambda row: row[0]))  # stable: keeps traject order
    return content.getvalue().encode("utf-8-sig")


def render_json(figures: dict) -> bytes:
    return (json.dumps(figures, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
