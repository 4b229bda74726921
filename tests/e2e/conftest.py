"""Browser fixtures for the end-to-end tests: Debian's chromium driven by Playwright (sync API).

No browser is ever downloaded: the tests drive /usr/bin/chromium and fail when it is missing
(`make test` installs it through scripts/ensure_system_deps.sh). The app runs in
pytest-django's ``live_server`` (a real HTTP server in a thread, on a
transactional test database), so every test starts from an empty database plus ``make_world()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM
# calls from a thread with a running loop unless told that it is safe. Here it is: the tests are
# synchronous and nothing else runs in that loop. Must be set before Django touches the database.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402
from pytest_django.live_server_helper import LiveServer  # noqa: E402

from tests.conftest import World, make_world  # noqa: E402
from tests.e2e.browser import BrowserLog, watch  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous on purpose: a 2-core machine that may also be running a load benchmark.
TIMEOUT_MS = 30_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other test (keeping each group's order).

    Once Playwright's sync API has started, the test thread has a running asyncio loop until
    the session ends; no other test should have to run inside it.
    """
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is not installed: run scripts/ensure_system_deps.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=2 * TIMEOUT_MS
        )
        yield browser
        browser.close()


@pytest.fixture
def world(live_server: LiveServer) -> World:
    """The shared personas and case (tests/conftest.py), in the database the live server reads.

    Overrides the ``world`` fixture of tests/conftest.py, which uses the non-transactional ``db``.
    """
    return make_world()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def browser_log(live_server: LiveServer) -> BrowserLog:
    return BrowserLog(origin=live_server.url)


@pytest.fixture
def page(context: BrowserContext, browser_log: BrowserLog) -> Page:
    page = context.new_page()
    watch(page, browser_log)
    return page
