"""A staff-only document in a real browser: the canary memo of test_audience.py is ingested with
the shipped corpus; asked about at / and /embed, its canary never shows; /documents/ID of it is
a 404; after a staff login the staff search finds it. axe-core on the staff pages (search,
withheld, lessons) at 390 px and desktop widths: no serious or critical violations."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser_web as web_browser
from pydantic import SecretStr
from test_audience import CANARIES, MEMO

from assistant.engine import open_engine
from assistant.index import open_index
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.testing import ServerThread
from ingest.pipeline import Ingestor

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# the browser, its profile and page, as the public-site browser tests have them
browser, context, page, viewport = (web_browser.browser, web_browser.context, web_browser.page,
                                    web_browser.viewport)
PHONE, DESKTOP = web_browser.PHONE, web_browser.DESKTOP

PASSWORD = "kanariepass"
MEMO_ID = "internt-pm-budget-2025"
# aimed at the memo without naming a canary: what the page shows is the answer's doing
QUESTION = "Hur mycket kan man få inom den interna ramen enligt det interna PM:et?"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[str]:
    """The app over the corpus and the staff memo, served on loopback; its base URL."""
    docs = tmp_path_factory.mktemp("docs")
    for p in corpus_dir.iterdir():
        shutil.copy(p, docs / p.name)
    (docs / f"{MEMO_ID}.txt").write_text(MEMO, encoding="utf-8")
    (docs / f"{MEMO_ID}.txt.meta.json").write_text(json.dumps({"audience": "staff"}),
                                                    encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("staff-browser-data"))
    index = open_index(settings)
    report = Ingestor(settings, index).run([docs])
    index.close()
    assert not report.failed and report.count("added") == 4, report.outcomes
    engine = open_engine(settings)
    web = engine.settings.web.model_copy(update={
        "staff_password": SecretStr(PASSWORD), "rate_limit_per_minute": 0})
    store = FeedbackStore(tmp_path_factory.mktemp("fb") / "feedback.sqlite3")
    app = create_app(engine.settings.model_copy(update={"web": web}), engine, store)
    with ServerThread(app) as server:
        yield server.url


def _no_canary(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} leaked: {text[:300]}"


def _login(page: Any, site: str) -> None:
    page.goto(site + "/staff")
    page.locator("#user").fill("staff")
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.locator("#q").wait_for()


def test_the_canary_reaches_no_public_page(page: Any, site: str) -> None:
    page.goto(site + "/")
    box = page.locator("#question textarea")
    box.fill(QUESTION)
    box.press("Enter")
    page.locator("#sources li.source, #sources .refusal").first.wait_for()
    _no_canary(page.content())
    page.goto(site + "/embed")
    page.locator("#w-question").fill(QUESTION)
    page.locator("#w-question").press("Enter")
    page.locator(".msg-assistant .msg-text").first.wait_for()
    page.wait_for_function("!document.querySelector('#w-send').disabled")
    _no_canary(page.content())
    response = page.goto(site + f"/documents/{MEMO_ID}")
    assert response is not None and response.status == 404
    _no_canary(page.content())


def test_staff_search_finds_the_canary_after_login(page: Any, site: str) -> None:
    response = page.goto(site + f"/staff?q={CANARIES[0]}")
    assert response is not None
    _no_canary(page.content())  # the login page, not results
    _login(page, site)
    page.locator("#q").fill(CANARIES[0])
    page.locator("form.filters button").click()
    page.locator("li.result").first.wait_for()
    assert CANARIES[0] in page.locator("li.result").first.inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "desktop"])
@pytest.mark.parametrize("path", ["/staff", "/staff/withheld", "/staff/lessons"])
def test_staff_pages_have_no_serious_accessibility_violations(
    page: Any, site: str, path: str, viewport: dict[str, int]
) -> None:
    _login(page, site)
    page.goto(site + path + ("?q=projektstöd" if path == "/staff" else ""))
    name = f"staff{path.replace('/staff', '') or '-search'}-{viewport['width']}".replace("/", "-")
    web_browser.shot(page, name)
    assert web_browser.serious_violations(page) == []
