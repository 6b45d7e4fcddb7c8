"""``/staff/questions`` in Debian's chromium: questions asked through the public chat and the
widget show up for signed-in staff, filters and export work, and axe-core finds nothing serious
at phone and desktop widths. The browser, the served site and axe come from
``test_browser_web``."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from test_browser_web import (  # the fixtures are used by name
    DESKTOP,
    PASSWORD,
    PHONE,
    QUESTION,
    Site,
    ask_on_main_page,
    browser,
    context,
    page,
    serious_violations,
    shot,
    site,
    viewport,
)

from assistant.web.question_log import QuestionLog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

__all__ = ["browser", "context", "page", "site", "viewport"]
# two wordings of one question the shipped documents do not answer
UNANSWERABLE = "Kan jag få stöd för att köpa en båt till min fiskeverksamhet?"
UNANSWERABLE_AGAIN = "Finns det bidrag för att köpa en fiskebåt?"


def ask_in_the_widget(page: Any, site: Site, question: str) -> None:
    page.goto(site.url + "/embed")
    page.locator("#w-question").fill(question)
    page.locator("#w-send").click()
    page.locator(".msg-assistant:not([aria-busy=true]) .msg-text").last.wait_for()


def sign_in(page: Any, site: Site) -> None:
    page.goto(site.url + "/staff/questions")
    assert page.url == site.url + "/staff"  # not before signing in
    page.locator("#user").fill("staff")
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Vad allmänheten frågar").click()
    page.get_by_role("heading", name="Vad allmänheten frågar", level=1).wait_for()


def test_questions_asked_reach_the_staff_page(page: Any, site: Site) -> None:
    for q in (QUESTION, UNANSWERABLE, UNANSWERABLE_AGAIN):
        ask_in_the_widget(page, site, q)
    sign_in(page, site)
    group = page.locator("li.question-group", has_text="fiskeverksamhet").first
    assert "2 frågor" in group.inner_text() and UNANSWERABLE_AGAIN in group.inner_text()
    recent = page.get_by_role("region", name="Senaste frågorna (högst 100)")
    assert recent.get_by_role("rowheader", name=QUESTION).first.is_visible()
    page.locator("#status").select_option("answered")
    page.locator("form.filters button").click()
    page.get_by_role("heading", name="Senaste frågorna (högst 100)").wait_for()
    assert page.locator("li.question-group").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="frågorna").click()
    rows = list(csv.DictReader(io.StringIO(
        download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows and {r["refused"] for r in rows} == {"no"}
    assert QUESTION in {r["question"] for r in rows}
    assert {r["channel"] for r in rows} == {"embed"}
    shot(page, "staff-questions")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_questions_page_has_no_serious_accessibility_violations(page: Any, site: Site) -> None:
    ask_in_the_widget(page, site, UNANSWERABLE)
    sign_in(page, site)
    page.locator("li.question-group").first.wait_for()
    assert serious_violations(page) == []
    page.locator("#days").select_option("7")
    page.locator("#status").select_option("refused")
    page.locator("form.filters button").click()
    page.locator("li.question-group").first.wait_for()
    assert serious_violations(page) == []
    shot(page, f"staff-questions-{page.viewport_size['width']}")


def test_the_public_chat_logs_its_questions(page: Any, site: Site) -> None:
    ask_on_main_page(page, site)
    assert "sparas i högst 90 dagar" in page.locator("#notice").inner_text()
    logged = QuestionLog(site.feedback.path).since()
    chat = [q for q in logged if q.channel == "chat"]
    assert chat and chat[0].question == QUESTION and not chat[0].refused and chat[0].cited
