"""Classification from content, and the metadata file that overrides it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import IngestSettings, Settings
from ingest.classify import classify_type, describe, read_metadata
from ingest.cleaning import clean_document
from ingest.document import DocumentInfo
from ingest.loaders import load_document
from ingest.pipeline import Ingestor

CORPUS_TYPES = {
    "region-norrbotten-utlysning-kompetensforsorjning-2019.txt": ("call", "Region Norrbotten", 2019),
    "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt": ("decision", "Region Västerbotten", 2023),
    "region-vasterbotten-slutrapport-relocate-2023.txt": ("report", "Region Västerbotten", 2023),
}

SHORT_TEXTS = {
    "call": (
        "Utlysning: medel för kompetensförsörjning 2024\n\n"
        "Region Jämtland Härjedalen utlyser medel för projekt.\n\nVem kan söka?\n\n"
        "Kommuner och företag kan söka stöd. Sista dag för ansökan är den 31 mars.\n\n"
        "Hur ansöker vi?\n\nAnsökan ska lämnas i e-tjänsten."
    ),
    "decision": (
        "Beslut om stöd\n\nStödmottagare: Umeå kommun\n\nDiarienummer: RUN 2024-17\n\n"
        "Region Västerbotten beviljar Umeå kommun stöd för projektet Grön omställning. "
        "Stödandel 40 %. Beslutet kan inte överklagas."
    ),
    "report": (
        "Slutrapport för projektet Hållbar landsbygd\n\n"
        "Projektets resultat: 120 personer har deltagit i projektet. "
        "Lärdomar: samverkan tar tid. Kommentarer och tips till andra projekt finns nedan."
    ),
    "other": (
        "Protokoll från styrelsemöte\n\nStyrelsen diskuterade budgeten för nästa år "
        "och beslutade att sammanträda igen i maj. Mötet avslutades klockan 16."
    ),
}


def _describe(path: Path) -> DocumentInfo:
    return describe(clean_document(load_document(path, IngestSettings()), "doc"))


@pytest.mark.parametrize("name", sorted(CORPUS_TYPES))
def test_corpus_documents_are_classified_by_content(
    name: str, corpus_dir: Path, tmp_path: Path
) -> None:
    # a copy without its metadata file: everything is read from the text
    copy = tmp_path / name
    shutil.copy(corpus_dir / name, copy)
    info = _describe(copy)
    doc_type, region, year = CORPUS_TYPES[name]
    assert (info.doc_type, info.region, info.year) == (doc_type, region, year)
    assert info.type_confidence > 0
    assert info.title and info.title != copy.stem


@pytest.mark.parametrize("expected", sorted(SHORT_TEXTS))
def test_short_texts_are_classified(expected: str) -> None:
    doc_type, confidence = classify_type(SHORT_TEXTS[expected])
    assert doc_type == expected
    assert 0 <= confidence <= 1


@pytest.mark.parametrize("meta_name", ["doc.txt.meta.json", "doc.meta.json"])
def test_metadata_file_overrides_content(tmp_path: Path, meta_name: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(SHORT_TEXTS["call"], encoding="utf-8")
    assert _describe(path).doc_type == "call"
    (tmp_path / meta_name).write_text(json.dumps({
        "doc_type": "other", "title": "Arkiverad utlysning", "organisation": "Region Gävleborg",
        "region": "Region Gävleborg", "year": 2018,
    }), encoding="utf-8")
    info = _describe(path)
    assert info.doc_type == "other" and info.type_confidence == 1.0
    assert info.title == "Arkiverad utlysning"
    assert (info.organisation, info.region, info.year) == ("Region Gävleborg", "Region Gävleborg", 2018)


def test_the_more_specific_metadata_file_wins(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    (tmp_path / "doc.pdf.meta.json").write_text('{"title": "Från doc.pdf.meta.json"}')
    (tmp_path / "doc.meta.json").write_text('{"title": "Från doc.meta.json"}')
    assert read_metadata(path) == {"title": "Från doc.pdf.meta.json"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('["call"]', "must hold a JSON object"),
        ('{"kind": "call"}', "unknown fields ['kind']"),
        ('{"doc_type": "utlysning"}', "doc_type must be one of call, decision, report, other"),
        ('{"year": "tjugohundra"}', "year must be a number"),
        ('{"title": ""}', "title must be a non-empty string"),
    ],
)
def test_a_bad_metadata_file_is_refused_with_its_name_and_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    (tmp_path / "doc.txt.meta.json").write_text(content, encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_metadata(tmp_path / "doc.txt")
    assert "doc.txt.meta.json" in str(err.value) and reason in str(err.value)


def test_a_bad_metadata_file_fails_only_its_own_document(
    tmp_path: Path, settings: Settings, make_index
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for kind, text in SHORT_TEXTS.items():
        (docs / f"{kind}.txt").write_text(text, encoding="utf-8")
    (docs / "decision.txt.meta.json").write_text('{"doc_type": "beslut"}', encoding="utf-8")
    index = make_index(settings)
    report = Ingestor(settings, index).run([docs])
    (failed,) = report.failed
    assert Path(failed.path).name == "decision.txt"
    assert failed.reason and "decision.txt.meta.json" in failed.reason
    assert {d.info.doc_type for d in index.registry.documents()} == {"call", "report", "other"}
