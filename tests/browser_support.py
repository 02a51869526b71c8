"""What the browser tests share: Debian's chromium via playwright, and a served dashboard.

A missing browser fails these tests; they are never skipped.
"""

import contextlib
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def served(app):
    """Serve a Dash app on a free loopback port; yields its address."""
    srv = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()


@contextlib.contextmanager
def chromium():
    """Debian's chromium, headless, with the flags this closed network needs."""
    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is missing: run the tests with `bash scripts/test.sh`, which installs "
        "it (and the CJK font) as root, or `sudo apt-get install chromium fonts-noto-cjk`"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def watched_page(browser_or_context, width=1280, height=1400):
    """A new page that records the page's script errors in ``page.errors``.

    On a browser the page gets a ``width`` x ``height`` viewport; a context keeps its own.
    """
    if hasattr(browser_or_context, "new_context"):
        pg = browser_or_context.new_page(viewport={"width": width, "height": height})
    else:
        pg = browser_or_context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    return pg
