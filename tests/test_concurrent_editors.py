"""Eight editors save one strategy's grid at once, through gunicorn: no accepted save is lost, none refused unseen.

Each editor has a browser session of its own, saves cells that every editor also saves (overlapping) and cells only
they save (disjoint), always with the versions of the grid they last saw, as a person in a browser would. Every tenth
save also carries a cell that cannot be read. A reader browses the public pages meanwhile, so the page cache fills
while the figures move. Afterwards the client's record of what each editor was told is held against the database and
the audit trail.

`make test` runs 8 editors x 20 saves; `make bench-load` runs the long form, LOAD_SAVES=200.

A second test holds two changes open at once, to show that a page cached between their commits is not kept.
"""

import os
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from budgets.models import Allocation, BudgetLine
from budgets.services import seed_strategies
from initiatives.models import Strategy
from tests.helpers import publish_draft, table_rows
from tests.live_app import AppServer, Visitor, amount, database_url, grid_form

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 8
SAVES = int(os.environ.get("LOAD_SAVES", "20"))
SLUG = "2021"
GRID = f"/strategies/{SLUG}/edit/"
PUBLIC = f"/strategies/{SLUG}/"
API = f"/api/allocations/?strategy={SLUG}&amounts=string"  # decimal strings, summed exactly
INVALID_EVERY = 10
NOT_AN_AMOUNT = "mange penge"


@dataclass
class Write:
    """One cell of one save, as the editor meant it and as the app answered."""

    editor: str
    reason: str
    cell: tuple[int, int]
    value: Decimal | None  # None empties the cell
    outcome: str = "unanswered"  # accepted, conflict or invalid
    event: object = field(default=None, repr=False)  # its row in the audit trail, once found


@dataclass
class Save:
    editor: str
    reason: str
    writes: list[Write]
    invalid: bool
    status: int = 0
    reported: bool = False


@dataclass
class Run:
    saves: list[Save] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures.append(text)

    @property
    def writes(self) -> list[Write]:
        return [write for save in self.saves for write in save.writes]


def cells(count: int) -> str:
    """A number of cells as the messages write it in Danish: "1 celle", "2 celler"."""
    return f"{count} celle" if count == 1 else f"{count} celler"


def conflicted_cells(page, titles: dict[str, int]) -> set[tuple[int, int]]:
    """The cells the 409 page lists as saved by someone else: 'number title, year: nu theirs, din yours'."""
    cells = set()
    for item in page.conflicts:
        title, year = item.split(": nu ", 1)[0].rsplit(", ", 1)
        cells.add((titles[title], int(year)))
    return cells


