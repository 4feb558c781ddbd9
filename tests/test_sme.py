"""SME status that is known, not guessed: the unknown size class, SME declarations (Recommendation
2003/361/EC) and the size class frozen at approval."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from participants import services
from participants.models import (
    Application,
    ApplicationStatus,
    Company,
    EnterpriseRelation,
    LegalForm,
    RelatedEnterprise,
    SMEDeclaration,
)
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    OrganisationFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from tests.test_import_kbo import address, denomination, enterprise, kbo, write_extract
from trajects.models import OrganisationKind
from trajects.size_classes import SizeClass
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 1)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ALL_CLASSES = [size_class.value for size_class in SizeClass]


@pytest.fixture
def leren():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(traject=traject, places=5)
    return traject


@pytest.fixture
def werk():
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", allowed_size_classes=ALL_CLASSES)
    CapacityPeriodFactory(traject=traject, places=5)
    return traject


@pytest.fixture
def imported(tmp_path):
    """Return a company as the KBO import creates it: no staff or financial figures."""
    number = kbo(1)
    write_extract(
        tmp_path,
        enterprises=[enterprise(number)],
        denominations=[denomination(number, "Drukkerij Vandamme")],
        addresses=[address(number, "9000", "Gent")],
    )
    services.import_kbo_extract(tmp_path)
    return Company.objects.get(kbo_number=number.replace(".", ""))


def submitted(company, traject) -> Application:
    return ApplicationFactory(company=company, traject=traject, submitted_on=DAY)


def declare(company, by, **fields):
    values = {
        "reference_year": 2024,
        "staff_awu": Decimal("12.50"),
        "turnover": Decimal("1500000.00"),
        "balance_sheet_total": Decimal("900000.00"),
        **fields,
    }
    return services.declare_sme_status(company, by=by, **values)


def partner(share, staff="10.00", turnover="1000000.00", balance="1000000.00", **fields):
    values = {
        "relation": EnterpriseRelation.PARTNER,
        "name": "Partner BV",
        "share": Decimal(share),
        "staff_awu": Decimal(staff),
        "turnover": Decimal(turnover),
        "balance_sheet_total": Decimal(balance),
        **fields,
    }
    return services.EnterpriseFigures(**values)


def linked(share, staff="10.00", turnover="1000000.00", balance="1000000.00", **fields):
    return partner(share, staff, turnover, balance, **{"relation": EnterpriseRelation.LINKED, **fields})


def saved_state():
    return (
        SMEDeclaration.objects.count(),
        RelatedEnterprise.objects.count(),
        SMEDeclaration.history.count(),
        list(Company.objects.values_list("staff_headcount", "size_class")),
    )


# -- the unknown size class -----------------------------------------------------------------------------
def test_an_imported_company_is_unknown_never_micro(imported):
    assert (imported.staff_headcount, imported.size_class) == (None, SizeClass.UNKNOWN)


def test_an_unknown_non_profit_stays_a_non_profit():
    company = CompanyFactory(legal_form=LegalForm.VZW, is_non_profit=True, staff_headcount=None)
    assert company.size_class == SizeClass.NON_PROFIT


def test_an_imported_company_is_refused_for_leren_and_accepted_after_its_sme_declaration(
    imported, leren, officer
):
    """Done when: refused for leren with size_unknown, accepted once its SME status is declared."""
    application = submitted(imported, leren)
    with pytest.raises(WorkflowRefusal) as refusal:
        services.approve_application(application, by=officer, on=DAY)
    assert refusal.value.code == "size_unknown"
    assert refusal.value.message.startswith("Verklaar eerst de KMO-status van Drukkerij Vandamme")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    declaration = declare(imported, officer, staff_awu=Decimal("6.40"))
    assert declaration.size_class == SizeClass.MICRO
    approved = services.approve_application(application, by=officer, on=DAY)
    assert approved.status == ApplicationStatus.APPROVED
    assert approved.size_class_at_approval == SizeClass.MICRO


def test_werk_takes_a_company_of_unknown_size(imported, werk, officer):
    approved = services.approve_application(submitted(imported, werk), by=officer, on=DAY)
    assert approved.size_class_at_approval == SizeClass.UNKNOWN


def test_the_intake_refuses_an_unknown_company_for_leren_too(imported, leren):
    consultant = UserFactory(
        role=Role.SECTOR_CONSULTANT, organisation=OrganisationFactory(kind=OrganisationKind.SECTOR_FUND)
    )
    with pytest.raises(WorkflowRefusal) as refusal:
        services.refer_company(company=imported, traject=leren, by=consultant, intake_done=True)
    assert refusal.value.code == "size_unknown"


def test_a_large_company_is_still_not_eligible_and_a_stopped_one_says_so(leren, officer):
    large = CompanyFactory(staff_headcount=400, turnover=None, balance_sheet_total=None, is_active=False)
    assert [refusal.code for refusal in services.eligibility_refusals(large, leren, DAY)] == [
        "not_eligible",
        "company_inactive",
    ]


# -- the declaration ------------------------------------------------------------------------------------
def test_partners_count_pro_rata_and_linked_enterprises_in_full():
    totals = services.sme_totals(
        staff_awu=Decimal("5.00"),
        turnover=Decimal("1000000.00"),
        balance_sheet_total=Decimal("500000.00"),
        enterprises=[partner("25", staff="8.00", turnover="400000.00", balance="0.00"), linked("60")],
    )
    assert totals == services.sme_totals(
        staff_awu=Decimal("17.00"), turnover=Decimal("2100000.00"), balance_sheet_total=Decimal("1500000.00")
    )


def test_a_declaration_sets_the_companys_figures_and_class_with_history(imported, officer):
    declaration = declare(
        imported,
        officer,
        staff_awu=Decimal("7.25"),
        turnover=Decimal("1800000.00"),
        balance_sheet_total=Decimal("600000.00"),
        enterprises=[partner("50", staff="6.00", turnover="300000.00"), linked("100", staff="40.00")],
    )
    assert (declaration.total_staff_awu, declaration.total_turnover) == (
        Decimal("50.25"),
        Decimal("2950000.00"),
    )
    assert declaration.total_balance_sheet_total == Decimal("2100000.00")
    assert declaration.size_class == SizeClass.MEDIUM  # 50.25 AWU: not small any more
    assert (declaration.declared_by, declaration.enterprises.count()) == (officer, 2)
    imported.refresh_from_db()
    assert (imported.staff_headcount, imported.size_class) == (50, SizeClass.MEDIUM)
    assert imported.turnover == Decimal("2950000.00")
    latest = imported.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        officer,
        "KMO-verklaring van referentiejaar 2024",
    )
    assert SMEDeclaration.history.get().history_user == officer


@pytest.mark.parametrize(
    ("staff", "expected"),
    [("9.99", SizeClass.MICRO), ("10.00", SizeClass.SMALL), ("49.99", SizeClass.SMALL), ("249.99", "medium")],
)
def test_annual_work_units_below_a_ceiling_keep_the_class(imported, officer, staff, expected):
    declaration = declare(imported, officer, staff_awu=Decimal(staff))
    imported.refresh_from_db()
    assert declaration.size_class == imported.size_class == expected


def test_either_financial_ceiling_is_enough(imported, officer):
    # 12 AWU, turnover over 10 M but balance sheet under: still small (annex art. 2(2)).
    declaration = declare(
        imported, officer, turnover=Decimal("10000000.01"), balance_sheet_total=Decimal("10000000.00")
    )
    assert declaration.size_class == SizeClass.SMALL


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"enterprises": [partner("24.99")]}, "invalid_share", "enterprises"),
        ({"enterprises": [partner("50.01")]}, "invalid_share", "enterprises"),
        ({"enterprises": [linked("50.00")]}, "invalid_share", "enterprises"),
        ({"enterprises": [linked("100.01")]}, "invalid_share", "enterprises"),
        ({"enterprises": [partner("30", relation="sister")]}, "invalid_relation", "enterprises"),
        ({"enterprises": [partner("30", name="  ")]}, "invalid_enterprise", "enterprises"),
        ({"enterprises": [partner("30", kbo_number="0403170702")]}, "invalid_kbo_number", "enterprises"),
        ({"reference_year": timezone.localdate().year + 1}, "invalid_reference_year", "reference_year"),
        ({"reference_year": timezone.localdate().year - 6}, "invalid_reference_year", "reference_year"),
        ({"staff_awu": Decimal("-0.01")}, "invalid_amount", None),
        ({"enterprises": [linked("100", staff="9999999.99")] * 100}, "invalid_amount", None),
        (
            {"turnover": Decimal("9999999999999.99"), "enterprises": [linked("100", turnover="1")]},
            "invalid_amount",
            None,
        ),
        (
            {"attachment": SimpleUploadedFile("verklaring.pdf", b"MZ\x90\x00 not a pdf")},
            "unsupported_file_type",
            "attachment",
        ),
        (
            # A spreadsheet is an attachment of a declaration of costs, not of an SME declaration.
            {"attachment": SimpleUploadedFile("cijfers.csv", b"jaar;omzet\n2024;1000\n")},
            "unsupported_file_type",
            "attachment",
        ),
    ],
)
def test_a_wrong_declaration_is_refused_and_saves_nothing(imported, officer, fields, code, field):
    before = saved_state()
    with pytest.raises(WorkflowRefusal) as refusal:
        declare(imported, officer, **fields)
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert saved_state() == before


def test_the_attachment_is_checked_by_its_content_and_stored_under_a_name_of_its_own(
    imported, officer, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    declaration = declare(imported, officer, attachment=SimpleUploadedFile("../../scan.jpg", PNG))
    assert re.fullmatch(r"sme-declarations/\d{4}/\d{2}/[0-9a-f]{32}\.png", declaration.attachment.name)
    assert declaration.attachment_name == "scan.jpg"
    assert declaration.attachment.read() == PNG


def test_who_may_declare(imported, leren):
    fund = OrganisationFactory(kind=OrganisationKind.SECTOR_FUND)
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    # At an intake: a company whose size nobody knows yet.
    declare(imported, consultant)
    # Known now, and not referred by them: only officers change it.
    with pytest.raises(WorkflowRefusal) as refusal:
        declare(imported, consultant)
    assert refusal.value.code == "forbidden"
    ReferralFactory(consultant=consultant, sector_fund=fund, company=imported, traject=leren)
    declare(imported, consultant)
    for role in (Role.PROMOTER, Role.CABINET):
        with pytest.raises(WorkflowRefusal):
            declare(imported, UserFactory(role=role))
    assert SMEDeclaration.objects.count() == 2


# -- frozen at approval ---------------------------------------------------------------------------------
def test_the_size_class_is_frozen_at_approval_and_a_company_that_grows_keeps_its_old_class(leren, officer):
    company = CompanyFactory(staff_headcount=8, turnover=None, balance_sheet_total=None)
    application = services.approve_application(submitted(company, leren), by=officer, on=DAY)
    declare(company, officer, staff_awu=Decimal("300.00"))
    application.refresh_from_db()
    company.refresh_from_db()
    assert (company.size_class, application.size_class_at_approval) == (SizeClass.LARGE, SizeClass.MICRO)


def test_a_rejected_or_open_application_has_no_frozen_class(leren, officer):
    rejected = services.reject_application(
        submitted(CompanyFactory(), leren), by=officer, reason="Nee", on=DAY
    )
    assert rejected.size_class_at_approval == ""
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=rejected.pk).update(size_class_at_approval="small")
    pending = submitted(CompanyFactory(), leren)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=pending.pk).update(size_class_at_approval="small")


def test_a_withdrawal_after_the_approval_keeps_the_frozen_class(leren, officer):
    application = services.approve_application(submitted(CompanyFactory(), leren), by=officer, on=DAY)
    withdrawn = services.withdraw_application(application, by=officer, reason="Op vraag", on=DAY)
    assert withdrawn.size_class_at_approval == SizeClass.SMALL


def test_unknown_fits_the_company_and_application_columns(werk, officer):
    """On PostgreSQL too: the new value fits max_length and the choices' check constraints."""
    company = CompanyFactory(staff_headcount=None)
    application = services.approve_application(submitted(company, werk), by=officer, on=DAY)
    assert Company.objects.get(pk=company.pk).size_class == "unknown"
    assert Application.objects.get(pk=application.pk).size_class_at_approval == "unknown"
    assert Company.objects.filter(size_class="unknown").count() == 1


