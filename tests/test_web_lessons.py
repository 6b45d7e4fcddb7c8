"""``/staff/lessons`` over the generated final reports: themes with counts, filters, the text
query, quotes linked to their place, CSV and Markdown export with citations, the chart with
its table. Real Chroma in a temp dir, fake embeddings, the real app."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from langchain_core.embeddings import DeterministicFakeEmbedding
from pydantic import SecretStr

from assistant.engine import Engine
from assistant.index import open_index
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.testing import staff_login
from ingest.pipeline import Ingestor
from tests.lesson_reports import generate

PASSWORD = "lärdomar-2024"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("lessons-web")
    folder = root / "reports"
    folder.mkdir()
    for r in generate():
        (folder / r.name).write_text(r.text, encoding="utf-8")
    settings = Settings(data_dir=root / "data", web={  # type: ignore[arg-type]
        "staff_password": SecretStr(PASSWORD), "rate_limit_per_minute": 0})
    index = open_index(settings, embeddings=DeterministicFakeEmbedding(size=384))
    assert not Ingestor(settings, index).run([folder]).failed
    app = create_app(settings, Engine(settings, index),
                     FeedbackStore(root / "feedback.sqlite3"), chat_ui=False)
    with TestClient(app) as c:
        assert staff_login(c, PASSWORD).status_code == 303
        yield c
    index.close()


def _quotes(html: str) -> list[str]:
    return re.findall(r"<blockquote>([^<]+)</blockquote>", html)


def _titles(html: str) -> list[str]:
    return re.findall(r'<span class="sr-only">: ([^<]+)</span>', html)


def test_lessons_need_login(tmp_path: Path, client: TestClient) -> None:
    cookies = dict(client.cookies)
    client.cookies.clear()
    try:
        r = client.get("/staff/lessons", follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/staff/lessons.csv", follow_redirects=False).status_code == 303
    finally:
        for k, v in cookies.items():
            client.cookies.set(k, v, path="/staff")


def test_themes_with_counts_chart_and_table(client: TestClient) -> None:
    r = client.get("/staff/lessons")
    assert r.status_code == 200
    html = r.text
    assert re.search(r'href="/staff/lessons\?theme=housing">Boende</a> – \d+ av 36 rapporter',
                     html)
    assert '<svg class="theme-chart" aria-hidden="true"' in html and "<rect" in html
    assert '<table class="theme-table"><caption>' in html
    assert '<th scope="row">Boende</th>' in html
    # never a heading or an announcing sentence
    assert not any(q.endswith(":") or q.startswith(("Nedan", "Följande", "The following"))
                   for q in _quotes(html))


def test_theme_filter_shows_its_quotes_with_links_to_their_place(client: TestClient) -> None:
    html = client.get("/staff/lessons", params={"theme": "housing"}).text
    quotes = _quotes(html)
    assert quotes and all(re.search(r"bostäder|lägenhet|boende|rental|Hyresvärd", q, re.I)
                          for q in quotes), quotes
    links = re.findall(r'<a href="(/documents/[^"#]+#[^"]+)">Öppna citatet', html)
    assert len(links) == len(quotes)
    doc = client.get(links[0].split("#")[0])
    assert doc.status_code == 200 and quotes[0].replace("&#x27;", "'") in doc.text


def test_filters_and_text_query(client: TestClient) -> None:
    html = client.get("/staff/lessons", params={"kind": "obstacle"}).text
    assert re.findall(r'<p class="meta">(\w+) ·', html) and \
        set(re.findall(r'<p class="meta">(\w+) ·', html)) == {"Hinder"}
    html = client.get("/staff/lessons", params={"q": "kollektivtrafiken"}).text
    assert _quotes(html) and all("kollektivtrafiken" in q for q in _quotes(html))
    html = client.get("/staff/lessons", params={"year": "2015"}).text
    assert _quotes(html) and {t for t in _titles(html)} == {"Slutrapport: Nya vägar Älvdala"}
    html = client.get("/staff/lessons", params={"publisher": "Region Granö",
                                                "programme": "Leader"}).text
    assert _quotes(html) and {t for t in _titles(html)} == {"Slutrapport: Steget Granö"}
    html = client.get("/staff/lessons", params={"q": "<script>x</script>"}).text
    assert "<script>x" not in html


def test_csv_and_markdown_exports_keep_the_filters_and_cite(client: TestClient) -> None:
    page = client.get("/staff/lessons", params={"theme": "housing", "kind": "obstacle"}).text
    assert 'href="/staff/lessons.csv?kind=obstacle&amp;theme=housing"' in page
    r = client.get("/staff/lessons.csv", params={"theme": "housing", "kind": "obstacle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and all(row["kind"] == "Hinder" and "Boende" in row["themes"] for row in rows)
    assert all(row["link"].startswith(f"/documents/{row['doc_id']}#") and row["title"]
               and row["quote"] for row in rows)
    assert len(rows) == len(_quotes(page))
    md = client.get("/staff/lessons.md", params={"theme": "housing", "kind": "obstacle"}).text
    assert md.startswith("# Lärdomar ur slutrapporterna") and "## Boende" in md
    items = [ln for ln in md.splitlines() if ln.startswith("- Hinder: ”")]
    assert len(items) == len(rows)
    assert all(re.search(r"\(\[källa\]\(/documents/[^)]+#[^)]+\)\)$", ln) for ln in items)
    assert client.get("/staff/lessons.exe").status_code == 404
