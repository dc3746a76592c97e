"""The built site in a real browser (Debian's Chromium, driven by Playwright).

Checks, on the quick-mode build: every built page loads with no console error, no
failed request, no request leaving the site (the site must work offline) and every
image loaded; math is typeset; a dropdown opens on click; search finds "softmax"; the download links
return the script and the notebook. Screenshots go to ``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from layout import GALLERY_DIRNAME as GALLERY

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TUTORIAL = f"{GALLERY}/01_getting_started/01_fit_a_line.html"

pytestmark = pytest.mark.slow

if CHROMIUM is None or not __import__("importlib").util.find_spec("playwright"):
    if os.environ.get("HANDSON_REQUIRE_BROWSER") == "1":
        raise RuntimeError("HANDSON_REQUIRE_BROWSER=1 but Chromium or Playwright is missing: "
                           "apt-get install chromium; pip install playwright")
    pytest.skip("Chromium or Playwright is not installed (CI installs both)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server(site: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site / "_build" / "html"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )
        yield b
        b.close()


class Visit:
    """A page opened in a fresh context, with everything that went wrong recorded."""

    def __init__(self, browser, server: str, path: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        host = urlsplit(server).netloc
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"{m.text} ({m.location.get('url', '')})"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url} HTTP {r.status}"))

        def check_host(request):
            if urlsplit(request.url).netloc not in {host, ""} and \
                    not request.url.startswith(("data:", "blob:")):
                self.external.append(request.url)

        self.page.on("request", check_host)
        self.page.goto(f"{server}/{path}", wait_until="networkidle")

    def close(self):
        self.context.close()


def _images_loaded(page) -> bool:
    return page.evaluate(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


def built_pages(site: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (not the theme's assets)."""
    html = site / "_build" / "html"
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if p.relative_to(html).parts[0] not in {"_static", "_sources", "_images"})


def test_every_page_loads_cleanly_offline(browser, server, site):
    pages = built_pages(site)
    assert len(pages) > 50 and TUTORIAL in pages and "sg_execution_times.html" in pages
    problems = []
    for path in pages:
        visit = Visit(browser, server, path)
        try:
            for kind, found in (("failed requests", visit.failed),
                                ("console errors", visit.errors),
                                ("requests leaving the site", visit.external)):
                if found:
                    problems.append(f"{path}: {kind}: {found[:3]}")
            if not _images_loaded(visit.page):
                problems.append(f"{path}: an image did not load")
        finally:
            visit.close()
    print(f"visited {len(pages)} pages")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["index.html", TUTORIAL])
def test_page_loads_cleanly_offline(browser, server, path):
    visit = Visit(browser, server, path)
    try:
        assert not visit.failed, f"failed requests on {path}: {visit.failed}"
        assert not visit.errors, f"console errors on {path}: {visit.errors}"
        assert not visit.external, f"requests leaving the site from {path}: {visit.external}"
        assert _images_loaded(visit.page), f"an image on {path} did not load"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "landing" if path == "index.html" else "tutorial"
        visit.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
    finally:
        visit.close()


def test_math_is_typeset_and_dropdowns_open(browser, server):
    visit = Visit(browser, server, TUTORIAL)
    page = visit.page
    try:
        page.wait_for_selector("mjx-container", timeout=15_000)
        assert page.locator("mjx-container").count() > 10
        dropdown = page.locator("details.sd-dropdown").first
        assert dropdown.get_attribute("open") is None
        dropdown.locator("summary").click()
        page.wait_for_function(
            "() => document.querySelector('details.sd-dropdown').open === true")
        assert not visit.errors and not visit.external
    finally:
        visit.close()


def test_search_finds_softmax(browser, server):
    visit = Visit(browser, server, "search.html?q=softmax")
    try:
        visit.page.wait_for_selector("#search-results li", timeout=20_000)
        assert visit.page.locator("#search-results li").count() >= 1
    finally:
        visit.close()


def test_download_links_return_the_files(browser, server):
    visit = Visit(browser, server, TUTORIAL)
    try:
        hrefs = visit.page.eval_on_selector_all(
            "a.download", "els => els.map(e => e.href)")
        script = [h for h in hrefs if h.endswith("01_fit_a_line.py")]
        notebook = [h for h in hrefs if h.endswith("01_fit_a_line.ipynb")]
        assert script and notebook, f"download links missing: {hrefs}"
        body = visit.page.request.get(script[0])
        assert body.ok and b"import torch" in body.body()
        nb = visit.page.request.get(notebook[0])
        assert nb.ok and nb.json()["nbformat"] == 4
    finally:
        visit.close()
