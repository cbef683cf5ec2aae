"""Every URL of the project × every role × GET and POST: the status each must get, from the rules kept here.

The URLs are read from the URL conf (the admin's included), so a URL that nobody wrote a rule for fails the
test by name, and so does a rule whose URL is gone. POSTs are sent with CSRF checks enforced and a valid
token, so the matrix shows who may do what; a second pass sends each POST without a token, which must be
refused before any view runs (the read-only API, the only CSRF-exempt views, refuses POST outright).

A refused request must also change nothing: PostgreSQL counts the rows each request writes.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.forms import ModelMultipleChoiceField
from django.forms.models import InlineForeignKeyField
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from budgets.cells import parse_cell
from budgets.models import Allocation, BudgetLine, CellKind, Footnote, FundingFrame, PublishedTotal
from editing import urls as editing_urls
from editing.admin import CROSSING, STRATEGY_PATHS, strategy_of
from editing.models import StrategyEditor
from editing.roles import ADMINISTRATOR_GROUP, EDITOR_GROUP, ensure_roles
from editing.services import CellEdit, grant_approver, grant_editor, save_grid
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy
from tracking import urls as tracking_urls
from tracking.models import Authority

ROLES = ("anonymous", "viewer", "other_editor", "editor", "approver", "administrator", "superuser")
STAFF = ("other_editor", "editor", "approver", "administrator", "superuser")
CSRF_TOKEN = "matrixmatrixmatrixmatrixmatrix32"
# The strategy whose URLs are requested; "other_editor" edits only OTHER.
SLUG, OTHER = "2021", "2030"


@dataclass(frozen=True)
class Expect:
    status: int
    location: str = ""  # what a redirect's Location starts with
    writes: bool = False  # whether the request may write to the database

    def __str__(self):
        return f"{self.status} {self.location}".strip() + (" (writes)" if self.writes else "")


OK = Expect(200)
BAD = Expect(400)
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)
LOGIN = Expect(302, "/accounts/login/?next=")
ADMIN_LOGIN = Expect(302, "/admin/login/?next=")
ADMIN_INDEX = Expect(302, "/admin/")  # the admin's "no such object (or not yours)" redirect


def by_role(default: Expect, **roles: Expect) -> dict[str, Expect]:
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES}


def editing(
    get: Expect, post: Expect, *, anonymous_get=LOGIN, anonymous_post=LOGIN, refused_get=FORBIDDEN, refused_post=None
):
    """A page for the editors of the strategy: the public is sent to log in, other users are refused."""
    refused_post = refused_post or refused_get
    return {
        "GET": by_role(
            get, anonymous=anonymous_get, viewer=refused_get, other_editor=refused_get, approver=refused_get
        ),
        "POST": by_role(
            post, anonymous=anonymous_post, viewer=refused_post, other_editor=refused_post, approver=refused_post
        ),
    }


def approving(get: Expect, post: Expect, *, anonymous_get=LOGIN, refused_get=FORBIDDEN, refused_post=FORBIDDEN):
    """A page for approvers (administrators and superusers are approvers too): editors are refused like the rest."""
    refused = ("viewer", "other_editor", "editor")
    return {
        "GET": by_role(get, anonymous=anonymous_get, **dict.fromkeys(refused, refused_get)),
        "POST": by_role(post, anonymous=LOGIN, **dict.fromkeys(refused, refused_post)),
    }


def everyone(get: Expect, post: Expect):
    return {"GET": by_role(get), "POST": by_role(post)}


READ_ONLY = everyone(OK, NOT_ALLOWED)
LOGGED_IN_ONLY = {"GET": by_role(OK, anonymous=LOGIN), "POST": by_role(OK, anonymous=LOGIN)}

RULES = {
    # Public pages and files: anyone reads them; they take no POST.
    "health": READ_ONLY,
    "overview": READ_ONLY,
    "strategy_detail": READ_ONLY,
    # The comparison with the figures as first published moved to the versions page.
    "as_published": everyone(Expect(301, f"/strategies/{SLUG}/versions/"), NOT_ALLOWED),
    # Published versions, public; and their feed.
    "versions": READ_ONLY,
    "publications_feed": READ_ONLY,
    "strategy-versions": READ_ONLY,
    # Publishing: approvers only. A POST without a note is refused with the review shown again (400).
    "publish": approving(OK, BAD),
    # Cancelling is a POST only; version 1 is public already, so it is refused and the versions page says why.
    "cancel_publication": approving(NOT_ALLOWED, Expect(302, f"/strategies/{SLUG}/versions/"), refused_get=NOT_ALLOWED),
    "initiative_list": READ_ONLY,
    "initiative_detail": READ_ONLY,
    "compare": READ_ONLY,
    "compare_export": READ_ONLY,
    "all_export": READ_ONLY,
    "strategy_export": READ_ONLY,
    "source_document": READ_ONLY,
    "sources": READ_ONLY,
    "accessibility": READ_ONLY,
    # Files browsers and search engines ask for at fixed addresses.
    "robots_txt": READ_ONLY,
    "favicon": READ_ONLY,
    "sitemap": READ_ONLY,
    # Charts alone, for other sites to frame.
    "embed_overview": READ_ONLY,
    "embed_strategy": READ_ONLY,
    "embed_compare": READ_ONLY,
    "embed_initiative": READ_ONLY,
    # Open data.
    "api_index": READ_ONLY,
    "api_allocations_csv": READ_ONLY,
    "api_comparison": READ_ONLY,
    "api_fiscal_data_package": READ_ONLY,
    "api_schema": READ_ONLY,
    "api_catalog": READ_ONLY,
    "api_footnotes_csv": READ_ONLY,
    "api_published_totals_csv": READ_ONLY,
    "api_frames_csv": READ_ONLY,
    "api_initiatives_csv": READ_ONLY,
    "api_versions_csv": READ_ONLY,
    "footnote-list": READ_ONLY,
    "footnote-detail": READ_ONLY,
    "publishedtotal-list": READ_ONLY,
    "publishedtotal-detail": READ_ONLY,
    # Any other address under /api/: a JSON 404 (and, as everywhere in the API, a 405 to a POST).
    "api_not_found": everyone(NOT_FOUND, NOT_ALLOWED),
    "strategy-list": READ_ONLY,
    "strategy-detail": READ_ONLY,
    "chapter-list": READ_ONLY,
    "chapter-detail": READ_ONLY,
    "initiative-list": READ_ONLY,
    "initiative-detail": READ_ONLY,
    "allocation-list": READ_ONLY,
    "allocation-detail": READ_ONLY,
    "fundingframe-list": READ_ONLY,
    "fundingframe-detail": READ_ONLY,
    # Choosing a language sets a cookie and goes back: "/" when the request names no page.
    "set_language": everyone(Expect(302, "/"), Expect(302, "/")),
    # Logging in and out, and the password pages Django ships. Forms with errors are shown again (200).
    "login": everyone(OK, OK),
    # Logging out is logged (by django-axes).
    "logout": everyone(NOT_ALLOWED, Expect(302, "/", writes=True)),
    "password_change": LOGGED_IN_ONLY,
    "password_change_done": {"GET": by_role(OK, anonymous=LOGIN), "POST": by_role(NOT_ALLOWED, anonymous=LOGIN)},
    # Password reset mails a link: without a mail server (as here) its pages say to ask an administrator
    # (tests/test_login.py resets a password with mail set up).
    "password_reset": everyone(NOT_FOUND, NOT_FOUND),
    "password_reset_done": everyone(NOT_FOUND, NOT_FOUND),
    "password_reset_confirm": everyone(NOT_FOUND, NOT_FOUND),
    "password_reset_complete": everyone(NOT_FOUND, NOT_FOUND),
    # Editing a strategy: only its editors, administrators and superusers. A POST without valid data is a 400.
    "grid": editing(OK, BAD),
    "change_log": editing(OK, NOT_ALLOWED, anonymous_post=NOT_ALLOWED, refused_post=NOT_ALLOWED),
    "change_log_export": editing(OK, NOT_ALLOWED, anonymous_post=NOT_ALLOWED, refused_post=NOT_ALLOWED),
    "baselines": editing(OK, BAD),
    "import_workbook": editing(OK, BAD),
    # Reverting shows the cells it puts back and asks why; a POST without a reason changes nothing.
    "revert_save": editing(OK, BAD),
    "revert_change": editing(OK, BAD),
    # Progress and targets, public. The 2021 strategy sets no targets, so its target pages are not found.
    "progress": READ_ONLY,
    "targets": everyone(NOT_FOUND, NOT_ALLOWED),
    "target_detail": everyone(NOT_FOUND, NOT_ALLOWED),
    # The tracking's staff pages: only the strategy's editors. A POST without a reason (or a file) is a 400; the
    # measured values are of a target, which 2021 has none of.
    "tracking": editing(OK, NOT_ALLOWED, anonymous_post=NOT_ALLOWED, refused_post=NOT_ALLOWED),
    "edit_tracking": editing(OK, BAD),
    "import_status": editing(OK, BAD),
    "status_template": editing(OK, NOT_ALLOWED, anonymous_post=NOT_ALLOWED, refused_post=NOT_ALLOWED),
    "measurements": editing(NOT_FOUND, NOT_FOUND),
    # The tracking's open data, as JSON and CSV.
    **{
        f"api_{resource}{suffix}": READ_ONLY
        for resource in ("progress", "status_updates", "milestones", "targets", "indicators", "measurements")
        for suffix in ("", "_csv")
    },
}


@dataclass(frozen=True)
class Admin:
    """Who may v(iew), a(dd), c(hange) and d(elete) a model's rows in the admin. "Scoped" models show an editor
    only the rows of the strategies they edit; "records" are logs nobody adds to or edits, so a POST to their
    change page saves nothing but is accepted."""

    editor: str = ""
    administrator: str = ""
    superuser: str = "vacd"
    approver: str = ""  # approvers publish; in the admin they see nothing
    scoped: bool = False
    protected: bool = False  # the database refuses to delete the sample while others refer to it
    records: bool = False


LOG = Admin(superuser="vcd", records=True)
ADMIN_MODELS = {
    "auth.group": Admin(),
    "auth.user": Admin(administrator="vac"),
    "axes.accessattempt": LOG,
    "axes.accesslog": LOG,
    "axes.accessfailurelog": LOG,
    "initiatives.strategy": Admin(administrator="vac", protected=True),
    "initiatives.chapter": Admin("vac", "vac", scoped=True, protected=True),
    "initiatives.initiative": Admin("vac", "vac", scoped=True),
    "initiatives.initiativelink": Admin("vacd", "vacd", scoped=True),
    "budgets.budgetline": Admin("vc", "vc", scoped=True),
    "budgets.allocation": Admin("vacd", "vacd", scoped=True),
    "budgets.fundingframe": Admin(administrator="vac", scoped=True),
    "budgets.footnote": Admin(),
    "budgets.publishedtotal": Admin(),
    "editing.strategyeditor": Admin(administrator="vacd"),
    # The list of responsible authorities that editors keep.
    "tracking.authority": Admin("vac", "vac"),
}


def _admin_model_rules(label: str, access: Admin) -> dict[str, dict]:
    app_label, model_name = label.split(".")
    changelist = f"/admin/{app_label}/{model_name}/"

    def outside(role):
        # Scoped pages show a user only the strategies they edit: the approver edits none.
        return access.scoped and role in ("other_editor", "approver")

    def staff_rule(action, method, role) -> Expect:
        rights = getattr(access, "editor" if role == "other_editor" else role)
        may_view = bool({"v", "c"} & set(rights))
        if action == "changelist":
            return OK if may_view else FORBIDDEN
        if action == "add":
            return OK if "a" in rights else FORBIDDEN
        if action == "history":
            return ADMIN_INDEX if outside(role) else OK if may_view else FORBIDDEN
        if action == "change":
            if not may_view or (method == "POST" and "c" not in rights):
                return FORBIDDEN
            if outside(role):
                return ADMIN_INDEX
            return Expect(302, changelist, writes=True) if method == "POST" and access.records else OK
        if action == "delete":
            if "d" not in rights:
                return FORBIDDEN
            if outside(role):
                return ADMIN_INDEX
            if method == "GET" or (access.protected and not access.scoped):
                return OK
            # A scoped page asks for the reason first and shows its confirmation again without one (a redirect to
            # itself, under the changelist's address); with one it deletes and returns to the changelist.
            return Expect(302, changelist, writes=True)
        raise AssertionError(action)

    def rule(action):
        return {
            method: {role: staff_rule(action, method, role) if role in STAFF else ADMIN_LOGIN for role in ROLES}
            for method in ("GET", "POST")
        }

    rules = {f"admin:{app_label}_{model_name}_{action}": rule(action) for action in ADMIN_ACTIONS}
    # admin/<app>/<model>/<id>/ forwards staff to the change page, where the rules above apply.
    rules[f"admin/{app_label}/{model_name}/<path:object_id>/"] = {
        method: by_role(Expect(302, changelist), anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)
        for method in ("GET", "POST")
    }
    return rules


ADMIN_ACTIONS = ("changelist", "add", "change", "delete", "history")


def admin_rules() -> dict[str, dict]:
    rules = {}
    for label, access in ADMIN_MODELS.items():
        rules |= _admin_model_rules(label, access)
    staff = {"GET": by_role(OK, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)}
    rules |= {
        "admin:index": staff | {"POST": by_role(OK, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)},
        # A logged-in user who is not staff is told so on the login page.
        "admin:login": {"GET": by_role(OK, **dict.fromkeys(STAFF, ADMIN_INDEX)), "POST": by_role(OK)},
        "admin:logout": {
            "GET": by_role(NOT_ALLOWED, anonymous=ADMIN_INDEX, viewer=ADMIN_INDEX),
            "POST": by_role(Expect(302, "/", writes=True), anonymous=ADMIN_INDEX, viewer=ADMIN_INDEX),
        },
        "admin:password_change": staff | {"POST": by_role(OK, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)},
        "admin:password_change_done": staff | {"POST": by_role(NOT_ALLOWED, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)},
        # Without the parameters of a field to complete, the autocomplete refuses.
        "admin:autocomplete": {
            "GET": by_role(FORBIDDEN, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN),
            "POST": by_role(NOT_ALLOWED, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN),
        },
        "admin:jsi18n": staff | {"POST": by_role(NOT_ALLOWED, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)},
        # "View on site" of an initiative leads to its public page.
        "admin:view_on_site": {
            method: by_role(Expect(302, "http://testserver/initiatives/"), anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN)
            for method in ("GET", "POST")
        },
        # The initiatives app's index: every staff role but the approver has something there.
        "admin:app_list": {
            method: by_role(OK, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN, approver=NOT_FOUND)
            for method in ("GET", "POST")
        },
        "admin:auth_user_password_change": {
            method: by_role(FORBIDDEN, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN, administrator=OK, superuser=OK)
            for method in ("GET", "POST")
        },
        # Any other address under /admin/: staff get a 404, everyone else the login page.
        "admin/(?P<url>.*)$": {
            method: by_role(NOT_FOUND, anonymous=ADMIN_LOGIN, viewer=ADMIN_LOGIN) for method in ("GET", "POST")
        },
    }
    return rules


RULES |= admin_rules()


def url_patterns(patterns=None, prefix="", namespace=None):
    """(key, route, pattern) for every URL pattern: key is the pattern's (namespaced) name, else its route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name and ":".join(filter(None, [namespace, pattern.name]))
            yield name or route, route, pattern


