"""A full disk, a read-only index folder and two indexers at once: one clear error, the old index kept.

The disks are real: a size-limited tmpfs filled to several levels, and one remounted read-only
(root ignores permission bits, a read-only mount refuses root too). Mounting needs root, which CI
has; elsewhere these tests skip and say so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eval.reliability.fs import MountUnavailable, fill, remount_readonly, small_tmpfs
from eval.reliability.results import Results
from eval.reliability.scale import Scale
from index.check import check_index, content_differences, index_content
from index.embed import Embedder
from index.errors import IndexWriteError
from index.store import VERSIONS, current_version
from rag.pipeline import Pipeline
from ui.chat import Chat, Exchange
from ui.cli import main
from ui.feedback import FeedbackLog
from ui.library import Library

pytestmark = [pytest.mark.slow, pytest.mark.reliability("disk")]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def excerpt(source: Path, lines: int, extra: str = "") -> str:
    return "\n".join(source.read_text(encoding="utf-8").splitlines()[:lines]) + "\n" + extra


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``base``: two short articles; ``more``: an edit of one of them and a new one."""
    root = tmp_path_factory.mktemp("disk-corpora")
    base, more = root / "base", root / "more"
    base.mkdir()
    more.mkdir()
    for path in SEEDS[:2]:
        (base / path.name).write_text(excerpt(path, 5), encoding="utf-8")
    (more / SEEDS[0].name).write_text(excerpt(SEEDS[0], 5, "سطر إضافي للتحديث.\n"), encoding="utf-8")
    (more / SEEDS[2].name).write_text(excerpt(SEEDS[2], 8), encoding="utf-8")
    return {"base": base, "more": more}


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory, corpora: dict[str, Path], e5: Embedder) -> dict[str, Any]:
    """The base index, and the reference: the same update run on an ordinary disk."""
    root = tmp_path_factory.mktemp("disk-indexes")
    base = root / "base"
    Pipeline(base, e5).index([corpora["base"]])
    reference = root / "reference"
    shutil.copytree(base, reference)
    Pipeline(reference, e5).index([corpora["more"]])
    new_version = reference / VERSIONS / str(current_version(reference))
    return {
        "base": base,
        "base_content": index_content(base),
        "reference_content": index_content(reference),
        "version_bytes": sum(p.stat().st_size for p in new_version.rglob("*") if p.is_file()),
        "index_bytes": sum(p.stat().st_size for p in base.rglob("*") if p.is_file()),
    }


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Any]:
    """Mount small file systems under ``tmp_path`` (unmounted afterwards); skips where mounting is impossible."""
    with contextlib.ExitStack() as stack:
        def mount(name: str, size_kb: int, options: str = "") -> Path:
            try:
                return stack.enter_context(small_tmpfs(tmp_path / name, size_kb, options))
            except MountUnavailable as exc:
                pytest.skip(f"cannot make a small file system here: {exc}")
        yield mount


def sanad_lines(err: str) -> list[str]:
    """What the CLI printed as its own messages (progress bars aside)."""
    return [line for line in err.replace("\r", "\n").splitlines() if line.startswith("sanad:")]


def assert_unchanged(
    index_dir: Path, version: str | None, content: dict[str, Any], problems: list[str], case: str
) -> None:
    report = check_index(index_dir)
    if not report.ok:
        problems.append(f"{case}: check failed: {report.problems}")
    elif report.version != version or content_differences(index_content(index_dir), content):
        problems.append(f"{case}: the live index changed")
    if list((index_dir / VERSIONS).glob(".staging-*")):
        problems.append(f"{case}: an unfinished build folder was left behind")


