"""The OpenAPI 3 contract: served at /api/schema/, browsable at /api/docs/, valid and free of warnings."""

import pytest
from django.core.management import call_command

from tests.factories import UserFactory
from voorsprong.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

PATHS = [
    "/api/v1/companies/",
    "/api/v1/companies/{id}/",
    "/api/v1/companies/{id}/aid/",
    "/api/v1/trajects/",
    "/api/v1/trajects/{id}/",
    "/api/v1/capacity-periods/",
    "/api/v1/capacity-periods/{id}/",
    "/api/v1/applications/",
    "/api/v1/applications/{id}/",
    *(
        f"/api/v1/applications/{{id}}/{action}/"
        for action in ("submit", "approve", "reject", "withdraw", "complete", "stop", "sessions", "history")
    ),
    "/api/v1/referrals/",
    "/api/v1/referrals/{id}/",
    "/api/v1/declarations/",
    "/api/v1/declarations/{id}/",
    "/api/v1/declarations/{id}/approve/",
    "/api/v1/declarations/{id}/reject/",
    "/api/v1/declarations/{id}/mark-paid/",
    "/api/v1/budget-overrides/",
    "/api/v1/budget-overrides/{id}/",
    "/api/v1/budget-overrides/{id}/sign-off/",
    "/api/v1/budget-overrides/{id}/refuse/",
    "/api/v1/report-requests/",
    "/api/v1/report-requests/{id}/",
    "/api/v1/report-requests/{id}/retry/",
    "/api/v1/report-requests/{id}/download/",
    "/api/v1/evaluations/summary/",
    "/api/v1/funding/summary/",
    "/api/v1/statistics/pq244/",
    "/api/v1/statistics/esf/",
    "/api/v1/auth/token/",
    "/api/v1/auth/tokens/",
    "/api/v1/auth/tokens/{id}/",
]


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_anyone_may_read_the_schema_as_openapi_3_json(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert body["info"]["title"] == "Voorsprong back office API"
    assert body["info"]["version"] == "1.0.0"


def test_a_logged_in_user_gets_the_same_schema(client, officer, schema):
    client.force_login(officer)

    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert sorted(response.json()["paths"]) == sorted(schema["paths"])


def test_the_schema_has_every_endpoint(schema):
    missing = [path for path in PATHS if path not in schema["paths"]]

    assert missing == []
    # The schema's own endpoint is not part of the contract.
    assert not any(path.startswith("/api/schema") for path in schema["paths"])


def test_the_schema_validates_without_warnings(capsys, tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    captured = capsys.readouterr()
    assert "Warning" not in captured.err + captured.out
    assert "Error" not in captured.err + captured.out
    assert target.read_text().startswith("openapi: 3.")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_render_from_local_static_files(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "/api/schema/" in html
    # drf-spectacular-sidecar: nothing from a CDN.
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html


def test_the_applications_list_documents_its_filters_and_pagination(schema):
    operation = schema["paths"]["/api/v1/applications/"]["get"]

    names = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"}
    assert {"traject", "status", "size_class", "project", "decided_after", "decided_before", "page"} <= names
    page = resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert resolve(schema, page["properties"]["results"]["items"])["properties"]["company"]


def test_approving_documents_its_request_and_its_errors(schema):
    operation = schema["paths"]["/api/v1/applications/{id}/approve/"]["post"]

    request = resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    # Kept to answer 409 sign_off_required: an approval over the budget takes two officers.
    assert request["properties"]["budget_override_reason"]["deprecated"] is True
    assert {"200", "400", "401", "403", "404", "409"} <= set(operation["responses"])
    conflict = operation["responses"]["409"]["content"]["application/json"]
    error = resolve(schema, conflict["schema"])
    assert set(error["properties"]) == {"detail", "code"}
    assert sorted(error["required"]) == ["code", "detail"]
    invalid = resolve(schema, operation["responses"]["400"]["content"]["application/json"]["schema"])
    # Per field a list of messages; a list of objects has them per position and field.
    assert invalid["additionalProperties"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}


def test_the_400_of_an_unreadable_body_matches_the_documented_schema(client, officer, schema):
    """A body that is not a JSON object answers {"detail", "code": "parse_error"}; the documented 400 says
    so, as it does the field messages of invalid input."""
    import jsonschema

    client.force_login(officer)
    response = client.put("/api/v1/companies/1/", "false", content_type="application/json")
    assert response.status_code == 400
    operation = schema["paths"]["/api/v1/companies/{id}/"]["put"]
    documented = resolve(schema, operation["responses"]["400"]["content"]["application/json"]["schema"])
    assert response.json()["code"] == "parse_error"
    jsonschema.validate(response.json(), documented)
    invalid = client.post("/api/v1/companies/", {}, content_type="application/json")
    assert (invalid.status_code, invalid.json()["code"]) == (400, "invalid")
    assert invalid.json()["name"] == ["Dit veld is vereist."]
    jsonschema.validate(invalid.json(), documented)


def test_every_endpoint_documents_its_errors(schema):
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not any(code.startswith("4") for code in operation["responses"])
    ]

    assert undocumented == []


def test_the_history_is_a_plain_list_without_filters(schema):
    operation = schema["paths"]["/api/v1/applications/{id}/history/"]["get"]

    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert not [parameter for parameter in operation.get("parameters", []) if parameter["in"] == "query"]


def test_every_list_documents_its_ordering_and_filters(schema):
    """Each paginated collection (``/api/v1/<name>/``) sorts with ``ordering`` and has a filter of its own."""
    generic = {"ordering", "page", "page_size", "format"}

    def paginated(operation) -> bool:
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        return "results" in resolve(schema, body).get("properties", {})

    lists = {
        path: operations["get"]
        for path, operations in schema["paths"].items()
        if "{" not in path and "get" in operations and paginated(operations["get"])
    }
    assert len(lists) == 9

    for path, operation in lists.items():
        names = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"}
        assert "ordering" in names, path
        assert names - generic, f"{path} has no filter"
        assert "400" in operation["responses"], path


def test_the_headroom_and_the_planned_cost_are_documented(schema):
    aid = schema["paths"]["/api/v1/companies/{id}/aid/"]["get"]
    assert [parameter["name"] for parameter in aid["parameters"]] == ["as_of", "id"]
    assert set(aid["responses"]) == {"200", "400", "401", "403", "404"}
    position = resolve(schema, aid["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"ceiling", "granted", "headroom", "lines"} <= set(position["properties"])
    line = resolve(schema, position["properties"]["lines"]["items"])
    assert {"granted_on", "amount", "basis", "source", "application"} <= set(line["properties"])

    detail = schema["paths"]["/api/v1/applications/{id}/"]
    assert "patch" in detail and "put" not in detail
    patched = resolve(schema, detail["patch"]["requestBody"]["content"]["application/json"]["schema"])
    assert "planned_cost" in patched["properties"]
    assert "company" not in patched["properties"]  # fixed once the application exists
    created = resolve(
        schema,
        schema["paths"]["/api/v1/applications/"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ],
    )
    assert {"company", "traject", "planned_cost"} <= set(created["properties"])


# -- the figures of question 244, field by field -------------------------------------------------------
def _untyped(schema: dict, node: dict, path: str) -> list[str]:
    """The places under ``node`` that the schema leaves free: an object without typed properties or with
    untyped extra ones, an array without typed items, a value without a type."""
    node = resolve(schema, node)
    if "allOf" in node:
        return [place for part in node["allOf"] for place in _untyped(schema, part, path)]
    if "oneOf" in node:  # a figure or "< 5": every alternative typed
        return [place for part in node["oneOf"] for place in _untyped(schema, part, path)]
    kind = node.get("type")
    if kind == "object":
        properties, extra = node.get("properties", {}), node.get("additionalProperties")
        places = [] if properties or isinstance(extra, dict) else [path]
        if extra not in (None, False) and (not isinstance(extra, dict) or extra == {}):
            places.append(f"{path}.*")
        places += [
            place for name, part in properties.items() for place in _untyped(schema, part, f"{path}.{name}")
        ]
        if isinstance(extra, dict) and extra:
            places += _untyped(schema, extra, f"{path}.*")
        if set(node.get("required", [])) != set(properties):
            places.append(f"{path} (not every property required)")
        return places
    if kind == "array":
        return _untyped(schema, node.get("items", {}), f"{path}[]")
    return [] if kind in ("string", "integer", "number", "boolean") else [path]


def _undescribed(schema: dict, node: dict, value, path: str) -> list[str]:
    """The places of ``value`` (an API answer) that ``node`` does not describe, or describes otherwise."""
    node = resolve(schema, node)
    if "allOf" in node:
        [node] = node["allOf"]
        node = resolve(schema, node)
    if value is None:
        return [] if node.get("nullable") else [f"{path}: null"]
    if "oneOf" in node:  # a figure or "< 5": one of the alternatives describes the value
        alternatives = [_undescribed(schema, part, value, path) for part in node["oneOf"]]
        return [] if [] in alternatives else alternatives[0]
    if "enum" in node and value not in node["enum"]:
        return [f"{path}: {value!r} is not one of {node['enum']}"]
    kind = node.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        properties = node.get("properties", {})
        if properties and set(value) != set(properties):
            return [f"{path}: {sorted(set(value) ^ set(properties))}"]
        return [
            place
            for name, item in value.items()
            for place in _undescribed(
                schema, properties.get(name) or node["additionalProperties"], item, f"{path}.{name}"
            )
        ]
    if kind == "array":
        return [
            place
            for index, item in enumerate(value)
            for place in _undescribed(schema, node["items"], item, f"{path}[{index}]")
        ]
    expected = {"string": str, "integer": int, "number": (int, float), "boolean": bool}[kind]
    return [] if isinstance(value, expected) else [f"{path}: {value!r} is no {kind}"]


def _pq244_figures(schema: dict) -> dict:
    operation = schema["paths"]["/api/v1/statistics/pq244/"]["get"]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_the_pq244_figures_have_no_free_form_object_at_any_level(schema):
    figures = _pq244_figures(schema)

    assert resolve(schema, figures)["properties"]["trajects"]["items"]
    assert _untyped(schema, figures, "figures") == []


def test_the_free_form_check_notices_a_free_object():
    free = {"type": "object", "properties": {"trajects": {"type": "array", "items": {"type": "object"}}}}

    assert _untyped({}, free, "figures") == ["figures.trajects[]", "figures (not every property required)"]


def test_the_schema_describes_every_field_the_pq244_figures_have(client, schema):
    from tests.test_documents import SAMPLE
    from tests.test_statistics import seed_small_world

    seed_small_world()
    client.force_login(UserFactory(role=Role.CABINET))
    figures = client.get("/api/v1/statistics/pq244/", {"as_of": "2025-11-26"}).json()

    assert figures["trajects"][0]["evaluations"]["recommendations"]  # every list has something in it
    assert _undescribed(schema, _pq244_figures(schema), figures, "figures") == []
    assert _undescribed(schema, _pq244_figures(schema), SAMPLE, "sample") == []
    assert _undescribed(schema, _pq244_figures(schema), {**figures, "companies": []}, "figures") == [
        "figures: ['companies']"
    ]


# -- descriptions for integrators ------------------------------------------------------------------------
def _code_docstrings() -> set[str]:
    """Return the first line of every docstring of the API's views and their actions (inherited ones
    included): notes for developers, which the contract must not show."""
    import inspect

    from drf_spectacular.generators import EndpointEnumerator

    found = set()
    for _path, _regex, _method, callback in EndpointEnumerator().get_api_endpoints():
        view = callback.cls
        handlers = [
            getattr(view, name, None) for name in {*(getattr(callback, "actions", None) or {}).values()}
        ]
        handlers += [getattr(view, method, None) for method in ("get", "post", "put", "patch", "delete")]
        for documented in (view, *handlers):
            doc = inspect.getdoc(documented) if documented is not None else None
            if doc:
                found.add(doc.splitlines()[0])
    return found


def test_every_operation_says_what_it_does_who_may_call_it_and_its_error_codes(schema):
    import re

    docstrings = _code_docstrings()
    assert any(line.startswith("For API views") for line in docstrings)  # the note that leaked before
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            description = operation.get("description", "")
            what, _, rest = description.partition("\n\n**Who may call it:** ")
            who, _, errors = rest.partition("\n\n**Errors:** ")
            if not operation.get("summary") or len(what) < 30:
                problems.append(f"{name}: no summary or no description of what it does")
            if not who.strip():
                problems.append(f"{name}: does not say who may call it")
            leaked = [line for line in docstrings if line in description]
            if leaked:
                problems.append(f"{name}: a code docstring {leaked}")
            named = dict(re.findall(r"(\d{3}) ((?:`[a-z_]+`(?:, )?)+)", errors))
            for status in operation["responses"]:
                if status.startswith("4") and status not in named:
                    problems.append(f"{name}: no code for its {status}")

    assert problems == []


def test_a_refusal_is_documented_with_every_code_of_the_workflow(schema):
    approve = schema["paths"]["/api/v1/applications/{id}/approve/"]["post"]["description"]

    for code in (
        "invalid_transition",
        "size_unknown",
        "no_free_place",
        "budget_exhausted",
        "sign_off_required",
    ):
        assert f"`{code}`" in approve
    assert "**Who may call it:** officers." in approve
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["description"]
    assert "403 `locked_out`" in token and "`forbidden`" not in token


def test_stopping_documents_its_reason_codes(schema):
    stop = schema["paths"]["/api/v1/applications/{id}/stop/"]["post"]
    assert "400 `invalid`, `stop_reason_required`, `reason_required`" in stop["description"]
    assert "409 `invalid_transition`" in stop["description"]
    assert schema["components"]["schemas"]["StopRequest"]["required"] == ["stop_reason"]


def test_a_period_is_changed_by_its_places_only(schema):
    for method, name in (
        ("put", "CapacityPeriodChangeRequest"),
        ("patch", "PatchedCapacityPeriodChangeRequest"),
    ):
        operation = schema["paths"]["/api/v1/capacity-periods/{id}/"][method]
        request = operation["requestBody"]["content"]["application/json"]["schema"]
        assert request == {"$ref": f"#/components/schemas/{name}"}
        assert set(resolve(schema, request)["properties"]) == {"places"}
    created = schema["components"]["schemas"]["CapacityPeriodRequest"]
    assert {"traject", "start", "end", "places"} <= set(created["required"])


def test_a_row_named_by_its_id_is_a_positive_64_bit_integer(schema):
    application = schema["components"]["schemas"]["BudgetOverrideRequest"]["properties"]["application"]
    company = schema["components"]["schemas"]["ApplicationRequest"]["properties"]["company"]

    for field in (application, company):
        assert (field["type"], field["minimum"], field["maximum"]) == ("integer", 1, 2**63 - 1)


def test_every_list_documents_the_range_of_its_pages(schema):
    for path in ("/api/v1/applications/", "/api/v1/capacity-periods/", "/api/v1/report-requests/"):
        operation = schema["paths"][path]["get"]
        ranges = {
            parameter["name"]: (parameter["schema"]["minimum"], parameter["schema"]["maximum"])
            for parameter in operation["parameters"]
            if parameter["name"] in ("page", "page_size")
        }
        assert ranges == {"page": (1, 2**31 - 1), "page_size": (1, 500)}, path
        assert "400" in operation["responses"], path


def test_the_choices_of_a_query_parameter_are_an_enum(schema):
    def parameter(path, name):
        return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)

    kind = parameter("/api/v1/report-requests/", "kind")
    assert set(kind["schema"]["enum"]) >= {"pq244", "breakdown", "reach", "esf"}
    by = parameter("/api/v1/statistics/reach/", "by")
    assert by["required"] is True
    assert by["schema"]["enum"] == ["province", "nace_section", "size_class"]
