"""The figures as one flat CSV table and as JSON."""

import json

from reporting.documents.formatting import figure_cell
from voorsprong.spreadsheets import write_csv


def csv_rows(figures: dict):
    """(answer, traject, figure, value): the figure is the field's path in the JSON.

    Every value goes through the one CSV writer (``voorsprong.spreadsheets``), so text that people typed
    (names, recommendations, actions, initiatives) cannot run as a formula.
    """
    yield 0, "", "question", figures["question"]
    yield 0, "", "as_of", figures["as_of"]
    yield 0, "", "fingerprint", figures["fingerprint"]
    if figures["companies_in_any_traject"] is not None:
        yield 1, "", "companies_in_any_traject", figures["companies_in_any_traject"]
    for t in figures["trajects"]:
        code = t["code"]
        yield 1, code, "name", t["name"]
        yield 1, code, "start_date", t["start_date"]
        yield 1, code, "approved_companies", t["approved_companies"]
        for name, count in t["size_classes"].items():
            yield 2, code, f"size_classes.{name}", count
        for name, value in t["size_class_shares"].items():
            yield 2, code, f"size_class_shares.{name}", figure_cell(value)
        for row in t["places"]:
            key = f"places.{row['start']}/{row['end']}"
            yield 3, code, f"{key}.places", row["places"]
            yield 3, code, f"{key}.taken", row["taken"]
        for name, value in t["funding"].items():
            yield 4, code, f"funding.{name}", figure_cell(value)
        yield 4, code, "own_company_share", figure_cell(t["own_company_share"])
        for partner in t["partners"]:
            yield 5, code, f"partners.{partner['kind']}", partner["name"]
        for index, project in enumerate(t["projects"], start=1):
            yield 5, code, f"projects.{index}.name", project["name"]
            if project["partnership"]:
                yield 5, code, f"projects.{index}.partnership", project["partnership"]
            for partner in project["organisations"]:
                yield 5, code, f"projects.{index}.{partner['kind']}", partner["name"]
        evaluations = t["evaluations"]
        yield 6, code, "evaluations.completed", evaluations["completed"]
        yield 6, code, "evaluations.responses", evaluations["responses"]
        yield 6, code, "evaluations.response_rate", figure_cell(evaluations["response_rate"])
        for name, value in evaluations["follow_ups"].items():
            yield 6, code, f"evaluations.follow_ups.{name}", value
        yield 6, code, "evaluations.follow_up_rate", figure_cell(evaluations["follow_up_rate"])
        for name, value in evaluations["average_scores"].items():
            yield 6, code, f"evaluations.average_scores.{name}", figure_cell(value)
        for name, value in evaluations["staff_reached"].items():
            yield 6, code, f"evaluations.staff_reached.{name}", figure_cell(value)
        for name, value in evaluations["training_policy"].items():
            yield 6, code, f"evaluations.training_policy.{name}", figure_cell(value)
        for barrier, change in evaluations["barriers"].items():
            for name, value in change.items():
                yield 6, code, f"evaluations.barriers.{barrier}.{name}", value
        for reason, value in t["stop_reasons"].items():
            yield 6, code, f"stop_reasons.{reason}", value
        for text in evaluations["recommendations"]:
            yield 6, code, "evaluations.recommendations", text
        for action in t["communication_actions"]:
            key = f"communication_actions.{action['date']}.{action['channel']}"
            yield 7, code, key, f"{action['campaign']}: {action['description']}"
        yield 9, code, "referrals.total", t["referrals"]["total"]
        yield 9, code, "referrals.intakes", t["referrals"]["intakes"]
        for fund, count in sorted(t["referrals"]["by_sector_fund"].items()):
            yield 9, code, f"referrals.by_sector_fund.{fund}", count
        for fund, count in sorted(t["referrals"]["intakes_by_sector_fund"].items()):
            yield 9, code, f"referrals.intakes_by_sector_fund.{fund}", count
    for index, item in enumerate(figures["initiatives"], start=1):
        yield 8, "", f"initiatives.{index}.title", item["title"]
        yield 8, "", f"initiatives.{index}.text", item["text"]
    for item in figures["statements"]:
        yield item["answer"], item["traject"] or "", "statement", item["text"]


def render_csv(figures: dict) -> bytes:
    # sorted is stable: it keeps the trajects' order within an answer
    return write_csv(
        ["answer", "traject", "figure", "value"], sorted(csv_rows(figures), key=lambda row: row[0])
    )


def render_json(figures: dict) -> bytes:
    return (json.dumps(figures, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