def test_full_disk_is_one_clear_error_and_keeps_the_old_index(
    mounted: Any, indexes: dict[str, Any], corpora: dict[str, Path], e5: Embedder,
    scale: Scale, reliability: Results, capsys: pytest.CaptureFixture[str],
) -> None:
    disk = mounted("disk", (indexes["index_bytes"] + 3 * indexes["version_bytes"]) // 1024 + 256)
    index_dir = disk / "index"
    shutil.copytree(indexes["base"], index_dir)
    version = current_version(index_dir)
    pipeline = Pipeline(index_dir, e5)
    levels = [round(indexes["version_bytes"] * i / scale.disk_levels) for i in range(scale.disk_levels)]
    problems: list[str] = []
    messages = set()
    for free in levels:
        filler = fill(disk, free)
        try:
            pipeline.index([corpora["more"]])
            problems.append(f"{free} bytes free: the update succeeded on a disk too small for it")
        except IndexWriteError as exc:
            messages.add(str(exc).split(" (")[1].split(")")[0])
            if "(no space left on device); the previous index is unchanged" not in str(exc):
                problems.append(f"{free} bytes free: unclear message {exc}")
        assert_unchanged(index_dir, version, indexes["base_content"], problems, f"{free} bytes free")
        filler.unlink()

    # The command line says it in one line and exits 1.
    filler = fill(disk, 0)
    code = main(["index", str(corpora["more"]), "--index-dir", str(index_dir)])
    err = capsys.readouterr().err
    lines = sanad_lines(err)
    cli_ok = code == 1 and len(lines) == 1 and "no space left on device" in lines[0] and "Traceback" not in err
    if not cli_ok:
        problems.append(f"the command line said {lines!r} (exit {code})")
    filler.unlink()

    # With space again, the same update completes and gives what an ordinary disk gives.
    pipeline.index([corpora["more"]])
    finished = content_differences(index_content(index_dir), indexes["reference_content"])
    if finished or not check_index(index_dir).ok:
        problems.append(f"after freeing space the update differs from the reference in {finished}")
    reliability.record("disk", "full disk", {
        "cases": len(levels) + 1, "failures": len(problems), "free bytes tried": levels,
        "errors seen": sorted(messages), "command line": lines[0] if lines else "", "problems": problems,
    })
    assert not problems


def test_out_of_inodes_is_the_same_clear_error(
    mounted: Any, indexes: dict[str, Any], corpora: dict[str, Path], e5: Embedder, reliability: Results
) -> None:
    index_dir = indexes["base"]
    files = sum(1 for _ in index_dir.rglob("*")) + 2
    disk = mounted("inodes", 8192, f"nr_inodes={files + 3}")
    target = disk / "index"
    shutil.copytree(index_dir, target)
    problems: list[str] = []
    with pytest.raises(IndexWriteError, match="no space left on device") as caught:
        Pipeline(target, e5).index([corpora["more"]])
    assert_unchanged(target, current_version(index_dir), indexes["base_content"], problems, "out of inodes")
    reliability.record("disk", "out of inodes", {"cases": 1, "failures": len(problems), "message": str(caught.value)})
    assert not problems


def test_read_only_index_folder_refuses_writes_and_still_answers(
    mounted: Any, indexes: dict[str, Any], corpora: dict[str, Path], e5: Embedder, tmp_path: Path,
    reliability: Results, capsys: pytest.CaptureFixture[str],
) -> None:
    disk = mounted("ro", 4096)
    index_dir = disk / "index"
    shutil.copytree(indexes["base"], index_dir)
    version = current_version(index_dir)
    remount_readonly(disk)
    problems: list[str] = []
    lines_seen = []
    for argv in (["index", str(corpora["more"])], ["index", "--rebuild", str(corpora["base"])]):
        code = main([*argv, "--index-dir", str(index_dir)])
        err = capsys.readouterr().err
        lines = sanad_lines(err)
        lines_seen += lines
        if code != 1 or len(lines) != 1 or "read-only file system" not in lines[0] or "Traceback" in err:
            problems.append(f"`sanad {' '.join(argv[:2])}` said {lines!r} (exit {code})")
    assert_unchanged(index_dir, version, indexes["base_content"], problems, "read-only")

    pipeline = Pipeline(index_dir, e5)
    answer = pipeline.ask("من يقود التحالف الدولي؟")
    if not answer.citations:
        problems.append("no citations from a read-only index")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    library = Library(pipeline, corpus, wait_seconds=0.5)
    upload = tmp_path / "incoming" / "new.txt"
    upload.parent.mkdir()
    upload.write_text("Zebra Base\nThe zebra base has seven radar units.\n", encoding="utf-8")
    try:
        library.add([upload])
        problems.append("an upload into a read-only index succeeded")
    except IndexWriteError as exc:
        lines_seen.append(str(exc))
    if any(library.uploads.iterdir()):
        problems.append("a refused upload left its file in the uploads folder")
    chat = Chat(pipeline, FeedbackLog(disk / "feedback.jsonl"), stream_delay=0)
    note = chat.vote([Exchange("q", answer)], 1, True)
    if "could not be saved" not in note:
        problems.append(f"a vote on a read-only disk said {note!r}")
    assert_unchanged(index_dir, version, indexes["base_content"], problems, "read-only after upload")
    reliability.record("disk", "read-only index folder", {
        "cases": 5, "failures": len(problems), "messages": lines_seen, "vote": note, "problems": problems,
    })
    assert not problems


def start_index(index_dir: Path, corpus: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "index", str(corpus), "--index-dir", str(index_dir), *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_embedding(process: subprocess.Popen[str], seconds: float = 300) -> None:
    """Block until the process reports embedding progress (it holds the writer lock by then)."""
    assert process.stderr is not None
    deadline = time.monotonic() + seconds
    seen = ""
    while time.monotonic() < deadline:
        ch = process.stderr.read(1)
        if not ch:
            break
        seen += ch
        if "embedding" in seen:
            return
    raise AssertionError(f"no embedding progress: {seen!r}")


def test_two_indexers_at_once_one_refuses_or_waits_and_nothing_breaks(
    tmp_path: Path, indexes: dict[str, Any], corpora: dict[str, Path], e5: Embedder, reliability: Results
) -> None:
    long = tmp_path / "long"
    long.mkdir()
    for path in SEEDS[3:5]:  # two whole articles: the first writer holds the lock for a while
        shutil.copy(path, long / path.name)
    index_dir = tmp_path / "index"
    shutil.copytree(indexes["base"], index_dir)
    reference = tmp_path / "reference"
    shutil.copytree(indexes["base"], reference)
    Pipeline(reference, e5).index([long])
    Pipeline(reference, e5).index([corpora["more"]])

    first = start_index(index_dir, long)
    wait_for_embedding(first)
    refused = start_index(index_dir, corpora["more"])
    _, refused_err = refused.communicate(timeout=300)
    still_running = first.poll() is None
    waiting = start_index(index_dir, corpora["more"], "--wait", "600")
    first.communicate(timeout=600)
    waiting_out, waiting_err = waiting.communicate(timeout=600)
    problems = []
    lines = sanad_lines(refused_err)
    if refused.returncode != 1 or len(lines) != 1 or "another Sanad process is writing the index" not in lines[0]:
        problems.append(f"the second indexer said {lines!r} (exit {refused.returncode})")
    if not still_running:
        problems.append("the first indexer had finished before the second tried (no overlap)")
    if first.returncode != 0 or waiting.returncode != 0:
        problems.append(f"exit codes {first.returncode} and {waiting.returncode}: {waiting_err[-300:]}")
    report = check_index(index_dir)
    differences = content_differences(index_content(index_dir), index_content(reference))
    if not report.ok or differences:
        problems.append(f"after both: check {report.problems}, differs from sequential runs in {differences}")
    reliability.record("disk", "two indexers at once", {
        "cases": 2, "failures": len(problems), "refusal": lines[0] if lines else "",
        "waited and completed": waiting.returncode == 0 and "articles indexed" in waiting_out, "problems": problems,
    })
    assert not problems
