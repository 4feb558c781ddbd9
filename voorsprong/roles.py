"""The roles of the back office, as Django groups, and the model permissions each one holds.

ROLE_PERMISSIONS is the one place that says which role may do what with which model. The groups are
configuration, not data: ``voorsprong.apps`` calls ``sync_role_groups`` after every ``migrate`` (and every
flush), so a fresh database, and a database after a new model's migration, has every group with exactly
these permissions. No migration calls it: a migration runs against the models of its own time.
"""

from django.contrib.auth.management import create_permissions
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    PROMOTER = "promoter", _("Promoter")
    SECTOR_CONSULTANT = "sector_consultant", _("Sector consultant")
    CABINET = "cabinet", _("Cabinet")
    FINANCE = "finance", _("Financial service")
    ADMIN = "admin", _("Administrator")


VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)
# Answering an access request: the export of everything kept about an e-mail address.
EXPORT = "export"

# The company's answers through its links and the invitations to them: read in the admin, never edited
# there (the services write them; promoters and consultants log the situation at intake in the portal).
_COMPANY_ANSWERS = (
    "participants.learningsituation",
    "participants.followup",
    "participants.exitanswer",
    "participants.invitation",
)

# The GDPR: officers set how long personal data is kept (one rule per kind, never added or deleted) and
# answer access requests; the purges and exports are recorded, and the records only read.
_PERSONAL_DATA = {
    "reporting.retentionrule": (VIEW, CHANGE),
    "reporting.personaldatarecord": (VIEW, EXPORT),
}

# Officers run the programmes but never delete evidence (applications, sessions, evaluations).
_OFFICER = {
    "trajects.traject": (VIEW, CHANGE),
    "trajects.organisation": ALL,
    "trajects.partnership": ALL,
    "trajects.project": ALL,
    "trajects.capacityperiod": (VIEW, ADD, CHANGE),
    "trajects.communicationaction": ALL,
    "participants.company": (VIEW, ADD, CHANGE),
    "participants.application": (VIEW, ADD, CHANGE),
    "participants.coachingsession": (VIEW,),
    "participants.evaluation": (VIEW,),
    **dict.fromkeys(_COMPANY_ANSWERS, (VIEW,)),
    "participants.referral": (VIEW, ADD, CHANGE),
    # A declaration is evidence: a new one replaces it, none is changed.
    "participants.smedeclaration": (VIEW, ADD),
    "participants.relatedenterprise": (VIEW, ADD),
    "funding.fundingsource": (VIEW,),
    "funding.fundingrule": (VIEW,),
    "funding.budgetline": (VIEW, ADD, CHANGE),
    "funding.applicationfunding": (VIEW, ADD, CHANGE),
    # Officers approve and reject declarations; the financial service pays them (the services decide).
    "funding.declaration": (VIEW, CHANGE),
    "funding.declarationattachment": (VIEW,),
    "funding.declarationshare": (VIEW,),
    # Requesting, signing off and refusing approvals over the budget; never deleting one.
    "funding.budgetoverride": (VIEW, ADD, CHANGE),
    # The aid ledger follows approvals and withdrawals only; links and declared aid are recorded by hand.
    "funding.aidline": (VIEW,),
    "funding.companylink": (VIEW, ADD, CHANGE),
    "funding.declaredaid": (VIEW, ADD, CHANGE),
    "reporting.reportrequest": (VIEW, ADD),
    "reporting.initiative": ALL,
    # A statement holds until a later one replaces it, so answers of earlier dates keep their words.
    "reporting.answerstatement": (VIEW, ADD, CHANGE),
    "reporting.statisticssnapshot": (VIEW,),
    # The tables of enterprises per size band: uploaded whole, never changed (a new upload replaces one).
    "reporting.sizetable": (VIEW, ADD),
    "reporting.sizetablerow": (VIEW,),
    "voorsprong.user": (VIEW,),
    **_PERSONAL_DATA,
}

ROLE_PERMISSIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.OFFICER: _OFFICER,
    # Promoters see only their own organisation's applications; that scoping lives in the selectors.
    Role.PROMOTER: {
        "trajects.traject": (VIEW,),
        "trajects.project": (VIEW,),
        "participants.company": (VIEW,),
        "participants.application": (VIEW, CHANGE),
        "participants.coachingsession": (VIEW, ADD),
        "funding.declaration": (VIEW, ADD),
    },
    Role.SECTOR_CONSULTANT: {
        "trajects.traject": (VIEW,),
        "participants.company": (VIEW, ADD),
        "participants.application": (VIEW,),
        "participants.referral": (VIEW, ADD),
        # At an intake: the service lets them declare for a company of unknown size or one they referred.
        "participants.smedeclaration": (VIEW, ADD),
    },
    # The cabinet reads aggregated figures and reports only: no model holding personal data.
    Role.CABINET: {
        "trajects.traject": (VIEW,),
        "reporting.reportrequest": (VIEW, ADD),
        "reporting.statisticssnapshot": (VIEW,),
    },
    # The financial service pays approved declarations and watches the budget monitor (a page, no model).
    Role.FINANCE: {
        "funding.declaration": (VIEW, CHANGE),
        "funding.declarationattachment": (VIEW,),
        "funding.declarationshare": (VIEW,),
    },
    Role.ADMIN: {
        **dict.fromkeys(_OFFICER, ALL),
        **dict.fromkeys(_COMPANY_ANSWERS, (VIEW,)),
        **_PERSONAL_DATA,
        "funding.fundingsource": ALL,
        "trajects.traject": ALL,
        "reporting.reportrequest": ALL,
        "voorsprong.user": ALL,
        "voorsprong.outboxmessage": (VIEW,),
        # Every user's API keys: seen and revoked, never made here (their users make them).
        "voorsprong.apitoken": (VIEW, DELETE),
        "auth.group": (VIEW,),
    },
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS.

    ``apps`` is the state of the models after the migrations that ran: a model that does not exist yet
    (a database migrated only part of the way) is left out until the migrate that creates it.
    """
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return  # migrated so far that auth's tables do not exist yet
    # Permissions are normally created after migrate, app by app; the groups need all of them now.
    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module, which migration states lack.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    existing = {(model._meta.app_label, model._meta.model_name) for model in apps.get_models()}
    available = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.select_related("content_type")
    }
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            if (app_label, model) in existing:
                wanted += [(app_label, f"{action}_{model}") for action in actions]
        missing = [
            f"{app_label}.{codename}"
            for app_label, codename in wanted
            if (app_label, codename) not in available
        ]
        if missing:
            raise RuntimeError(f"Role {role.value} names permissions that do not exist: {', '.join(missing)}")
        group.permissions.set([available[key] for key in wanted])
