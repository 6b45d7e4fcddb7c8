"""The pages of the web app through TestClient: documents, widget, staff view, the Gradio chat,
and the escaping of everything a person or a document brings in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from langchain_core.embeddings import DeterministicFakeEmbedding
from pdf_factory import paginate, write_pdf
from pydantic import SecretStr

from assistant.answer import Answer, Citation
from assistant.citations import section_anchor, source_url
from assistant.cli import main
from assistant.engine import Engine
from assistant.index import open_index
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.chat_ui import answer_markdown, md_text
from assistant.web.documents import DocumentView, render_document
from assistant.web.examples import example_questions
from assistant.web.feedback import FeedbackStore
from assistant.web.sources import document_link, marked_passage, sources_html
from assistant.web.staff import COOKIE, StaffSessions
from assistant.web.testing import form_token, staff_login
from ingest.pipeline import Ingestor

REPORT = "region-vasterbotten-slutrapport-relocate-2023"
CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019"
PASSWORD = "rätt-lösenord"


def staff_settings(engine: Engine, password: str | None = PASSWORD) -> Settings:
    # no rate limit: these tests are not about it (tests/test_web_limits.py is)
    web = engine.settings.web.model_copy(
        update={"staff_password": SecretStr(password) if password else None,
                "rate_limit_per_minute": 0})
    return engine.settings.model_copy(update={"web": web})


@pytest.fixture(scope="module")
def client(corpus_engine: Engine, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    store = FeedbackStore(tmp_path_factory.mktemp("fb") / "feedback.sqlite3")
    app = create_app(staff_settings(corpus_engine), corpus_engine, store, chat_ui=False)
    with TestClient(app) as c:
        yield c


def login(client: TestClient) -> None:
    assert staff_login(client, PASSWORD).status_code == 303


# -- documents ------------------------------------------------------------------------------
def test_text_document_has_an_anchor_for_every_cited_section(client: TestClient,
                                                              corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("Vilka hinder identifierade projektet Relocate?")
    assert answer.citations
    for c in answer.citations:
        link = document_link(c)
        path, _, anchor = link.partition("#")
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert f'id="{anchor}"' in r.text, anchor
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_text_document_page_shows_the_whole_text(client: TestClient,
                                                 corpus_engine: Engine) -> None:
    r = client.get(f"/documents/{REPORT}")
    text, _, _ = corpus_engine.index.registry.document_text(REPORT)
    visible = re.sub(r"<[^>]+>", " ", r.text)
    for word in ("Sammanfattning", "Northvolt", "Kommentarer och tips"):
        assert word in visible
    assert r.text.startswith("<!doctype html>") and '<html lang="sv">' in r.text
    assert visible.count("Relocate") >= text.count("Relocate")


def test_unknown_document_is_404(client: TestClient) -> None:
    for doc_id in ("no-such-doc", "..%2F..%2Fetc%2Fpasswd", "<script>"):
        r = client.get(f"/documents/{doc_id}")
        assert r.status_code == 404
        assert "<script>" not in r.text


def test_document_html_is_escaped_and_paged() -> None:
    view = DocumentView(
        doc_id="d", title="<b>Titel</b>", doc_type="report",
        text="1. Inledning\n\nText med <script>alert(1)</script> i.\n\nMer text.\n\n"
             "2. Resultat\n\nSida två & <img src=x onerror=alert(1)>.",
        page_starts=[0, 58], page_numbers=[1, 2])
    html = render_document(view)
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Titel&lt;/b&gt;" in html
    assert 'id="page=1"' in html and 'id="page=2"' in html
    assert f'id="{section_anchor("2. Resultat")}"' in html


def test_pdf_is_served_as_pdf(tmp_path: Path, corpus_engine: Engine) -> None:
    text = (Path(__file__).resolve().parent.parent / "corpus" / f"{CALL}.txt").read_text()
    folder = tmp_path / "docs"
    write_pdf(folder / "utlysning.pdf", paginate(text, 40))
    settings = Settings(data_dir=tmp_path / "data")
    index = open_index(settings, DeterministicFakeEmbedding(size=384))
    assert not Ingestor(settings, index).run([folder]).failed
    engine = Engine(settings, index)
    (doc,) = engine.index.registry.documents()
    assert doc.media_type == "application/pdf"
    app = create_app(settings, engine, FeedbackStore(tmp_path / "f.sqlite3"), chat_ui=False)
    with TestClient(app) as c:
        r = c.get(f"/documents/{doc.doc_id}")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith("inline")
        assert r.content.startswith(b"%PDF")
    engine.index.close()


# -- sources and chat text ------------------------------------------------------------------
def citation(**kw: object) -> Citation:
    base: dict[str, object] = dict(
        n=1, doc_id=CALL, title="Utlysning <i>x</i>", doc_type="call", page=None,
        section="Vem kan söka?", text="Före. <script>alert(1)</script> Citerad mening. Efter.",
        source=source_url(CALL, None, "Vem kan söka?"), quote="Citerad mening.")
    base.update(kw)
    return Citation(**base)  # type: ignore[arg-type]


def test_sources_are_escaped_and_mark_the_quote() -> None:
    html = sources_html([citation()], "sv")
    assert "<script>" not in html and "<i>" not in html
    assert "<mark>Citerad mening.</mark>" in html
    assert f'href="/documents/{CALL}#sec-vem-kan-s\u00f6ka"' in html
    assert "Utlysning" in html and "avsnitt" in html
    assert 'href="/documents/x#page=4"' in sources_html(
        [citation(page=4, source="/documents/x#page=4")], "en")


def test_marked_passage_without_the_quote_is_just_escaped() -> None:
    assert marked_passage("a < b", "not there") == "a &lt; b"


def test_chat_markdown_is_inert() -> None:
    evil = "<img src=x onerror=alert(1)> [klicka](javascript:alert(1)) **fet** $x$"
    out = md_text(evil)
    assert "<img" not in out and "](" not in out and "**" not in out
    answer = Answer(answer=evil, refused=False, language="sv", kind="other",
                    citations=[citation()])
    md = answer_markdown(answer, "sv")
    assert "<img" not in md and "<script>" not in md
    assert f'href="/documents/{CALL}#sec-vem-kan-s\u00f6ka"' in md
    assert "Utlysning &lt;i&gt;x&lt;/i&gt;" in md  # the title from the document, escaped


def test_answer_markers_link_to_the_sources_under_the_answer() -> None:
    answer = Answer(answer="Företag kan söka [1]. Inte [7].", refused=False, language="sv",
                    kind="eligibility", citations=[citation()])
    md = answer_markdown(answer, "sv", answer_n=3)
    assert '<a class="cite" href="#a3-s1">[1]' in md
    assert 'id="a3-s1"' in md and "<mark>Citerad mening.</mark>" in md
    assert "\\[7\\]" in md  # no source 7: the marker stays text
    block = md.split("**Källor**", 1)[1]
    assert "\n" not in block.strip()  # one HTML line: Markdown cannot take the passage apart


# -- widget ---------------------------------------------------------------------------------
def test_embed_page_may_be_framed_and_loads_only_own_assets(client: TestClient) -> None:
    r = client.get("/embed")
    assert r.status_code == 200
    assert "x-frame-options" not in r.headers
    csp = r.headers["content-security-policy"]
    # by default only the app itself may frame it (test_web_security.py: the allowed origins)
    assert csp.endswith("frame-ancestors 'self'") and "script-src 'self'" in csp
    assert '<html lang="sv">' in r.text
    assert not re.search(r"(src|href)=\"(https?:)?//", r.text)
    for asset in re.findall(r'(?:src|href)="(app-static/[^"]+)"', r.text):
        a = client.get("/" + asset)
        assert a.status_code == 200
        assert not re.search(r"https?://(?!www\.w3\.org)", a.text), asset
    assert client.get("/embed?lang=en").text.count('<html lang="en">') == 1
    assert '<html lang="sv">' in client.get("/embed?lang=<x>").text


def embed_config(html: str) -> dict[str, Any]:
    """The JSON the widget page hands its script."""
    m = re.search(r'<script type="application/json" id="assistant-strings">(.*?)</script>', html,
                  re.DOTALL)
    assert m
    config: dict[str, Any] = json.loads(m.group(1))
    return config


SMALL_CALL = """# Utlysning: Gröna jobb i skärgården