# -- the data migrations --------------------------------------------------------------------------------
def migration(app_label: str, name: str):
    return importlib.import_module(f"{app_label}.migrations.{name}")


def test_imported_companies_whose_staff_nobody_declared_become_unknown(imported, officer):
    # Before this change the import wrote 0 staff, which classified as micro.
    Company.objects.filter(pk=imported.pk).update(staff_headcount=0, size_class="micro")
    imported.history.update(staff_headcount=0, size_class="micro")
    # Imported too, but someone entered 4 staff once (and 0 later): a declared figure.
    declared_later = CompanyFactory(staff_headcount=0)
    declared_later.history.update(history_change_reason="Geïmporteerd uit de open data van de KBO")
    for staff in (4, 0):
        declared_later.staff_headcount = staff
        declared_later.save()
    by_hand = CompanyFactory(staff_headcount=0)

    migration("participants", "0008_unknown_staff_of_imported_companies").undeclared_staff_is_unknown(
        apps, None
    )

    imported.refresh_from_db()
    assert (imported.staff_headcount, imported.size_class) == (None, "unknown")
    assert imported.history.filter(
        staff_headcount=None, size_class="unknown", history_change_reason__startswith="Staff never declared"
    ).exists()
    for company in (declared_later, by_hand):
        company.refresh_from_db()
        assert (company.staff_headcount, company.size_class) == (0, "micro")


