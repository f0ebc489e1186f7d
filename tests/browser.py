"""Headless Chromium for the HTML report tests, driven by Playwright for Python.

It uses the system's Chromium (Debian's ``/usr/bin/chromium``; tools/test.sh installs it)
and never downloads a browser. A missing browser fails the tests with a sentence that
says what to install, unless ``AUTOGRADER_SKIP_BROWSER=1`` asks to skip them.

Every page is opened from a ``file://`` URL with listeners for console errors, page
errors, dialogs and network requests, so a test can assert that a report is inert.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("AUTOGRADER_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, the accessibility engine, as npm installs it from tests/axe/package-lock.json
(``npm ci --prefix tests/axe``; tools/test.sh does this before the tests run)."""
SERIOUS = ("serious", "critical")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIP = "AUTOGRADER_SKIP_BROWSER"


def unavailable(reason: str) -> None:
    """Fail (or, with AUTOGRADER_SKIP_BROWSER=1, skip) the browser tests with a clear reason."""
    if os.environ.get(SKIP) == "1":
        pytest.skip(f"{reason} ({SKIP}=1)")
    pytest.fail(
        f"{reason}. The HTML report tests need headless Chromium: install it (Debian/Ubuntu: "
        "sudo apt-get install chromium; tools/test.sh does this) and Playwright for Python "
        f"(pip install playwright; no 'playwright install' needed), or set {SKIP}=1 to skip them.",
        pytrace=False,
    )


def executable() -> str | None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Opened:
    """A loaded page and everything it did while loading."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def text(self) -> str:
        """What a person sees (``innerText`` of the body)."""
        return self.page.inner_text("body")

    def broken_images(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "img",
            "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.alt || i.src.slice(0, 60))",
        )

    def open_details(self) -> None:
        """Open every ``<details>``, as a reader who unfolds everything would."""
        self.page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")

    def close_details(self) -> None:
        self.page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = false; })")

    def height(self) -> int:
        """The page's full height in CSS pixels, as laid out now."""
        return int(self.page.evaluate("document.documentElement.scrollHeight"))

    def axe(self, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
        """axe-core's violations of these impacts, one line each (rule, impact, where, why).

        axe is evaluated through the DevTools protocol, as a page's own script never could be
        (the page's Content-Security-Policy forbids scripts), and adds no element to the page.
        Run on the page as loaded; call :meth:`open_details` first to check folded content too.
        """
        if not AXE.is_file():
            pytest.fail(
                f"axe-core is not installed at {AXE}: run `npm ci --prefix tests/axe` "
                "(tools/test.sh does this; it needs npm, Debian's package npm).",
                pytrace=False,
            )
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations'], "
            "runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
            "'best-practice']}})"
        )
        return [
            f"{v['id']} ({v['impact']}) at {node['target']}: "
            f"{(node.get('failureSummary') or v['help']).splitlines()[-1].strip()}"
            for v in result["violations"]
            if v.get("impact") in impacts
            for node in v["nodes"]
        ]

    def assert_inert(self) -> None:
        """No errors, no dialogs, no network, no broken image, no script element."""
        assert self.console_errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.requests == [], f"the page asked the network for {self.requests}"
        assert self.broken_images() == []
        assert self.page.locator("script").count() == 0


class Browser:
    """Headless Chromium for a test module; ``open(path)`` loads a file in a fresh page.

    Chromium starts at the first ``open`` and stops at ``close``. Playwright's sync API
    keeps an asyncio loop running in this thread while it is started, and grading a
    notebook needs that thread's asyncio: ``close()`` before grading (``open`` restarts).
    """

    def __init__(self) -> None:
        self.path = executable()
        if self.path is None:
            unavailable(f"Chromium was not found at {CHROMIUM} nor on PATH")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            unavailable("Playwright for Python is not installed")
        self._start_playwright = sync_playwright
        self._playwright: Any = None
        self._browser: Any = None

    def _launch(self) -> None:
        self._playwright = self._start_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=self.path, args=ARGS)
        except Exception as error:  # noqa: BLE001 - any launch failure gets the same sentence
            self.close()
            unavailable(f"Chromium at {self.path} did not start: {str(error).splitlines()[0]}")

    def open(self, path: Path, *, width: int = 1280, height: int = 900) -> Opened:
        if self._browser is None:
            self._launch()
        page = self._browser.new_page(viewport={"width": width, "height": height})
        opened = Opened(page)

        def on_console(message: Any) -> None:
            if message.type == "error":
                opened.console_errors.append(message.text)

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_request(request: Any) -> None:
            if not request.url.startswith(("file:", "data:")):
                opened.requests.append(request.url)

        page.on("console", on_console)
        page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
        page.on("dialog", on_dialog)
        page.on("request", on_request)
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return opened

    def close(self) -> None:
        """Stop Chromium and Playwright (and with it Playwright's asyncio loop)."""
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None
