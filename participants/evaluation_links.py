"""The company's personal evaluation link: the application signed with a timestamp.

Forging or editing the link breaks the signature, and it expires after 60 days. What a valid link may
still do (once, for a completed trajectory) is decided by ``participants.services.evaluations``.
"""

import datetime

from django.core import signing

from participants.models import Application

EVALUATION_LINK_MAX_AGE = datetime.timedelta(days=60)
# A salt of its own, so no other signed value of the project can pass for an evaluation link.
_SALT = "participants.evaluation"


def make_evaluation_token(application: Application) -> str:
    """Return the signed token of ``application``'s evaluation link."""
    return signing.dumps(application.pk, salt=_SALT)


def read_evaluation_token(token: str) -> int:
    """Return the application id a token was made for; raise ``signing.SignatureExpired`` after 60 days
    and ``signing.BadSignature`` for anything forged or edited."""
    return signing.loads(token, salt=_SALT, max_age=EVALUATION_LINK_MAX_AGE)
