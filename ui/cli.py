"""The ``sanad`` command: the composition root above the layers it drives (index, rag, ui, eval).

Heavy modules are imported inside each subcommand so ``sanad --help`` is instant. Domain errors
become one line on stderr and exit code 1; nothing else here holds logic worth testing apart.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.blas import single_threaded_blas
from index.errors import SanadError
from index.settings import from_env

log = logging.getLogger("sanad")


def _common() -> argparse.ArgumentParser:
    settings = from_env()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--index-dir",
        type=Path,
        default=settings.index_dir,
        help="index location (default: $SANAD_INDEX_DIR or %(default)s)",
    )
    common.add_argument(
        "--store",
        metavar="STORE",
        help="where the index lives, in place of --index-dir: milvus:PATH.db (embedded Milvus Lite), "
        "milvus://HOST:PORT or https://... (a Milvus server; its token is read from $SANAD_MILVUS_TOKEN)",
    )
    common.add_argument(
        "--embedder",
        default=settings.embedder,
        help="e5-small (default), minilm, or st:<model name or path> (default: $SANAD_EMBEDDER or %(default)s)",
    )
    common.add_argument(
        "--reader",
        default=settings.reader,
        help="the reading model that orders, cites and abstains: sanad (default, shipped), "
        "st:<CrossEncoder name or path>, or none (first-stage scorer only) (default: $SANAD_READER or %(default)s)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="sanad", description="Cited answers and summaries over news articles."
    )
    parser.set_defaults(verbose=False)  # for commands without the common options (bench)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="index files or folders (incremental)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (.txt .md .html)")
    p.add_argument("--rebuild", action="store_true", help="start from an empty index")
    p.add_argument(
        "--chunk-words", type=int, default=120, help="target words per chunk (default %(default)s)"
    )
    p.add_argument("--overlap", type=int, default=1, help="sentences shared by neighbouring chunks")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another process writing the index (default: refuse at once)")
    p.set_defaults(run=_cmd_index)

    p = sub.add_parser("check", parents=[common], help="check that every part of the index agrees")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser("ask", parents=[common], help="answer a question with cited excerpts")
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("--questions", type=Path, metavar="FILE.jsonl", help='answer each {"id", "question"} line')
    p.add_argument("--k", type=int, default=None, help="number of cited excerpts (default 3)")
    p.add_argument("--doc", action="append", dest="docs", metavar="DOC_ID", help="only these articles")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="articles published on or after")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="articles published on or before")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_ask)

    p = sub.add_parser("summarize", parents=[common], help="extractive summary of one or all articles")
    p.add_argument("doc_id", nargs="?", metavar="DOC_ID")
    p.add_argument("--all", action="store_true", help="every article")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--sentences", type=int, default=None,
                        help="at most N sentences (default: at most 5 and a quarter of the article's words)")
    length.add_argument("--ratio", type=float, default=None,
                        help="summary length as a share of the article's body sentences (0-1]")
    p.add_argument("--words", type=int, default=None, help="at most N words (with --sentences: both limits)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_summarize)

    p = sub.add_parser("overview", parents=[common], help="themes, differences and timeline across articles")
    p.add_argument("--language", choices=["ar", "en"], default="en", help="language of the framing text")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_overview)

    p = sub.add_parser("serve", parents=[common], help="start the web chat (builds the index on first run)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default %(default)s)")
    p.add_argument("--auth", metavar="USER:PASS", help="require this login")
    p.add_argument("--root-path", default=from_env().root_path, metavar="/PATH",
                   help="the sub-path a reverse proxy serves the app under, e.g. /sanad (default: $SANAD_ROOT_PATH)")
    p.add_argument("--corpus", type=Path, default=from_env().corpus_dir, help="folder indexed on first run and "
                   "where uploads are stored (default: $SANAD_CORPUS or %(default)s)")
    p.set_defaults(run=_cmd_serve)

    p = sub.add_parser("eval", parents=[common], help="measure retrieval, answers, citations and summaries")
    p.add_argument("--dataset", default="seeds",
                   choices=["seeds", "varieties", "xquad-ar", "xquad-en", "arcd", "varieties-arcd", "easc-dev", "all"],
                   help="easc-dev (human summaries) is read from ../shared/ beside the repository; "
                        "all includes it when it is there")
    p.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>-<commit>)")
    p.add_argument("--limit", type=int, default=None, help="use only the first N questions of each dataset")
    p.add_argument("--check-floors", action="store_true", help="fail when a figure is below its committed floor")
    p.add_argument(
        "--answer-sample", type=int, default=None, metavar="N",
        help="held-out XQuAD/ARCD questions answered with `ask` (default: all; every question is retrieved)",
    )
    p.add_argument("--st-reader", metavar="NAME", default=None,
                   help="also evaluate `ask` with this sentence-transformers CrossEncoder (name or path)")
    p.add_argument(
        "--cache-dir", type=Path, default=None, metavar="DIR",
        help="where evaluation indexes are cached (default: $SANAD_EVAL_CACHE or ~/.cache/sanad/eval)",
    )
    p.set_defaults(run=_cmd_eval)

    from eval.bench.options import add_options as add_bench_options  # stdlib only: --help stays instant

    p = sub.add_parser("bench", help="speed and memory benchmark beside LangChain and at scale (eval/bench/run.py)")
    add_bench_options(p)
    p.set_defaults(run=_cmd_bench)

    p = sub.add_parser("docs", parents=[common], help="list indexed articles")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_docs)

    p = sub.add_parser("show", parents=[common], help="show one article's metadata and cleaned text")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (tests call it in-process)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    single_threaded_blas()  # see index/blas.py
    try:
        if getattr(args, "store", None):
            from index.stores import parse_store

            args.index_dir = parse_store(args.store)  # every command reads its index through this
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except SanadError as exc:
        print(f"sanad: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sanad: interrupted; the index is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _cmd_index(args: argparse.Namespace) -> int:
    from index.segment import ChunkerConfig
    from rag.pipeline import Pipeline
    from rag.progress import TqdmProgress

    try:
        chunker = ChunkerConfig.for_target(args.chunk_words, overlap_sentences=args.overlap)
    except ValueError as exc:
        raise SanadError(f"invalid chunk settings: {exc}") from exc
    pipeline = Pipeline(args.index_dir, args.embedder, chunker=chunker)
    with TqdmProgress() as progress:
        report = pipeline.index(args.paths, rebuild=args.rebuild, progress=progress, wait_seconds=args.wait)
    for problem in report.skipped:
        print(f"sanad: skipped {problem}", file=sys.stderr)
    total = len(report.added) + len(report.updated) + len(report.unchanged)
    print(
        f"{total} articles indexed: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged (not re-embedded{f'; {len(report.moved)} moved' if report.moved else ''}), "
        f"{len(report.removed)} removed; "
        f"{report.chunks_embedded} chunks and {report.sentences_embedded} sentences embedded "
        f"in {report.seconds:.1f} s -> {args.index_dir}"
    )
    return 1 if report.skipped else 0


def _cmd_check(args: argparse.Namespace) -> int:
    from index.check import check_index

    report = check_index(args.index_dir)
    if args.json:
        _print_json(report.to_dict())
    elif report.ok:
        print(
            f"index OK: {args.index_dir} (version {report.version}): {report.documents} articles, "
            f"{report.chunks} chunks, {report.sentences} sentences; vectors, records, BM25, stored summaries "
            "and manifest agree"
        )
    for note in report.notes:
        print(f"sanad: note: {note}", file=sys.stderr)
    if report.ok or args.json:
        return 0 if report.ok else 1
    if report.version is None:  # missing or unreadable: open_index's message says what to do
        print(f"sanad: error: {report.problems[0]}", file=sys.stderr)
    else:
        problems = "; ".join(report.problems)
        print(f"sanad: error: the index at {args.index_dir} is inconsistent: {problems}; "
              "run `sanad index --rebuild`", file=sys.stderr)
    return 1


def _pipeline(args: argparse.Namespace) -> Any:
    from rag.pipeline import Pipeline

    return Pipeline(args.index_dir, args.embedder, reader=args.reader)


def _cmd_ask(args: argparse.Namespace) -> int:
    from rag.render import answer_text

    if (args.question is None) == (args.questions is None):
        raise SanadError("give a QUESTION or --questions FILE.jsonl (not both)")
    if args.k is not None and not 1 <= args.k <= 20:
        raise SanadError("--k must be between 1 and 20")
    pipeline = _pipeline(args)
    options = {"k": args.k, "doc_ids": args.docs, "date_from": args.date_from, "date_to": args.date_to}
    if args.questions is None:
        answer = pipeline.ask(args.question, **options)
        if answer.notice:
            print(f"sanad: note: {answer.notice}", file=sys.stderr)
        if args.json:
            _print_json(answer.to_dict())
        else:
            print(answer_text(answer))
        return 0
    from rag.batch import answer_lines

    failures = 0
    for record in answer_lines(pipeline, args.questions, options):
        failures += "error" in record
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def _cmd_summarize(args: argparse.Namespace) -> int:
    from rag.render import summary_text

    if (args.doc_id is None) == (not args.all):
        raise SanadError("give a DOC_ID or --all (not both)")
    if args.sentences is not None and args.sentences < 1:
        raise SanadError("--sentences must be at least 1")
    if args.words is not None and args.words < 1:
        raise SanadError("--words must be at least 1")
    if args.ratio is not None and not 0 < args.ratio <= 1:
        raise SanadError("--ratio must be above 0 and at most 1 (e.g. 0.3 for 30% of the sentences)")
    pipeline = _pipeline(args)
    if args.all:
        summaries = pipeline.summaries(args.sentences, args.ratio, args.words)
    else:
        summaries = [pipeline.summarize(args.doc_id, args.sentences, args.ratio, words=args.words)]
    if args.json:
        _print_json([s.to_dict() for s in summaries] if args.all else summaries[0].to_dict())
    else:
        print("\n\n".join(summary_text(s) for s in summaries))
    return 0


def _cmd_overview(args: argparse.Namespace) -> int:
    from rag.render import overview_text

    overview = _pipeline(args).overview(args.language)
    if args.json:
        _print_json(overview.to_dict())
    else:
        print(overview_text(overview, args.language))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from ui.serve import serve

    return int(serve(args))


def _cmd_eval(args: argparse.Namespace) -> int:
    from eval.quality.run import run

    return int(run(args))


def _cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench.run import run

    return int(run(args))


def _cmd_docs(args: argparse.Namespace) -> int:
    from index.stores import parse_store
    from rag.render import title_label

    snapshot = parse_store(args.index_dir).open()
    docs = snapshot.records.documents()
    if args.json:
        _print_json([d.to_dict() for d in docs])
        return 0
    for d in docs:
        title = title_label(d.title, d.title_derived, "(no title)")
        print(f"{d.doc_id}\t{d.date or '-'}\t{d.chars} chars\t{d.chunks} chunks\t{title}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from index.stores import parse_store

    article = parse_store(args.index_dir).open().records.article(args.doc_id)
    fields = {
        "doc_id": article.doc_id,
        "title": article.title,
        "date": article.date,
        "date_text": article.date_text,
        "author": article.author,
        "outlet": article.outlet,
        "source": article.source,
        "encoding": article.encoding,
        "chars": len(article.text),
    }
    if args.json:
        _print_json({**fields, "text": article.text})
        return 0
    for key, value in fields.items():
        print(f"{key}: {value if value is not None else '-'}")
    print()
    print(article.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
