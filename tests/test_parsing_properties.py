"""Properties of reading amounts and cells, for any text at all: what people type, what tools paste, what attackers
send. Above all, no input is silently read as something else: every digit typed ends up in the amount, or the
cell is refused with a message. tests/test_numbers.py and tests/test_cells.py hold the worked examples."""

import re
import string
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from budgets.cells import TEXT_LENGTH, ParsedCell, checked_cell, format_value, parse_cell
from budgets.models import MAXIMUM_AMOUNT, CellKind
from budgets.numbers import format_amount, parse_amount

# Text that looks like amounts, more often than st.text() finds by chance: digits, separators, signs, spaces.
amount_like = st.text(alphabet="0123456789.,- \u00a0\u202f\u2212eE+\t\n", max_size=40)
# Any text, control characters and every script included, plus a few known troublemakers.
any_text = st.one_of(
    st.text(max_size=60),
    amount_like,
    st.sampled_from(
        [
            "1e3",
            "NaN",
            "Infinity",
            "-0",
            "0x10",
            "1_000",
            "²",
            "١٢٣",
            "1" * 40,
            "9" * 400,
            "\x00",
            "1,1 2,2",
            "1 234,5",
            "2 000",
            "0,5 Øvrig 5 er finansieret",
            "-9999999,9 korrektion",
        ]
    ),
)
stored_amounts = st.decimals(min_value=0, max_value=MAXIMUM_AMOUNT, places=1)
words = st.text(alphabet=string.ascii_letters + "æøåÆØÅ", min_size=1, max_size=12)
remarks = st.lists(words, min_size=1, max_size=4).map(" ".join)


def digits(text: str) -> str:
    """The ASCII digits of a text, without the zeros that do not change a number (leading and trailing)."""
    return re.sub(r"[^0-9]", "", text).strip("0")


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

    @given(any_text)
    @settings(max_examples=300)
    def test_every_digit_typed_is_in_the_amount_and_nothing_else_was_typed(self, text):
        try:
            value = parse_amount(text)
        except ValueError:
            return
        assert re.fullmatch(r"[0-9., \u00a0\u202f]+", text.strip()), text
        assert digits(text) == digits(f"{value:f}"), (text, value)

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

    @given(stored_amounts, st.sampled_from([" ", "\u00a0", "\u202f"]))
    def test_it_reads_thousands_parted_by_spaces_as_one_amount(self, value, space):
        with translation.override("da"):
            typed = format_amount(value).replace(".", space)
        assert parse_amount(typed) == value

    @given(any_text)
    def test_it_never_reads_a_minus_sign(self, text):
        try:
            parse_amount("-" + text.lstrip())
        except ValueError:
            return
        pytest.fail("a negative amount was read")


