import pytest
from django.contrib.auth.models import Group

from voorsprong.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def permissions_of(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_every_role_is_a_group_with_exactly_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    for role, grants in ROLE_PERMISSIONS.items():
        expected = {
            f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
            for label, actions in grants.items()
            for action in actions
        }
        assert permissions_of(role) == expected, role


def test_the_cabinet_sees_no_personal_data():
    held = permissions_of(Role.CABINET)
    assert not {"participants.view_company", "participants.view_application", "voorsprong.view_user"} & held


def test_nobody_but_the_admin_deletes_evidence():
    for role in (Role.OFFICER, Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.CABINET):
        held = permissions_of(role)
        assert "participants.delete_application" not in held
        assert "participants.delete_coachingsession" not in held


def test_promoters_log_sessions_and_consultants_refer():
    assert "participants.add_coachingsession" in permissions_of(Role.PROMOTER)
    assert "participants.add_referral" in permissions_of(Role.SECTOR_CONSULTANT)
