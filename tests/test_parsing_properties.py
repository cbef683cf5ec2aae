"""Properties of reading amounts and cells, for any text at all: what people type, what tools paste, what attackers
send. tests/test_numbers.py holds the worked examples and the round trip of plain amounts."""

import string
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from budgets.cells import CORRECTION_WORDS, TEXT_LENGTH, ParsedCell, format_cell, parse_cell
from budgets.models import CellKind
from budgets.numbers import format_amount, parse_amount

# Text that looks like amounts, more often than st.text() finds by chance: digits, separators, signs, spaces.
amount_like = st.text(alphabet="0123456789.,- \u00a0eE+", max_size=40)
# Any text, control characters and every script included, plus a few known troublemakers.
any_text = st.one_of(
    st.text(max_size=60),
    amount_like,
    st.sampled_from(["1e3", "NaN", "Infinity", "-0", "0x10", "1_000", "²", "١٢٣", "1" * 40, "9" * 400, "\x00"]),
)
stored_amounts = st.decimals(min_value=0, max_value=Decimal("99999999.9"), places=1)
remarks = st.text(alphabet=string.ascii_letters + "æøåÆØÅ ()*", max_size=40).map(str.strip)


class TestParseAmount:
    @given(any_text)
    @example("1" * 40)  # more digits than Decimal's context: once an InvalidOperation, not a ValueError
    @settings(max_examples=300)
    def test_it_returns_a_decimal_with_one_decimal_or_raises_value_error(self, text):
        try:
            value = parse_amount(text)
        except ValueError as error:
            assert str(error)
            return
        assert type(value) is Decimal
        assert value.as_tuple().exponent == -1
        assert Decimal(0) <= value < Decimal("100000000")

    @given(amount_like)
    @settings(max_examples=200)
    def test_it_writes_back_whatever_it_reads_in_both_languages(self, text):
        try:
            value = parse_amount(text)
        except ValueError:
            return
        for language in ("da", "en"):
            with translation.override(language):
                assert parse_amount(format_amount(value)) == value

    @given(any_text)
    def test_it_never_reads_a_minus_sign(self, text):
        try:
            parse_amount("-" + text.lstrip())
        except ValueError:
            return
        pytest.fail("a negative amount was read")


class TestParseCell:
    @given(any_text)
    @settings(max_examples=300)
    def test_it_returns_a_cell_or_nothing_or_raises_value_error(self, text):
        try:
            cell = parse_cell(text)
        except ValueError as error:
            assert str(error)
            return
        if cell is None:
            return
        assert cell.kind in CellKind.values
        assert len(cell.text) <= TEXT_LENGTH
        assert "\x00" not in cell.text
        if cell.kind == CellKind.AMOUNT:
            assert type(cell.amount) is Decimal
        else:
            assert cell.amount is None

    @given(stored_amounts.filter(bool), remarks)
    def test_it_refuses_a_negative_amount_unless_it_says_correction(self, amount, remark):
        typed = f"-{amount} {remark}"
        if any(word in remark.lower() for word in CORRECTION_WORDS):
            cell = parse_cell(typed)
            assert (cell.amount, cell.correction) == (-amount, True)
        else:
            with pytest.raises(ValueError):
                parse_cell(typed)

    @given(
        st.one_of(
            st.builds(ParsedCell, st.just(CellKind.AMOUNT), stored_amounts, remarks.filter(lambda r: r[:1].isalpha())),
            st.builds(ParsedCell, st.just(CellKind.AMOUNT), stored_amounts),
            st.just(ParsedCell(CellKind.UNKNOWN)),
            st.builds(
                ParsedCell, st.just(CellKind.FINANCED_ELSEWHERE), text=remarks.map(lambda r: f"Er finansieret {r}")
            ),
        ),
        st.sampled_from(["da", "en"]),
    )
    def test_it_reads_back_every_cell_it_writes(self, cell, language):
        with translation.override(language):
            assert parse_cell(format_cell(cell)) == ParsedCell(cell.kind, cell.amount, cell.text.strip())

    @given(st.text(min_size=TEXT_LENGTH + 1 - len("Er finansieret "), max_size=TEXT_LENGTH + 40))
    def test_it_refuses_text_longer_than_a_cell_holds(self, tail):
        typed = f"Er finansieret {tail}"
        if len(typed.strip()) <= TEXT_LENGTH:
            return
        with pytest.raises(ValueError):
            parse_cell(typed)
