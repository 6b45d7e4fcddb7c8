"""The web app in a real browser: Debian's chromium driven by Playwright against the app served
by uvicorn, the widget inside the demo host page served from another origin, axe-core for
accessibility. Screenshots go to test-artifacts/."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from pydantic import SecretStr

from assistant.engine import Engine
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackRecord, FeedbackStore
from assistant.web.testing import ServerThread, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-gpu"]
DEMO_ORIGIN = "http://127.0.0.1:7860"  # what web-demo/host.html points at
PASSWORD = "personal-2024"
QUESTION = "Vem kan söka projektstöd för kompetensförsörjning?"
TIMEOUT_MS = 20_000


class Site:
    """The served app, its feedback store and the demo host page on another port."""

    def __init__(self, url: str, host_url: str, feedback: FeedbackStore) -> None:
        self.url = url
        self.host_url = host_url
        self.feedback = feedback

    def wait_for_feedback(self, match: Callable[[FeedbackRecord], bool],
                          timeout: float = 10.0) -> FeedbackRecord:
        """The first stored feedback that matches, polling the SQLite file."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in self.feedback.all() if match(r)]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no matching feedback in {self.feedback.all()}")


def _host_page_server(app_url: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    """web-demo/ served as a web editor's page would be, pointing at the app under test."""
    demo = ROOT / "web-demo"

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if urlparse(self.path).path != "/host.html":
                super().do_GET()
                return
            body = (demo / "host.html").read_text(encoding="utf-8").replace(DEMO_ORIGIN, app_url)
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Handler, directory=str(demo)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def site(corpus_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    host, host_url = _host_page_server(app_url)
    assert urlparse(host_url).port != app_port
    # the demo host page is "the region's site": only it may frame the widget and call the API
    web = corpus_engine.settings.web.model_copy(update={
        "staff_password": SecretStr(PASSWORD), "allowed_origins": (host_url,)})
    settings = corpus_engine.settings.model_copy(update={"web": web})
    feedback = FeedbackStore(tmp_path_factory.mktemp("browser-feedback") / "feedback.sqlite3")
    app = create_app(settings, corpus_engine, feedback)
    with ServerThread(app, port=app_port) as server:
        assert server.url == app_url
        yield Site(server.url, host_url, feedback)
    host.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run scripts/browser-deps.sh")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile; fails the test if any page asked for a non-local resource."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE",
                              bypass_csp=True)  # axe is injected as an inline script
    ctx.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    def watch(request: Any) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in (
                "127.0.0.1", "localhost"):
            outside.append(request.url)

    ctx.on("request", watch)
    yield ctx
    ctx.close()
    assert not outside, f"requests left the machine: {outside}"


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def ask_on_main_page(page: Any, site: Site, question: str = QUESTION) -> None:
    page.goto(site.url + "/")
    box = page.locator("#question textarea")
    box.wait_for()
    box.fill(question)
    box.press("Enter")
    page.locator("#sources li.source").first.wait_for()


# -- the public chat ------------------------------------------------------------------------
def test_main_page_streams_an_answer_with_sources(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    assert page.evaluate("document.documentElement.lang") == "sv"
    # every text the chat shows for the assistant's message, as it changes
    page.evaluate("""() => {
        window.__seen = [];
        new MutationObserver(() => {
            const bots = document.querySelectorAll('#chat [data-testid="bot"]');
            if (bots.length) {
                const t = bots[bots.length - 1].innerText;
                if (window.__seen[window.__seen.length - 1] !== t) window.__seen.push(t);
            }
        }).observe(document.getElementById('chat'),
                   {subtree: true, childList: true, characterData: true});
    }""")
    box = page.locator("#question textarea")
    box.fill(QUESTION)
    box.press("Enter")
    page.locator("#sources li.source").first.wait_for()
    bot = page.locator('#chat [data-testid="bot"]').last
    assert "Företag" in bot.inner_text()
    assert "Källor" in bot.inner_text()
    assert page.locator('#chat [role="log"][aria-live="polite"]').count() == 1
    seen = page.evaluate("window.__seen")
    assert len(seen) >= 3, seen  # the answer grew piece by piece
    source = page.locator("#sources li.source").first
    assert source.locator("mark").inner_text().strip()
    assert "Utlysning" in source.inner_text()
    shot(page, "main-answer")


def test_source_link_opens_the_document_at_the_passage(page: Any, context: Any,
                                                       site: Site) -> None:
    ask_on_main_page(page, site)
    link = page.locator("#sources a.source-link").first
    href = link.get_attribute("href")
    assert href and href.startswith("/documents/") and "#" in href
    with context.expect_page() as opened:
        link.click()
    doc = opened.value
    doc.wait_for_load_state()
    assert unquote(doc.url) == site.url + href
    target = doc.locator(":target")
    assert target.count() == 1
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled to the cited section
    assert "Vem kan söka" in target.inner_text()
    shot(doc, "document-at-passage")


def test_feedback_click_and_comment_are_stored(page: Any, site: Site) -> None:
    ask_on_main_page(page, site, "Hur mycket stöd kan ett projekt få?")
    page.locator('#chat [data-testid="bot"]').last.hover()
    # Gradio names the thumbs in the browser's language ("Gilla" under sv-SE)
    page.locator('#chat button[aria-label="Gilla"], #chat button[aria-label="Like"]').last.click()
    record = site.wait_for_feedback(lambda r: r.channel == "chat" and "stöd" in r.question)
    assert record.rating == "up" and "800 000" in record.answer
    page.locator("#comment textarea").fill("Tydligt svar, tack!")
    page.locator("#send-comment").click()
    site.wait_for_feedback(lambda r: r.ref == record.ref and r.comment == "Tydligt svar, tack!")
    page.locator("#feedback-status").get_by_text("kommentaren är sparad").wait_for()


def test_language_switch_to_english(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    page.locator("#lang-switch").get_by_text("English").click()
    page.get_by_text("Questions about project funding").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#question textarea").get_attribute("placeholder", timeout=5000) \
        .startswith("For example")
    page.goto(site.url + "/?lang=en")
    page.get_by_text("Questions about project funding").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"


def test_main_page_by_keyboard_alone(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#question') !== null"):
            break
    else:
        pytest.fail("the question box cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.type("Hur mycket stöd kan ett projekt få?")
    page.keyboard.press("Enter")
    page.locator("#sources li.source").first.wait_for()
    assert "800 000" in page.locator('#chat [data-testid="bot"]').last.inner_text()
    shot(page, "main-keyboard")


def test_main_page_has_no_serious_accessibility_violations(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    assert serious_violations(page) == []
    ask_on_main_page(page, site)
    assert serious_violations(page) == []


# -- the widget -----------------------------------------------------------------------------
def test_widget_in_the_host_page_from_another_origin(page: Any, site: Site) -> None:
    page.goto(site.host_url + "/host.html")
    frame_el = page.locator("#assistant-chat iframe")
    frame_el.wait_for()
    assert frame_el.get_attribute("src") == site.url + "/embed?lang=sv"
    frame = page.frame_locator("#assistant-chat iframe")
    box = frame.locator("#w-question")
    box.fill(QUESTION)
    box.press("Enter")
    answer = frame.locator(".msg-assistant").last
    answer.locator(".sources").wait_for()
    assert "Företag" in answer.locator(".msg-text").inner_text()
    assert answer.locator(".source-link").first.get_attribute("href", timeout=5000) \
        .startswith("/documents/")
    answer.locator('button.thumb[data-rating="down"]').click()
    record = site.wait_for_feedback(lambda r: r.channel == "embed" and r.question == QUESTION)
    assert record.rating == "down"
    answer.locator(".comment textarea").fill("Saknar sista ansökningsdag.")
    answer.locator(".comment button").click()
    site.wait_for_feedback(lambda r: r.ref == record.ref and r.comment is not None)
    assert frame.locator("#w-live").inner_text().startswith("Enligt")
    shot(page, "host-page-widget")


def test_widget_by_keyboard_alone(page: Any, site: Site) -> None:
    page.goto(site.url + "/embed")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "w-question":
            break
    else:
        pytest.fail("the question box cannot be reached with Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("Hur mycket stöd kan ett projekt få?")
    page.keyboard.press("Enter")
    page.locator(".msg-assistant .sources").wait_for()
    assert "800 000" in page.locator(".msg-assistant .msg-text").inner_text()
    page.keyboard.press("Shift+Tab")  # focus stays usable after the answer
    assert page.evaluate("document.activeElement.tagName") in ("BUTTON", "A", "SUMMARY")


def test_widget_has_no_serious_accessibility_violations(page: Any, site: Site) -> None:
    page.goto(site.url + "/embed")
    assert serious_violations(page) == []
    page.locator("#w-question").fill(QUESTION)
    page.locator("#w-send").click()
    page.locator(".msg-assistant .sources").wait_for()
    page.locator(".msg-assistant details").first.click()  # open the quoted passage
    assert serious_violations(page) == []
    page.locator("#w-lang").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert serious_violations(page) == []
    shot(page, "embed-answer")


def test_widget_shows_bad_input_without_breaking(page: Any, site: Site) -> None:
    page.goto(site.url + "/embed")
    page.locator("#w-question").fill("<img src=x onerror=alert(1)> \x01\x02\x03 ")
    page.locator("#w-send").click()
    answer = page.locator(".msg-assistant").last
    answer.locator(".msg-text").wait_for()
    page.wait_for_function("!document.querySelector('#w-form').hasAttribute('aria-busy')")
    assert page.locator(".msg-user .msg-text").inner_text().startswith("<img")
    assert page.locator(".messages img").count() == 0
    page.locator("#w-question").fill(QUESTION)
    page.locator("#w-send").click()
    page.locator(".msg-assistant .sources").first.wait_for()


# -- staff ----------------------------------------------------------------------------------
def test_staff_view_refuses_without_login_and_works_with_it(page: Any, site: Site) -> None:
    page.goto(site.url + "/staff/lessons")
    assert page.url == site.url + "/staff"
    assert page.locator("#password").is_visible()
    assert page.locator("#q").count() == 0
    page.locator("#user").fill("staff")
    page.locator("#password").fill("fel")
    page.locator("button[type=submit]").click()
    page.get_by_text("Fel användarnamn eller lösenord").wait_for()
    page.locator("#user").fill("staff")
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.locator("#q").fill("hinder för arbetsmarknadsmobilitet")
    page.locator("#doc_type").select_option("report")
    page.locator("form.filters button").click()
    page.locator("li.result").first.wait_for()
    assert "Slutrapport" in page.locator("li.result").first.inner_text()
    shot(page, "staff-search")
    page.get_by_role("link", name="Lärdomar, hinder och tips").click()
    page.get_by_role("heading", name="Hinder").first.wait_for()
    assert page.get_by_role("heading", name="Lärdomar").count() >= 1
    shot(page, "staff-lessons")
    page.get_by_role("button", name="Logga ut").click()
    assert page.locator("#password").is_visible()



def test_main_page_shows_markup_as_text(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    box = page.locator("#question textarea")
    box.fill("<b>Fet</b> <img src=x onerror=alert(1)> Vem kan söka stöd?")
    box.press("Enter")
    page.locator("#sources .refusal").wait_for()  # the documents do not answer that
    user = page.locator('#chat [data-testid="user"]').last
    assert "<b>Fet</b>" in user.inner_text()
    assert page.locator("#chat img[src=x], #chat b").count() == 0
    box.fill(QUESTION)
    box.press("Enter")
    page.locator("#sources li.source").first.wait_for()
    link = page.locator('#chat [data-testid="bot"]').last.locator("a").first
    assert link.get_attribute("href", timeout=5000).startswith("/documents/")
    assert link.get_attribute("target") == "_blank"  # the conversation stays open