def edit(number: int, username: str, shared: list, own: list, base_url: str, start: threading.Barrier, run: Run):
    rng = random.Random(number)
    visitor = Visitor(base_url)
    try:
        visitor.log_in(username)
        page = visitor.get(GRID)
        titles = {title: line_id for line_id, title in page.titles.items()}
        start.wait(timeout=120)
        for n in range(SAVES):
            reason = f"load {username} #{n}"
            shown = page.cells()
            chosen = rng.sample(shared, rng.randint(0, 2)) + rng.sample(own, rng.randint(1, 2))
            typed, writes = {}, []
            for k, cell in enumerate(chosen, start=1):
                if cell in shared and shown[cell][0] and rng.random() < 0.2:
                    typed[cell], value = "", None
                else:
                    # Unique per editor, save and cell, so the audit trail can be matched to what was sent.
                    typed[cell], value = f"{number + 1}{n:03d},{k}", Decimal(f"{number + 1}{n:03d}.{k}")
                writes.append(Write(username, reason, cell, value))
            invalid = n % INVALID_EVERY == INVALID_EVERY - 1
            if invalid:
                typed[own[-1]] = NOT_AN_AMOUNT
                writes = [write for write in writes if write.cell != own[-1]]
            save = Save(username, reason, writes, invalid)
            with run.lock:
                run.saves.append(save)

            answer = visitor.post(GRID, grid_form(page, typed, reason))
            save.status = answer.status
            if answer.status == 302 and not invalid:
                page = visitor.get(GRID)
                save.reported = f"Gemt {cells(len(writes))}." in page.messages
                for write in writes:
                    write.outcome = "accepted"
            elif answer.status == 409 and not invalid:
                page = answer
                refused = conflicted_cells(answer, titles)
                saved = len(writes) - len(refused)
                save.reported = bool(refused) and any(
                    message.startswith(f"Gemt {cells(saved)}. {cells(len(refused))} blev ændret af en anden imens")
                    for message in answer.messages
                )
                for write in writes:
                    write.outcome = "conflict" if write.cell in refused else "accepted"
            elif answer.status == 400 and invalid:
                save.reported = f"“{NOT_AN_AMOUNT}” er hverken et beløb" in answer.text
                for write in writes:
                    write.outcome = "invalid"
                page = visitor.get(GRID)
            else:
                run.fail(f"{username}, save {n}: HTTP {answer.status} {answer.alerts or answer.text[:300]!r}")
                page = visitor.get(GRID)
            if "csrfmiddlewaretoken" not in page.inputs:
                run.fail(f"{username}, after save {n}: no grid to go on with (HTTP {page.status})")
                return
    except Exception as error:  # a thread's failure must reach the test, not vanish with the thread
        run.fail(f"{username}: {type(error).__name__}: {error}")
        start.abort()
    finally:
        visitor.close()


def read(base_url: str, done: threading.Event, run: Run) -> None:
    """An anonymous reader on the public page and the API while the editors save, so both caches fill."""
    visitor = Visitor(base_url)
    try:
        for _ in range(SAVES * 4):
            if done.is_set():
                return
            for path in (PUBLIC, API):
                page = visitor.get(path)
                if page.status != 200:
                    run.fail(f"reader: {path} answered HTTP {page.status}")
                    return
    except Exception as error:
        run.fail(f"reader: {type(error).__name__}: {error}")
    finally:
        visitor.close()


def cells_under_load() -> tuple[list, list[list]]:
    """Three cells every editor saves (one of them blank, so editors race to create it) and two per editor."""
    lines = list(BudgetLine.objects.for_strategy(Strategy.objects.get(slug=SLUG)).order_by("position"))
    blank = next(line for line in lines if not line.allocations.exists())
    filled = [line for line in lines if line.allocations.filter(year=2022).exists()]
    shared = [(blank.pk, 2021), (filled[0].pk, 2022), (filled[1].pk, 2021)]
    own = [[(line.pk, 2022), (line.pk, 2023)] for line in filled[2 : 2 + EDITORS]]
    return shared, own


