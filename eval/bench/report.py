"""Render a benchmark run (eval/bench/run.py results) as report.md, PNG curves and a console headline.

Does not measure anything. Plots need matplotlib (the ``eval`` extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.bench.stages import RERANK
from index.errors import SanadError

LOADED = 1.0  # load average (per core, beyond this run) above which the report says timings are noisy


def rounded(value: Any) -> Any:
    """Floats to 4 significant decimals, recursively, so results.json stays readable."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def loaded(results: dict[str, Any]) -> bool:
    """Was the machine busy with other work (load average above its cores at the start or end)?"""
    run = results["run"]
    cpus = run.get("cpus") or 1
    return max(run["load_average_before"][0], run["load_average_after"][0]) > LOADED * cpus


def headline(results: dict[str, Any]) -> str:
    """The table printed at the end of a run: each figure beside its reference and target."""
    rows = [("figure", "measured", "reference / target")]
    ix = results["indexing"]
    rows.append(("indexing throughput vs raw engine", f"{ix['throughput_vs_raw']:.0%}", ">= 90%"))
    rows.append(("indexing chunks/s | tokens/s", f"{ix['chunks_per_s']:.2f} | {ix['tokens_per_s']:.0f}",
                 f"raw {ix['raw_tokens_per_s']:.0f} tokens/s"))
    fractions = ", ".join(f"{k} {v:.1%}" for k, v in ix["engine_fraction_of_peak"].items())
    rows.append(("engine GFLOP/s (share of matmul peak)", f"{ix['engine_gflops']:.1f}", fractions))
    rows.append(("index on disk per chunk", f"{ix['index_bytes_per_chunk'] / 1024:.1f} KB", ""))
    if "ask" in results:
        a = results["ask"]
        rows.append(("ask p50 / p95 / p99 ms", "{p50_ms:.1f} / {p95_ms:.1f} / {p99_ms:.1f}".format(**a["ask"]),
                     f"one query embedding p50 {a['query_embedding']['p50_ms']:.1f} ms"))
        rows.append(("ask p50 / one query embedding", f"{a['ask_over_embedding_p50']:.2f}x", "with the reader"))
        if "ask_without_reader" in a:
            rows.append(("ask --reader none p50 / one query embedding",
                         f"{a['ask_without_reader_over_embedding_p50']:.2f}x", "<= 1.5x (no reranking stage)"))
        if RERANK in a["stages"]:
            rows.append(("reader stage p50 / p95 ms", "{p50_ms:.1f} / {p95_ms:.1f}".format(**a["stages"][RERANK]),
                         "<= 150 ms p50"))
        rows.append(("peak RSS (bench process after ask)", f"{a['peak_rss_mb']:.0f} MB", ""))
    if "serve" in results:
        s = results["serve"]
        rows.append(("serve: start to first answer", f"{s['to_first_answer_s']:.1f} s",
                     f"listening after {s['to_listening_s']:.1f} s; server peak RSS {s['server_peak_rss_mb']:.0f} MB"))
    for name in ("seeds", "xquad-ar"):
        if name in results.get("langchain", {}):
            lc = results["langchain"][name]["systems"]
            s, hf, e5 = lc["sanad"], lc["hf-minilm"], lc["lc-e5"]
            rows.append((f"{name}: LangChain/Sanad latency p50 (minilm | e5)",
                         f"{hf['latency_over_sanad_p50']:.2f}x | {e5['latency_over_sanad_p50']:.2f}x", ">= 3x"))
            rows.append((f"{name}: R@1 Sanad | LC-minilm | LC-e5",
                         f"{s['r@1']:.3f} | {hf['r@1']:.3f} | {e5['r@1']:.3f}", "Sanad >= LangChain"))
    for size in results.get("scale", {}).get("sizes", []):
        n = size["chunks"]
        rows.append((f"{n:,} chunks: dense p95 | recall@10", f"{size['dense']['p95_ms']:.2f} ms | "
                     f"{size['recall_at_10_vs_exact']:.3f}", "<= 20 ms | >= 0.98 (at 1M)"))
        rows.append((f"{n:,} chunks: BM25 p95 | filtered p95", f"{size['bm25']['p95_ms']:.1f} ms | "
                     f"{size['dense_filtered_year']['p95_ms']:.1f} ms", "<= 50 ms | <= 30 ms (at 1M)"))
        rows.append((f"{n:,} chunks: vector memory per chunk", f"{size['vector_rss_bytes_per_chunk']:.0f} B",
                     "<= 1 KB (at 1M)"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    note = "quiet machine"
    if loaded(results):
        note = "MEASURED ON A LOADED MACHINE (other jobs running): timings are noisy"
    return "\n".join([*lines, f"({note}; load average {results['run']['load_average_before']} -> "
                      f"{results['run']['load_average_after']})"])


def write(results: dict[str, Any], out: Path) -> None:
    """report.md and the PNG curves into ``out``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SanadError(f"plots need matplotlib ({exc}); pip install -e '.[eval]'") from exc
    images = []
    if "ask" in results:
        images.append(_stages_plot(plt, results["ask"], out / "ask_stages.png"))
    sizes = results.get("scale", {}).get("sizes", [])
    if sizes:
        images.append(_scale_plot(plt, sizes, out / "scale_latency_memory.png"))
        if any(s["nprobe_sweep"] for s in sizes):
            images.append(_sweep_plot(plt, sizes, out / "ivf_recall_vs_latency.png"))
    (out / "report.md").write_text(_markdown(results, images), encoding="utf-8")


def _stages_plot(plt: Any, ask: dict[str, Any], path: Path) -> str:
    stages = sorted(ask["stage_mean_ms"].items(), key=lambda kv: -kv[1])
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.barh([s for s, _ in stages][::-1], [ms for _, ms in stages][::-1], color="#4c72b0")
    ax.axvline(ask["query_embedding"]["p50_ms"], color="#c44e52", linestyle="--", label="one query embedding (p50)")
    ax.set_xlabel("mean ms per ask")
    ax.set_title("Where one ask spends its time")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _scale_plot(plt: Any, sizes: list[dict[str, Any]], path: Path) -> str:
    n = [s["chunks"] for s in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label in (("dense", "dense (index by size)"), ("exact_scan", "exact scan (flat)"), ("bm25", "BM25"),
                       ("dense_filtered_year", "dense, one-year filter"), ("hybrid", "hybrid retrieval")):
        left.plot(n, [s[key]["p95_ms"] for s in sizes], marker="o", label=label)
    left.axhline(20, color="grey", linestyle=":", linewidth=1)
    left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="p95 ms", title="Search latency (p95)")
    left.legend(fontsize=8)
    right.plot(n, [s["vector_rss_bytes_per_chunk"] for s in sizes], marker="o", label="vectors in memory")
    right.plot(n, [sum(s["disk_bytes_per_chunk"].values()) for s in sizes], marker="s", label="index on disk")
    right.axhline(1024, color="grey", linestyle=":", linewidth=1)
    right.set(xscale="log", xlabel="chunks", ylabel="bytes per chunk", title="Size per chunk")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _sweep_plot(plt: Any, sizes: list[dict[str, Any]], path: Path) -> str:
    fig, ax = plt.subplots(figsize=(6, 4))
    for s in sizes:
        if s["nprobe_sweep"]:
            sweep = s["nprobe_sweep"]
            ax.plot([p["p95_ms"] for p in sweep], [p["recall_at_10"] for p in sweep], marker="o",
                    label=f"{s['chunks']:,} chunks (nlist {s['spec']['nlist']})")
            for p in sweep:
                ax.annotate(str(p["nprobe"]), (p["p95_ms"], p["recall_at_10"]), fontsize=7)
    ax.axhline(0.98, color="grey", linestyle=":", linewidth=1)
    ax.set(xlabel="p95 ms", ylabel="recall@10 vs exact", title="IVF-fp16: cells probed (labels)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _markdown(results: dict[str, Any], images: list[str]) -> str:
    run = results["run"]
    lines = [
        f"# Sanad benchmark — {run['date']} ({run['commit']}{', uncommitted changes' if run['dirty'] else ''})",
        "",
        f"`{run['command']}` on {run['cpus']} CPUs, {run['seconds'] / 60:.0f} min. Load average "
        f"{run['load_average_before']} before, {run['load_average_after']} after"
        + (": **measured on a loaded machine** (other jobs running); timings are noisy." if loaded(results) else "."),
        "",
        "```",
        headline(results),
        "```",
        "",
    ]
    lines += _indexing_md(results)
    if "ask" in results:
        lines += _ask_md(results["ask"])
    if "langchain" in results:
        lines += _langchain_md(results["langchain"])
    if "scale" in results:
        lines += _scale_md(results["scale"])
    lines += [f"![{name}]({name})" for name in images]
    return "\n".join(lines) + "\n"


def _indexing_md(results: dict[str, Any]) -> list[str]:
    ix, m = results["indexing"], results["machine"]
    largest = sorted(ix["index_files"].items(), key=lambda kv: -kv[1])[:6]
    peaks = ", ".join(f"{k.replace('_gflops', '')} {v:.0f}" for k, v in m.items())
    return [
        "## Indexing",
        "",
        f"{ix['articles']} articles of `{ix['folder']}`: {ix['chunks']} chunks and {ix['sentences']} sentences, "
        f"{ix['encoder_passes']} encoder passes (chunks and sentences dense, sentences' sparse terms), "
        f"{ix['tokens']:,} tokens.",
        "",
        "| | seconds | tokens/s |",
        "|---|---:|---:|",
        f"| raw engine, same texts (before) | {ix['raw_seconds_before']:.2f} | "
        f"{ix['tokens'] / ix['raw_seconds_before']:.0f} |",
        f"| `sanad index` (whole pipeline) | {ix['pipeline_seconds']:.2f} | {ix['tokens_per_s']:.0f} |",
        f"| … of which embedding | {ix['pipeline_embed_seconds']:.2f} | |",
        f"| raw engine, same texts (after) | {ix['raw_seconds_after']:.2f} | "
        f"{ix['tokens'] / ix['raw_seconds_after']:.0f} |",
        "",
        f"Pipeline throughput = **{ix['throughput_vs_raw']:.0%}** of the raw engine (mean of before and after); "
        f"the pipeline spends {ix['pipeline_outside_engine_share']:.1%} of its time outside embedding calls. "
        f"{ix['docs_per_s']:.2f} documents/s, {ix['chunks_per_s']:.2f} chunks/s.",
        "",
        f"Engine: {ix['engine_gflops']:.1f} GFLOP/s ({ix['flops_per_token_dense'] / 1e6:.1f} MFLOP per token) against "
        f"a matmul peak measured in this run of {peaks} GFLOP/s: "
        + ", ".join(f"{v:.1%} of {k}" for k, v in ix["engine_fraction_of_peak"].items()) + ".",
        "",
        f"Index on disk: {ix['index_bytes'] / 1024:.0f} KB, {ix['index_bytes_per_chunk'] / 1024:.1f} KB per chunk "
        "(" + ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in largest) + ").",
        "",
    ]


def _ask_md(a: dict[str, Any]) -> list[str]:
    lines = [
        "## Ask latency by stage",
        "",
        f"{a['questions']} seeds questions, each asked cold (no cached query vector). Whole `ask` p50 "
        f"{a['ask']['p50_ms']:.1f} ms = **{a['ask_over_embedding_p50']:.2f}x** one query embedding "
        f"({a['query_embedding']['p50_ms']:.1f} ms); the sparse query vector alone "
        f"{a['sparse_query_vector']['p50_ms']:.1f} ms. Without the stage clock: p50 "
        f"{a['ask_without_stage_clock']['p50_ms']:.1f} ms; the same questions asked "
        f"again (vectors cached): p50 {a['ask_repeated_question']['p50_ms']:.1f} ms. "
        + (f"With `--reader none` (no reading stage): p50 {a['ask_without_reader']['p50_ms']:.1f} ms = "
           f"{a['ask_without_reader_over_embedding_p50']:.2f}x one query embedding."
           if "ask_without_reader" in a else "No reranking stage in this build."),
        "",
        "| stage | mean ms | p50 | p95 | p99 |",
        "|---|---:|---:|---:|---:|",
    ]
    for stage, mean in sorted(a["stage_mean_ms"].items(), key=lambda kv: -kv[1]):
        p = a["stages"][stage]
        lines.append(f"| {stage} | {mean:.2f} | {p['p50_ms']:.2f} | {p['p95_ms']:.2f} | {p['p99_ms']:.2f} |")
    passes = a.get("two_passes", {})
    p = a["ask"]
    lines += [f"| **whole ask** | | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | {p['p99_ms']:.1f} |", "",
              "Python time of Sanad's own functions (cProfile, self time per ask):", "",
              "| function | calls/ask | self ms | total ms |", "|---|---:|---:|---:|"]
    lines += [f"| `{r['function']}` | {r['calls_per_ask']:.1f} | {r['self_ms_per_ask']:.2f} | "
              f"{r['total_ms_per_ask']:.2f} |" for r in a["profile"]]
    if "skipped" not in passes:
        lines += ["", "A question's two encoder passes (dense with the `query:` prefix, sparse on the raw text) "
                  "on their own, three ways:", "", "| how | p50 ms | p95 ms |", "|---|---:|---:|"]
        lines += [f"| {how.replace('_', ' ')} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |" for how, v in passes.items()]
    return [*lines, ""]


def _langchain_md(lc: dict[str, Any]) -> list[str]:
    lines = ["## Side by side with the usual LangChain pipeline", "",
             "`RecursiveCharacterTextSplitter(1000, 200)` + embeddings + `langchain_community` FAISS, "
             "`similarity_search(k=5)`. " + "; ".join(f"`{k}`: {v}" for k, v in lc["models"].items()) + ". "
             "Sanad: `ask(k=5)`, the first citation for R@1 and the five for R@5 (its hybrid retrieval "
             "alone beside). Every question cold.", ""]
    for name in ("seeds", "xquad-ar"):
        if name not in lc:
            continue
        rows = lc[name]["systems"]
        lines += [f"**{name}** ({lc[name]['questions']} answerable questions)", "",
                  "| system | R@1 | R@5 | latency p50 ms | p95 ms | vs Sanad p50 | build s | vs Sanad build |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for label, r in rows.items():
            build = r.get("build_seconds")
            build_text = "" if build is None else f"{build:.1f}"
            ratio = "" if "build_over_sanad" not in r else f"{r['build_over_sanad']:.2f}x"
            lines.append(
                f"| {label} | {r['r@1']:.3f} | {r['r@5']:.3f} | {r['latency']['p50_ms']:.1f} | "
                f"{r['latency']['p95_ms']:.1f} | {r.get('latency_over_sanad_p50', 1.0):.2f}x | "
                f"{build_text} | {ratio} |"
            )
        ret = rows["sanad"]["retrieval_only"]
        lines += ["", f"Sanad hybrid retrieval alone: R@1 {ret['r@1']:.3f}, R@5 {ret['r@5']:.3f}.", ""]
    return lines


def _scale_md(scale: dict[str, Any]) -> list[str]:
    m = scale["material"]
    real, syn = m["real_stats"], m["synthetic_stats"]
    lines = [
        "## Scale",
        "",
        f"Synthetic corpora (eval/bench/scale.py): vectors mixed from {m['real_vectors']:,} real e5 passage vectors "
        f"plus covariance-shaped noise (random-pair cosine {syn['random_pair_cosine']:.3f} vs real "
        f"{real['random_pair_cosine']:.3f}; nearest-neighbour cosine {syn['nearest_neighbour_cosine']:.3f} vs "
        f"{real['nearest_neighbour_cosine']:.3f}); text of ~120 words of {m['sentences']:,} real Arabic sentences "
        f"per chunk; {m['queries']} real XQuAD-ar questions as queries. Each corpus is written and published as "
        "a real index and searched through `Retriever`.",
        "",
        "| chunks | index | build s | dense p50/p95 ms | recall@10 | exact scan p95 | BM25 p50/p95 | "
        "year filter p95 | one-article p95 | hybrid p95 | vectors B/chunk (RSS) | disk B/chunk |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scale["sizes"]:
        spec = s["spec"]
        kind = spec["kind"] + (f" nlist {spec['nlist']} nprobe {spec['nprobe']}" if spec["kind"] != "flat" else "")
        lines.append(
            f"| {s['chunks']:,} | {kind} | {s['build_s']:.0f} | "
            f"{s['dense']['p50_ms']:.2f} / {s['dense']['p95_ms']:.2f} | "
            f"{s['recall_at_10_vs_exact']:.3f} | {s['exact_scan']['p95_ms']:.1f} | "
            f"{s['bm25']['p50_ms']:.1f} / {s['bm25']['p95_ms']:.1f} | {s['dense_filtered_year']['p95_ms']:.1f} | "
            f"{s['dense_filtered_one_article']['p95_ms']:.1f} | {s['hybrid']['p95_ms']:.1f} | "
            f"{s['vector_rss_bytes_per_chunk']:.0f} | {sum(s['disk_bytes_per_chunk'].values()):.0f} |"
        )
    respected = all(s["year_filter_respected"] and s["one_article_filter_respected"] for s in scale["sizes"])
    lines += ["", f"Filters were respected in every measured search: {respected}.", ""]
    return lines
