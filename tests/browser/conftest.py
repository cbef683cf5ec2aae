"""A real Chromium driven by Playwright against pytest-django's live server."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

# Debian's build: Playwright cannot download its own browsers on these machines.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_RUN = """async () => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        description: violation.description,
        targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}"""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; browser tests skipped")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API leaves its asyncio loop marked as running in this thread while the browser is
        # open, so Django would refuse the database set-up, seeding and flushes, which are plain synchronous calls.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def fresh_page(browser):
    """A page in a context of its own, so no cookie or language choice leaks from one test into the next."""
    context = browser.new_context()
    # A missing element should fail the test in seconds, not after Playwright's default 30.
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser):
    with fresh_page(browser) as page:
        yield page


@pytest.fixture
def visitor(browser):
    """A second page beside ``page``, of a visitor who never logged in."""
    with fresh_page(browser) as page:
        yield page


@pytest.fixture
def app_url(live_server, seeded_tables):
    # live_server makes the test transactional: pytest-django flushes the database after each such test,
    # taking the session's seed with it, so every browser test puts the seeded tables back.
    seeded_tables.restore()
    return live_server.url


@pytest.fixture(scope="session")
def axe_violations():
    """A function that returns the page's WCAG 2 A and AA violations, shaped to read well in a failed assert."""
    axe_script = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    if not axe_script.exists():
        pytest.fail(f"axe-core is missing at {axe_script}: run `make test`, which installs it with `npm ci`")

    source = axe_script.read_text(encoding="utf-8")

    def violations(page) -> list[dict]:
        # Evaluated through the browser's debugging protocol, which the pages' CSP (no inline script) does not cover.
        page.evaluate(source)
        return page.evaluate(AXE_RUN)

    return violations
