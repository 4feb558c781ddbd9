"""Uploads: judged by their content and not their name, at most ATTACHMENT_MAX_BYTES, stored under
generated names, and handed back only to those who may read them (voorsprong.uploads)."""

import datetime
import functools
import importlib
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client
from openpyxl import Workbook
from PIL import Image

from funding.models import Declaration, DeclarationAttachment
from participants import services as participant_services
from participants.models import ApplicationStatus, SMEDeclaration
from tests.clients import client_for
from tests.factories import (
    ApplicationFundingFactory,
    ApprovedApplicationFactory,
    CompanyFactory,
    DeclarationFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import OrganisationKind
from voorsprong import uploads
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db

COSTS = {"period_start": "2025-04-01", "period_end": "2025-04-30", "amount": "100.00", "hours": "2.00"}
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
GENERATED = re.compile(r"(declarations|sme-declarations)/\d{4}/\d{2}/[0-9a-f]{32}\.(\w+)")


# -- files as programs make them -------------------------------------------------------------------------
@functools.cache
def real_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Factuur april</p>").write_pdf()


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def docx_file() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Verslag van de begeleiding")
    document.save(buffer)
    return buffer.getvalue()


def xlsx_file() -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["datum", "uren"])
    workbook.save(buffer)
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odf(mimetype: str) -> bytes:
    return zipped({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"})


ACCEPTED = [
    ("factuur.pdf", real_pdf, "pdf", "application/pdf"),
    ("scan.png", lambda: image("PNG"), "png", "image/png"),
    ("foto.jpeg", lambda: image("JPEG"), "jpg", "image/jpeg"),
    ("foto.webp", lambda: image("WEBP"), "webp", "image/webp"),
    ("scan.tiff", lambda: image("TIFF"), "tif", "image/tiff"),
    ("verslag.docx", docx_file, "docx", uploads.DOCX.content_type),
    ("verslag.odt", lambda: odf(uploads.ODT.content_type), "odt", uploads.ODT.content_type),
    ("uren.xlsx", xlsx_file, "xlsx", uploads.XLSX.content_type),
    ("uren.ods", lambda: odf(uploads.ODS.content_type), "ods", uploads.ODS.content_type),
    # A cell may say anything: the file is stored and handed back as CSV, never shown as a page.
    (
        "uren.csv",
        lambda: "datum;uren;opmerking\n2/04/2025;7,5;<script>x</script> één\n".encode(),
        "csv",
        "text/csv",
    ),
    ("uren-excel.csv", lambda: "datum;uren\n2/04/2025;7,5 café\n".encode("cp1252"), "csv", "text/csv"),
]
REFUSED = [
    ("an HTML page renamed .pdf", "factuur.pdf", lambda: HTML_PAGE, "unsupported_file_type"),
    (
        "an HTML page renamed .csv",
        "uren.csv",
        lambda: b"\xef\xbb\xbf  \n" + HTML_PAGE,
        "unsupported_file_type",
    ),
    ("text not named .csv", "uren.txt", lambda: b"datum;uren\n", "unsupported_file_type"),
    ("text with NUL bytes", "uren.csv", lambda: b"datum;uren\n\x00\x00", "unsupported_file_type"),
    (
        "a zip that is not an office file",
        "verslag.docx",
        lambda: zipped({"a.txt": b"x"}),
        "unsupported_file_type",
    ),
    (
        "a zip with the OOXML marker but no document",
        "verslag.docx",
        lambda: zipped({"[Content_Types].xml": b"<Types/>", "ppt/slide1.xml": b"<x/>"}),
        "unsupported_file_type",
    ),
    ("a zip cut short", "uren.xlsx", lambda: xlsx_file()[:200], "unsupported_file_type"),
    ("a program", "factuur.pdf", lambda: b"MZ\x90\x00\x03" + b"\x00" * 64, "unsupported_file_type"),
    (
        "an SVG image",
        "logo.png",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "unsupported_file_type",
    ),
    ("an empty file", "factuur.pdf", lambda: b"", "empty_file"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Store uploads in a folder of the test's own, to see what was stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


# -- the people and their declarations -------------------------------------------------------------------
@pytest.fixture
def organisation():
    return OrganisationFactory(name="Voka")


@pytest.fixture
def promoter(organisation):
    return UserFactory(role=Role.PROMOTER, organisation=organisation)


@pytest.fixture
def application(organisation):
    traject = TrajectFactory(code="leren")
    application = ApprovedApplicationFactory(
        traject=traject,
        project=ProjectFactory(traject=traject, organisations=[organisation]),
        status=ApplicationStatus.IN_PROGRESS,
        started_on=datetime.date(2025, 4, 1),
    )
    ApplicationFundingFactory(
        application=application, source=FundingSourceFactory(code="eu"), amount=Decimal("1000.00")
    )
    return application


def upload(promoter, application, *files):
    return client_for(promoter).post(
        "/api/v1/declarations/",
        {**COSTS, "application": application.pk, "attachments": list(files)},
        format="multipart",
    )


def declared_with(promoter, application, name: str, content: bytes) -> DeclarationAttachment:
    response = upload(promoter, application, SimpleUploadedFile(name, content, content_type="text/html"))
    assert response.status_code == 201, response.json()
    return DeclarationAttachment.objects.get(declaration_id=response.json()["id"])


def download_url(attachment: DeclarationAttachment) -> str:
    return f"/api/v1/declarations/{attachment.declaration_id}/attachments/{attachment.pk}/"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# -- what is taken ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"), ACCEPTED, ids=[row[0] for row in ACCEPTED]
)
def test_a_declaration_takes_documents_scans_and_spreadsheets_stored_as_their_content_says(
    promoter, application, media, name, content, extension, content_type
):
    data = content()
    # The client's content type says nothing: a browser guesses it from the name.
    attachment = declared_with(promoter, application, name, data)

    stored = GENERATED.fullmatch(attachment.file.name)
    assert stored and stored.group(2) == extension
    assert attachment.original_name == name
    assert (media / attachment.file.name).read_bytes() == data
    response = client_for(promoter).get(download_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert body_of(response) == data


@pytest.mark.parametrize(
    ("name", "content", "code"), [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED]
)
def test_a_file_whose_content_is_not_taken_is_refused_and_nothing_is_stored(
    promoter, application, media, name, content, code
):
    good = SimpleUploadedFile("factuur.pdf", real_pdf())
    response = upload(
        promoter, application, good, SimpleUploadedFile(name, content(), content_type="application/pdf")
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    # Which file, by its position, and why, in Dutch.
    [message] = body["attachments"]
    assert message.startswith("[1] ")
    assert ("leeg" if code == "empty_file" else "PDF, PNG, JPEG") in message
    assert not Declaration.objects.exists() and not DeclarationAttachment.objects.exists()
    assert stored_files(media) == []


def test_an_old_office_file_is_refused_with_what_to_save_it_as(promoter, application):
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    response = upload(promoter, application, SimpleUploadedFile("verslag.doc", compound))

    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_file_type"
    assert "oud Office-bestand" in response.json()["attachments"][0]


def test_an_upload_over_the_limit_is_refused_without_storing_it(promoter, application, media, tmp_path):
    """21 MB, sent as a browser sends it: larger than what Django keeps in memory, so it goes to a
    temporary file, which holds no more than the limit."""
    big = tmp_path / "scan.pdf"
    with big.open("wb") as file:
        file.write(b"%PDF-1.7\n")
        file.truncate(21 * 1024 * 1024)
    with big.open("rb") as file:
        response = upload(promoter, application, file)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_too_large"
    assert body["attachments"] == ["[0] Het bestand is 21 MB groot; hoogstens 20 MB is toegestaan."]
    assert not Declaration.objects.exists() and not DeclarationAttachment.objects.exists()
    assert stored_files(media) == []


def test_the_limit_is_a_setting(promoter, application, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = upload(
        promoter, application, SimpleUploadedFile("scan.png", image("PNG") + b"\x00" * 1024 * 1024)
    )

    assert (response.status_code, response.json()["code"]) == (400, "file_too_large")


def test_a_temporary_upload_keeps_no_more_than_one_byte_over_the_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 100_000
    handler = uploads.BoundedUploadHandler()
    handler.new_file("file", "scan.pdf", "application/pdf", 300_000)
    chunk = b"x" * 65_536
    for start in range(0, 300_000, len(chunk)):
        handler.receive_data_chunk(chunk[: 300_000 - start], start)
    received = handler.file_complete(300_000)

    assert isinstance(received, TemporaryUploadedFile)
    # The size counts everything sent, so the rule refuses it; the disk holds the limit and a byte.
    assert received.size == 300_000
    assert Path(received.temporary_file_path()).stat().st_size == 100_001
    received.close()


def test_more_than_five_files_at_once_are_refused(promoter, application):
    files = [SimpleUploadedFile(f"scan-{n}.png", image("PNG")) for n in range(6)]

    response = upload(promoter, application, *files)

    assert response.status_code == 400
    assert not DeclarationAttachment.objects.exists()


# -- names -----------------------------------------------------------------------------------------------
def test_the_original_name_loses_its_path_and_invisible_characters_and_stays_within_255(
    promoter, application
):
    attachment = declared_with(promoter, application, "..\\..\\etc/fac\x07tuur\u202egpj.pdf", real_pdf())
    assert attachment.original_name == "factuurgpj.pdf"

    long_name = "é" * 300 + ".pdf"
    attachment = declared_with(promoter, application, long_name, real_pdf())
    attachment.refresh_from_db()
    assert attachment.original_name == "é" * 251 + ".pdf"
    assert len(attachment.original_name) == uploads.ORIGINAL_NAME_MAX_LENGTH


def test_existing_attachments_take_their_stored_file_name_as_original_name(application, promoter):
    declaration = DeclarationFactory(application=application, declared_by=promoter)
    attachment = DeclarationAttachment.objects.create(
        declaration=declaration, file="declarations/2025/04/evil.html"
    )
    migration = importlib.import_module("funding.migrations.0011_attachment_original_name")

    migration.name_from_stored_file(apps, None)

    attachment.refresh_from_db()
    assert attachment.original_name == "evil.html"


# -- who may read them -----------------------------------------------------------------------------------
@pytest.fixture
def attachment(promoter, application):
    return declared_with(promoter, application, "offerte été.pdf", real_pdf())


@pytest.mark.parametrize("role", [Role.OFFICER, Role.FINANCE, Role.ADMIN])
def test_officers_finance_and_administrators_download_an_attachment(attachment, role):
    reader = UserFactory(role=role, is_staff=True)

    response = client_for(reader).get(download_url(attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The original name, beyond ASCII as RFC 5987 writes it.
    assert response["Content-Disposition"] == ("attachment; filename*=utf-8''offerte%20%C3%A9t%C3%A9.pdf")
    assert body_of(response) == attachment.file.open("rb").read()


def test_the_declaring_organisation_downloads_its_attachment_by_an_ascii_name(promoter, application):
    attachment = declared_with(promoter, application, "factuur-april.pdf", real_pdf())

    response = client_for(promoter).get(download_url(attachment))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="factuur-april.pdf"'


def test_the_download_name_ends_in_what_the_file_is(promoter, application):
    """A PDF uploaded as evil.html must not open as a page from the downloads folder."""
    attachment = declared_with(promoter, application, "evil.html", real_pdf())

    response = client_for(promoter).get(download_url(attachment))

    assert response["Content-Disposition"] == 'attachment; filename="evil.html.pdf"'
    assert response["Content-Type"] == "application/pdf"


def test_another_organisation_does_not_find_an_attachment(attachment):
    stranger = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Unizo"))

    response = client_for(stranger).get(download_url(attachment))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", [Role.SECTOR_CONSULTANT, Role.CABINET])
def test_roles_without_declarations_are_refused_whatever_the_attachment(attachment, role):
    """As on every declaration route: a role without the right is refused (403) alike for every id, so
    the answer says nothing about which attachments exist."""
    reader = UserFactory(role=role, organisation=OrganisationFactory(kind=OrganisationKind.SECTOR_FUND))

    assert client_for(reader).get(download_url(attachment)).status_code == 403
    assert client_for(reader).get("/api/v1/declarations/1/attachments/999999/").status_code == 403


def test_an_attachment_is_found_only_under_its_own_declaration(attachment, promoter, application):
    other = DeclarationFactory(application=application, declared_by=promoter)

    response = client_for(promoter).get(f"/api/v1/declarations/{other.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_anonymous_visitors_get_no_attachment(attachment):
    assert Client().get(download_url(attachment)).status_code == 401


def test_a_stored_file_that_is_gone_answers_410(attachment, media, promoter):
    (media / attachment.file.name).unlink()

    response = client_for(promoter).get(download_url(attachment))

    assert (response.status_code, response.json()["code"]) == (410, "file_gone")


def test_the_declaration_lists_its_attachments_by_original_name_and_download(attachment, promoter):
    response = client_for(promoter).get(f"/api/v1/declarations/{attachment.declaration_id}/")

    assert response.json()["attachments"] == [
        {
            "id": attachment.pk,
            "name": "offerte été.pdf",
            "url": f"http://testserver{download_url(attachment)}",
        }
    ]


def test_the_admin_links_to_the_authorised_download_not_to_the_media_folder(attachment):
    officer = UserFactory(role=Role.OFFICER, is_staff=True)
    client = Client()
    client.force_login(officer)

    for page in (
        f"/admin/funding/declaration/{attachment.declaration_id}/change/",
        "/admin/funding/declarationattachment/",
        f"/admin/funding/declarationattachment/{attachment.pk}/change/",
    ):
        html = client.get(page).content.decode()
        assert f'href="{download_url(attachment)}"' in html, page
        assert "/media/" not in html, page


# -- SME declarations ------------------------------------------------------------------------------------
@pytest.fixture
def fund():
    return OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)


@pytest.fixture
def sme_declaration(fund):
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    # Of a size nobody knows yet: a consultant declares it at the intake.
    company = CompanyFactory(staff_headcount=None, turnover=None, balance_sheet_total=None)
    return participant_services.declare_sme_status(
        company,
        by=consultant,
        reference_year=datetime.date.today().year - 1,
        staff_awu=Decimal("12.50"),
        turnover=Decimal("1500000.00"),
        balance_sheet_total=Decimal("900000.00"),
        attachment=SimpleUploadedFile("C:\\scans\\verklaring.pdf", real_pdf()),
    )


def sme_url(declaration: SMEDeclaration) -> str:
    return f"/api/v1/companies/{declaration.company_id}/sme-declarations/{declaration.pk}/attachment/"


def test_an_sme_declaration_keeps_its_scan_under_a_generated_name(sme_declaration):
    assert GENERATED.fullmatch(sme_declaration.attachment.name).group(2) == "pdf"
    assert sme_declaration.attachment_name == "verklaring.pdf"


def test_officers_and_the_declaring_fund_download_an_sme_declaration_attachment(sme_declaration, fund):
    for reader in (
        UserFactory(role=Role.OFFICER),
        UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund),
    ):
        response = client_for(reader).get(sme_url(sme_declaration))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="verklaring.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert body_of(response).startswith(b"%PDF-")


def test_others_do_not_get_an_sme_declaration_attachment(sme_declaration):
    other_fund = OrganisationFactory(name="Alimento", kind=OrganisationKind.SECTOR_FUND)
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=other_fund)
    assert client_for(consultant).get(sme_url(sme_declaration)).status_code == 404
    promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory())
    assert client_for(promoter).get(sme_url(sme_declaration)).status_code == 403
    # Under another company, or a declaration without an attachment: not found either.
    officer = UserFactory(role=Role.OFFICER)
    elsewhere = f"/api/v1/companies/{CompanyFactory().pk}/sme-declarations/{sme_declaration.pk}/attachment/"
    assert client_for(officer).get(elsewhere).status_code == 404
    SMEDeclaration.objects.filter(pk=sme_declaration.pk).update(attachment="")
    assert client_for(officer).get(sme_url(sme_declaration)).status_code == 404


def test_an_sme_declaration_takes_a_scan_and_nothing_else(officer, media):
    company = CompanyFactory()
    url = f"/api/v1/companies/{company.pk}/sme-declarations/"
    body = {
        "reference_year": 2024,
        "staff_awu": "4.50",
        "turnover": "800000.00",
        "balance_sheet_total": "1.00",
    }

    refused = client_for(officer).post(
        url, {**body, "attachment": SimpleUploadedFile("verklaring.pdf", HTML_PAGE)}, format="multipart"
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "unsupported_file_type")
    assert not SMEDeclaration.objects.exists() and stored_files(media) == []

    taken = client_for(officer).post(
        url, {**body, "attachment": SimpleUploadedFile("scan.jpg", image("JPEG"))}, format="multipart"
    )
    assert taken.status_code == 201, taken.json()
    assert taken.json()["attachment_name"] == "scan.jpg"
    assert taken.json()["attachment_url"].endswith(sme_url(SMEDeclaration.objects.get()))


def test_the_sme_admin_refuses_a_renamed_page_in_the_form_and_links_to_the_download(officer, sme_declaration):
    client = Client()
    client.force_login(officer)
    page = client.get(f"/admin/participants/smedeclaration/{sme_declaration.pk}/change/").content.decode()
    assert f'href="{sme_url(sme_declaration)}"' in page and "/media/" not in page

    response = client.post(
        "/admin/participants/smedeclaration/add/",
        {
            "company": CompanyFactory().pk,
            "reference_year": 2024,
            "staff_awu": "4.50",
            "turnover": "800000.00",
            "balance_sheet_total": "1.00",
            "attachment": SimpleUploadedFile("verklaring.pdf", HTML_PAGE),
            "enterprises-TOTAL_FORMS": "0",
            "enterprises-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attachment"]
    assert "PDF, PNG, JPEG, WebP of TIFF" in response.content.decode()
    assert SMEDeclaration.objects.count() == 1


# -- the imports -----------------------------------------------------------------------------------------
def test_the_import_page_refuses_a_file_that_is_no_spreadsheet(officer):
    client = Client()
    client.force_login(officer)

    response = client.post(
        "/admin/participants/application/import/", {"file": SimpleUploadedFile("aanvragen.csv", image("PNG"))}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "XLSX of CSV" in response.content.decode()


# -- the contract ----------------------------------------------------------------------------------------
@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def test_the_schema_documents_uploads_as_multipart_files_with_their_limits(schema):
    components = schema["components"]["schemas"]
    sent = components["DeclarationRequest"]["properties"]["attachments"]
    assert sent["items"] == {"type": "string", "format": "binary"}
    assert sent["maxItems"] == 5
    assert "20 MB" in sent["description"] and "DOCX" in sent["description"]
    create = schema["paths"]["/api/v1/declarations/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert "`unsupported_file_type`" in create["description"] and "`file_too_large`" in create["description"]
    listed = components["Declaration"]["properties"]["attachments"]["items"]
    assert set(listed["properties"]) == {"id", "name", "url"}
    scan = components["SMEDeclarationRequest"]["properties"]["attachment"]
    assert scan["format"] == "binary" and "20 MB" in scan["description"]


def test_the_schema_documents_the_downloads_as_binary(schema):
    declaration = schema["paths"]["/api/v1/declarations/{id}/attachments/{attachment_id}/"]["get"]
    assert declaration["responses"]["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    assert uploads.DOCX.content_type in declaration["responses"]["200"]["content"]
    assert {"401", "403", "404", "410"} <= set(declaration["responses"])
    sme = schema["paths"]["/api/v1/companies/{id}/sme-declarations/{declaration_id}/attachment/"]["get"]
    assert set(sme["responses"]["200"]["content"]) == {kind.content_type for kind in uploads.SCAN_TYPES}


def test_content_files_of_the_kernel_rule_are_judged_the_same_outside_requests():
    """The model field's validator: the same rule for rows saved by code (full_clean)."""
    attachment = DeclarationAttachment(
        declaration=DeclarationFactory(), file=ContentFile(HTML_PAGE, name="factuur.pdf"), original_name="x"
    )
    with pytest.raises(ValidationError) as refused:
        attachment.full_clean()
    assert refused.value.error_dict["file"][0].code == "unsupported_file_type"
