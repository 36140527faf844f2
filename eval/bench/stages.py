"""Where one ``ask`` spends its time: named stages timed from outside the answer layer.

Wraps the functions that make up ``Pipeline.ask`` (query embedding, BM25, dense search, fusion,
sentence scoring, formatting…) for the duration of a ``with`` block and attributes to each stage its
own time, children excluded, so the stages of one question add up to its wall time (the rest is
"other"). Work done on another thread (the sparse query vector) is reported beside, as it overlaps.
Does not change what ``ask`` computes; used only by eval/bench/run.py.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from index.embed import E5SmallEmbedder
from index.records import RecordReader
from index.vectors import VectorTable
from rag import pipeline
from rag.abstain import AbstentionModel
from rag.retrieve import Retriever
from rag.stages import signals
from rag.stages.abstention import Abstention
from rag.stages.citations import Citations
from rag.stages.first_stage import FirstStage
from rag.stages.framing import ExtractiveComposer
from rag.stages.reading import ReadingStage

BACKGROUND = "sparse query vector (background thread)"
OTHER = "other (question parsing, index state, glue)"
RERANK = "reranking"

# (owner, attribute, stage). Order is the order of the report's table. A stage that is absent from
# this build of the answer layer (e.g. a reranker) is simply never entered and reported as absent.
STAGES: tuple[tuple[Any, str, str], ...] = (
    (Retriever, "embed_query", "query embedding (dense)"),
    (E5SmallEmbedder, "embed_sparse", BACKGROUND),
    (signals, "sparse_scores", "sparse match (incl. waiting for the sparse vector)"),
    (Retriever, "lexical_scores", "BM25"),
    (VectorTable, "search", "dense search (FAISS)"),
    (Retriever, "_fuse", "fusion + diversity"),
    (Retriever, "_diversify", "fusion + diversity"),
    (RecordReader, "chunks", "chunk records (SQLite)"),
    (Retriever, "search", "retrieval glue"),
    (FirstStage, "rank", "sentence scoring"),
    (ReadingStage, "read", RERANK),
    (signals, "name_match", "sentence scoring"),
    (signals, "chunk_context", "sentence scoring"),
    (Citations, "choose", "sentence scoring"),
    (Abstention, "_newest_before", "time scope"),
    (AbstentionModel, "abstain", "abstention"),
    (ExtractiveComposer, "compose", "formatting"),
    (Citations, "cite", "formatting"),
    (pipeline, "read_question", OTHER),
)


class StageClock:
    """Exclusive time per stage for each call of a timed function (one ``ask``).

    Example:
        >>> clock = StageClock()
        >>> with clock.installed():
        ...     for q in questions:
        ...         clock.measure(lambda: pipeline.ask(q))
        >>> clock.samples["BM25"]  # milliseconds per ask
    """

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)  # stage -> ms per measured call
        self.totals: list[float] = []
        self._current: dict[str, float] = defaultdict(float)
        self._local = threading.local()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[StageClock]:
        """Wrap every stage function; restore the originals on exit."""
        saved = []
        for owner, attr, stage in STAGES:
            original = owner.__dict__.get(attr) if isinstance(owner, type) else getattr(owner, attr, None)
            if original is None:
                continue
            saved.append((owner, attr, original))
            setattr(owner, attr, self._timed(original, stage))
        try:
            yield self
        finally:
            for owner, attr, original in reversed(saved):
                setattr(owner, attr, original)

    def measure(self, run: Callable[[], object]) -> float:
        """Run one call, record its stages, return its wall time in ms."""
        with self._lock:
            self._current = defaultdict(float)
        started = time.perf_counter()
        run()
        total = (time.perf_counter() - started) * 1000
        with self._lock:
            current = dict(self._current)
        inside = sum(ms for stage, ms in current.items() if stage != BACKGROUND)
        current[OTHER] = current.get(OTHER, 0.0) + max(total - inside, 0.0)
        for stage in {s for _, _, s in STAGES} | {OTHER}:
            self.samples[stage].append(current.get(stage, 0.0))
        self.totals.append(total)
        return total

    def _timed(self, fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        clock = self

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack = getattr(clock._local, "stack", None)
            if stack is None:
                stack = clock._local.stack = []
            stack.append(0.0)  # time spent in timed children of this call
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                children = stack.pop()
                if stack:
                    stack[-1] += elapsed
                with clock._lock:
                    clock._current[stage] += (elapsed - children) * 1000

        return timed
