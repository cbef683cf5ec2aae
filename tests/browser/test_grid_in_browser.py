"""Ministry staff editing the budget grid of 2021 in a real Chromium: as a spreadsheet, by keyboard alone, two
editors at once, and without JavaScript."""

import random
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budgets.cells import parse_cell
from budgets.models import Allocation, BudgetLine
from editing.services import grant_editor
from tests.helpers import cell_snapshot

PASSWORD = "a-long-test-password"
REASON = "Begrundelse for ændringen (gemmes sammen med den)"


@pytest.fixture
def editor_login(app_url, django_user_model):
    def login(page, username):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
        grant_editor(user, [])
        page.goto(f"{app_url}/accounts/login/?next=/strategies/2021/edit/")
        page.get_by_label("Brugernavn").fill(username)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        expect(page).to_have_url(f"{app_url}/strategies/2021/edit/")
        return user

    return login


@pytest.fixture
def editor_page(page, editor_login):
    editor_login(page, "anna")
    return page


def line(number) -> BudgetLine:
    return BudgetLine.objects.get(strategy__slug="2021", initiatives__number=number)


def cell(page, number, year):
    return page.locator(f"input[name='c-{line(number).pk}-{year}']")


def stored(number, year) -> Decimal | None:
    found = Allocation.objects.filter(line=line(number), year=year).first()
    return found.amount if found else None


def focused_name(page) -> str:
    return page.evaluate("document.activeElement.name || document.activeElement.id")


