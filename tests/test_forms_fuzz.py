"""Every form of the project, through its real view, fed anything: unicode, NUL, SQL, 10.000 characters, numbers
too big for any column. The answer is a page or a 4xx, never a 500, and a refused form changes nothing.

Each example runs in a transaction of its own that is rolled back, so examples do not see each other's saves.
"""

import contextlib
import string
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from budgets.cells import format_cell, parse_cell
from budgets.models import Allocation, Baseline, CellKind
from budgets.text import has_control_characters
from editing.services import REASON_LENGTH
from initiatives.models import Initiative
from tests.helpers import cell_snapshot

pytestmark = pytest.mark.django_db

HOSTILE = [
    "' OR 1=1 --",
    "1; DROP TABLE initiatives_initiative; --",
    "\x00",
    "a\x00b",
    "%00",
    "9" * 30,
    "-1",
    "1e999",
    "NaN",
    "²",
    "٣",
    "2021-02-30",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "x" * 10_000,
    "🙂" * 1000,
]
# One value of a field: short arbitrary text, a known troublemaker, or an integer far outside any column.
hostile = st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE), st.integers(-(2**70), 2**70).map(str))
many = st.lists(hostile, max_size=3)


def fuzz(examples: int):
    # The test client and the database are function-scoped fixtures, shared by a test's examples on purpose:
    # each example rolls its own changes back.
    return settings(
        max_examples=examples,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def superuser_client(client, staff_user):
    client.force_login(staff_user)
    return client


def query(**fields) -> dict:
    """Query-string fields to send, leaving out those Hypothesis left empty."""
    return {name: value for name, value in fields.items() if value not in (None, [])}


class TestPublicForms:
    @given(
        q=hostile,
        strategy=hostile,
        chapter=hostile,
        theme=hostile,
        year_from=hostile,
        year_to=hostile,
        funding=hostile,
        page=hostile,
        sort=hostile,
    )
    @example(q="", strategy="", chapter="", theme="", year_from="", year_to="", funding="", page="", sort=".")
    @fuzz(40)
    def test_the_initiative_filter_answers_a_page_or_400(self, client, **fields):
        with rolled_back():
            response = client.get("/initiatives/", query(**fields))

        assert response.status_code in (200, 400)

    @given(strategy=many, year=many, by=hostile, export=st.sampled_from([None, "csv"]))
    @fuzz(25)
    def test_the_compare_form_answers_a_page_or_400(self, client, **fields):
        with rolled_back():
            page = client.get("/compare/", query(**fields))
            workbook = client.get("/compare/export.xlsx", query(**fields))
            api = client.get("/api/comparison/", query(**fields))

        assert page.status_code in (200, 400)
        assert workbook.status_code == page.status_code
        assert api.status_code == page.status_code

    @given(sort=hostile, export=st.sampled_from([None, "csv", "xlsx"]))
    @example(sort=".", export=None)  # once a deprecation warning from django-tables2 about its accessors
    @fuzz(20)
    def test_the_strategy_table_sorts_by_anything_without_failing(self, client, **fields):
        with rolled_back():
            response = client.get("/strategies/2021/", query(**fields))

        assert response.status_code == 200

    @given(language=hostile, next=st.one_of(hostile, st.sampled_from(["//evil.example/", "https://evil.example/x"])))
    @fuzz(20)
    def test_choosing_a_language_never_leads_off_the_site(self, client, **fields):
        with rolled_back():
            response = client.post("/i18n/setlang/", fields)

        assert response.status_code == 302
        assert urlsplit(response["Location"]).netloc in ("", "testserver")

    @given(username=hostile, password=hostile)
    @example(username="x" * 10_000, password="0")  # once a 500: django-axes could not store the name
    @fuzz(20)
    def test_the_login_form_refuses_any_made_up_user(self, client, **fields):
        with rolled_back():
            response = client.post("/accounts/login/", fields)

            # 429 once django-axes locks the made-up name out.
            assert response.status_code in (200, 429)
            assert "_auth_user_id" not in client.session

    @given(email=hostile)
    @fuzz(20)
    def test_the_password_reset_form_mails_nobody_it_does_not_know(self, client, email):
        with override_settings(PASSWORD_RESET=True), rolled_back():
            response = client.post("/accounts/password_reset/", {"email": email})

        assert response.status_code in (200, 302)
        assert mail.outbox == []


class TestApiFilters:
    @given(
        strategy=hostile,
        chapter=hostile,
        theme=hostile,
        year=hostile,
        year_from=hostile,
        year_to=hostile,
        kind=hostile,
        page=hostile,
        page_size=hostile,
        ordering=hostile,
    )
    @fuzz(40)
    def test_the_allocation_filters_answer_data_or_4xx_and_never_more_than_a_page(self, client, **fields):
        with rolled_back():
            response = client.get("/api/allocations/", query(**fields))
            csv = client.get("/api/allocations.csv", query(**fields))
            csv_status = csv.status_code
            if csv.streaming:
                b"".join(csv.streaming_content)

        assert response.status_code in (200, 400, 404)
        assert csv_status in (200, 400)
        if response.status_code == 200:
            body = response.json()
            assert body["count"] <= Allocation.objects.count()
            assert len(body["results"]) <= 1000

    @given(strategy=hostile, chapter=hostile, theme=hostile, page=hostile, page_size=hostile, format=hostile)
    @fuzz(25)
    def test_the_initiative_and_chapter_filters_answer_data_or_4xx(self, client, **fields):
        with rolled_back():
            initiatives = client.get("/api/initiatives/", query(**fields))
            chapters = client.get("/api/chapters/", query(strategy__slug=fields["strategy"]))
            frames = client.get("/api/frames/", query(strategy__slug=fields["strategy"]))

        assert initiatives.status_code in (200, 400, 404)
        assert chapters.status_code in (200, 400)
        assert frames.status_code in (200, 400)
        if initiatives.status_code == 200:
            assert initiatives.json()["count"] <= Initiative.objects.count()


class TestEditingForms:
    @given(
        cells=st.lists(
            st.one_of(
                hostile,
                st.text(alphabet=string.digits + ".,- ", max_size=12),
                st.sampled_from(["ukendt", "Er finansieret", "-1,0 korrektion", "10.000,1", "", "1,1 2,2", "1 234,5"]),
            ),
            min_size=1,
            max_size=3,
        ),
        reason=st.one_of(hostile, st.just("Rettelse")),
    )
    @fuzz(20)
    def test_the_grid_saves_what_it_reads_and_changes_nothing_when_it_refuses(self, superuser_client, cells, reason):
        with rolled_back():
            page = superuser_client.get("/strategies/2021/edit/")
            data = {"reason": reason}
            names = []
            for section in page.context["sections"]:
                for row in section["lines"]:
                    for cell in row["cells"]:
                        suffix = cell["name"][2:]
                        data |= {
                            cell["name"]: cell["value"],
                            f"o-{suffix}": cell["shown"],
                            f"v-{suffix}": cell["version"],
                        }
                        names.append(cell["name"])
            typed = dict(zip(names[:: len(names) // len(cells)], cells, strict=False))
            data |= typed
            before = cell_snapshot()

            response = superuser_client.post("/strategies/2021/edit/", data)

            assert response.status_code in (302, 400), response.status_code
            if response.status_code == 400:
                assert cell_snapshot() == before
            else:
                for name, text in typed.items():
                    _, line_id, year = name.split("-")
                    stored = Allocation.objects.filter(line_id=line_id, year=year).first()
                    assert format_cell(stored) == format_cell(parse_cell(text))

    @given(name=hostile)
    @fuzz(20)
    def test_a_baseline_is_frozen_under_a_good_name_and_refused_under_a_bad_one(self, superuser_client, name):
        with rolled_back():
            before = Baseline.objects.count()

            response = superuser_client.post("/strategies/2021/baselines/", {"name": name})

            assert response.status_code in (302, 400)
            if response.status_code == 302:
                assert Baseline.objects.filter(name=name.strip()).exists()
            else:
                assert Baseline.objects.count() == before

    @given(since=hostile, until=hostile, user=hostile, initiative=hostile, old=hostile, new=hostile)
    @fuzz(25)
    def test_the_change_log_and_baseline_filters_answer_a_page_or_400(self, superuser_client, **fields):
        with rolled_back():
            log = superuser_client.get(
                "/strategies/2021/changes/",
                query(**{name: fields[name] for name in ("since", "until", "user", "initiative")}),
            )
            export = superuser_client.get(
                "/strategies/2021/changes/export.xlsx", query(since=fields["since"], until=fields["until"])
            )
            baselines = superuser_client.get(
                "/strategies/2021/baselines/", {"from": fields["old"], "to": fields["new"]}
            )

        assert log.status_code in (200, 400)
        assert export.status_code in (200, 400)
        assert baselines.status_code in (200, 400)

    @given(reason=hostile)
    @fuzz(15)
    def test_a_revert_with_a_bad_reason_changes_nothing(self, superuser_client, staff_user, reason):
        from editing.services import CellEdit, save_grid
        from initiatives.models import Strategy

        with rolled_back():
            strategy = Strategy.objects.get(slug="2021")
            cell = Allocation.objects.filter(line__strategy=strategy, kind=CellKind.AMOUNT).first()
            saved = save_grid(
                strategy, staff_user, [CellEdit(cell.line_id, cell.year, parse_cell("1,0"), cell.version)], "x"
            )
            before = cell_snapshot()

            response = superuser_client.post(f"/strategies/2021/changes/{saved.save_id}/revert/", {"reason": reason})

            # The rules of every save's reason (editing.services.validate), a revert's included.
            refused = not reason.strip() or has_control_characters(reason) or len(reason) > REASON_LENGTH
            assert response.status_code == (400 if refused else 302)
            if refused:
                assert cell_snapshot() == before

    @given(content=st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(lambda tail: b"PK\x03\x04" + tail)))
    @fuzz(20)
    def test_an_upload_of_any_bytes_is_refused_and_writes_nothing(self, superuser_client, content):
        with rolled_back():
            before = cell_snapshot()

            response = superuser_client.post(
                "/strategies/2021/import/", {"workbook": SimpleUploadedFile("budget.xlsx", content)}
            )
            confirm = superuser_client.post("/strategies/2021/import/", {"confirm": "1", "reason": "\x00"})

            assert response.status_code == 400
            assert confirm.status_code == 302  # the preview has expired: nothing to confirm
            assert cell_snapshot() == before

    @given(title=hostile, change_reason=hostile, number=hostile)
    @fuzz(20)
    def test_the_admin_keeps_an_initiative_as_it_was_when_it_refuses_a_change(self, superuser_client, **fields):
        with rolled_back():
            item = Initiative.objects.filter(chapter__strategy__slug="2021").first()
            data = {
                "chapter": item.chapter_id,
                "number": fields["number"],
                "position": item.position,
                "title": fields["title"],
                "theme": item.theme,
                "source": item.source,
                "retired_on": "",
                "change_reason": fields["change_reason"],
            }
            for prefix in ("BudgetLine_initiatives", "predecessor_links", "successor_links"):
                data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
            before = Initiative.objects.filter(pk=item.pk).values().get()

            response = superuser_client.post(f"/admin/initiatives/initiative/{item.pk}/change/", data)

            assert response.status_code in (200, 302)
            after = Initiative.objects.filter(pk=item.pk).values().get()
            if response.status_code == 200:
                assert after == before
            else:
                assert (after["title"], after["number"]) == (fields["title"].strip(), fields["number"].strip())
