import pytest
from django.apps import apps
from django.urls import reverse

from initiatives.models import Initiative, InitiativeLink

pytestmark = pytest.mark.django_db


def initiative(slug, number) -> Initiative:
    return Initiative.objects.get(chapter__strategy__slug=slug, number=number)


def change_data(item: Initiative, **changes) -> dict:
    data = {
        "chapter": item.chapter_id,
        "number": item.number,
        "position": item.position,
        "title": item.title,
        "theme": item.theme,
        "source": item.source,
        "retired_on": "",
        "change_reason": "Ny titel efter aftale",
    }
    for prefix in ("BudgetLine_initiatives", "predecessor_links", "successor_links"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | changes


@pytest.fixture
def editor(client, make_editor):
    user = make_editor("anna", "2021")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user


class TestEditorInAdmin:
    def test_it_shows_an_editor_only_the_strategies_they_edit(self, client, editor):
        response = client.get(reverse("admin:initiatives_initiative_changelist"))

        assert response.status_code == 200
        strategies = {item.chapter.strategy.slug for item in response.context["cl"].result_list}
        assert strategies == {"2021"}
        assert (
            client.get(reverse("admin:initiatives_initiative_change", args=[initiative("2030", "2.2").pk])).status_code
            == 302
        )

    def test_it_lets_an_editor_rename_renumber_and_retire_and_records_who(self, client, editor):
        item = initiative("2021", "26")
        url = reverse("admin:initiatives_initiative_change", args=[item.pk])
        response = client.post(
            url, change_data(item, title="Internationalt myndighedssamarbejde", number="26a", retired_on="2024-01-01")
        )

        assert response.status_code == 302, response.context["adminform"].form.errors
        item.refresh_from_db()
        assert (item.title, item.number, str(item.retired_on)) == (
            "Internationalt myndighedssamarbejde",
            "26a",
            "2024-01-01",
        )
        assert item.budget_lines.get().allocations.count() == 3
        event = apps.get_model("initiatives", "InitiativeEvent").objects.filter(pgh_obj=item).latest("pgh_id")
        assert event.pgh_context.metadata["user"] == editor.pk

    def test_it_does_not_let_an_editor_move_an_initiative_into_another_strategy(self, client, editor):
        item = initiative("2021", "26")
        other_chapter = initiative("2030", "5.1").chapter_id

        response = client.post(
            reverse("admin:initiatives_initiative_change", args=[item.pk]), change_data(item, chapter=other_chapter)
        )

        assert response.status_code == 200
        assert "chapter" in response.context["adminform"].form.errors
        item.refresh_from_db()
        assert item.chapter.strategy.slug == "2021"

    def test_it_records_the_reason_given_in_the_admin(self, client, editor):
        item = initiative("2021", "26")
        client.post(reverse("admin:initiatives_initiative_change", args=[item.pk]), change_data(item, title="Ny titel"))

        event = apps.get_model("initiatives", "InitiativeEvent").objects.filter(pgh_obj=item).latest("pgh_id")
        assert event.pgh_context.metadata["reason"] == "Ny titel efter aftale"
        assert event.pgh_context.metadata["username"] == "anna"

    def test_it_refuses_a_change_without_a_reason(self, client, editor):
        item = initiative("2021", "26")
        response = client.post(
            reverse("admin:initiatives_initiative_change", args=[item.pk]),
            change_data(item, title="X", change_reason=""),
        )

        assert response.status_code == 200
        assert "change_reason" in response.context["adminform"].form.errors
        item.refresh_from_db()
        assert item.title != "X"

    def test_it_gives_a_new_initiative_its_own_row_in_the_grid(self, client, editor):
        chapter = initiative("2021", "26").chapter
        data = change_data(initiative("2021", "26"), number="39", title="Nyt initiativ om eksport", position=99)
        data["chapter"] = chapter.pk

        response = client.post(reverse("admin:initiatives_initiative_add"), data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        added = Initiative.objects.get(number="39")
        line = added.budget_lines.get()
        assert (line.chapter, line.title) == (chapter, "Nyt initiativ om eksport")
        assert f'name="c-{line.pk}-2022"' in client.get("/strategies/2021/edit/").content.decode()


class TestLinksInAdmin:
    @pytest.fixture
    def editor_of_2030(self, client, make_editor):
        user = make_editor("bo", "2030")
        user.is_staff = True
        user.save()
        client.force_login(user)
        return user

    def test_it_shows_an_editor_only_the_links_that_touch_their_strategy(self, client, editor_of_2030):
        response = client.get(reverse("admin:initiatives_initiativelink_changelist"))

        links = response.context["cl"].result_list
        assert links
        assert all(
            "2030" in (link.predecessor.chapter.strategy.slug, link.successor.chapter.strategy.slug) for link in links
        )
        elsewhere = InitiativeLink.objects.exclude(successor__chapter__strategy__slug="2030").first()
        change = client.get(reverse("admin:initiatives_initiativelink_change", args=[elsewhere.pk]))
        assert change.status_code == 302
        delete = client.post(reverse("admin:initiatives_initiativelink_delete", args=[elsewhere.pk]), {"post": "yes"})
        assert delete.status_code == 302
        assert InitiativeLink.objects.filter(pk=elsewhere.pk).exists()

    def test_it_refuses_an_editor_a_new_link_between_strategies_they_do_not_edit(self, client, editor_of_2030):
        before = InitiativeLink.objects.count()
        response = client.post(
            reverse("admin:initiatives_initiativelink_add"),
            {
                "predecessor": Initiative.objects.filter(chapter__strategy__slug="2018").first().pk,
                "successor": initiative("2021", "26").pk,
                "relation": InitiativeLink._meta.get_field("relation").choices[0][0],
                "source": "Forsøg",
                "change_reason": "Forsøg",
            },
        )

        assert response.status_code == 200
        assert (
            "En forbindelse skal gå til eller fra et initiativ i en strategi, du redigerer."
            in response.content.decode()
        )
        assert InitiativeLink.objects.count() == before


class TestUsersInAdmin:
    @pytest.fixture
    def administrator(self, client):
        from django.contrib.auth import get_user_model

        from editing.roles import ADMINISTRATOR_GROUP, ensure_roles

        user = get_user_model().objects.create_user("admin", is_staff=True)
        user.groups.add(ensure_roles(apps)[ADMINISTRATOR_GROUP])
        client.force_login(user)
        return user

    def test_it_does_not_let_an_administrator_make_themselves_a_superuser(self, client, administrator):
        url = reverse("admin:auth_user_change", args=[administrator.pk])
        form = client.get(url).context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
        data |= {"is_superuser": "on", "groups": [group.pk for group in administrator.groups.all()]}
        data |= {"date_joined_0": "2024-01-01", "date_joined_1": "12:00:00", "last_login_0": "", "last_login_1": ""}

        response = client.post(url, data)

        assert response.status_code == 302
        administrator.refresh_from_db()
        assert administrator.is_staff and not administrator.is_superuser

    def test_it_keeps_superusers_out_of_an_administrators_reach(self, client, administrator, staff_user):
        assert client.get(reverse("admin:auth_user_change", args=[staff_user.pk])).status_code == 302
        assert client.get(reverse("admin:auth_user_password_change", args=[staff_user.pk])).status_code == 404
        assert client.get(reverse("admin:auth_user_change", args=[administrator.pk])).status_code == 200


class TestFramesInAdmin:
    def test_it_lets_an_administrator_change_a_frame_year_with_a_reason(self, client, staff_user):
        from budgets.models import FundingFrame

        client.force_login(staff_user)
        frame = FundingFrame.objects.get(strategy__slug="2021", kind="frame")
        amounts = list(frame.amounts.order_by("year"))
        data = {
            "strategy": frame.strategy_id,
            "name": frame.name,
            "kind": frame.kind,
            "note": frame.note,
            "source": frame.source,
            "change_reason": "Tillægsbevilling",
            "amounts-TOTAL_FORMS": len(amounts),
            "amounts-INITIAL_FORMS": len(amounts),
        }
        for index, amount in enumerate(amounts):
            data |= {
                f"amounts-{index}-id": amount.pk,
                f"amounts-{index}-frame": frame.pk,
                f"amounts-{index}-year": amount.year,
                f"amounts-{index}-amount": "75.0" if amount.year == 2022 else str(amount.amount),
            }

        response = client.post(reverse("admin:budgets_fundingframe_change", args=[frame.pk]), data)

        assert response.status_code == 302
        assert frame.amounts.get(year=2022).amount == 75
        event = apps.get_model("budgets", "FrameAmountEvent").objects.filter(pgh_obj__frame=frame).latest("pgh_id")
        assert event.pgh_context.metadata["reason"] == "Tillægsbevilling"


class TestRelationsAcrossStrategies:
    """The security test's case: the 2030 editor linked 2021 line 12 to a 2030 initiative, and the 2021 pages broke."""

    def post_coverage(self, client, target: Initiative, line_id: int):
        data = change_data(target)
        data |= {
            "BudgetLine_initiatives-TOTAL_FORMS": 1,
            "BudgetLine_initiatives-0-budgetline": line_id,
            "BudgetLine_initiatives-0-initiative": target.pk,
        }
        return client.post(reverse("admin:initiatives_initiative_change", args=[target.pk]), data)

    @pytest.mark.parametrize("strategies", [("2030",), ("2021", "2030")])
    def test_it_refuses_a_line_of_another_strategy_under_an_initiative(self, client, make_editor, strategies):
        user = make_editor("bo", *strategies)
        client.force_login(user)
        target = initiative("2030", "2.2")
        line_12 = initiative("2021", "12").budget_lines.get()

        response = self.post_coverage(client, target, line_12.pk)

        assert response.status_code == 200
        assert not target.budget_lines.filter(pk=line_12.pk).exists()
        assert client.get("/strategies/2021/").status_code == 200
