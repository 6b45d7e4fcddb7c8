"""Example questions drawn from the documents in the index: per document type present, the
question templates of ``strings.json`` filled with a document's title, in the visitor's language.

The templates are data (``example_templates``); this module only picks documents and fills in
what their titles name ('Slutrapport: Relocate' → 'Relocate'; ``{title}`` as it reads inside a
sentence, ``{name}`` and ``{subject}`` as written), so a region's own calls and reports give its
own examples.
"""

from __future__ import annotations

from collections.abc import Mapping

from ingest.document import DocumentInfo

from .ui_text import strings

TYPE_ORDER = ("call", "report", "decision", "other")
MAX_EXAMPLES = 3


def subject(title: str) -> str:
    """What a title names: the part after a leading kind ('Slutrapport: Relocate' → 'Relocate')."""
    _, sep, rest = title.rpartition(": ")
    return rest.strip() if sep and rest.strip() else title.strip()


def in_sentence(title: str) -> str:
    """A title as it reads inside a question: first letter small unless it is an acronym."""
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def _newest_first(docs: Mapping[str, DocumentInfo], doc_type: str) -> list[DocumentInfo]:
    found = [(doc_id, d) for doc_id, d in docs.items() if d.doc_type == doc_type and d.title]
    found.sort(key=lambda p: (-(p[1].year or 0), p[0]))
    return [d for _, d in found]


def example_questions(docs: Mapping[str, DocumentInfo], lang: str,
                      limit: int = MAX_EXAMPLES) -> list[str]:
    """A few questions the index can answer: the first template of each document type present
    (newest document of the type first), then further templates, until ``limit``."""
    templates: dict[str, list[str]] = strings(lang)["example_templates"]
    by_type = {t: _newest_first(docs, t) for t in TYPE_ORDER}
    rounds = max((len(v) for v in templates.values()), default=0)
    out: list[str] = []
    for r in range(rounds):
        for doc_type in TYPE_ORDER:
            found = by_type[doc_type]
            forms = templates.get(doc_type, [])
            if not found or r >= len(forms):
                continue
            doc = found[r % len(found)]
            name = subject(doc.title)
            question = forms[r].format(title=in_sentence(name), name=name, subject=name)
            if question not in out:
                out.append(question)
            if len(out) >= limit:
                return out
    return out