PATTERNS = {key: (route, pattern) for key, route, pattern in url_patterns()}
EDITING_PAGES = {pattern.name for pattern in editing_urls.urlpatterns} | {
    pattern.name for pattern in tracking_urls.urlpatterns if pattern.callback.__module__ == "tracking.staff"
}


# The pages of the editing app and the admin, as the URL conf names them.
STAFF_PAGES = [key for key in PATTERNS if key in EDITING_PAGES or key.startswith(("admin:", "admin/"))]


@dataclass
class World:
    """The seeded strategies plus what the matrix needs: one user per role and a recorded save to revert."""

    users: dict
    sessions: dict  # role → the key of a session logged in as its user
    save_id: str
    event_id: int
    samples: dict  # model label → an object of strategy SLUG (or as near as the model gets)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        groups = ensure_roles(apps)
        make = get_user_model().objects.create_user
        users = {
            "viewer": make("viewer"),
            "other_editor": make("other-editor", is_staff=True),
            "editor": make("editor", is_staff=True),
            "approver": make("approver"),
            "administrator": make("administrator", is_staff=True),
            "superuser": get_user_model().objects.create_superuser("superuser", "root@example.org", None),
        }
        grant_editor(users["other_editor"], [Strategy.objects.get(slug=OTHER)])
        grant_editor(users["editor"], [Strategy.objects.get(slug=SLUG)])
        grant_approver(users["approver"])
        users["administrator"].groups.add(groups[ADMINISTRATOR_GROUP])
        strategy = Strategy.objects.get(slug=SLUG)
        cell = Allocation.objects.filter(line__strategy=strategy, kind=CellKind.AMOUNT).first()
        result = save_grid(
            strategy,
            users["editor"],
            [CellEdit(cell.line_id, cell.year, parse_cell("1,0"), cell.version)],
            "Matrix",
        )
        event = apps.get_model("budgets", "AllocationEvent").objects.filter(pgh_obj=cell).latest("pgh_id")
        axes = apps.get_app_config("axes")
        access = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "viewer", "http_accept": "*/*"}
        samples = {
            "auth.group": groups[EDITOR_GROUP],
            "auth.user": users["viewer"],
            "axes.accessattempt": axes.get_model("AccessAttempt").objects.create(
                **access, get_data="", post_data="", failures_since_start=1
            ),
            "axes.accesslog": axes.get_model("AccessLog").objects.create(**access),
            "axes.accessfailurelog": axes.get_model("AccessFailureLog").objects.create(**access),
            "initiatives.strategy": strategy,
            "initiatives.chapter": Chapter.objects.filter(strategy=strategy).first(),
            "initiatives.initiative": Initiative.objects.filter(chapter__strategy=strategy).first(),
            # A link between two strategies that "other_editor" does not edit.
            "initiatives.initiativelink": InitiativeLink.objects.filter(successor__chapter__strategy=strategy).first(),
            "budgets.budgetline": BudgetLine.objects.filter(strategy=strategy).first(),
            "budgets.allocation": cell,
            "budgets.fundingframe": FundingFrame.objects.filter(strategy=strategy).first(),
            "budgets.footnote": Footnote.objects.first(),
            "budgets.publishedtotal": PublishedTotal.objects.filter(strategy=strategy).first(),
            "editing.strategyeditor": StrategyEditor.objects.get(user=users["editor"]),
            "tracking.authority": Authority.objects.create(name="Lægemiddelstyrelsen"),
        }
        assert all(samples.values()), [label for label, sample in samples.items() if sample is None]
        sessions = {}
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield World(users, sessions, result.save_id, event.pk, samples)
        transaction.set_rollback(True)


