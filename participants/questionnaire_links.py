"""The company's personal questionnaire links: the application signed with a timestamp, one salt per
questionnaire.

Forging or editing a link breaks the signature, a link made for one questionnaire does not open
another, and every link expires 60 days after it was sent (a reminder sends a new one). What a valid
link may still do (answer once) is decided by ``participants.services.questionnaires``.
"""

import datetime

from django.core import signing

from participants.models import Application

LINK_MAX_AGE = datetime.timedelta(days=60)


def _salt(questionnaire: str) -> str:
    # A salt per questionnaire, so no other signed value of the project passes for one of these links.
    return f"participants.{questionnaire}"


def make_questionnaire_token(questionnaire: str, application: Application) -> str:
    """Return the signed token of ``application``'s link to ``questionnaire``."""
    return signing.dumps(application.pk, salt=_salt(questionnaire))


def read_questionnaire_token(questionnaire: str, token: str) -> int:
    """Return the application id a token to ``questionnaire`` was made for; raise
    ``signing.SignatureExpired`` after 60 days and ``signing.BadSignature`` for anything forged, edited or
    made for another questionnaire."""
    return signing.loads(token, salt=_salt(questionnaire), max_age=LINK_MAX_AGE)
