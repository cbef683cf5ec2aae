"""initiatives.models.lineage: the initiatives linked to one, followed by the database in one query."""

from collections import defaultdict

import pytest

from initiatives.models import Initiative, InitiativeLink, lineage

pytestmark = pytest.mark.django_db


def initiative(slug, number=None, **lookup) -> Initiative:
    if number is not None:
        lookup["number"] = number
    return Initiative.objects.get(chapter__strategy__slug=slug, **lookup)


def walked(start: Initiative) -> list[int]:
    """The lineage as the page found it before, a walk along the links one step at a time, as ids in its order."""
    neighbours = defaultdict(set)
    for predecessor, successor in InitiativeLink.objects.values_list("predecessor", "successor"):
        neighbours[predecessor].add(successor)
        neighbours[successor].add(predecessor)
    found, frontier = {start.pk}, {start.pk}
    while frontier:
        frontier = {other for pk in frontier for other in neighbours[pk]} - found
        found |= frontier
    initiatives = Initiative.objects.with_chapter().filter(pk__in=found)
    return [item.pk for item in sorted(initiatives, key=lambda item: (item.chapter.strategy.first_year, item.position))]


def named(chain) -> list[tuple[str, str]]:
    return [(item.chapter.strategy.slug, item.number or item.title) for item in chain]


class TestLineage:
    def test_it_finds_for_every_initiative_of_the_fixtures_what_a_walk_along_the_links_finds(self):
        initiatives = list(Initiative.objects.all())
        assert len(initiatives) == 84

        for start in initiatives:
            assert [item.pk for item in lineage(start)] == walked(start), start

    def test_it_follows_trial_nation_from_2018_through_2021_to_2030(self):
        chain = lineage(initiative("2021", "2"))

        assert named(chain) == [
            ("2018", "Trial Nation: national organisation for kliniske forsøg"),
            ("2021", "2"),
            ("2030", "2.2"),
        ]
        assert lineage(initiative("2030", "2.2")) == chain

    def test_it_follows_two_2018_initiatives_that_join_in_2030_through_two_of_2021(self):
        chain = lineage(initiative("2018", title="Styrkelse af Lægemiddelstyrelsens engagement i HMA-netværket"))

        assert named(chain) == [
            ("2018", "Styrkelse af Lægemiddelstyrelsens engagement i HMA-netværket"),
            ("2018", "Forlængelse af Lægemiddelstyrelsens styrkede engagement i EMA"),
            ("2021", "28"),
            ("2021", "29"),
            ("2030", "5.6"),
        ]

    def test_it_gives_an_initiative_without_links_alone(self):
        alone = initiative("2030", "2.3")

        assert lineage(alone) == [alone]

    def test_it_ends_on_links_that_run_in_a_circle(self):
        first, second, third = initiative("2018", "1"), initiative("2021", "1"), initiative("2030", "1.1")
        for predecessor, successor in ((first, second), (second, third), (third, first)):
            InitiativeLink.objects.create(
                predecessor=predecessor, successor=successor, relation="continued", source="test"
            )

        assert lineage(second) == [first, second, third]

    def test_it_asks_the_database_once_however_long_the_chain(self, django_assert_num_queries):
        for start in (initiative("2030", "2.3"), initiative("2021", "2"), initiative("2030", "5.6")):
            with django_assert_num_queries(1):
                lineage(start)
