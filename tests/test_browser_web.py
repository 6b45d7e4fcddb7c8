"""The web app in a real browser: Debian's chromium driven by Playwright against the app served
by uvicorn, the widget inside the demo host page served from another origin, axe-core for
accessibility. Screenshots go to test-artifacts/."""

from __future__ import annotations

import csv
import functools
import http.server
import re
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
from assistant.web.examples import example_questions
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
QUESTION_EN = "Who can apply for funding for skills supply?"
TIMEOUT_MS = 20_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
    # the demo host page is "the region's site": only it may frame the widget and call the API;
    # every page here asks from 127.0.0.1, more than one visitor's questions a minute
    # (the limit itself is tested in test_web_limits.py)
    web = corpus_engine.settings.web.model_copy(update={
        "staff_password": SecretStr(PASSWORD), "allowed_origins": (host_url,),
        "rate_limit_per_minute": 0})
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
def viewport() -> dict[str, int]:
    """The window size of the test's browser (a test may parametrize it)."""
    return DESKTOP


@pytest.fixture
def context(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    """A fresh browser profile; fails the test if any page asked for a non-local resource."""
    ctx = browser.new_context(viewport=viewport, locale="sv-SE",
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
    # the page names Gradio's thumbs in its own language, whatever the browser's
    page.locator('#chat button[aria-label="Bra svar"]').last.click()
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
    page.wait_for_function("document.documentElement.lang === 'en'", timeout=5000)
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
    page.get_by_role("link", name="Lärdomar", exact=True).click()
    page.get_by_role("heading", name="Teman", exact=True).wait_for()
    assert page.locator("blockquote").count() >= 1
    shot(page, "staff-lessons")
    page.get_by_role("button", name="Logga ut").click()
    assert page.locator("#password").is_visible()



def staff_sign_in(page: Any, site: Site, path: str) -> None:
    page.goto(site.url + path)
    page.locator("#user").fill("staff")
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.locator("#q").wait_for()
    page.goto(site.url + path)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_lessons_theme_to_quote_in_two_clicks(page: Any, context: Any, site: Site,
                                                     viewport: dict[str, int]) -> None:
    staff_sign_in(page, site, "/staff/lessons")
    page.get_by_role("heading", name="Teman", exact=True).wait_for()
    assert page.locator("svg.theme-chart rect").count() >= 1
    assert page.locator("table.theme-table tbody tr").count() >= 1
    assert serious_violations(page) == []
    # click one: the theme
    page.locator("ul.themes a", has_text="Boende").click()
    page.locator("blockquote").first.wait_for()
    quote = page.locator("blockquote").first.inner_text().strip()
    assert serious_violations(page) == []
    shot(page, f"staff-lessons-theme-{viewport['width']}")
    # click two: the statement's link, to its place in the document
    page.locator("ol.statements a").first.click()
    page.wait_for_load_state()
    assert "/documents/" in page.url and "#" in page.url
    shown = page.get_by_text(quote[:60], exact=False).first
    shown.wait_for()
    assert shown.is_visible()
    shot(page, f"staff-lessons-quote-{viewport['width']}")


def test_staff_lessons_filter_then_export_what_is_shown(page: Any, site: Site) -> None:
    staff_sign_in(page, site, "/staff/lessons")
    page.locator("#kind").select_option("obstacle")
    page.locator("form.filters button").click()
    page.wait_for_url("**kind=obstacle**")
    items = page.locator("ol.statements li.result")
    items.first.wait_for()
    kinds = [items.nth(i).locator("p.meta").first.inner_text() for i in range(items.count())]
    assert kinds and all(k.startswith("Hinder") for k in kinds), kinds
    assert serious_violations(page) == []
    # the exports hold what the filters show, each statement with its citation
    with page.expect_download() as download:
        page.locator("p.exports a", has_text="CSV").click()
    assert download.value.suggested_filename == "lardomar.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(kinds)
    assert all(r["kind"] == "Hinder" and r["quote"] and r["link"].startswith(
        f"/documents/{r['doc_id']}#") for r in rows), rows
    with page.expect_download() as download:
        page.locator("p.exports a", has_text="Markdown").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    cited = [ln for ln in markdown.splitlines() if ln.startswith("- Hinder: ")]
    assert cited and all("](/documents/" in ln for ln in cited), markdown
    # grouped by theme there: a statement of two themes stands under each
    quoted = {re.match(r"- Hinder: ”(.*)” – \*", ln).group(1) for ln in cited}  # type: ignore[union-attr]
    assert quoted == {" ".join(r["quote"].split()) for r in rows}


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
    link = page.locator('#chat [data-testid="bot"]').last.locator("a.source-link").first
    assert link.get_attribute("href", timeout=5000).startswith("/documents/")
    assert link.get_attribute("target") == "_blank"  # the conversation stays open


# -- a finished chat: phone layout, [n] links, English throughout, feedback after an answer,
# -- the widget's new conversation and character count, examples from the index, axe ---------
def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def page_y(page: Any, selector: str) -> float:
    """Where an element starts, from the top of the page (not of the window)."""
    return float(page.locator(selector).first.evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY"))


def swedish_ui_strings(examples: list[str]) -> list[str]:
    """Every Swedish interface string (strings.json) that differs from its English one, cut at
    its first placeholder, the Swedish example questions, and Gradio's Swedish names of its own
    buttons. (Templates of example questions are left out: their heads, 'Vem kan söka', are
    also headings in the documents.)"""
    from assistant.web.ui_text import all_strings

    sv, en = all_strings()["sv"], all_strings()["en"]
    found: list[str] = []

    def walk(a: Any, b: Any) -> None:
        if isinstance(a, dict):
            for k, v in a.items():
                walk(v, b.get(k) if isinstance(b, dict) else None)
        elif isinstance(a, list):
            for i, v in enumerate(a):
                walk(v, b[i] if isinstance(b, list) and i < len(b) else None)
        elif isinstance(a, str) and a != b:
            head = a.split("{", 1)[0].strip()
            if len(head) >= 4:
                found.append(head)

    skip = ("lang_name", "example_templates")  # "Svenska" names the switch
    walk({k: v for k, v in sv.items() if k not in skip},
         {k: v for k, v in en.items() if k not in skip})
    return [*found, *examples, "Gilla", "Ogilla", "Rensa chatten"]


def shown_texts(page: Any) -> str:
    """What the interface says, visibly and to a screen reader: the page's text (without the
    asker's messages and what is quoted from the documents) and its labels and placeholders."""
    return str(page.evaluate("""() => {
        const style = document.createElement('style');
        style.textContent = 'blockquote, a.source-link, .source-title, [data-testid="user"],' +
            ' .msg-user, .msg-text { display: none !important; }';
        document.head.appendChild(style);
        const text = document.body.innerText;
        style.remove();
        const attrs = [...document.querySelectorAll('[aria-label], [placeholder], [title]')]
            .map(el => ['aria-label', 'placeholder', 'title']
                 .map(a => el.getAttribute(a) || '').join(' | '));
        return text + '\\n' + attrs.join('\\n') + '\\n' + document.title;
    }"""))


def swedish_left(page: Any, engine: Engine) -> list[str]:
    texts = shown_texts(page)
    examples = example_questions(engine.search.documents(), "sv")
    return [s for s in swedish_ui_strings(examples) if s in texts]


@pytest.mark.parametrize("viewport", [PHONE])
def test_main_page_on_a_phone(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    title = page.locator("#title h1").bounding_box()
    switch = page.locator("#lang-switch").bounding_box()
    assert title and switch and not overlap(title, switch), (title, switch)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#question textarea").press("Enter")
    source = page.locator("#chat li.answer-source").first
    source.wait_for()
    answer_top = page_y(page, '#chat [data-testid="bot"]')
    source_top = page_y(page, "#chat li.answer-source")
    assert 0 < source_top - answer_top < PHONE["height"], (answer_top, source_top)
    page.locator("#chat a.cite").first.click()
    quote = source.locator("mark")
    quote.wait_for()
    box = quote.bounding_box()  # the quoted sentence is in the window
    assert box and box["y"] >= 0 and box["y"] + 20 < PHONE["height"], box
    shot(page, "main-phone")


@pytest.mark.parametrize("viewport", [PHONE])
def test_widget_on_a_phone(page: Any, site: Site) -> None:
    page.goto(site.url + "/embed")
    title = page.locator("#w-title").bounding_box()
    switch = page.locator("#w-lang").bounding_box()
    new = page.locator("#w-new").bounding_box()
    assert title and switch and new
    assert not overlap(title, switch) and not overlap(title, new)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#w-question").fill(QUESTION)
    page.locator("#w-send").click()
    page.locator(".msg-assistant .source").first.wait_for()
    answer_top = page_y(page, ".msg-assistant")
    source_top = page_y(page, ".msg-assistant .source")
    assert 0 < source_top - answer_top < PHONE["height"]
    shot(page, "embed-phone")


def test_citation_marker_shows_its_source_on_the_main_page(page: Any, site: Site) -> None:
    ask_on_main_page(page, site)
    bot = page.locator('#chat [data-testid="bot"]').last
    marker = bot.locator("a.cite").first
    assert marker.inner_text().startswith("[1]")
    source = bot.locator("li.answer-source").first
    assert not source.locator("mark").is_visible()  # the passage is folded until asked for
    marker.click()
    assert page.evaluate("document.activeElement.id") == "a1-s1"
    assert source.locator("details").get_attribute("open") is not None
    assert source.locator("mark").is_visible() and source.locator("mark").inner_text().strip()
    # a second answer's markers lead to its own sources
    box = page.locator("#question textarea")
    box.fill("Hur mycket stöd kan ett projekt få?")
    box.press("Enter")
    page.locator("#chat li#a2-s1").wait_for()
    page.locator('#chat [data-testid="bot"]').last.locator("a.cite").first.click()
    assert page.evaluate("document.activeElement.id") == "a2-s1"
    assert page.locator("#a2-s1 mark").is_visible()


def test_citation_marker_shows_its_source_in_the_widget(page: Any, site: Site) -> None:
    page.goto(site.url + "/embed")
    page.locator("#w-question").fill(QUESTION)
    page.locator("#w-send").click()
    answer = page.locator(".msg-assistant").last
    answer.locator(".sources").wait_for()
    marker = answer.locator("button.cite").first
    assert marker.inner_text() == "[1]"
    assert marker.get_attribute("aria-label") == "Visa källa 1"
    source = answer.locator("li.source").first
    assert not source.locator("mark").is_visible()
    marker.click()
    assert page.evaluate("document.activeElement.id") == source.get_attribute("id")
    assert source.locator("mark").is_visible() and source.locator("mark").inner_text().strip()


def test_main_page_in_english_says_nothing_in_swedish(page: Any, site: Site,
                                                      corpus_engine: Engine) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    assert "Svaren är vägledning" in page.locator("#notice").inner_text()
    page.locator("#lang-switch").get_by_text("English").click()
    page.get_by_text("Questions about project funding").wait_for()
    box = page.locator("#question textarea")
    box.fill("\x01\x02\x03\x04 \x05")  # the engine refuses it: the page says so in English
    box.press("Enter")
    page.locator("#question-hint").get_by_text("could not be read").wait_for()
    box.fill(QUESTION_EN)
    box.press("Enter")
    page.locator("#chat li.answer-source").first.wait_for()
    page.locator('#chat [data-testid="bot"]').last.hover()
    page.locator('#chat button[aria-label="Good answer"]').last.click()
    page.locator("#feedback-status").get_by_text("Thank you for your feedback").wait_for()
    assert page.locator('#chat button[aria-label="Copy the answer"]').count() >= 1
    assert "answers are guidance, not decisions" in page.locator("#notice").inner_text()
    assert page.locator(".example").first.inner_text().startswith("Who can apply")
    assert swedish_left(page, corpus_engine) == []
    shot(page, "main-english")


def test_widget_in_english_says_nothing_in_swedish(page: Any, site: Site,
                                                   corpus_engine: Engine) -> None:
    page.goto(site.url + "/embed")
    page.locator("#w-lang").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("#w-question").fill("\x01\x02\x03\x04 \x05")  # refused by the API (422)
    page.locator("#w-send").click()
    page.locator(".msg.failed").get_by_text("could not be read").wait_for()
    page.wait_for_function("!document.querySelector('#w-form').hasAttribute('aria-busy')")
    page.locator("#w-question").fill(QUESTION_EN)
    page.locator("#w-send").click()
    answer = page.locator(".msg-assistant").last
    answer.locator(".sources").wait_for()
    answer.locator('button.thumb[data-rating="up"]').click()
    answer.get_by_text("Thank you for your feedback").wait_for()
    assert "0 of 2000 characters" in page.locator("#w-count").inner_text()
    assert swedish_left(page, corpus_engine) == []


def test_comment_box_only_once_there_is_an_answer(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    assert not page.locator("#comment").is_visible()
    assert not page.locator("#send-comment").is_visible()
    ask_on_main_page(page, site)
    page.locator("#comment textarea").wait_for()
    assert page.locator("#send-comment").is_visible()
    page.locator("#clear").click()  # a new conversation has nothing to comment on
    page.locator("#comment").wait_for(state="hidden")
    page.goto(site.url + "/embed")
    assert page.locator(".comment, textarea:not(#w-question)").count() == 0


def test_widget_new_conversation_and_character_count(page: Any, site: Site) -> None:
    page.goto(site.url + "/embed")
    box = page.locator("#w-question")
    assert page.locator("#w-count").inner_text() == "0 av 2000 tecken"
    box.fill("Vem kan söka? " + "x" * 2100)  # as a paste: one input event
    assert len(box.input_value()) > 2000  # not cut
    assert "over" in (page.locator("#w-count").get_attribute("class") or "")
    hint = page.locator("#w-hint").inner_text()
    assert str(len(box.input_value())) in hint and "2000" in hint
    page.locator("#w-send").click()
    assert page.locator(".msg").count() == 0  # not sent
    box.fill(QUESTION)
    assert page.locator("#w-hint").inner_text() == ""
    page.locator("#w-send").click()
    page.locator(".msg-assistant .sources").wait_for()
    with page.expect_request("**/api/chat/stream") as second:
        box.fill("Och hur mycket kan man få?")
        page.locator("#w-send").click()
    assert len(second.value.post_data_json["history"]) == 2  # a follow-up knows the first
    page.wait_for_function("!document.querySelector('#w-form').hasAttribute('aria-busy')")
    page.locator("#w-new").click()
    assert page.locator(".msg").count() == 0
    assert page.locator("#w-examples button").first.is_visible()
    assert page.evaluate("document.activeElement.id") == "w-question"
    with page.expect_request("**/api/chat/stream") as fresh:
        box.fill(QUESTION)
        page.locator("#w-send").click()
    assert fresh.value.post_data_json["history"] == []
    page.locator(".msg-assistant .sources").wait_for()


def test_examples_are_the_index_documents(page: Any, site: Site, corpus_engine: Engine) -> None:
    expected = example_questions(corpus_engine.search.documents(), "sv")
    page.goto(site.url + "/")
    page.locator(".example").first.wait_for()
    assert [b.inner_text().strip() for b in page.locator(".example").all()] == expected
    page.goto(site.url + "/embed")
    page.locator("#w-examples button").first.wait_for()
    assert [b.inner_text().strip() for b in page.locator("#w-examples button").all()] == expected
    page.locator("#w-examples button").first.click()
    answer = page.locator(".msg-assistant").last
    answer.locator(".sources").wait_for()  # the example gets a cited answer
    assert "refused" not in (answer.get_attribute("class") or "")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_serious_accessibility_violations_at_either_width(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("#question textarea").wait_for()
    assert serious_violations(page) == []
    ask_box = page.locator("#question textarea")
    ask_box.fill(QUESTION)
    ask_box.press("Enter")
    page.locator("#chat li.answer-source").first.wait_for()
    page.locator("#chat a.cite").first.click()
    assert serious_violations(page) == []
    page.goto(site.url + "/embed")
    assert serious_violations(page) == []
    page.locator("#w-question").fill(QUESTION)
    page.locator("#w-send").click()
    page.locator(".msg-assistant .sources").wait_for()
    page.locator(".msg-assistant button.cite").first.click()
    assert serious_violations(page) == []