def concrete_url(key: str, world: World) -> str:
    """The pattern with its parameters filled from real objects of strategy SLUG."""
    route, pattern = PATTERNS[key]
    names = list(pattern.pattern.regex.groupindex)
    model = _model_of(key, pattern)
    values = {
        "slug": SLUG,
        "save_id": world.save_id,
        "event_id": world.event_id,
        "name": "strategi-2030.txt",
        "app_label": "initiatives",
        "url": "no-such-page/",
        "path": "no-such-list/",
        "uidb64": "MQ",
        "token": "not-a-token",
        "id": world.samples["auth.user"].pk,
        "allocation_id": world.samples["budgets.allocation"].pk,
        "number": 1,
        "content_type_id": ContentType.objects.get_for_model(Initiative).pk,
    }
    if model is not None:
        values["pk"] = values["object_id"] = world.samples[model._meta.label_lower].pk
    elif "object_id" in names:  # the admin's "view on site"
        values["object_id"] = world.samples["initiatives.initiative"].pk
    kwargs = {name: values[name] for name in names}
    if pattern.name:
        return reverse(key, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1] or m[2]]), route).rstrip("$")


def _model_of(key, pattern):
    """The model whose object a detail URL shows: from the API's viewset or the admin's URL name."""
    viewset = getattr(pattern.callback, "cls", None)
    if (
        viewset is not None
        and getattr(viewset, "queryset", None) is not None
        and "pk" in pattern.pattern.regex.groupindex
    ):
        return viewset.queryset.model
    if key in ("initiative_detail", "edit_tracking", "embed_initiative"):
        return Initiative
    for model in admin.site._registry:
        app_label, model_name = model._meta.app_label, model._meta.model_name
        actions = [f"admin:{app_label}_{model_name}_{action}" for action in ("change", "delete", "history")]
        if key in [*actions, f"admin/{app_label}/{model_name}/<path:object_id>/"]:
            return model
    return None


