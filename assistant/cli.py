"""Command line: ``assistant ingest | ask | eval | serve | purge``. Thin: it parses, builds the settings,
calls the engine and turns errors into one clear line and a non-zero exit."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from .errors import AssistantError
from .settings import Settings

if TYPE_CHECKING:
    from .engine import Engine

logger = logging.getLogger(__name__)


def build_settings(data_dir: Path | None, **overrides: Any) -> Settings:
    """Settings from the environment, with command-line overrides."""
    try:
        settings = Settings()
        update: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        if data_dir is not None:
            update["data_dir"] = data_dir
        return settings.model_copy(update=update) if update else settings
    except ValidationError as exc:
        raise click.ClickException(f"invalid settings: {exc.errors()[0]['msg']}") from exc


def _progress(files: Iterable[Path]) -> Iterable[Path]:
    from tqdm import tqdm

    return tqdm(list(files), desc="ingesting", unit="file", disable=None, file=sys.stderr)


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Cited answers about regional project funding: calls, decisions and final reports."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # bm25s sets its own logger to DEBUG; its progress lines are noise for people
    logging.getLogger("bm25s").setLevel(max(level, logging.WARNING))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where the index lives.")
@click.option("--prune", is_flag=True, help="Forget documents whose files are gone.")
def ingest(paths: tuple[Path, ...], data_dir: Path | None, prune: bool) -> None:
    """Ingest PDF, text and Markdown files and folders into the index."""
    from ingest.pipeline import Ingestor

    from .index import open_index

    missing = [str(p) for p in paths if not p.exists()]
    settings = build_settings(data_dir)
    try:
        index = open_index(settings)
        report = Ingestor(settings, index, progress=_progress).run(
            [p for p in paths if p.exists()], prune=prune
        )
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in missing:
        click.echo(f"failed: {path}: no such file or folder", err=True)
    for o in report.failed:
        click.echo(f"failed: {o.path}: {o.reason}", err=True)
    for doc_id in report.repaired:
        click.echo(f"repaired: {doc_id} (left half-written by an interrupted ingest)", err=True)
    click.echo(report.summary())
    if report.failed or missing:
        sys.exit(1)


def _engine(settings: Settings, with_samples: bool) -> Engine:
    """The engine, or one clear line when there is nothing to answer from."""
    from .engine import NO_DOCUMENTS, open_engine
    from .index import has_documents

    if not with_samples and not has_documents(settings):  # before any model is loaded
        raise click.ClickException(NO_DOCUMENTS.format(data_dir=settings.data_dir))
    try:
        engine = open_engine(settings, with_samples=with_samples)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from exc
    if not engine.index.current_documents():
        raise click.ClickException(NO_DOCUMENTS.format(data_dir=settings.data_dir))
    return engine


_WITH_SAMPLES = click.option(
    "--with-samples", is_flag=True,
    help="Ingest the shipped sample documents (corpus/) into the data dir first.")


@main.command()
@click.argument("question", required=False)
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where the index lives.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", is_flag=True, help="Read JSON lines {question, history} from stdin.")
@_WITH_SAMPLES
def ask(question: str | None, data_dir: Path | None, as_json: bool, jsonl: bool,
        with_samples: bool) -> None:
    """Answer a question with its sources."""
    import json

    from .conversation import parse_history
    from .errors import QuestionError

    if not jsonl and question is None:
        raise click.UsageError("give a QUESTION or --jsonl")
    engine = _engine(build_settings(data_dir), with_samples)
    if jsonl:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise QuestionError("each line must be a JSON object")
                answer = engine.ask(item.get("question"), parse_history(item.get("history")))
                out = answer.to_json()
            except (json.JSONDecodeError, QuestionError) as exc:
                msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                out = {"answer": f"Invalid input line: {msg}", "refused": True, "language": "sv",
                       "kind": "invalid", "citations": [], "error": msg}
            click.echo(json.dumps(out, ensure_ascii=False))
            sys.stdout.flush()
        return
    answer = engine.ask(question)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nSources:")
    for c in answer.citations:
        where = f"p. {c.page}" if c.page else (c.section or "")
        click.echo(f"[{c.n}] {c.title} ({c.doc_type}{', ' + where if where else ''})")
        quote = " ".join(c.text.split())
        click.echo(f"    “{quote[:400]}{'…' if len(quote) > 400 else ''}”")


@main.command(name="eval")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where the index lives.")
@_WITH_SAMPLES
def eval_command(file: Path, data_dir: Path | None, with_samples: bool) -> None:
    """Run a question file (shared/eval format): pass/fail per question, totals, recall@5."""
    from .evaluation import evaluate, load_questions

    engine = _engine(build_settings(data_dir), with_samples)
    try:
        result = evaluate(engine, load_questions(file))
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from exc
    for qid, problems, _ in result.rows:
        click.echo(f"{qid}: {'pass' if not problems else 'FAIL: ' + '; '.join(problems)}")
    click.echo(f"passed {result.passed}/{len(result.rows)}")
    click.echo(f"refused but answerable: {result.refused_answerable}; "
               f"answered but unanswerable: {result.answered_unanswerable}")
    if result.recall_at_5 is not None:
        click.echo(f"retrieval recall@5: {result.recall_at_5:.2f} "
                   f"({result.recall_hits}/{result.recall_total})")


@main.command()
@click.option("--days", type=click.IntRange(min=1),
              help="Keep this many days (default from settings: web.retention_days, 90).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where the index lives.")
def purge(days: int | None, data_dir: Path | None) -> None:
    """Delete stored feedback (questions, answers, comments) and logged questions older than the
    retention period."""
    import datetime as dt

    from .web.feedback import FeedbackStore
    from .web.question_log import QuestionLog

    settings = build_settings(data_dir)
    keep = days or settings.web.retention_days
    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=keep)
    deleted = FeedbackStore.in_data_dir(settings.data_dir).purge(before)
    click.echo(f"deleted {deleted} feedback record(s) older than {keep} days")
    asked = QuestionLog.in_data_dir(settings.data_dir).purge(before)
    click.echo(f"deleted {asked} logged question(s) older than {keep} days")


@main.command()
@click.option("--host", help="Interface to listen on (default from settings: 127.0.0.1).")
@click.option("--port", type=int, help="Port (default from settings: 7860).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where the index lives.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on the one port, each with its own engine over the data dir.")
@_WITH_SAMPLES
def serve(host: str | None, port: int | None, data_dir: Path | None, workers: int,
          with_samples: bool) -> None:
    """Serve the chat (/), the widget (/embed), the JSON API (/api) and the staff view."""
    import os

    # Gradio reads this when imported: no usage reports, no version check over the network.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from .web.server import serve as run

    settings = build_settings(data_dir)
    web = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    if web:
        settings = settings.model_copy(update={"web": settings.web.model_copy(update=web)})
    try:
        run(settings, with_samples=with_samples, workers=workers)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
