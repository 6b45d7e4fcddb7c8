"""Ingestion stays inside the folders it is given: symlinks out of them, symlink loops, broken
links, unreadable folders and files are each reported with their reason, the exit code says so,
and the rest of the batch is indexed. Real files, real links, real permissions."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.errors import IngestError
from assistant.settings import Settings
from ingest import confined
from ingest.confined import read_confined, real_roots
from ingest.discovery import Skipped, discover
from ingest.pipeline import Ingestor

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
SECRET = "Hemlig anteckning om lönesättning utanför indatamappen, får aldrig indexeras."
ENV = {"ASSISTANT_EMBEDDING__MAX_WORDS": "16"}


@pytest.fixture
def tree(tmp_path: Path, corpus_dir: Path) -> Path:
    """An input folder with one real document and every kind of link, next to a folder
    outside it that must never be read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hemlig.txt").write_text(SECRET * 5, encoding="utf-8")
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    shutil.copy(corpus_dir / CALL, root / "sub" / CALL)
    (root / "to-outside-file.txt").symlink_to(outside / "hemlig.txt")
    (root / "to-outside-folder").symlink_to(outside, target_is_directory=True)
    (root / "same-call.txt").symlink_to(root / "sub" / CALL)  # inside: read once
    (root / "up").symlink_to(root, target_is_directory=True)  # a cycle inside the root
    (root / "loop-a.txt").symlink_to(root / "loop-b.txt")
    (root / "loop-b.txt").symlink_to(root / "loop-a.txt")
    (root / "broken.txt").symlink_to(root / "gone.txt")
    os.mkfifo(root / "pipe.txt")  # reading it would block forever
    return root


def _reasons(found: list[Path | Skipped]) -> dict[str, str]:
    return {s.path.name: s.reason for s in found if isinstance(s, Skipped)}


def test_links_out_of_the_root_loops_and_specials_are_reported(tree: Path) -> None:
    found = list(discover([tree]))
    files = [p for p in found if isinstance(p, Path)]
    assert [p.name for p in files] == [CALL], files  # the call once, through one path
    reasons = _reasons(found)
    assert "outside the input folders" in reasons["to-outside-file.txt"]
    assert "outside the input folders" in reasons["to-outside-folder"]
    assert reasons["loop-a.txt"].startswith("symlink loop") and \
        reasons["loop-b.txt"].startswith("symlink loop")
    assert reasons["broken.txt"].startswith("broken symlink")
    assert reasons["pipe.txt"].startswith("not a regular file")
    assert set(reasons) == {"to-outside-file.txt", "to-outside-folder", "loop-a.txt",
                            "loop-b.txt", "broken.txt", "pipe.txt"}


def test_the_outside_is_readable_when_it_is_itself_a_root(tree: Path) -> None:
    found = list(discover([tree, tree.parent / "outside"]))
    names = sorted(p.name for p in found if isinstance(p, Path))
    assert names == sorted([CALL, "hemlig.txt"])  # once, although two links lead to it


def test_the_cli_names_each_skipped_entry_exits_non_zero_and_indexes_the_rest(
    tree: Path, tmp_path: Path, make_index
) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["ingest", str(tree), "--data-dir", str(data)], env=ENV)
    assert result.exit_code == 1, result.output
    failed = [ln for ln in result.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failed) == 6, result.stderr
    assert any(str(tree / "to-outside-folder") in ln and "outside the input folders" in ln
               for ln in failed)
    assert "1 added" in result.stdout and "6 failed" in result.stdout
    index = make_index(Settings(data_dir=data, embedding={"max_words": 16}))
    assert [d.doc_id for d in index.registry.documents()] == [
        "region-norrbotten-utlysning-kompetensforsorjning-2019"]
    assert all(SECRET[:20] not in c.text for c in index.registry.chunks())
    assert not index.keyword.search("lönesättning indatamappen", k=3)


def _modes_bind_us() -> bool:
    """False for root (euid 0) unless it runs without CAP_DAC_OVERRIDE (setpriv can drop it)."""
    if os.geteuid() != 0:
        return True
    import tempfile

    with tempfile.NamedTemporaryFile() as f:
        os.chmod(f.name, 0)
        try:
            open(f.name).close()
        except PermissionError:
            return True
    return False


@pytest.mark.skipif(not _modes_bind_us(), reason="root reads every folder whatever its mode")
def test_unreadable_folders_and_files_are_reported_and_the_rest_indexed(
    tmp_path: Path, corpus_dir: Path, settings: Settings, make_index
) -> None:
    root = tmp_path / "in"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "inne.txt").write_text(SECRET, encoding="utf-8")
    shutil.copy(corpus_dir / CALL, root / CALL)
    shutil.copy(corpus_dir / CALL, root / "closed.txt")
    (root / "locked").chmod(0)
    (root / "closed.txt").chmod(0)
    try:
        report = Ingestor(settings, make_index(settings)).run([root])
    finally:
        (root / "locked").chmod(0o755)
        (root / "closed.txt").chmod(0o644)
    reasons = {Path(o.path).name: o.reason or "" for o in report.failed}
    assert set(reasons) == {"locked", "closed.txt"}, reasons
    assert "folder cannot be read (Permission denied)" in reasons["locked"]
    assert "cannot read file (Permission denied)" in reasons["closed.txt"]
    assert report.count("added") == 1


