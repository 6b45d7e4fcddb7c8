"""The plain server-rendered pages (document view, staff view): one page shell, escaped text,
and the security headers they are sent with."""

from __future__ import annotations

from html import escape

# Pages rendered here load nothing but the app's own stylesheet, and run no script at all.
STRICT_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
              "base-uri 'none'; frame-ancestors 'self'")

# Pages that bring their own scripts and styles (the Gradio chat) get what restricts nothing
# they load: who may frame them, where forms go, no plugins, no <base>.
APP_PAGE_CSP = "frame-ancestors 'self'; form-action 'self'; object-src 'none'; base-uri 'self'"


def frame_sources(origins: tuple[str, ...]) -> str:
    """The CSP ``frame-ancestors`` sources for a page the region's sites may frame: the app
    itself and the allowed origins (``*`` alone opens it to every site)."""
    cleaned = [o.strip().rstrip("/") for o in origins if o.strip()]
    if "*" in cleaned:
        return "*"
    safe = [o for o in cleaned if not any(ch in o for ch in " ;,'\"")]
    return " ".join(["'self'", *safe])


def with_frame_ancestors(csp: str, sources: str) -> str:
    """``csp`` with its ``frame-ancestors`` directive replaced (or added)."""
    kept = [d.strip() for d in csp.split(";")
            if d.strip() and not d.strip().lower().startswith("frame-ancestors")]
    return "; ".join([*kept, f"frame-ancestors {sources}"])


def page(title: str, body: str, lang: str, stylesheet: str = "/app-static/site.css") -> str:
    """A complete HTML page; ``body`` must already be escaped HTML."""
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{escape(stylesheet)}">\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def paragraphs(text: str) -> str:
    """Blocks of plain text (separated by blank lines) as escaped ``<p>`` elements."""
    out = []
    for block in text.split("\n\n"):
        if block.strip():
            out.append("<p>" + "<br>".join(escape(line) for line in block.strip().split("\n"))
                       + "</p>")
    return "\n".join(out)