# Sessions and the page cache are written by reading too.
WRITES_IGNORED = ("django_session", "strategy_tracker_cache")


def rows_written() -> dict:
    """Rows inserted, updated and deleted in this transaction so far, per table, sessions and caches aside."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND NOT relname = ANY(%s)",
            [list(WRITES_IGNORED)],
        )
        return dict(cursor.fetchall())


def request_as(role: str, method: str, url: str, world: World, *, token=True, data=None):
    """One request in a transaction of its own, rolled back: (response, the tables it wrote to)."""
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
    with transaction.atomic():
        before = rows_written()
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, ({"csrfmiddlewaretoken": CSRF_TOKEN} if token else {}) | (data or {}))
        if response.streaming:
            # Read to the end, as a browser would; the test client then closes the file behind it.
            b"".join(response.streaming_content)
        after = rows_written()
        transaction.set_rollback(True)
    return response, sorted(table for table, count in after.items() if count != before.get(table, 0))


def outcome(response, writes, expected: Expect) -> str | None:
    """What differs from the expectation, or None."""
    location = response.get("Location", "")
    if response.status_code != expected.status or not location.startswith(expected.location):
        return f"{response.status_code} {location}".strip()
    if writes and not expected.writes:
        return f"{response.status_code}, but wrote to {', '.join(writes)}"
    return None


class TestRules:
    def test_it_has_a_rule_for_every_url(self):
        missing = sorted(set(PATTERNS) - set(RULES))
        assert not missing, f"URL patterns without a rule in {__name__}.RULES: {missing}"

    def test_it_has_no_rule_for_a_url_that_is_gone(self):
        stale = sorted(set(RULES) - set(PATTERNS))
        assert not stale, f"Rules for URL patterns that no longer exist: {stale}"

    def test_it_has_a_rule_for_every_model_in_the_admin(self):
        registered = {model._meta.label_lower for model in admin.site._registry}
        assert registered == set(ADMIN_MODELS)


@pytest.mark.django_db
class TestMatrix:
    @pytest.mark.parametrize("key", sorted(PATTERNS))
    def test_it_answers_each_role_as_its_rule_says(self, key, world):
        rule = RULES.get(key)
        assert rule is not None, f"No rule for {key}"
        url = concrete_url(key, world)
        wrong = []
        for method in ("GET", "POST"):
            for role in ROLES:
                expected = rule[method][role]
                response, writes = request_as(role, method, url, world)
                problem = outcome(response, writes, expected)
                if problem:
                    wrong.append(f"{method} {url} as {role}: expected {expected}, got {problem}")
        assert not wrong, "\n".join(wrong)

    @pytest.mark.parametrize("key", sorted(PATTERNS))
    def test_it_refuses_a_post_without_a_csrf_token_even_from_a_superuser(self, key, world):
        _, pattern = PATTERNS[key]
        url = concrete_url(key, world)
        exempt = getattr(pattern.callback, "csrf_exempt", False)
        if exempt:
            # Only the read-only API skips the check, and it takes no POST at all.
            assert url.startswith("/api/"), f"{url} is exempt from CSRF checks"
        expected = NOT_ALLOWED if exempt else FORBIDDEN

        response, writes = request_as("superuser", "POST", url, world, token=False)

        assert outcome(response, writes, expected) is None, f"POST {url} without a token: expected {expected}"

    @pytest.mark.parametrize("key", sorted(STAFF_PAGES))
    def test_it_keeps_staff_pages_out_of_every_cache(self, key, world):
        """What staff see (unpublished figures, history, names) is for them alone, in no browser or proxy cache."""
        url = concrete_url(key, world)
        for role in ("editor", "superuser"):
            response, _ = request_as(role, "GET", url, world)
            directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            assert {"private", "no-store"} <= directives, f"GET {url} as {role}: Cache-Control {directives}"

    def test_it_sees_the_rows_a_request_writes(self, world):
        response, writes = request_as(
            "editor", "POST", concrete_url("revert_save", world), world, data={"reason": "Matrix"}
        )

        assert response.status_code == 302
        assert "budgets_allocation" in writes


# Relations set in the admin. Every model form and inline form the admin shows, with each field that links to an
# object of a strategy, is read from the admin registry, so a relation added later is checked without a new rule.
# An editor is offered only objects of the strategies they edit; and whoever posts, an object is linked only to
# objects of its own strategy (the pages build a strategy from its own rows: a 2021 line funding a 2030 initiative
# broke the 2021 pages).
ONE_STRATEGY_MESSAGE = "Alt, der knyttes sammen her, skal høre til én strategi"


def admin_page(role: str, url: str, world: World):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def page_forms(response) -> list[tuple[str, object]]:
    """(inline prefix or "", form) for the page's model form and the empty form of each inline."""
    forms = [("", response.context["adminform"].form)]
    forms += [
        (inline.formset.prefix, inline.formset.empty_form) for inline in response.context["inline_admin_formsets"]
    ]
    return forms