def test_applications_approved_before_take_the_companys_class_and_werk_takes_unknown(leren, werk, officer):
    approved = services.approve_application(submitted(CompanyFactory(), leren), by=officer, on=DAY)
    rejected = services.reject_application(
        submitted(CompanyFactory(), werk), by=officer, reason="Nee", on=DAY
    )
    # Filled from the company's class of the day the migration runs.
    Company.objects.filter(pk=approved.company_id).update(size_class="medium")
    migration("participants", "0009_fill_size_class_at_approval").freeze_current_size_class(apps, None)
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert (approved.size_class_at_approval, rejected.size_class_at_approval) == ("medium", "")

    werk.allowed_size_classes = [value for value in ALL_CLASSES if value != "unknown"]
    werk.save()
    migration("trajects", "0003_open_trajects_take_unknown_size").open_to_unknown(apps, None)
    werk.refresh_from_db()
    leren.refresh_from_db()
    assert "unknown" in werk.allowed_size_classes
    assert leren.allowed_size_classes == ["micro", "small", "medium"]
    assert werk.history.filter(history_change_reason__startswith="Open to every size class").exists()


# -- the API --------------------------------------------------------------------------------------------
@pytest.fixture
def api(officer):
    client = APIClient()
    client.force_authenticate(officer)
    return client


