"""The roles of the back office, as Django groups, and the model permissions each one holds.

The data migrations call ``sync_role_groups`` so that a fresh database has every group with its
permissions; a later migration that changes ROLE_PERMISSIONS calls it again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    PROMOTER = "promoter", _("Promoter")
    SECTOR_CONSULTANT = "sector_consultant", _("Sector consultant")
    CABINET = "cabinet", _("Cabinet")
    ADMIN = "admin", _("Administrator")


VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)

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
    "participants.referral": (VIEW, ADD, CHANGE),
    "funding.fundingsource": (VIEW,),
    "funding.fundingrule": (VIEW,),
    "funding.budgetline": (VIEW, ADD, CHANGE),
    "funding.applicationfunding": (VIEW, ADD, CHANGE),
    "funding.declaration": (VIEW, CHANGE),
    "funding.declarationattachment": (VIEW,),
    "funding.declarationshare": (VIEW,),
    "reporting.reportrequest": (VIEW, ADD),
    "reporting.initiative": ALL,
    "reporting.statisticssnapshot": (VIEW,),
    "voorsprong.user": (VIEW,),
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
    },
    # The cabinet reads aggregated figures and reports only: no model holding personal data.
    Role.CABINET: {
        "trajects.traject": (VIEW,),
        "reporting.reportrequest": (VIEW, ADD),
        "reporting.statisticssnapshot": (VIEW,),
    },
    Role.ADMIN: {
        **dict.fromkeys(_OFFICER, ALL),
        "funding.fundingsource": ALL,
        "trajects.traject": ALL,
        "reporting.reportrequest": ALL,
        "voorsprong.user": ALL,
        "auth.group": (VIEW,),
    },
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module, which migration states lack.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        codenames = {}
        for label, actions in grants.items():
            app_label, model = label.split(".")
            for action in actions:
                codenames[(app_label, f"{action}_{model}")] = True
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in codenames
        ]
        missing = len(codenames) - len(permissions)
        if missing:
            raise RuntimeError(f"{missing} permissions of role {role.value} do not exist")
        group.permissions.set(permissions)