# --- checked on the file actually opened (time of check, time of use) -----------------------


def _swapping(link: Path, target: Path) -> Callable[[Iterable[Path]], Iterable[Path]]:
    """A progress hook that, once discovery has listed the files, points ``link`` at ``target``:
    the swap an attacker would make between the folder walk and the read."""

    def progress(files: Iterable[Path]) -> Iterable[Path]:
        listed = list(files)
        link.unlink()
        link.symlink_to(target)
        return listed

    return progress


@pytest.fixture
def swap_tree(tmp_path: Path, corpus_dir: Path) -> Path:
    """An input folder whose link ``notes.txt`` points at a real document inside it, next to a
    folder outside it that must never be read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hemlig.txt").write_text(SECRET * 5, encoding="utf-8")
    (outside / "hemlig.json").write_text('{"title": "Hemlig titel utifrån"}', encoding="utf-8")
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(corpus_dir / CALL, root / CALL)
    (root / ".store").mkdir()  # hidden: read only through the link
    (root / ".store" / "notes.md").write_text("Anteckningar om projektmedel. " * 10,
                                              encoding="utf-8")
    (root / "notes.txt").symlink_to(root / ".store" / "notes.md")
    return root


def test_a_link_swapped_out_of_the_root_after_discovery_is_not_read(
    swap_tree: Path, settings: Settings, make_index
) -> None:
    link, outside = swap_tree / "notes.txt", swap_tree.parent / "outside"
    index = make_index(settings)
    report = Ingestor(settings, index, progress=_swapping(link, outside / "hemlig.txt")).run(
        [swap_tree])
    reasons = {Path(o.path).name: o.reason or "" for o in report.failed}
    assert set(reasons) == {"notes.txt"}, reasons
    assert "outside the input folders" in reasons["notes.txt"]
    assert str(outside / "hemlig.txt") in reasons["notes.txt"]
    assert all(SECRET[:20] not in c.text for c in index.registry.chunks())
    assert report.count("added") == 1  # the call


def test_a_metadata_file_linked_or_swapped_out_of_the_root_is_not_read(
    swap_tree: Path, settings: Settings, make_index
) -> None:
    meta = swap_tree / f"{CALL}.meta.json"
    (swap_tree / "own-source.meta.json").write_text('{"title": "Egen titel"}', encoding="utf-8")
    meta.symlink_to(swap_tree / "own-source.meta.json")
    outside = swap_tree.parent / "outside" / "hemlig.json"
    index = make_index(settings)
    report = Ingestor(settings, index, progress=_swapping(meta, outside)).run([swap_tree])
    reasons = {Path(o.path).name: o.reason or "" for o in report.failed}
    assert set(reasons) == {CALL}, reasons
    assert reasons[CALL].startswith(f"metadata file {meta.name} opened as {outside}")
    assert "outside the input folders" in reasons[CALL]
    assert all(d.info.title != "Hemlig titel utifrån" for d in index.registry.documents())


def test_an_oversized_metadata_file_fails_its_document_alone(
    tmp_path: Path, corpus_dir: Path, settings: Settings, make_index
) -> None:
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(corpus_dir / CALL, root / CALL)
    (root / "other.txt").write_text("Anteckningar om projektmedel. " * 10, encoding="utf-8")
    padding = " " * (70 * 1024)
    (root / "other.txt.meta.json").write_text(f'{{"title": "Stor"{padding}}}', encoding="utf-8")
    report = Ingestor(settings, make_index(settings)).run([root])
    reasons = {Path(o.path).name: o.reason or "" for o in report.failed}
    assert reasons == {"other.txt": "metadata file other.txt.meta.json is 70.0 KB, over the "
                                    "limit of 64 KB"}
    assert report.count("added") == 1


def test_a_pipe_swapped_in_for_a_file_fails_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opened for reading without a writer, it would block
    with pytest.raises(IngestError, match="not a regular file"):
        read_confined(tmp_path / "pipe.txt", [tmp_path], 1024)


def test_without_proc_the_resolved_path_is_checked(
    swap_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(confined, "PROC_FD", swap_tree.parent / "no-proc")
    roots = real_roots([swap_tree])
    assert read_confined(swap_tree / "notes.txt", roots, 1 << 20).startswith(b"Anteckningar")
    (swap_tree / "notes.txt").unlink()
    (swap_tree / "notes.txt").symlink_to(swap_tree.parent / "outside" / "hemlig.txt")
    with pytest.raises(IngestError, match="outside the input folders"):
        read_confined(swap_tree / "notes.txt", roots, 1 << 20)