def paste(page, text):
    """Put text on the clipboard as a spreadsheet does and press Ctrl+V in the focused cell."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+V")


@pytest.fixture
def clipboard(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return page


def save(page, reason="Omprioritering"):
    page.get_by_label(REASON).fill(reason)
    page.get_by_role("button", name="Gem", exact=True).click()


def test_it_says_at_least_and_unknown_while_a_cell_is_typed_unknown(editor_page):
    page = editor_page
    cell(page, "26", 2022).fill("ukendt")

    expect(page.locator("#grid [data-total='1']")).to_have_text("mindst 83,6 + ukendt")
    expect(page.locator("#grid [data-left='1']")).to_have_text("ukendt")
    expect(page.locator("#grid [data-left='total']")).to_have_text("ukendt")
    expect(page.locator("#grid [data-left='0']")).to_have_text("0,0")


def test_it_moves_money_with_live_totals_logs_it_and_reverts_it_with_a_reason(editor_page):
    page = editor_page
    total_2022 = page.locator("#grid [data-total='1']")
    chapter_5 = page.locator("#grid tbody").nth(4).locator("[data-subtotal='1']")
    expect(total_2022).to_have_text("100,4")

    cell(page, "26", 2022).fill("15,8")
    expect(total_2022).to_have_text("99,4")
    expect(chapter_5).to_have_text("43,8")
    expect(page.locator(f"#line-{line('26').pk} ~ .row-total")).to_have_text("38,3")
    cell(page, "27", 2022).fill("17,8")
    expect(total_2022).to_have_text("100,4")
    cell(page, "27", 2022).fill("47,8")
    expect(page.locator("#frame-warning")).to_have_text("Bevillingerne overstiger rammen i 2022 med 30,0 mio. kr.")
    cell(page, "27", 2022).fill("17,8")
    expect(page.locator("#unsaved-count")).to_have_text("2 ændringer ikke gemt")

    save(page)
    expect(page.locator(".messages")).to_have_text("Gemt 2 celler.")
    expect(cell(page, "26", 2022)).to_have_value("15,8")

    page.get_by_role("link", name="Ændringslog").first.click()
    rows = page.locator("#changes tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Omprioritering")
    page.get_by_role("link", name="Tilbagefør denne gemning").click()
    expect(page.locator("#reverted tbody tr")).to_have_count(2)
    page.get_by_label(REASON).fill("Aftalen faldt")
    page.get_by_role("button", name="Tilbagefør denne gemning").click()
    expect(page.locator(".messages")).to_contain_text("Tilbageførte 2 celler.")
    expect(page.locator("#changes tbody tr")).to_have_count(4)
    expect(page.locator("#changes tbody tr").first).to_contain_text("Aftalen faldt")


def test_a_pasted_two_by_two_block_fills_four_cells_and_saves_four_amounts(editor_page, clipboard):
    page = editor_page
    cell(page, "26", 2022).click()

    paste(page, "1,1\t2,2\r\n3,3\t4,4\r\n")

    expect(cell(page, "26", 2022)).to_have_value("1,1")
    expect(cell(page, "26", 2023)).to_have_value("2,2")
    expect(cell(page, "27", 2022)).to_have_value("3,3")
    expect(cell(page, "27", 2023)).to_have_value("4,4")
    expect(page.locator("#grid-status")).to_have_text("Indsatte 4 celler.")
    save(page)
    expect(page.locator(".messages")).to_have_text("Gemt 4 celler.")
    assert [stored("26", 2022), stored("26", 2023), stored("27", 2022), stored("27", 2023)] == [
        Decimal("1.1"),
        Decimal("2.2"),
        Decimal("3.3"),
        Decimal("4.4"),
    ]


def test_a_pasted_block_in_english_notation_reads_as_the_same_amounts(editor_page, clipboard):
    page = editor_page
    cell(page, "26", 2022).click()

    paste(page, "1,234.5\t12.3")
    save(page)

    expect(page.locator(".messages")).to_have_text("Gemt 2 celler.")
    assert [stored("26", 2022), stored("26", 2023)] == [Decimal("1234.5"), Decimal("12.3")]


def test_it_refuses_a_block_too_large_for_the_grid_or_across_a_chapter_and_changes_nothing(editor_page, clipboard):
    page = editor_page
    cell(page, "26", 2023).click()
    paste(page, "1\t2")
    expect(page.locator("#grid-message")).to_contain_text("Blokken på 1 × 2 celler kan ikke være her")

    cell(page, "32", 2022).click()
    paste(page, "1\n2")
    expect(page.locator("#grid-message")).to_contain_text("Blokken ville gå hen over overskriften for kapitlet")

    cell(page, "26", 2021).click()
    page.keyboard.press("ArrowLeft")
    assert focused_name(page) == f"line-{line('26').pk}"
    paste(page, "1")
    expect(page.locator("#grid-message")).to_contain_text("ikke på en rækkes titel")
    expect(page.locator("#unsaved-count")).to_have_text("")
    expect(cell(page, "26", 2022)).to_have_value("16,8")


def test_ctrl_z_undoes_a_pasted_block_as_one_step_and_ctrl_y_redoes_it(editor_page, clipboard):
    page = editor_page
    cell(page, "26", 2022).click()
    paste(page, "1,1\t2,2\n3,3\t4,4")
    expect(cell(page, "27", 2023)).to_have_value("4,4")

    page.keyboard.press("Control+Z")

    for number, year in [("26", 2022), ("26", 2023), ("27", 2022), ("27", 2023)]:
        expect(cell(page, number, year)).to_have_value("16,8")
    expect(page.locator("#unsaved-count")).to_have_text("")
    expect(page.locator("#grid [data-total='1']")).to_have_text("100,4")
    page.keyboard.press("Control+Y")
    expect(cell(page, "27", 2023)).to_have_value("4,4")
    expect(page.locator("#unsaved-count")).to_have_text("4 ændringer ikke gemt")


def test_it_copies_a_selected_block_as_tab_separated_values(editor_page, clipboard):
    page = editor_page
    cell(page, "26", 2021).click()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowRight")

    page.keyboard.press("Control+C")

    assert page.evaluate("navigator.clipboard.readText()") == "5,7\t16,8\r\n8,6\t16,8\r\n"
    expect(page.locator("#grid-status")).to_have_text("Kopierede 4 celler.")


def test_arrows_enter_tab_and_escape_move_and_edit_as_in_a_spreadsheet(editor_page):
    page = editor_page
    cell(page, "26", 2022).click()
    key = f"{line('27').pk}"

    page.keyboard.press("ArrowDown")
    assert focused_name(page) == f"c-{key}-2022"
    page.keyboard.press("Enter")
    assert focused_name(page) == f"c-{line('28').pk}-2022"
    page.keyboard.press("Shift+Enter")
    assert focused_name(page) == f"c-{key}-2022"
    page.keyboard.press("ArrowRight")
    assert focused_name(page) == f"c-{key}-2023"
    page.keyboard.press("Shift+Tab")
    assert focused_name(page) == f"c-{key}-2022"

    page.keyboard.type("99")  # typing replaces the cell
    expect(cell(page, "27", 2022)).to_have_value("99")
    expect(page.locator("#grid [data-total='1']")).to_have_text("182,6")
    page.keyboard.press("Escape")  # puts back what it held
    expect(cell(page, "27", 2022)).to_have_value("16,8")
    expect(page.locator("#grid [data-total='1']")).to_have_text("100,4")

    page.keyboard.press("F2")  # edits the text as it is
    page.keyboard.type("5")
    expect(cell(page, "27", 2022)).to_have_value("16,85")
    page.keyboard.press("Escape")
    page.keyboard.type("7")
    page.keyboard.press("Enter")  # never submits
    expect(page).to_have_url(re.compile(r"/strategies/2021/edit/$"))
    assert focused_name(page) == f"c-{line('28').pk}-2022"
    expect(cell(page, "27", 2022)).to_have_value("7")
    expect(page.locator(".messages")).to_have_count(0)

    cell(page, "27", 2023).click()
    page.keyboard.press("Tab")  # past the row's end: on to the reason
    assert focused_name(page) == "reason"


def test_typing_two_numbers_into_one_cell_is_refused_with_a_message_and_nothing_is_saved(editor_page):
    page = editor_page
    before = cell_snapshot()
    cell(page, "26", 2022).fill("1,1 2,2")
    expect(cell(page, "26", 2022)).to_have_attribute("aria-invalid", "true")

    save(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Intet blev gemt")
    expect(summary).to_contain_text("“1,1 2,2” indeholder flere tal")
    summary.get_by_role("link").click()
    expect(cell(page, "26", 2022)).to_be_focused()
    expect(cell(page, "26", 2022)).to_have_value("1,1 2,2")
    assert cell_snapshot() == before


def test_a_remark_and_a_correction_are_written_in_the_cells_note(editor_page):
    page = editor_page
    cell(page, "33", 2023).click()
    page.keyboard.press("Shift+F2")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Note til 33")
    dialog.get_by_label("Bemærkning ved beløbet").fill("Tilbagebetalt")
    dialog.get_by_label("Korrektion").check()
    dialog.get_by_role("button", name="OK").click()
    expect(cell(page, "33", 2023)).to_be_focused()
    page.keyboard.type("-0,5")
    expect(page.locator("#grid [data-total='2']")).to_have_text("98,9")

    save(page, "Tilbagebetaling")

    expect(page.locator(".messages")).to_have_text("Gemt 1 celle.")
    saved = line("33").allocations.get(year=2023)
    assert (saved.amount, saved.remark, saved.is_correction) == (Decimal("-0.5"), "Tilbagebetalt", True)


def test_leaving_with_unsaved_changes_asks_first(editor_page):
    page = editor_page
    cell(page, "26", 2022).fill("15,8")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("link", name="Ændringslog").first.click()

    expect(page).to_have_url(re.compile(r"/strategies/2021/edit/$"))
    assert asked == ["beforeunload"]


def test_the_header_and_the_totals_stay_in_view_while_scrolling(browser, app_url, editor_login):
    context = browser.new_context(viewport={"width": 1280, "height": 700})
    page = context.new_page()
    try:
        editor_login(page, "anna")
        total = page.locator("#grid tfoot tr.total th")
        header = page.locator("#grid thead th#year-2021")
        page.locator("#grid-scroll").evaluate("box => { box.scrollTop = 0; }")
        page.evaluate("window.scrollTo(0, document.getElementById('grid-scroll').offsetTop)")
        expect(total).to_be_in_viewport()

        page.get_by_role("rowheader", name="Forhandlingsreserve").scroll_into_view_if_needed()

        expect(page.get_by_role("rowheader", name="Forhandlingsreserve")).to_be_in_viewport()
        expect(header).to_be_in_viewport()
        expect(total).to_be_in_viewport()
        expect(page.locator("#grid tfoot tr.left th")).to_be_in_viewport()
    finally:
        context.close()


def test_the_second_editors_stale_cell_is_marked_with_both_values_and_one_click_keeps_theirs(
    browser, app_url, editor_login
):
    first_context, second_context = browser.new_context(), browser.new_context()
    first, second = first_context.new_page(), second_context.new_page()
    try:
        editor_login(first, "anna")
        editor_login(second, "bo")

        cell(first, "26", 2022).fill("20,0")
        save(first, "Først")
        expect(first.locator(".messages")).to_have_text("Gemt 1 celle.")

        cell(second, "26", 2022).fill("18,0")
        cell(second, "27", 2022).fill("17,0")
        save(second, "Bagefter")

        expect(second.locator(".conflicts")).to_contain_text("nu 20,0, din 18,0")
        conflicting = second.locator("td.conflict")
        expect(conflicting).to_have_count(1)
        expect(conflicting).to_contain_text("nu 20,0, din 18,0")
        expect(cell(second, "26", 2022)).to_have_value("20,0")
        expect(cell(second, "27", 2022)).to_have_value("17,0")
        conflicting.get_by_role("button", name="Behold min").click()
        expect(cell(second, "26", 2022)).to_have_value("18,0")
        expect(second.locator("#grid-status")).to_have_text("Din værdi står i cellen igen; gem for at gemme den.")
        save(second, "Min værdi står")
        expect(second.locator(".messages")).to_have_text("Gemt 1 celle.")
        assert stored("26", 2022) == Decimal("18.0")
    finally:
        first_context.close()
        second_context.close()


def test_the_grid_saves_without_javascript(browser, app_url, editor_login):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        editor_login(page, "anna")
        expect(page.locator("#grid-toolbar")).to_be_hidden()
        cell(page, "26", 2022).fill("15,8")
        cell(page, "37", 2021).fill("0,6")

        save(page)

        expect(page.locator(".messages")).to_have_text("Gemt 2 celler.")
        saved = line("37").allocations.get(year=2021)
        assert (stored("26", 2022), saved.amount, saved.remark) == (
            Decimal("15.8"),
            Decimal("0.6"),
            "Øvrig 5 er finansieret",
        )
    finally:
        context.close()


def test_the_grid_is_used_by_keyboard_alone_and_names_every_cell(editor_page, axe_violations):
    page = editor_page
    name = "26 Styrket internationalt myndighedssamarbejde til fremme af dansk eksport, 2022"
    expect(page.get_by_role("textbox", name=name, exact=True)).to_have_count(1)
    assert axe_violations(page) == []

    for _ in range(40):
        page.keyboard.press("Tab")
        if focused_name(page).startswith("c-"):
            break
    assert focused_name(page) == f"c-{line('1').pk}-2021"
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.type("4,2")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_name(page) == "reason"
    page.keyboard.type("Ny fordeling")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_have_text("Gemt 1 celle.")
    assert stored("4", 2021) == Decimal("4.2")
    cell(page, "26", 2022).fill("1,1 2,2")
    save(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert axe_violations(page) == []


SAMPLE_TEXTS = [
    "16,8",
    "1.234,5",
    "16.8",
    "1,234.5",
    "1 234,5",
    "2\u00a0000",
    "1,1 2,2",
    "1,1\t2,2",
    "0,5 Øvrig 5 er finansieret",
    "-0,5",
    "\u22120,5",
    "-9999999,9",
    "10.000,1",
    "10.000,0",
    "ukendt",
    "Unknown",
    "Er finansieret",
    "+5 finansieret",
    ".5",
    "١٢٣",
    "1,234",
    "16,85",
    "16,80",
    "\ufeff16,8",
    "16,8\x85",
    " - ",
    "–",
    "",
    "abc",
]


def random_texts(count: int) -> list[str]:
    generator = random.Random(16)
    alphabet = "0123456789.,- \u00a0\u202f\u2212eE+\tukendtfinasr"
    return ["".join(generator.choice(alphabet) for _ in range(generator.randint(0, 12))) for _ in range(count)]


def python_reading(text: str, correction: bool) -> list:
    try:
        parsed = parse_cell(text, correction=correction)
    except ValueError:
        return ["invalid", 0]
    if parsed is None:
        return ["empty", 0]
    return [parsed.kind, int(parsed.amount * 10) if parsed.amount is not None else 0]


def test_the_script_reads_every_cell_as_the_server_does(editor_page):
    texts = SAMPLE_TEXTS + random_texts(400)
    expected = [python_reading(text, correction) for text in texts for correction in (False, True)]
    # The login lands on the grid before its deferred scripts have run, on a busy machine.
    editor_page.wait_for_function("typeof BudgetCells !== 'undefined'")

    read = editor_page.evaluate(
        """texts => texts.flatMap(text => [false, true].map(correction => {
            const reading = BudgetCells.read(text, correction);
            return [reading.kind, reading.tenths];
        }))""",
        texts,
    )

    mismatches = [
        (text, correction, python, script)
        for (text, correction), python, script in zip(
            [(text, correction) for text in texts for correction in (False, True)], expected, read, strict=True
        )
        if python != script
    ]
    assert mismatches == [], "\n".join(map(repr, mismatches))


def test_it_keeps_the_public_out_of_the_editor(page, app_url):
    page.goto(f"{app_url}/strategies/2021/")
    expect(page.get_by_role("link", name="Rediger budgettet")).to_have_count(0)

    page.goto(f"{app_url}/strategies/2021/edit/")

    expect(page).to_have_url(f"{app_url}/accounts/login/?next=/strategies/2021/edit/")
    expect(page.locator("#grid")).to_have_count(0)
