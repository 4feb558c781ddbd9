import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from stdnum.be import vat
from stdnum.exceptions import ValidationError as StdnumError

from participants.kbo import format_kbo_number, normalise_kbo_number
from tests.factories import CompanyFactory


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0403170701", "0403170701"),
        ("0403.170.701", "0403170701"),
        ("BE 0403.170.701", "0403170701"),
        ("BE0403170701", "0403170701"),
        ("403170701", "0403170701"),  # the old nine-digit form
        ("1000002197", "1000002197"),  # starts with 1; 10000021 % 97 == 0 gives check digits 97
    ],
)
def test_valid_numbers_are_accepted_in_any_usual_notation(typed, stored):
    assert normalise_kbo_number(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0403170702", "check digits"),
        ("0403170710", "check digits"),
        ("12345", "10 digits"),
        ("04031707011", "10 digits"),
        ("04031707ab", "only contain digits"),
        ("2403170701", "start with 0 or 1"),
    ],
)
def test_invalid_numbers_are_refused_with_the_reason(typed, reason, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as refused:
        normalise_kbo_number(typed)
    assert reason in refused.value.messages[0]
    assert typed in refused.value.messages[0]


def test_printed_form():
    assert format_kbo_number("0403170701") == "0403.170.701"


@pytest.mark.django_db
def test_model_validation_refuses_a_wrong_checksum():
    company = CompanyFactory.build(kbo_number="0403170702")
    with pytest.raises(ValidationError) as refused:
        company.full_clean()
    assert "kbo_number" in refused.value.message_dict


@pytest.mark.django_db
def test_database_refuses_a_wrong_checksum_even_past_validation():
    with pytest.raises(IntegrityError):
        CompanyFactory(kbo_number="0403170702")


def test_printed_and_stored_numbers_get_the_verdict_of_python_stdnum(settings):
    """The fast path for 0403.170.701 and 0403170701 accepts and refuses exactly what stdnum does."""
    settings.LANGUAGE_CODE = "en"
    for first_eight in (0, 1, 4031707, 9999999, 10000021, 19999999):
        for check_digits in range(100):
            stored = f"{first_eight:08d}{check_digits:02d}"
            for typed in (stored, format_kbo_number(stored)):
                try:
                    expected = vat.validate(typed)
                except StdnumError:
                    with pytest.raises(ValidationError):
                        normalise_kbo_number(typed)
                else:
                    assert normalise_kbo_number(typed) == expected == stored