def strategy_relations(form) -> list[str]:
    """The fields of ``form`` that choose objects of a strategy, the ends of a link between strategies aside."""
    crossing = CROSSING.get(form._meta.model, ())
    return [
        name
        for name, field in form.fields.items()
        if getattr(field, "queryset", None) is not None
        and field.queryset.model in STRATEGY_PATHS
        and name not in crossing
        and name != form._meta.model._meta.pk.name  # an inline row's own id
        and not isinstance(field, InlineForeignKeyField)
    ]


def post_data(response) -> dict:
    """What a browser posts from the change page when nothing is changed but the reason."""
    data = {"change_reason": "Matrix"}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        data |= {bound.html_name: bound.value() for bound in inline.formset.management_form}
        forms += inline.formset.forms
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is not None and value is not False:
                data[bound.html_name] = "on" if value is True else value
    return data


def elsewhere(model, strategy):
    """An object of ``model`` in another strategy than ``strategy``."""
    path = STRATEGY_PATHS[model]
    found = model._default_manager.exclude(**{path: strategy.pk}).first()
    if found is None and model is Footnote:
        found = Footnote.objects.create(strategy=Strategy.objects.exclude(pk=strategy.pk).first(), marker="§", text="x")
    return found


def owner_of(sample, form, prefix, response):
    """The strategy that the sample (or an inline's parent) and everything it links to must share; None where only
    one relation names a strategy, as a cell's line does, so there is nothing for it to disagree with."""
    if prefix:
        return strategy_of(response.context["original"])
    if type(sample) in STRATEGY_PATHS:
        return strategy_of(sample)
    relations = strategy_relations(form)
    if len(relations) < 2:
        return None
    return strategy_of(getattr(sample, relations[0]))


