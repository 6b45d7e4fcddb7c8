"""Loading: PDFs the tests generate from the samples (page by page, Swedish letters intact,
furniture and hyphenation repaired), text files with form feeds, Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_factory import page_of, paginate, wrap, write_pdf

from assistant.settings import IngestSettings, Settings
from ingest.cleaning import clean_document
from ingest.loaders import load_document
from ingest.pipeline import Ingestor
from ingest.structure import sections

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
HEADER = "Region Norrbotten – Utlysning: kompetensförsörjning 2019"
SWEDISH = re.compile(r"[åäöÅÄÖé]")


def _call_pages(corpus_dir: Path) -> list[list[str]]:
    """The call's lines laid out so that "Vem kan söka?" opens page 3's second half."""
    pages = paginate((corpus_dir / CALL).read_text(encoding="utf-8"), lines_per_page=14)
    assert page_of(pages, "Vem kan söka?") == 3  # the premise of the page assertions below
    return pages


@pytest.fixture(scope="module")
def call_pdf(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    # the metadata file travels with the document, like the corpus's own
    (folder / "utlysning.pdf.meta.json").write_text(
        (corpus_dir / f"{CALL}.meta.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return write_pdf(folder / "utlysning.pdf", _call_pages(corpus_dir), header=HEADER)


def _hyphen_breaks(text: str) -> list[tuple[str, str]]:
    """Words the source breaks with a hyphen at a line end (not "bransch- och")."""
    pairs = re.findall(r"([^\W\d_]+)-[ \t]*\n[ \t]*([a-zåäö]+)", text)
    return [(a, b) for a, b in pairs if b not in {"och", "eller", "samt"}]


def test_pdf_pages_are_numbered_and_keep_swedish_letters(call_pdf: Path, corpus_dir: Path) -> None:
    pages = _call_pages(corpus_dir)
    raw = load_document(call_pdf, IngestSettings())
    assert [p.number for p in raw.pages] == list(range(1, len(pages) + 1))
    assert raw.media_type == "application/pdf"

    doc = clean_document(raw, "call")
    source = (corpus_dir / CALL).read_text(encoding="utf-8")
    broken = {w for pair in _hyphen_breaks(source) for w in pair}
    swedish_words = {
        w.strip(".,:;?!()”") for w in source.split()
        if SWEDISH.search(w) and not w.endswith("-") and w.strip(".,:;?!()”") not in broken
    }
    missing = [w for w in swedish_words if w not in doc.text]
    assert not missing, f"Swedish words lost or garbled: {missing[:10]}"
    assert "\ufffd" not in doc.text and "Ã" not in doc.text  # no mojibake
    assert "Vem kan söka?" in doc.text
    assert "Stödmottagare" not in doc.text  # nothing from elsewhere leaks in


def test_phrases_are_attributed_to_the_page_they_stand_on(
    call_pdf: Path, corpus_dir: Path
) -> None:
    pages = _call_pages(corpus_dir)
    doc = clean_document(load_document(call_pdf, IngestSettings()), "call")
    for phrase in ("Vem kan söka?", "Utlysningen är öppen 15 januari", "Eva Jonsson",
                   "Andelen utanför arbetskraften"):
        assert doc.page_at(doc.text.index(phrase)) == page_of(pages, phrase), phrase
    for n in range(1, len(pages) + 1):
        assert doc.page_text(n).strip()


def test_running_header_footer_and_page_numbers_are_removed(call_pdf: Path) -> None:
    doc = clean_document(load_document(call_pdf, IngestSettings()), "call")
    assert HEADER not in doc.text
    assert "Utlysning: kompetensförsörjning 2019" not in doc.text
    assert not re.search(r"Sida \d+ av \d+", doc.text)
    assert not re.search(r"^\d{1,3}$", doc.text, re.MULTILINE)


def test_words_hyphenated_across_lines_are_joined(call_pdf: Path, corpus_dir: Path) -> None:
    doc = clean_document(load_document(call_pdf, IngestSettings()), "call")
    source = (corpus_dir / CALL).read_text(encoding="utf-8")
    breaks = _hyphen_breaks(source)
    assert len(breaks) >= 6
    for left, right in breaks:
        assert left + right in doc.text, f"{left}-/{right} not joined"
        assert f"{left}- {right}" not in doc.text
    # a suspended compound keeps its hyphen
    assert "bransch- och utbildningsvalidering" in doc.text


def test_typeset_paragraphs_come_back_word_for_word(tmp_path: Path) -> None:
    """Paragraphs wrapped and hyphenated by a typesetter, across three pages with furniture,
    come back exactly as written, each on its own page."""
    paragraphs = [
        "Region Västerbotten beviljar stöd till kompetensförsörjningsprojekt som stärker "
        "samverkan mellan arbetsgivare, utbildningsanordnare och kommuner i länets inland.",
        "Stödmottagaren ska lämna en slutrapport som beskriver projektets genomförande, "
        "måluppfyllelse och lärdomar senast två månader efter projektperiodens slut.",
        "Högst 50 procent av de stödberättigande kostnaderna finansieras; övriga kostnader "
        "täcks av offentlig medfinansiering från kommunerna och arbetsförmedlingen.",
    ]
    pages = [["Beslut om stöd", "", *wrap(p, width=30)] for p in paragraphs]
    assert sum(line.endswith("-") for page in pages for line in page) >= 6
    pdf = write_pdf(tmp_path / "beslut.pdf", pages, header="Region Västerbotten – Beslut 2023")
    doc = clean_document(load_document(pdf, IngestSettings()), "beslut")
    for n, paragraph in enumerate(paragraphs, start=1):
        assert paragraph in doc.text
        assert doc.page_at(doc.text.index(paragraph)) == n


def test_paragraphs_set_apart_by_spacing_stay_apart(tmp_path: Path) -> None:
    first = ("Region Västerbotten beviljar stöd till projektet. Stödet uppgår till högst "
             "465 000 kronor och 25 procent av de faktiska kostnaderna.")
    second = ("Beslutet har fattats med stöd av förordningen om bidrag för projektverksamhet "
              "inom den regionala tillväxtpolitiken.")
    lines = [*wrap(first, 40), "", *wrap(second, 40)]
    pdf = write_pdf(tmp_path / "beslut.pdf", [lines], footer=None)
    doc = clean_document(load_document(pdf, IngestSettings()), "beslut")
    assert doc.text.split("\n\n") == [first, second]


def test_chunks_and_facts_of_a_pdf_carry_the_right_pages(
    call_pdf: Path, corpus_dir: Path, settings: Settings, make_index
) -> None:
    pages = _call_pages(corpus_dir)
    index = make_index(settings)
    report = Ingestor(settings, index).run([call_pdf])
    assert report.count("added") == 1, report.failed
    (record,) = index.registry.documents()
    assert record.n_pages == len(pages)
    assert record.info.doc_type == "call"
    assert record.media_type == "application/pdf"

    text, _, _ = index.registry.document_text(record.doc_id)
    target = page_of(pages, "Vem kan söka?")
    holding = [c for c in index.registry.chunks() if "Vem kan söka?" in c.text]
    assert holding
    for c in holding:
        assert c.page_start is not None and c.page_end is not None
        assert c.page_start <= target <= c.page_end
        assert c.text == text[c.start : c.end]
    facts = index.registry.facts(record.doc_id)
    assert facts
    by_name = {f.name: f for f in facts}
    # paragraphs set apart by spacing stay apart, so the list of applicants is read whole
    assert by_name["applicants"].value[:3] == ["Företag", "branschorganisationer", "fackförbund"]
    assert by_name["applicants"].page == target
    for name, phrase in (("funding_cap", "800 000 kronor"),
                         ("application_window", "Utlysningen är öppen")):
        assert by_name[name].page == page_of(pages, phrase), name
    checked = 0
    for f in facts:  # every fact is on the page where its quote starts in the PDF
        head = f.quote.split("\n")[0][:15]
        on = [n for n, lines in enumerate(pages, 1) if any(head in ln for ln in lines)]
        if len(on) == 1:
            assert f.page == on[0], f
            checked += 1
    assert checked >= 3


def test_text_file_form_feeds_are_page_breaks(tmp_path: Path) -> None:
    path = tmp_path / "beslut.txt"
    path.write_text(
        "Beslut om stöd\n\nRegion Västerbotten beviljar stöd till projektet.\f"
        "Projektperiod\n\nProjektet pågår från 2023-09-01 till 2024-05-31.\f"
        "Sista datum för slutrapport\n\nSlutrapporten ska lämnas senast 2024-07-31.\n",
        encoding="utf-8",
    )
    raw = load_document(path, IngestSettings())
    assert [p.number for p in raw.pages] == [1, 2, 3]
    doc = clean_document(raw, "beslut")
    assert doc.page_at(doc.text.index("Slutrapporten ska lämnas")) == 3
    assert doc.page_at(doc.text.index("Projektet pågår")) == 2
    assert doc.page_at(doc.text.index("beviljar stöd")) == 1


def test_text_file_without_form_feeds_has_no_pages(corpus_dir: Path) -> None:
    raw = load_document(corpus_dir / CALL, IngestSettings())
    assert [p.number for p in raw.pages] == [None]
    doc = clean_document(raw, "call")
    assert doc.page_at(0) is None


def test_markdown_headings_become_sections(
    tmp_path: Path, settings: Settings, make_index
) -> None:
    path = tmp_path / "utlysning.md"
    path.write_text(
        "# Utlysning om kompetensförsörjning\n\n"
        "Region Norrbotten utlyser medel för projekt som stärker kompetensförsörjningen "
        "i länet under 2019.\n\n"
        "## Vem kan söka?\n\nFöretag, kommuner och myndigheter kan söka stöd.\n\n"
        "* kommuner\n* företag\n\n"
        "## Hur mycket kan projektet få i stöd?\n\n"
        "Högst 800 000 kronor eller 75 procent av kostnaderna.\n",
        encoding="utf-8",
    )
    index = make_index(settings)
    report = Ingestor(settings, index).run([path])
    assert report.count("added") == 1, report.failed
    chunks = index.registry.chunks()
    text, _, _ = index.registry.document_text(chunks[0].doc_id)
    assert "#" not in text
    assert "- kommuner" in text
    assert {"Vem kan söka?", "Hur mycket kan projektet få i stöd?"} <= {
        s.heading for s in sections(text)
    }
    (record,) = index.registry.documents()
    assert record.media_type == "text/markdown"
    assert record.info.doc_type == "call"


SWEDISH_TEXT = "Stöd för kompetensförsörjning i Västerbotten.\nSökande: företag och kommuner – 70 %."


@pytest.mark.parametrize("name, data", [
    ("utf8.txt", SWEDISH_TEXT.encode("utf-8")),
    ("utf8-bom.txt", b"\xef\xbb\xbf" + SWEDISH_TEXT.encode("utf-8")),
    ("utf16le-bom.txt", b"\xff\xfe" + SWEDISH_TEXT.encode("utf-16-le")),
    ("utf16be-bom.md", b"\xfe\xff" + SWEDISH_TEXT.encode("utf-16-be")),
    ("utf16-python.txt", SWEDISH_TEXT.encode("utf-16")),  # BOM in the platform's order
    ("cp1252.txt", SWEDISH_TEXT.replace("–", "-").encode("cp1252")),
    ("nul-bytes.txt", SWEDISH_TEXT.replace(" ", " \x00").encode("utf-8") + b"\x00\x00"),
])
def test_text_encodings_are_read_as_the_same_text(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    raw = load_document(path, IngestSettings())
    text = raw.pages[0].text
    expected = SWEDISH_TEXT if name != "cp1252.txt" else SWEDISH_TEXT.replace("–", "-")
    assert text == expected, repr(text)
    assert "\x00" not in text and "\ufeff" not in text


def test_binary_with_a_text_suffix_is_still_refused(tmp_path: Path) -> None:
    import os

    from assistant.errors import IngestError

    path = tmp_path / "bilaga.txt"
    path.write_bytes(os.urandom(3000))
    with pytest.raises(IngestError, match="binary content in a text file"):
        load_document(path, IngestSettings())