class TestParseCell:
    @given(any_text, st.one_of(st.just(""), any_text), st.booleans())
    @settings(max_examples=400)
    def test_it_reads_a_cell_that_keeps_every_rule_or_refuses_with_a_message(self, text, remark, correction):
        try:
            cell = parse_cell(text, remark, correction=correction)
        except ValueError as error:
            assert str(error)
            return
        if cell is None:
            assert text.strip() in ("", "-", "–") and not remark.strip() and not correction
            return
        assert checked_cell(cell) == cell
        assert cell.kind in CellKind.values
        assert len(cell.text) <= TEXT_LENGTH
        assert not re.search(r"[\x00-\x1f\x7f]", cell.text + cell.remark)
        assert cell.remark == remark.strip()
        if cell.kind == CellKind.AMOUNT:
            assert type(cell.amount) is Decimal and abs(cell.amount) <= MAXIMUM_AMOUNT
            assert cell.amount >= 0 or cell.correction
        else:
            assert cell.amount is None and not cell.remark and not cell.correction

    @given(any_text)
    @settings(max_examples=400)
    def test_no_text_is_silently_read_as_something_else(self, text):
        """An amount holds every digit typed and nothing but a number was typed; a text keeps every character."""
        try:
            cell = parse_cell(text, correction=True)
        except ValueError:
            return
        if cell is None or cell.kind == CellKind.UNKNOWN:
            assert text.strip().lower() in ("", "-", "–", "ukendt", "unknown")
        elif cell.kind == CellKind.AMOUNT:
            assert re.fullmatch(r"[-\u2212]?[0-9., \u00a0\u202f]+", text.strip()), text
            assert digits(text) == digits(f"{cell.amount:f}"), (text, cell.amount)
        else:
            assert cell.text == text.strip()

    @given(st.lists(stored_amounts, min_size=2, max_size=4), st.sampled_from([" ", "  ", "\t", "\n", "\r\n", " \t"]))
    def test_it_refuses_several_numbers_in_one_cell_however_they_are_parted(self, amounts, separator):
        with translation.override("da"):
            typed = separator.join(format_amount(amount) for amount in amounts)
        # "1 234,5" is one amount written in groups; several amounts never read as one.
        assume(not re.fullmatch(r"\d{1,3}( \d{3})+(,\d)?", typed))
        with pytest.raises(ValueError):
            parse_cell(typed)

    @given(stored_amounts, remarks, st.sampled_from(["da", "en"]))
    def test_it_refuses_a_number_followed_by_words_and_takes_the_words_as_a_remark(self, amount, remark, language):
        with translation.override(language):
            typed = format_amount(amount)
        with pytest.raises(ValueError):
            parse_cell(f"{typed} {remark}")
        assert parse_cell(typed, remark) == ParsedCell(CellKind.AMOUNT, amount, remark=remark.strip())

    @given(stored_amounts.filter(bool), st.one_of(st.just(""), remarks))
    def test_it_takes_a_negative_amount_only_as_a_correction(self, amount, remark):
        with pytest.raises(ValueError):
            parse_cell(f"-{amount}", remark)
        cell = parse_cell(f"-{amount}", remark, correction=True)
        assert (cell.amount, cell.correction, cell.remark) == (-amount, True, remark)

    @given(st.decimals(min_value=MAXIMUM_AMOUNT + Decimal("0.1"), max_value=Decimal("9999999.9"), places=1))
    def test_it_refuses_an_amount_beyond_what_a_line_holds_either_side_of_zero(self, amount):
        with pytest.raises(ValueError):
            parse_cell(str(amount))
        with pytest.raises(ValueError):
            parse_cell(f"-{amount}", correction=True)

    @given(st.text(alphabet=string.digits + string.punctuation + " ", min_size=1, max_size=20), stored_amounts)
    def test_it_refuses_a_remark_without_words(self, remark, amount):
        assume(remark.strip())
        with pytest.raises(ValueError):
            parse_cell(str(amount), remark)

    @given(
        st.one_of(
            st.builds(ParsedCell, st.just(CellKind.AMOUNT), stored_amounts, remark=remarks),
            st.builds(ParsedCell, st.just(CellKind.AMOUNT), stored_amounts),
            st.builds(ParsedCell, st.just(CellKind.AMOUNT), stored_amounts.map(lambda a: -a), correction=st.just(True)),
            st.just(ParsedCell(CellKind.UNKNOWN)),
            st.builds(
                ParsedCell, st.just(CellKind.FINANCED_ELSEWHERE), text=remarks.map(lambda r: f"Er finansieret {r}")
            ),
        ),
        st.sampled_from(["da", "en"]),
    )
    def test_it_reads_back_every_cell_it_writes(self, cell, language):
        with translation.override(language):
            assert parse_cell(format_value(cell), cell.remark, correction=cell.correction) == cell

    @given(st.text(min_size=TEXT_LENGTH + 1 - len("Er finansieret "), max_size=TEXT_LENGTH + 40))
    def test_it_refuses_text_longer_than_a_cell_holds(self, tail):
        typed = f"Er finansieret {tail}"
        if len(typed.strip()) <= TEXT_LENGTH:
            return
        with pytest.raises(ValueError):
            parse_cell(typed)
