"""Playwright driving Debian's Chromium; every request that is not a local file is aborted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Browser, Dialog, FloatRect, Locator

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test opens a page (about a second before it starts): part of the full
    suite, not of the fast ``-m "not slow"`` subset."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run must apt-get install chromium")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        yield browser
        browser.close()


def box(locator: Locator) -> FloatRect:
    """Where an element is drawn; it must be drawn (a hidden element has no box)."""
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not drawn"
    return found


class PageSession:
    """A page opened from disk, with its console errors and blocked requests recorded."""

    def __init__(self, browser: Browser, path: Path | str, width: int = 1280, height: int = 800):
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           accept_downloads=True)  # fmt: skip
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path if isinstance(path, str) else path.resolve().as_uri())
        self.page.wait_for_function("window.storymap !== undefined")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message) -> None:
        # Offline, the page requests nothing it cannot have: even a failed tile is an error.
        if message.type == "error":
            self.errors.append(message.text)

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def close(self) -> None:
        self.context.close()
