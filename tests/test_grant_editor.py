import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from editing.permissions import can_edit
from initiatives.models import Strategy

pytestmark = pytest.mark.django_db


class TestGrantEditor:
    def test_it_lets_a_user_edit_one_strategy_only(self, capsys):
        user = get_user_model().objects.create_user("karin", password="a-long-test-password")

        call_command("grant_editor", "karin", "2021")

        assert can_edit(user, Strategy.objects.get(slug="2021"))
        assert not can_edit(user, Strategy.objects.get(slug="2030"))
        assert "karin må nu redigere Strategi 2021." in capsys.readouterr().out

    def test_it_lets_the_editor_into_the_admin_where_initiatives_are_renamed(self, client):
        client.force_login(get_user_model().objects.create_user("nina", password="a-long-test-password"))
        assert client.get("/admin/initiatives/initiative/").status_code == 302

        call_command("grant_editor", "nina", "2030")

        assert client.get("/admin/initiatives/initiative/").status_code == 200

    def test_it_lets_a_user_edit_every_strategy(self):
        user = get_user_model().objects.create_user("lars", password="a-long-test-password")

        call_command("grant_editor", "lars")

        assert all(can_edit(user, strategy) for strategy in Strategy.objects.all())

    def test_it_says_which_user_or_strategy_does_not_exist(self):
        get_user_model().objects.create_user("mona", password="a-long-test-password")
        with pytest.raises(CommandError, match="Ingen bruger hedder nobody"):
            call_command("grant_editor", "nobody")
        with pytest.raises(CommandError, match="Ingen strategi med kortnavn 1999"):
            call_command("grant_editor", "mona", "1999")
