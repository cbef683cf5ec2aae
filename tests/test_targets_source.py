"""The 2030 vision, targets and indicators are stored word for word as strategi-2030.txt prints them.

Each stored text names the lines of the source it comes from; the test reads those lines itself. The PDF's text
breaks words at line ends without a hyphen ("effek" / "tive"), so a line break may be a space or nothing; every
other character must be the source's.
"""

import re
from decimal import Decimal

import pytest

from initiatives.models import Chapter
from tracking.models import Indicator, IndicatorKind, Measurement, Target, Vision

pytestmark = pytest.mark.django_db

LINES = re.compile(r"^strategi-2030\.txt, Vision og pejlemærker, linje (\d+)-(\d+)$")


def source_lines(sources_dir, reference: str) -> list[str]:
    """The referenced lines as the file holds them, less blank lines and lone dashes (layout)."""
    match = LINES.match(reference)
    assert match, reference
    first, last = int(match[1]), int(match[2])
    lines = (sources_dir / "strategi-2030.txt").read_text(encoding="utf-8").splitlines()[first - 1 : last]
    lines = [line.lstrip() for line in lines if line.strip() not in ("", "-")]
    # A dash before the first words is the layout's bullet.
    lines[0] = lines[0].removeprefix("- ")
    return lines


def as_printed(sources_dir, reference: str, text: str) -> bool:
    """Whether ``text`` is what the referenced lines print. The PDF's text ends a line with a space where a word
    ends, and with none where it broke a word; after a hyphen a word may go on ("life science-" / "produktion")
    or not ("forsknings- og")."""
    pattern = ""
    for line in source_lines(sources_dir, reference):
        words = " ".join(line.split())
        if not line.endswith(" "):
            joiner = ""
        else:
            joiner = "(?: |)" if words.endswith("-") else " "
        pattern += re.escape(words) + joiner
    return re.fullmatch(pattern, text + " ") is not None or re.fullmatch(pattern, text) is not None


def normalised(text: str) -> str:
    return " ".join(text.split())


class TestTheWordsOfTheSource:
    def test_it_stores_the_vision_as_printed(self, sources_dir):
        vision = Vision.objects.get(strategy__slug="2030")

        assert vision.text.startswith("Danmark skal være en førende life science-nation i Europa")
        assert as_printed(sources_dir, vision.source, vision.text)

    def test_it_stores_the_six_targets_and_their_indicators_as_printed(self, sources_dir):
        targets = list(Target.objects.filter(strategy__slug="2030").order_by("number"))

        assert [target.number for target in targets] == [1, 2, 3, 4, 5, 6]
        wrong = [
            f"{target.number}: {reference}"
            for target in targets
            for reference, text in ((target.source, target.text), (target.indicator_source, target.indicator_text))
            if not as_printed(sources_dir, reference, text)
        ]
        assert wrong == []

    def test_it_finds_each_target_under_its_number_in_the_source(self, sources_dir):
        lines = (sources_dir / "strategi-2030.txt").read_text(encoding="utf-8").splitlines()
        for target in Target.objects.filter(strategy__slug="2030"):
            first = int(LINES.match(target.source)[1])
            above = [line.strip() for line in lines[first - 5 : first - 1] if line.strip() not in ("", "-")]
            assert above[-1] == str(target.number), target

    def test_it_would_notice_a_word_changed(self, sources_dir):
        target = Target.objects.get(strategy__slug="2030", number=3)

        assert not as_printed(sources_dir, target.source, target.text.replace("effektive", "effective"))
        assert not as_printed(sources_dir, target.source, target.text.replace("effektive", "effek tive"))


class TestIndicators:
    def test_it_names_each_indicator_in_the_words_of_its_target(self):
        indicators = Indicator.objects.filter(target__strategy__slug="2030").select_related("target")

        assert indicators.count() == 7
        for indicator in indicators:
            text = normalised(indicator.target.indicator_text)
            assert indicator.name in text, indicator
            for words in (indicator.baseline_text, indicator.target_text):
                assert words in text, words

    def test_it_stores_a_number_only_where_the_source_prints_one(self, sources_dir):
        numbers = Indicator.objects.filter(target__strategy__slug="2030").exclude(
            baseline_value__isnull=True, target_value__isnull=True
        )

        assert [(indicator.name, indicator.target_value, indicator.target_year) for indicator in numbers] == [
            ("dansk life science-eksport", Decimal("350"), 2030)
        ]
        assert "350 mia. kr. i 2030" in normalised((sources_dir / "strategi-2030.txt").read_text(encoding="utf-8"))

    def test_it_keeps_targets_without_numbers_as_the_source_words_them(self):
        production = Indicator.objects.get(name="lægemiddelindustriens produktion")

        assert production.kind == IndicatorKind.NUMBER
        assert (production.baseline_value, production.baseline_text, production.baseline_year) == (
            None,
            "niveauet i 2024",
            2024,
        )
        assert (production.target_value, production.target_text) == (None, "over niveauet i 2024")

    def test_it_ships_no_measured_values(self):
        assert not Measurement.objects.exists()


def test_it_links_each_2030_chapter_to_the_target_of_its_number():
    chapters = Chapter.objects.filter(strategy__slug="2030").select_related("target").order_by("number")

    assert [(chapter.number, chapter.target.number) for chapter in chapters] == [(n, n) for n in range(1, 7)]