@pytest.fixture
def app(tmp_path, make_editor, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A transactional test starts from a flushed database, without the session's seed.
    seed_strategies()
    usernames = [make_editor(f"redaktoer-{number}", SLUG).username for number in range(EDITORS)]
    with AppServer(database_url(connection.settings_dict), tmp_path / "gunicorn.log", workers=3, threads=4) as server:
        yield server, usernames


def test_it_keeps_every_accepted_save_and_reports_every_refused_one_under_eight_concurrent_editors(app):
    server, usernames = app
    shared, own = cells_under_load()
    run, start, done = Run(), threading.Barrier(EDITORS + 1), threading.Event()
    editors = [
        threading.Thread(target=edit, args=(number, username, shared, own[number], server.url, start, run))
        for number, username in enumerate(usernames)
    ]
    reader = threading.Thread(target=read, args=(server.url, done, run))
    for thread in editors:
        thread.start()
    try:
        start.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass  # an editor failed before the start, and says why in run.failures
    started = time.monotonic()
    reader.start()
    for thread in editors:
        thread.join(timeout=1800)
    done.set()
    reader.join(timeout=60)
    elapsed = time.monotonic() - started

    assert not run.failures, "\n".join(run.failures[:20]) + "\n" + server.log_tail()
    assert len(run.saves) == EDITORS * SAVES

    report = check_audit_trail(run)
    check_final_cells(run)
    check_totals(server.url)

    outcomes = Counter(write.outcome for write in run.writes)
    partly = sum(1 for save in run.saves if save.status == 409 and save_accepted(save))
    stale = sum(1 for save in run.saves if save.status == 409 and not save_accepted(save))
    unreadable = sum(1 for save in run.saves if save.status == 400)
    print(
        f"\n{EDITORS} editors x {SAVES} saves in {elapsed:.1f} s: saves attempted {len(run.saves)}, "
        f"accepted {len(run.saves) - stale - unreadable} ({partly} of them in part), refused {stale + unreadable} "
        f"({stale} stale, {unreadable} unreadable), lost {report['lost_saves']}; cell writes attempted "
        f"{len(run.writes)}, accepted {outcomes['accepted']}, refused {outcomes['conflict'] + outcomes['invalid']} "
        f"({outcomes['conflict']} stale, {outcomes['invalid']} in an unreadable save), lost {report['lost']}; "
        f"written though refused {report['phantom']}, refusals not reported {report['unreported']}"
    )
    assert report["unreported"] == 0
    assert report["lost"] == 0 and report["lost_saves"] == 0
    assert report["phantom"] == 0
    # The run only proves something if the editors really did collide and really were refused.
    assert outcomes["conflict"] > 0 and outcomes["accepted"] > 0 and unreadable > 0


def save_accepted(save: Save) -> bool:
    return any(write.outcome == "accepted" for write in save.writes)


def check_audit_trail(run: Run) -> dict:
    """Each accepted cell has its one event, with the editor, the reason and the value; refused cells have none."""
    events = defaultdict(list)
    for event in (
        apps.get_model("budgets", "AllocationEvent")
        .objects.filter(pgh_context__metadata__reason__startswith="load ")
        .select_related("pgh_context")
    ):
        events[(event.pgh_context.metadata["reason"], event.line_id, event.year)].append(event)
    lost = phantom = 0
    lost_saves, save_ids = set(), {}
    for save in run.saves:
        ids = set()
        for write in save.writes:
            found = events.pop((write.reason, *write.cell), [])
            if write.outcome != "accepted":
                phantom += len(found)
                continue
            matching = [
                event
                for event in found
                if event.pgh_context.metadata["username"] == write.editor
                and (
                    (write.value is None and event.pgh_label == "delete")
                    or (write.value is not None and event.pgh_label != "delete" and event.amount == write.value)
                )
            ]
            if len(found) != 1 or len(matching) != 1:
                lost += 1
                lost_saves.add(save.reason)
                continue
            write.event = matching[0]
            ids.add(matching[0].pgh_context.metadata["save"])
        assert len(ids) <= 1, f"{save.reason} was recorded as several saves: {ids}"
        if ids:
            save_ids[ids.pop()] = save.reason
    phantom += sum(len(found) for found in events.values())
    assert len(save_ids) == sum(1 for save in run.saves if save_accepted(save)) - len(lost_saves)
    unreported = sum(1 for save in run.saves if not save.reported)
    return {"lost": lost, "lost_saves": len(lost_saves), "phantom": phantom, "unreported": unreported}


def check_final_cells(run: Run) -> None:
    """Each cell holds the last accepted write to it, and its versions count every change without a gap."""
    last = {}
    for write in run.writes:
        if write.event is not None:
            if write.cell not in last or write.event.pgh_id > last[write.cell].event.pgh_id:
                last[write.cell] = write
    assert last, "no save was accepted"
    stored = {(cell.line_id, cell.year): cell for cell in Allocation.objects.filter(line__strategy__slug=SLUG)}
    for cell, write in last.items():
        current = stored.get(cell)
        if write.value is None:
            assert current is None, f"{cell} should be empty after {write.reason}"
        else:
            assert current is not None and current.amount == write.value, f"{cell} lost {write.reason}"
            assert current.version == write.event.version

    history = defaultdict(list)
    for event in (
        apps.get_model("budgets", "AllocationEvent")
        .objects.filter(line__strategy__slug=SLUG)
        .order_by("pgh_id")
        .only("pgh_id", "pgh_label", "line_id", "year", "version")
    ):
        history[(event.line_id, event.year)].append(event)
    for cell in last:
        previous = None
        for event in history[cell]:
            if event.pgh_label == "insert":
                expected = 1
            elif event.pgh_label == "update":
                expected = previous.version + 1
            else:
                expected = previous.version
            assert previous is None or previous.pgh_label != "delete" or event.pgh_label == "insert"
            assert event.version == expected, f"{cell}: version {event.version} after {previous and previous.version}"
            previous = event


def check_totals(base_url: str) -> None:
    """Once the draft is published, the public page (from the page cache) and the API add up to what the database
    holds."""
    publish_draft(SLUG, note="Efter belastningen")
    stored = Allocation.objects.filter(line__strategy__slug=SLUG).by_year()
    strategy = Strategy.objects.get(slug=SLUG)
    reader = Visitor(base_url)
    try:
        page = reader.get(PUBLIC)
        total = next(row for row in table_rows(page.text, "budget-table") if row[1] == "I alt")
        shown = dict(zip(strategy.years, [amount(text) for text in total[2:]], strict=False))
        assert shown == {year: stored[year].amount for year in strategy.years}

        sums, path = defaultdict(Decimal), API
        while path:
            answer = reader.session.get(base_url + path, timeout=60).json()
            for row in answer["results"]:
                sums[row["year"]] += Decimal(row["amount"] or "0")
            path = answer["next"] and answer["next"].removeprefix(base_url)
        assert dict(sums) == {year: stored[year].amount for year in strategy.years}
    finally:
        reader.close()


def change_and_hold(slug: str, amount: Decimal, changed: threading.Event, commit: threading.Event, pids: dict):
    """Change one cell of a strategy and publish it in a transaction of this thread's own, and commit only when
    told to."""
    try:
        connection.ensure_connection()
        pids[slug] = connection.connection.get_backend_pid()
        with transaction.atomic():
            cell = Allocation.objects.filter(line__strategy__slug=slug, kind="amount").order_by("pk").first()
            cell.amount = amount
            cell.save()
            publish_draft(slug)
            changed.set()
            commit.wait(timeout=60)
    finally:
        connection.close()


def wait_for_lock_wait(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for a lock")


def test_it_never_serves_a_page_cached_between_two_publications_committed_at_once(settings):
    """Two strategies published at once: a visitor between the two commits must not keep the older page for good."""
    settings.PAGE_CACHE = True
    seed_strategies()
    visitor, pids = Client(), {}
    first = [threading.Event(), threading.Event()]
    second = [threading.Event(), threading.Event()]
    a = threading.Thread(target=change_and_hold, args=("2021", Decimal("123.4"), *first, pids))
    b = threading.Thread(target=change_and_hold, args=("2030", Decimal("987.6"), *second, pids))
    try:
        a.start()
        assert first[0].wait(timeout=30)
        b.start()
        # The second publication reaches the figures' generation while the first still holds it.
        while "2030" not in pids:
            time.sleep(0.01)
        wait_for_lock_wait(pids["2030"])
        first[1].set()
        a.join(timeout=30)
        assert second[0].wait(timeout=30)
        between = visitor.get("/strategies/2030/").content.decode()
        assert "987,6" not in between
    finally:
        first[1].set()
        second[1].set()
        a.join(timeout=30)
        b.join(timeout=30)

    assert "987,6" in visitor.get("/strategies/2030/").content.decode()
    assert "123,4" in visitor.get("/strategies/2021/").content.decode()
