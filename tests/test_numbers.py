from decimal import Decimal

import pytest
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from budgets.numbers import Figure, format_amount, parse_amount

amounts = st.decimals(min_value=0, max_value=Decimal("99999999.9"), places=1)


class TestParseAmount:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("16,8", "16.8"),
            ("16.8", "16.8"),
            ("1.234,5", "1234.5"),
            ("1,234.5", "1234.5"),
            ("1.234", "1234.0"),
            ("100", "100.0"),
            (" 0,9 ", "0.9"),
            ("1 234,5", "1234.5"),
            ("2\u00a0000", "2000.0"),
            ("1\u202f234.5", "1234.5"),
        ],
    )
    def test_it_reads_danish_and_english_notation(self, text, expected):
        assert parse_amount(text) == Decimal(expected)

    @pytest.mark.parametrize(
        "text", ["", "fire", "-1,0", "1,2,3", "16,85", "1e3", "NaN", "12,", "1 2", "12 34", "1,1 2,2", "١٢٣", "1 234 5"]
    )
    def test_it_refuses_what_is_no_amount_with_a_danish_message(self, text):
        with translation.override("da"), pytest.raises(ValueError, match="beløb|decimal"):
            parse_amount(text)

    @given(amounts)
    def test_it_reads_back_what_it_writes_in_danish(self, value):
        with translation.override("da"):
            assert parse_amount(format_amount(value)) == value

    @given(amounts)
    def test_it_reads_back_what_it_writes_in_english(self, value):
        with translation.override("en"):
            assert parse_amount(format_amount(value)) == value


class TestFormatAmount:
    @given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
    def test_it_writes_what_django_number_format_writes_in_both_languages(self, value):
        for language in ("da", "en"):
            with translation.override(language):
                expected = formats.number_format(
                    value.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"), 1, use_l10n=True, force_grouping=True
                )
                assert format_amount(value) == expected

    def test_it_writes_danish_notation_with_one_decimal(self):
        with translation.override("da"):
            assert format_amount(Decimal("1234.5")) == "1.234,5"
            assert format_amount(Decimal("100")) == "100,0"

    def test_it_writes_english_notation_with_one_decimal(self):
        with translation.override("en"):
            assert format_amount(Decimal("1234.5")) == "1,234.5"


class TestFigure:
    def test_it_adds_amounts_and_counts_unknown_cells_apart(self):
        total = Figure(Decimal("1.5")) + Figure(unknown=1) + Figure(Decimal("2.0"))
        assert (total.amount, total.unknown, total.is_complete) == (Decimal("3.5"), 1, False)