# What the tests below must have checked, at least: the relations the security test crossed, and their kin.
EXPECTED_RELATIONS = {
    "budgets.budgetline.initiatives",
    "budgets.budgetline.chapter",
    "budgets.budgetline.footnotes",
    "budgets.budgetline.strategy",
    "BudgetLine_initiatives.budgetline",
    "initiatives.initiative.chapter",
    "initiatives.chapter.strategy",
    "budgets.publishedtotal.chapter",
    "budgets.publishedtotal.footnote",
}


@pytest.mark.django_db
class TestRelationsSetInTheAdmin:
    def test_it_offers_an_editor_only_objects_of_the_strategies_they_edit(self, world):
        offered = {}
        for label, access in ADMIN_MODELS.items():
            if not set(access.editor) & set("ac"):
                continue
            app_label, model_name = label.split(".")
            action = "change" if "c" in access.editor else "add"
            args = [world.samples[label].pk] if action == "change" else []
            response = admin_page("editor", reverse(f"admin:{app_label}_{model_name}_{action}", args=args), world)
            offered |= {
                f"{prefix or label}.{name}": {strategy_of(item).slug for item in form.fields[name].queryset}
                for prefix, form in page_forms(response)
                for name in strategy_relations(form)
            }

        assert {"budgets.budgetline.initiatives", "BudgetLine_initiatives.budgetline"} <= set(offered)
        assert {relation: slugs for relation, slugs in offered.items() if slugs - {SLUG}} == {}

    def test_it_refuses_to_link_an_object_to_another_strategy(self, world):
        """For each relation, the change page posted unchanged saves (so the form is complete), and posted with one
        relation pointing into another strategy is shown again with the reason and writes nothing."""
        wrong, checked = [], set()
        for label, access in ADMIN_MODELS.items():
            if access.records:
                continue
            role = "administrator" if "c" in access.administrator else "superuser"
            app_label, model_name = label.split(".")
            sample = world.samples[label]
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[sample.pk])
            response = admin_page(role, url, world)
            data = post_data(response)
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
            for prefix, form in page_forms(response):
                owner = owner_of(sample, form, prefix, response)
                if owner is None:
                    continue
                for name in strategy_relations(form):
                    foreign = elsewhere(form.fields[name].queryset.model, owner)
                    posted = dict(data)
                    if prefix:  # a new row in the inline
                        index = int(data[f"{prefix}-TOTAL_FORMS"])
                        posted[f"{prefix}-TOTAL_FORMS"] = index + 1
                        key = f"{prefix}-{index}-{name}"
                    else:
                        key = name
                    multiple = isinstance(form.fields[name], ModelMultipleChoiceField)
                    posted[key] = [foreign.pk] if multiple else foreign.pk
                    for attempt, expected in ((data, 302), (posted, 200)):
                        with transaction.atomic():
                            before = rows_written()
                            answer = client.post(url, attempt)
                            writes = {table for table, count in rows_written().items() if count != before.get(table, 0)}
                            transaction.set_rollback(True)
                        refused = answer.status_code == 200 and ONE_STRATEGY_MESSAGE in answer.content.decode()
                        if answer.status_code != expected or (expected == 200 and (writes or not refused)):
                            what = "unchanged" if attempt is data else f"{key} = {foreign} ({strategy_of(foreign)})"
                            wrong.append(f"{label} {what}: {answer.status_code}, wrote {sorted(writes)}")
                    checked.add(f"{prefix or label}.{name}")

        assert EXPECTED_RELATIONS <= checked, EXPECTED_RELATIONS - checked
        assert not wrong, "\n".join(wrong)
