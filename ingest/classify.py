"""What a document is: call, decision, report or other; its title, issuer, region and year.

Read from the content; a small metadata file beside the document (``NAME.meta.json`` or
``NAME.EXT.meta.json``) overrides any of the fields.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.settings import IngestSettings

from . import vocabulary
from .confined import read_confined
from .document import AUDIENCES, DOC_TYPES, CleanDocument, DocType, DocumentInfo
from .structure import blocks, sections

# How much of a document is read for its type: the head holds the title and the frame.
CLASSIFY_CHARS = 20000
_REGION = re.compile(r"\bRegion (Västerbotten|Norrbotten|Jämtland Härjedalen|Västernorrland|"
                     r"Gävleborg|Dalarna|Värmland|Örebro län|Stockholm|Skåne|Uppsala|Halland|"
                     r"Kalmar län|Kronoberg|Blekinge|Gotland|Jönköpings län|Östergötland|"
                     r"Sörmland|Västmanland|Västra Götaland)\b")
_ORG_HINT = re.compile(r"\b(Region [A-ZÅÄÖ][a-zåäö]+(?: län)?|Tillväxtverket|Länsstyrelsen i [A-ZÅÄÖ]\w+|"
                       r"Svenska ESF-rådet|Europeiska socialfonden)\b")
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
META_FIELDS = {"doc_type", "title", "organisation", "region", "year", "audience"}
METADATA_LIMIT = int(IngestSettings.model_fields["max_metadata_kb"].default) * 1024


def metadata_file(path: Path) -> Path | None:
    """The override file beside ``path`` (``NAME.EXT.meta.json``, else ``NAME.meta.json``)."""
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        if candidate.is_file():
            return candidate
    return None


def read_metadata(path: Path, roots: Sequence[Path] | None = None,
                  limit: int = METADATA_LIMIT) -> dict[str, Any]:
    """The override file beside ``path``, if any, validated; with ``roots`` (resolved input
    folders) it must lie inside them as opened (see :mod:`.confined`)."""
    candidate = metadata_file(path)
    if candidate is None:
        return {}
    return parse_metadata(read_metadata_bytes(candidate, roots, limit), candidate.name)


def read_metadata_bytes(candidate: Path, roots: Sequence[Path] | None = None,
                        limit: int = METADATA_LIMIT) -> bytes:
    """The bytes of a metadata file, within ``limit`` and (with ``roots``) inside the roots."""
    return read_confined(candidate, roots, limit, what=f"metadata file {candidate.name}",
                         unit="KB")


def parse_metadata(raw: bytes, name: str) -> dict[str, Any]:
    """The fields of a metadata file's bytes, validated; ``name`` is the file's, for errors."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(f"metadata file {name} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise IngestError(f"metadata file {name} must hold a JSON object")
    unknown = set(data) - META_FIELDS
    if unknown:
        raise IngestError(f"metadata file {name} has unknown fields {sorted(unknown)}")
    if "doc_type" in data and data["doc_type"] not in DOC_TYPES:
        raise IngestError(f"metadata file {name}: doc_type must be one of {', '.join(DOC_TYPES)}")
    if "audience" in data and data["audience"] not in AUDIENCES:
        raise IngestError(f"metadata file {name}: audience must be one of {', '.join(AUDIENCES)}")
    for key in ("title", "organisation", "region"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            raise IngestError(f"metadata file {name}: {key} must be a non-empty string")
    year = data.get("year")
    if year is not None and not (
        (isinstance(year, int) and not isinstance(year, bool))
        or (isinstance(year, str) and year.strip().isdigit())
    ):
        raise IngestError(f"metadata file {name}: year must be a number such as 2023")
    return data


def type_scores(text: str) -> dict[str, float]:
    """Evidence for every type, summing to 1: weighted signals of ``ingest.toml`` in the text,
    counted again in its headings, against a fixed weight for "other"."""
    head = text[:CLASSIFY_CHARS]
    lowered = head.lower()
    headings = "\n".join(dict.fromkeys(h for s in sections(head) for h in s.path)).lower()
    factor = vocabulary.number("classify.heading_factor")
    raw: dict[str, float] = {}
    for kind in vocabulary.KINDS:
        total = 0.0
        for pattern, weight in vocabulary.signals(kind):
            total += weight * min(len(pattern.findall(lowered)), 3) ** 0.5
            total += factor * weight * min(len(pattern.findall(headings)), 3) ** 0.5
        raw[kind] = total
    raw["other"] = vocabulary.number("classify.other_weight")
    whole = sum(raw.values())
    return {t: round(raw[t] / whole, 3) for t in DOC_TYPES}


def classify_type(text: str) -> tuple[DocType, float]:
    """The most likely document type and its share of the evidence, in [0, 1]."""
    scores = type_scores(text)
    best = max(DOC_TYPES, key=lambda t: scores[t])
    return best, scores[best]


def _title(doc: CleanDocument, doc_type: DocType) -> str:
    m = re.search(r"^Projektnamn:\s*(.+)$", doc.text, re.MULTILINE)
    if m and doc_type == "decision":
        return f"Beslut om stöd: {m.group(1).strip()}"
    for b in blocks(doc.text)[:12]:
        s = b.text.strip()
        words = s.split()
        if 2 <= len(words) <= 14 and not s.endswith((".", ":", "?")) and s[0].isupper() \
                and not re.match(r"^\d+\.", s) and s.lower() not in {"beslut om stöd", "sammanfattning"}:
            return s
    stem = doc.path.stem.replace("_", " ").replace("-", " ")
    return stem[:1].upper() + stem[1:]


def titled(info: DocumentInfo, project_name: str | None, meta_title: bool) -> DocumentInfo:
    """A report or decision titled after its project when no metadata title was given."""
    if meta_title or not project_name:
        return info
    prefix = {"report": "Slutrapport", "decision": "Beslut om stöd"}.get(info.doc_type)
    if not prefix:
        return info
    return replace(info, title=f"{prefix}: {project_name}")


def describe(doc: CleanDocument, meta: dict[str, Any] | None = None) -> DocumentInfo:
    """Type, title, organisation, region and year, read from the content and the metadata file
    (``meta``, its fields as :func:`parse_metadata` read them; None: read it here)."""
    meta = read_metadata(doc.path) if meta is None else meta
    scores = type_scores(doc.text)
    doc_type: DocType = max(DOC_TYPES, key=lambda t: scores[t])
    confidence = scores[doc_type]
    if "doc_type" in meta:  # a person's word is certain: the scores say so too
        doc_type, confidence = meta["doc_type"], 1.0
        scores = {t: float(t == doc_type) for t in DOC_TYPES}
    regions = Counter(m.group(0) for m in _REGION.finditer(doc.text[:30000]))
    orgs = Counter(m.group(0) for m in _ORG_HINT.finditer(doc.text[:30000]))
    years = Counter(int(y) for y in _YEAR.findall(doc.text[:30000]))
    region = regions.most_common(1)[0][0] if regions else None
    year = max(years) if years else None  # calls: the year they are open; reports: when they end
    first = _YEAR.search(doc.text[:3000])
    if doc_type == "decision" and first:
        year = int(first.group(0))  # the decision's own date or diary number comes first
    return DocumentInfo(
        doc_type=doc_type,
        title=str(meta.get("title") or _title(doc, doc_type)),
        organisation=meta.get("organisation") or (orgs.most_common(1)[0][0] if orgs else region),
        region=meta.get("region") or region,
        year=int(meta["year"]) if meta.get("year") else year,
        type_confidence=confidence,
        type_scores=scores,
    )
