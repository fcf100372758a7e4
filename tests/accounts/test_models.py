"""Roles: what each kind of account may do in the Django admin."""

from accounts.models import Organisation, Role, User
from tests.support.constants import PASSWORD


def test_an_administrator_is_staff_and_holds_every_permission(administrator):
    assert administrator.is_staff
    assert administrator.is_administrator
    assert administrator.has_perm("roadmap.change_action")
    assert administrator.has_module_perms("accounts")


def test_a_member_has_no_admin_rights(has_member):
    assert not has_member.is_staff
    assert has_member.is_member and not has_member.is_administrator
    assert not has_member.has_perm("roadmap.change_action")


def test_a_deactivated_administrator_loses_every_right(administrator):
    administrator.is_active = False
    administrator.save()
    assert not administrator.is_administrator
    assert not administrator.has_perm("roadmap.change_action")


def test_a_reader_is_neither_member_nor_administrator(reader):
    assert reader.role == Role.READER
    assert not reader.is_member and not reader.is_administrator


def test_an_organisation_shows_its_full_name_when_the_source_gives_it(db):
    assert Organisation(acronym="DNS", name="Délégation au numérique en santé").display_name == (
        "Délégation au numérique en santé (DNS)"
    )
    assert Organisation(acronym="HAS").display_name == "HAS"


def test_the_administrator_can_sign_in_to_the_admin(client, administrator):
    assert client.login(username=administrator.username, password=PASSWORD)
    assert client.get("/admin/roadmap/action/").status_code == 200


def test_a_member_cannot_open_the_admin(client, has_member):
    client.force_login(has_member)
    response = client.get("/admin/roadmap/action/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert User.objects.filter(is_staff=True).count() == 0