Region Exempel utlyser projektstöd för gröna jobb i skärgården.

## Vem kan söka?

Kommuner, föreningar och företag i skärgården kan söka stöd.

## Hur mycket stöd kan man få?

Stödet är högst 500 000 kronor per projekt.

## Sista ansökningsdag

Ansökan ska vara inne senast den 1 mars 2024.
"""

SMALL_REPORT = """# Slutrapport: Havsbruk 2030

Projektet Havsbruk 2030 pågick 2021–2023 och finansierades av Region Exempel.

## Resultat

Tolv företag startade odling av musslor.

## Lärdomar

Den viktigaste lärdomen var att tillstånden tar lång tid. Samverkan med kommunerna var avgörande.
"""


def test_example_questions_come_from_the_documents_in_the_index(
        client: TestClient, corpus_engine: Engine, tmp_path: Path) -> None:
    shipped = embed_config(client.get("/embed").text)["examples"]
    assert shipped["sv"] == example_questions(corpus_engine.search.documents(), "sv")
    assert any("Relocate" in q for q in shipped["sv"])
    assert any("Relocate" in q for q in shipped["en"])
    assert all(q.endswith("?") for lang in ("sv", "en") for q in shipped[lang])

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gronajobb.md").write_text(SMALL_CALL, encoding="utf-8")
    (docs / "havsbruk.md").write_text(SMALL_REPORT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    index = open_index(settings, embeddings=DeterministicFakeEmbedding(size=384))
    assert not Ingestor(settings, index).run([docs]).failed
    engine = Engine(settings, index)
    app = create_app(settings, engine, FeedbackStore(tmp_path / "f.sqlite3"), chat_ui=False)
    with TestClient(app) as c:
        other = embed_config(c.get("/embed?lang=en").text)["examples"]
    index.close()
    assert other["sv"] == ["Vem kan söka gröna jobb i skärgården?",
                           "Vilka lärdomar drog projektet Havsbruk 2030?",
                           "Hur mycket stöd kan man få i gröna jobb i skärgården?"]
    assert other["en"][:2] == ["Who can apply to “Gröna jobb i skärgården”?",
                               "What lessons did the Havsbruk 2030 project learn?"]
    assert not any("Relocate" in q for lang in ("sv", "en") for q in other[lang])


def test_example_questions_without_documents_are_none() -> None:
    assert example_questions({}, "sv") == []


def test_embed_page_has_notice_counter_and_new_conversation(client: TestClient) -> None:
    sv = client.get("/embed").text
    assert "Svaren är vägledning, inte beslut" in sv and "IP-adresser sparas inte" in sv
    assert "0 av 2000 tecken" in sv
    assert 'id="w-new"' in sv and "Ny konversation" in sv
    assert "maxlength" not in sv  # a pasted question over the limit is said, not cut
    en = client.get("/embed?lang=en").text
    assert "answers are guidance, not decisions" in en and "IP addresses are not stored" in en
    assert "0 of 2000 characters" in en


def test_embed_strings_cannot_close_their_script() -> None:
    from assistant.web.embed import render_embed

    html = render_embed("sv", 2000)
    data = html.split('id="assistant-strings">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data


def test_widget_script_is_served(client: TestClient) -> None:
    r = client.get("/app-static/widget.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "embed?lang=" in r.text


# -- staff ----------------------------------------------------------------------------------
def test_staff_is_closed_without_a_password(corpus_engine: Engine, tmp_path: Path) -> None:
    app = create_app(staff_settings(corpus_engine, None), corpus_engine,
                     FeedbackStore(tmp_path / "f.sqlite3"), chat_ui=False)
    with TestClient(app) as c:
        r = c.get("/staff")
        assert r.status_code == 403 and "stängd" in r.text
        assert "ASSISTANT_WEB__STAFF_PASSWORD" in r.text
        r = c.post("/staff/login", data={"user": "staff", "password": ""},
                   follow_redirects=False)
        assert r.status_code == 403
        assert COOKIE not in r.cookies


def test_staff_requires_login(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/staff", params={"q": "hinder"})
    assert r.status_code == 200
    assert 'type="password"' in r.text and "Träffar" not in r.text
    assert r.headers["x-frame-options"] == "DENY"
    r = client.get("/staff/lessons", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    r = client.post("/staff/login", data={"user": "staff", "password": "fel",
                                          "csrf": form_token(client)}, follow_redirects=False)
    assert r.status_code == 401 and "Fel användarnamn" in r.text
    client.cookies.set(COOKIE, "eyJ1Ijoic3RhZmYiLCJleHAiOjk5OTk5OTk5OTl9.forged", path="/staff")
    assert "Träffar" not in client.get("/staff", params={"q": "hinder"}).text
    client.cookies.clear()


def test_staff_session_cookie_is_strict(client: TestClient) -> None:
    client.cookies.clear()
    r = client.post("/staff/login", data={"user": "staff", "password": PASSWORD,
                                          "csrf": form_token(client)}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    client.cookies.clear()


def test_sessions_expire_and_are_signed() -> None:
    sessions = StaffSessions(Settings(web={"staff_password": "x"}).web)  # type: ignore[arg-type]
    cookie = sessions.issue(now=1000.0)
    assert sessions.valid(cookie, now=1001.0)
    assert not sessions.valid(cookie, now=1000.0 + 9 * 3600)
    other = StaffSessions(Settings(web={"staff_password": "x"}).web)  # type: ignore[arg-type]
    assert not other.valid(cookie, now=1001.0)


def test_staff_search_with_filters(client: TestClient) -> None:
    login(client)
    r = client.get("/staff", params={"q": "hinder arbetsmarknadsmobilitet"})
    assert r.status_code == 200 and "Träffar" in r.text
    r = client.get("/staff", params={"q": "stöd", "doc_type": "call"})
    titles = re.findall(r'<li class="result"><h3>([^<]+)</h3>', r.text)
    assert titles and set(titles) == {"Projektstöd för ökad rörlighet och bättre matchning på "
                                      "arbetsmarknaden"}
    r = client.get("/staff", params={"q": "stöd", "region": "Region Västerbotten",
                                     "year": "2023", "doc_id": REPORT})
    titles = re.findall(r'<li class="result"><h3>([^<]+)</h3>', r.text)
    assert titles and set(titles) == {"Slutrapport: Relocate"}
    r = client.get("/staff", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in r.text
    client.cookies.clear()


def test_staff_reads_the_reports_lessons_as_statements(client: TestClient) -> None:
    login(client)
    r = client.get("/staff/lessons")
    assert r.status_code == 200
    assert "Slutrapport: Relocate" in r.text
    quotes = re.findall(r"<blockquote>([^<]+)</blockquote>", r.text)
    assert any("hitta bostad" in q for q in quotes)
    # the section headings are no statements, and neither is the problem description
    assert "Svåra hinder vi identifierat" not in quotes
    assert not any(q.endswith(":") for q in quotes)
    only = client.get("/staff/lessons", params={"kind": "obstacle", "theme": "housing"}).text
    assert re.findall(r"<blockquote>([^<]+)</blockquote>", only)
    assert set(re.findall(r'<p class="meta">(\w+) ·', only)) == {"Hinder"}
    client.post("/staff/logout", data={"csrf": form_token(client, "/staff/lessons")})
    client.cookies.clear()


def test_staff_is_not_reachable_from_the_public_pages(client: TestClient) -> None:
    for path in ("/embed", "/app-static/embed.js", "/app-static/widget.js", "/openapi.json"):
        assert "/staff" not in client.get(path).text, path


# -- the Gradio chat ------------------------------------------------------------------------
def test_chat_page_is_served_without_cdn(corpus_engine: Engine, tmp_path: Path) -> None:
    app = create_app(corpus_engine.settings, corpus_engine,
                     FeedbackStore(tmp_path / "f.sqlite3"))
    with TestClient(app) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert "Frågor om projektstöd" in r.text
        assert "/staff" not in r.text
        theme = c.get("/theme.css").text
        assert "googleapis" not in theme and "@import" not in theme
        assert "fonts.googleapis" not in r.text
        assert c.get("/api/health").status_code == 200  # API routes are not shadowed by Gradio
        assert c.get("/embed").status_code == 200


def test_feedback_store_roundtrip(tmp_path: Path) -> None:
    store = FeedbackStore.in_data_dir(tmp_path)
    ref = store.add("Fråga?", "Svar.", "up", channel="chat")
    assert store.update(ref, comment="  " + "k" * 1200)
    assert store.update(ref, rating="down")
    assert not store.update("unknown", comment="x")
    (record,) = store.all()
    assert record.rating == "down" and len(record.comment or "") == 1000
    assert (tmp_path / "feedback.sqlite3").is_file()


def test_serve_command_is_documented() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--data-dir", "--workers"):
        assert option in result.output
