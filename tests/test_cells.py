"""Worked examples of reading a cell; tests/test_parsing_properties.py holds the properties for any text."""

from decimal import Decimal

import pytest
from django.utils import translation

from budgets.cells import ParsedCell, fixture_cell, format_cell, parse_cell
from budgets.models import CellKind


def amount(value, **extra) -> ParsedCell:
    return ParsedCell(CellKind.AMOUNT, Decimal(value), **extra)


class TestParseCell:
    @pytest.mark.parametrize(
        "typed, expected",
        [
            ("16,8", amount("16.8")),
            ("1.234,5", amount("1234.5")),
            ("16.8", amount("16.8")),
            ("1 234,5", amount("1234.5")),
            ("2 000", amount("2000.0")),
            ("2\u00a0000", amount("2000.0")),
            ("ukendt", ParsedCell(CellKind.UNKNOWN)),
            ("Er finansieret", ParsedCell(CellKind.FINANCED_ELSEWHERE, text="Er finansieret")),
            ("", None),
            ("-", None),
        ],
    )
    def test_it_reads_one_value_per_cell(self, typed, expected):
        assert parse_cell(typed) == expected

    @pytest.mark.parametrize(
        "typed, message",
        [
            ("1,1 2,2", "flere tal"),
            ("1,1\t2,2", "tabulator"),
            ("1,1\n3,3", "linjeskift"),
            ("0,5 Øvrig 5 er finansieret", "efterfulgt af ord"),
            ("1 2", "flere tal"),
            ("-1,0", "Kun en korrektion"),
            ("-1,0 korrektion", "efterfulgt af ord"),
            ("10.000,1", "højst 10.000"),
            ("Finansieret\x01", "kontroltegn"),
            ("abc", "hverken et beløb"),
        ],
    )
    def test_it_refuses_what_it_would_have_to_guess_with_a_danish_message(self, typed, message):
        with translation.override("da"), pytest.raises(ValueError, match=message):
            parse_cell(typed)

    def test_it_takes_a_remark_and_a_correction_from_fields_of_their_own(self):
        assert parse_cell("0,5", "Øvrig 5 er finansieret") == amount("0.5", remark="Øvrig 5 er finansieret")
        assert parse_cell("-1,0", "tilbagebetaling", correction=True) == amount(
            "-1.0", remark="tilbagebetaling", correction=True
        )

    @pytest.mark.parametrize(
        "value, remark, correction",
        [("0,5", "2,2 3,3 4,4", False), ("ukendt", "afventer", False), ("", "x", False), ("Er finansieret", "", True)],
    )
    def test_it_refuses_a_remark_or_correction_that_does_not_fit_the_cell(self, value, remark, correction):
        with pytest.raises(ValueError):
            parse_cell(value, remark, correction=correction)

    def test_it_refuses_a_negative_amount_beyond_what_a_line_holds_even_as_a_correction(self):
        with translation.override("da"), pytest.raises(ValueError, match="højst 10.000"):
            parse_cell("-9999999,9", correction=True)


class TestFixtureCell:
    def test_it_reads_a_remark_in_brackets_as_the_fixtures_write_it(self):
        assert fixture_cell("0,5 [Øvrig 5 er finansieret]") == amount("0.5", remark="Øvrig 5 er finansieret")
        assert fixture_cell("Finansieret i genstartsaftale").text == "Finansieret i genstartsaftale"

    def test_it_writes_a_cell_with_its_remark_as_it_reads_it(self):
        cell = amount("0.5", remark="Øvrig 5 er finansieret")
        with translation.override("da"):
            assert fixture_cell(format_cell(cell)) == cell