def test_the_api_declares_with_enterprises_in_json_and_lists_the_declarations(api, imported, officer):
    url = f"/api/v1/companies/{imported.pk}/sme-declarations/"
    body = {
        "reference_year": 2024,
        "staff_awu": "4.50",
        "turnover": "800000.00",
        "balance_sheet_total": "300000.00",
        "enterprises": [
            {
                "relation": "partner",
                "name": "Holding Vandamme NV",
                "kbo_number": "BE 0403.170.701",
                "share": "40.00",
                "staff_awu": "10.00",
                "turnover": "2000000.00",
                "balance_sheet_total": "1000000.00",
            }
        ],
    }
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["total_staff_awu"], answer["size_class"], answer["declared_by"]) == (
        "8.50",
        "micro",
        officer.username,
    )
    assert answer["enterprises"][0]["kbo_number"] == "0403170701"
    assert (answer["attachment_name"], answer["attachment_url"]) == ("", None)
    listed = api.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == answer["id"]
    assert api.get(f"/api/v1/companies/{imported.pk}/").json()["size_class"] == "micro"


def test_the_api_takes_an_attachment_in_a_multipart_body(api, imported, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = api.post(
        f"/api/v1/companies/{imported.pk}/sme-declarations/",
        {
            "reference_year": 2024,
            "staff_awu": "60",
            "turnover": "12000000",
            "balance_sheet_total": "9000000",
            "enterprises[0]relation": "linked",
            "enterprises[0]name": "Moeder NV",
            "enterprises[0]share": "75",
            "enterprises[0]staff_awu": "200",
            "enterprises[0]turnover": "40000000",
            "enterprises[0]balance_sheet_total": "30000000",
            "attachment": SimpleUploadedFile("verklaring.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["size_class"], response.json()["attachment_name"]) == ("large", "verklaring.pdf")


def test_the_api_answers_a_wrong_declaration_with_400_and_saves_nothing(api, imported):
    url = f"/api/v1/companies/{imported.pk}/sme-declarations/"
    before = saved_state()
    share = {
        "relation": "partner",
        "name": "X",
        "share": "60",
        "staff_awu": "1",
        "turnover": "1",
        "balance_sheet_total": "1",
    }
    for body, field in [
        (
            {
                "reference_year": 2024,
                "staff_awu": "1",
                "turnover": "1",
                "balance_sheet_total": "1",
                "enterprises": [share],
            },
            "enterprises",
        ),
        (
            {"reference_year": 2024, "staff_awu": "-1", "turnover": "1", "balance_sheet_total": "1"},
            "staff_awu",
        ),
        ({"reference_year": 2024, "staff_awu": "1", "turnover": "1"}, "balance_sheet_total"),
    ]:
        response = api.post(url, body, format="json")
        assert response.status_code == 400
        assert field in response.json()
    assert saved_state() == before


def test_the_application_shows_its_frozen_class_read_only(api, leren, officer):
    application = services.approve_application(submitted(CompanyFactory(), leren), by=officer, on=DAY)
    url = f"/api/v1/applications/{application.pk}/"
    assert api.get(url).json()["size_class_at_approval"] == "small"
    created = api.post(
        "/api/v1/applications/",
        {"company": CompanyFactory().pk, "traject": "leren", "size_class_at_approval": "micro"},
        format="json",
    )
    assert (created.status_code, created.json()["size_class_at_approval"]) == (201, "")


# -- the admin ------------------------------------------------------------------------------------------
def test_the_admin_declares_through_the_service(client, imported, officer):
    client.force_login(officer)
    response = client.post(
        "/admin/participants/smedeclaration/add/",
        {
            "company": imported.pk,
            "reference_year": 2024,
            "staff_awu": "30",
            "turnover": "5000000",
            "balance_sheet_total": "4000000",
            "enterprises-TOTAL_FORMS": "2",
            "enterprises-INITIAL_FORMS": "0",
            "enterprises-0-relation": "partner",
            "enterprises-0-name": "Buur BV",
            "enterprises-0-share": "25",
            "enterprises-0-staff_awu": "8",
            "enterprises-0-turnover": "100000",
            "enterprises-0-balance_sheet_total": "100000",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    declaration = SMEDeclaration.objects.get()
    assert (declaration.total_staff_awu, declaration.size_class, declaration.declared_by) == (
        Decimal("32.00"),
        "small",
        officer,
    )
    imported.refresh_from_db()
    assert imported.size_class == "small"
    change = client.get(f"/admin/participants/smedeclaration/{declaration.pk}/change/")
    assert change.status_code == 200 and b'name="staff_awu"' not in change.content
    assert client.post(f"/admin/participants/smedeclaration/{declaration.pk}/delete/").status_code == 403


def test_the_admin_shows_a_refusal_on_the_form(client, imported, officer):
    client.force_login(officer)
    response = client.post(
        "/admin/participants/smedeclaration/add/",
        {
            "company": imported.pk,
            "reference_year": timezone.localdate().year + 1,
            "staff_awu": "3",
            "turnover": "1",
            "balance_sheet_total": "1",
            "enterprises-TOTAL_FORMS": "0",
            "enterprises-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert "referentiejaar" in response.content.decode()
    assert not SMEDeclaration.objects.exists()
