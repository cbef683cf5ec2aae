"""Everything a budget line, a published total or an initiative is linked to belongs to one strategy, whatever
writes the link: the database refuses the rest (budgets migration 0006), and the pages do not crash on a link
that got past it."""

import pytest
from django.db import IntegrityError, connection, transaction

from budgets.models import Allocation, BudgetLine, Footnote, PublishedTotal
from initiatives.models import Chapter, Initiative

pytestmark = pytest.mark.django_db


def line(slug="2021", number="12") -> BudgetLine:
    return BudgetLine.objects.get(strategy__slug=slug, initiatives__number=number)


def initiative(slug, number) -> Initiative:
    return Initiative.objects.get(chapter__strategy__slug=slug, number=number)


def refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError as error:
        assert "belongs to another strategy" in str(error)
        return True
    return False


def footnote(slug) -> Footnote:
    return Footnote.objects.filter(strategy__slug=slug).first() or Footnote.objects.create(
        strategy=line(slug).strategy, marker="†", text="Note", source="Test"
    )


class TestTheDatabaseKeepsLinksInsideOneStrategy:
    def test_it_refuses_a_line_funding_an_initiative_of_another_strategy(self):
        assert refused(lambda: line().initiatives.add(initiative("2030", "2.2")))
        assert not refused(lambda: line().initiatives.add(initiative("2021", "13")))

    def test_it_refuses_a_line_marked_with_a_footnote_of_another_strategy(self):
        assert refused(lambda: line().footnotes.add(footnote("2030")))
        assert not refused(lambda: line().footnotes.add(footnote("2021")))

    def test_it_refuses_a_line_in_a_chapter_of_another_strategy(self):
        moved = line()
        moved.chapter = initiative("2030", "2.2").chapter

        assert refused(moved.save)

    def test_it_refuses_a_line_moved_to_another_strategy_with_its_initiatives(self):
        other = initiative("2030", "2.2").chapter
        moved = line()
        # Without its cells, which would lie outside the other strategy's period (refused on that ground first).
        Allocation.objects.filter(line=moved).delete()

        assert refused(
            lambda: BudgetLine.objects.filter(pk=moved.pk).update(strategy=other.strategy, chapter=other, position=999)
        )

    def test_it_refuses_a_new_line_in_a_chapter_of_another_strategy(self):
        own = line()

        assert refused(
            lambda: BudgetLine.objects.create(
                strategy=own.strategy,
                chapter=initiative("2030", "2.2").chapter,
                position=999,
                title="Fremmed",
                source="Test",
            )
        )

    def test_it_refuses_an_initiative_moved_away_from_the_lines_that_fund_it(self):
        funded = initiative("2021", "12")
        funded.chapter = initiative("2030", "2.2").chapter

        assert refused(funded.save)

    def test_it_refuses_a_chapter_moved_away_from_its_lines(self):
        chapter = line().chapter
        chapter.strategy = initiative("2030", "2.2").chapter.strategy
        chapter.number = 99

        assert refused(chapter.save)

    def test_it_refuses_a_footnote_moved_away_from_the_totals_that_cite_it(self):
        cited = PublishedTotal.objects.filter(footnote__isnull=False).first().footnote
        cited.strategy = line("2021").strategy
        cited.marker = "‡"

        assert refused(cited.save)

    def test_it_refuses_a_published_total_of_a_chapter_or_footnote_of_another_strategy(self):
        total = PublishedTotal.objects.filter(strategy__slug="2021", chapter__isnull=False).first()

        assert refused(lambda: PublishedTotal.objects.filter(pk=total.pk).update(footnote=footnote("2030")))
        assert refused(
            lambda: PublishedTotal.objects.filter(pk=total.pk).update(chapter=initiative("2030", "2.2").chapter)
        )


class TestPagesWithALinkThatGotPastTheDatabase:
    @pytest.fixture
    def foreign_link(self):
        """A 2021 line funding a 2030 initiative, written with the check switched off (rolled back after the test),
        as the link the security test made in the admin."""
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE budgets_budgetline_initiatives DISABLE TRIGGER USER")
            line().initiatives.add(initiative("2030", "2.2"))
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks of foreign keys may remain
            cursor.execute("ALTER TABLE budgets_budgetline_initiatives ENABLE TRIGGER USER")

    @pytest.mark.parametrize("url", ["/strategies/2021/", "/strategies/2021/?export=csv", "/strategies/2021/edit/"])
    def test_it_still_shows_the_strategy(self, client, staff_user, foreign_link, url):
        client.force_login(staff_user)

        response = client.get(url)

        assert response.status_code == 200
        assert initiative("2030", "2.2").title not in response.content.decode()

    def test_it_exports_the_strategy(self, client, foreign_link):
        assert client.get("/strategies/2021/export.xlsx").status_code == 200


def test_chapters_of_a_strategy_have_their_own_lines_only():
    """The fixtures themselves keep to the rule the triggers enforce."""
    for chapter in Chapter.objects.prefetch_related("budget_lines"):
        assert {item.strategy_id for item in chapter.budget_lines.all()} <= {chapter.strategy_id}
