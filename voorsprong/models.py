import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from voorsprong.roles import Role
from voorsprong.validators import validate_one_line


class User(AbstractUser):
    """A person who logs in. The role is a group; promoters and consultants belong to an organisation."""

    organisation = models.ForeignKey(
        "trajects.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_(
            "Required for promoters (their organisation) and sector consultants (their sector fund)."
        ),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Return the user's role groups, read once per request rather than once per check."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    def acts_as(self, *roles: Role) -> bool:
        """Return whether the user may act in one of ``roles``: administrators (and superusers) may act
        in every role."""
        return self.is_superuser or any(self.has_role(role) for role in (*roles, Role.ADMIN))


class WorkerJob(models.Model):
    """What a job for whichever Celery worker is free records of its run (``voorsprong.jobs``): why it
    failed, when it finished, its last sign of life, how often it was queued again after its worker was
    lost, and which worker (machine) runs it or ran it."""

    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    requeues = models.PositiveSmallIntegerField(_("times re-queued after its worker was lost"), default=0)
    built_by = models.CharField(
        _("worker"),
        max_length=255,
        blank=True,
        help_text=_("The Celery worker that runs the job, or ran it (its node name)."),
    )

    class Meta:
        abstract = True


class ApiToken(models.Model):
    """A key that opens the API for one user (one per script or machine) until it expires or is revoked.

    Only the SHA-256 digest of the key is kept: a copy of the database opens nothing. A key is 256 random
    bits, so a fast digest suffices (a slow, salted hash guards guessable passwords, not these). The
    services make and revoke tokens (``voorsprong.services``); revoking deletes the row.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        validators=[validate_one_line],
        help_text=_("What the key is for, such as the script or machine that uses it."),
    )
    user_agent = models.CharField(_("made with"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    # Written at most once a minute (voorsprong.services.note_api_token_use), not on every request.
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="apitoken_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        made = f"{timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"
        return f"{self.user} · {self.label or made}"

    @staticmethod
    def digest_of(key: str) -> str:
        """Return the digest under which the token with ``key`` is stored."""
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``, replayed when the client retries it
    (see ``voorsprong.idempotency``). Rows older than a day are expired and removed lazily."""

    key = models.CharField(_("key"), max_length=255)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="idempotent_requests"
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    fingerprint = models.CharField(_("request body fingerprint"), max_length=64, help_text=_("sha256"))
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotentrequest_unique_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class OutboxMessage(models.Model):
    """A Celery task to hand to the broker, written in the transaction of the change that asks for it
    (``voorsprong.outbox``): the intent outlives a broker that is down when that change commits."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]
        indexes = [
            # The relay reads only the messages still to send.
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(sent_at=None), name="outboxmessage_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


class DeliveredOnce(models.Model):
    """The key of something done once only, such as an e-mail, however often its task is delivered
    (``voorsprong.outbox.once``)."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    done_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivered once")
        verbose_name_plural = _("delivered once")

    def __str__(self) -> str:
        return self.key


class DataVersion(models.Model):
    """The version of the data the figures are computed from (``voorsprong.data_version``): a row per table
    whose number grows, in the writer's own transaction, with every write to the table; the row without a
    table grows with the writes that do not say which tables they changed, and every figure reads it."""

    area = models.CharField(_("table"), max_length=63, unique=True, blank=True, default="")
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.area}: {self.version}"


class DataVersionOnDate(models.Model):
    """The version of a table's data as of a date (``voorsprong.data_version``): every write raises the row
    of the first date it can change figures on (most writes: the first day of all, so every date), to the
    version it gave the table's :class:`DataVersion`. The figures as of a day read, per table, the newest
    version of the rows on or before that day: a session logged today leaves the figures of last year as
    they were."""

    area = models.CharField(_("table"), max_length=63, blank=True, default="")
    on_date = models.DateField(_("from date"))
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("data version from a date")
        verbose_name_plural = _("data versions from a date")
        constraints = [
            models.UniqueConstraint(fields=["area", "on_date"], name="dataversionondate_unique_area_date"),
        ]

    def __str__(self) -> str:
        return f"{self.area} from {self.on_date}: {self.version}"
