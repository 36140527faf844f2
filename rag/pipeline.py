"""The one object the CLI, the web chat and the evaluation talk to: index, ask, summarise, overview.

It follows the live index: after any writer publishes a new version, the next call loads it,
while calls already running finish on the version they started with.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.build import BuildReport, Progress, embedder_spec, update_index
from index.documents import Article, Span
from index.embed import Embedder, get_embedder
from index.errors import UnknownDocumentError
from index.records import DocumentInfo
from index.segment import ChunkerConfig
from index.store import IndexSnapshot
from index.stores import IndexStore, parse_store
from index.sync import index_paths
from rag.ask import AnswerConfig, Asker
from rag.corpus import Corpus
from rag.milvus_retrieve import retriever_for
from rag.overview import build_overview
from rag.question import Question, read_question
from rag.reading.base import Reader
from rag.reading.registry import DEFAULT_READER, get_reader
from rag.retrieve import Filters, Hit, Mode, RetrievalConfig, Retriever
from rag.summarize import SummaryConfig, SummaryEnricher, select_sentences
from rag.types import Answer, Language, Overview, Summary, SummarySentence, Turn
from rag.varieties import standard_arabic


@dataclass
class _Loaded:
    version: str
    snapshot: IndexSnapshot
    corpus: Corpus
    retriever: Retriever
    asker: Asker


class Pipeline:
    """Cited answers and summaries over the index in ``index_dir``.

    Example:
        >>> p = Pipeline(Path("~/.local/share/sanad/index").expanduser())
        >>> p.index([Path("seeds")])
        >>> print(p.ask("من يقود التحالف الدولي؟").answer)
    """

    def __init__(
        self,
        index_dir: Path | IndexStore,
        embedder: str | Embedder = "e5-small",
        chunker: ChunkerConfig | None = None,
        retrieval: RetrievalConfig | None = None,
        answering: AnswerConfig | None = None,
        summary: SummaryConfig | None = None,
        reader: str | Reader | None = DEFAULT_READER,
        varieties: bool = True,
    ) -> None:
        self.store = parse_store(index_dir)  # a local index folder, or Milvus (index/stores.py)
        self._embedder = embedder if not isinstance(embedder, str) else None
        self._embedder_name = embedder if isinstance(embedder, str) else embedder.name
        self.chunker = chunker or ChunkerConfig()
        self.retrieval = retrieval or RetrievalConfig()
        self.answering = answering or AnswerConfig()
        self.summary = summary or SummaryConfig()
        self.varieties = varieties  # rewrite dialect and Arabizi questions into MSA before searching
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        # A reader given by name is built on first use; "none" (or None) ranks by the first stage alone.
        self._reader_name = reader if isinstance(reader, str) else None
        self._reader: Reader | None = None if isinstance(reader, str) else reader

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self._embedder_name)
        return self._embedder

    @property
    def reader(self) -> Reader | None:
        with self._lock:
            if self._reader_name is not None:
                self._reader, self._reader_name = get_reader(self._reader_name), None
            return self._reader

    @property
    def retriever(self) -> Retriever:
        """Chunk retrieval over the live index version (for evaluation and the LangChain retriever)."""
        return self._state().retriever

    @property
    def asker(self) -> Asker:
        """The stages of ``ask`` over the live index version (calibration and evaluation run single stages)."""
        return self._state().asker

    @property
    def corpus(self) -> Corpus:
        """Sentences and their vectors in the live index version (for evaluation and fitting)."""
        return self._state().corpus

    def has_index(self) -> bool:
        return self.store.current_version() is not None

    def _state(self) -> _Loaded:
        version = self.store.current_version()
        loaded = self._loaded
        if loaded is not None and loaded.version == version:
            return loaded
        reader = self.reader
        with self._lock:
            if self._loaded is None or self._loaded.version != self.store.current_version():
                snapshot = self.store.open(expect=embedder_spec(self.embedder))
                corpus = Corpus(snapshot)
                retriever = retriever_for(snapshot, self.embedder, self.retrieval)
                asker = Asker(corpus, retriever, self.answering, reader=reader)
                self._loaded = _Loaded(snapshot.version, snapshot, corpus, retriever, asker)
            return self._loaded

    # -- writing -----------------------------------------------------------------------------

    def index(
        self, paths: Sequence[Path], rebuild: bool = False, progress: Progress | None = None, wait_seconds: float = 0.0
    ) -> BuildReport:
        """Index files or folders incrementally (see ``index.sync.index_paths``), with stored summaries."""
        return index_paths(
            self.store,
            paths,
            self.embedder,
            self.chunker,
            rebuild=rebuild,
            enrichers=[SummaryEnricher(self.summary)],
            progress=progress,
            wait_seconds=wait_seconds,
        )

    def remove(self, doc_ids: Sequence[str], wait_seconds: float = 0.0) -> BuildReport:
        """Drop articles from the index (their source files are left alone)."""
        known = set(self.documents_by_id())
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise UnknownDocumentError(f"no article with doc_id {unknown[0]!r}; list them with `sanad docs`")
        return update_index(
            self.store,
            [],
            self.embedder,
            self.chunker,
            remove=list(doc_ids),
            enrichers=[SummaryEnricher(self.summary)],
            wait_seconds=wait_seconds,
        )

    # -- reading -----------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        return list(self._state().corpus.documents.values())

    def documents_by_id(self) -> dict[str, DocumentInfo]:
        return dict(self._state().corpus.documents)

    def article(self, doc_id: str) -> Article:
        return _known(self._state(), [doc_id])[0]

    def ask(
        self,
        question: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """Answer with cited excerpts, or abstain while still citing the closest passages."""
        parsed = self.read(question, history)
        state = self._state()
        _known(state, doc_ids or ())
        filters = Filters(frozenset(doc_ids) if doc_ids else None, date_from, date_to)
        return state.asker.answer(parsed, k=k, filters=filters)

    def read(self, question: str, history: Sequence[Turn] = ()) -> Question:
        """``question`` as ``ask`` reads it: checked, and rewritten into MSA when typed in a dialect or
        Arabizi (for evaluation, which runs single stages on what ``ask`` would search)."""
        return read_question(question, history, rewrite=self._standard if self.varieties else None)

    def _standard(self, text: str) -> str:
        """``text`` in MSA, Arabizi spelled against the live index's terms (rag/varieties.py)."""
        return standard_arabic(text, self._state().retriever.term_frequency)

    def search(self, query: str, k: int = 5, mode: Mode | None = None, filters: Filters | None = None) -> list[Hit]:
        """Raw chunk retrieval (for evaluation and the LangChain retriever)."""
        return self._state().retriever.search(query, k=k, mode=mode, filters=filters)

    def summarize(
        self, doc_id: str, sentences: int | None = None, ratio: float | None = None,
        config: SummaryConfig | None = None, words: int | None = None,
    ) -> Summary:
        """The stored default summary of ``doc_id`` (rag/summarize.py's rule), or one of at most
        ``sentences`` sentences and ``words`` words (or of that ``ratio`` of its candidate sentences)
        computed from stored vectors; ``config`` replaces the pipeline's summary settings for this
        call (the evaluation scores other fitted models)."""
        state = self._state()
        article = self.article(doc_id)
        config = config or self.summary
        if ratio is not None:
            config = replace(config, ratio=ratio)
        spans = None
        if sentences is None and words is None and ratio is None and config is self.summary:
            stored = state.snapshot.records.extras(doc_id).get(SummaryEnricher.name)
            spans = [Span(s, e) for s, e in stored] if stored is not None else None
        if spans is None:
            refs = state.corpus.by_doc[doc_id]
            vectors = state.corpus.vectors[[r.pos for r in refs]]
            spans = select_sentences(article, [Span(r.start, r.end) for r in refs], vectors, n=sentences,
                                     config=config, words=words)
        info = state.corpus.documents[doc_id]
        return Summary(
            doc_id=doc_id,
            title=info.title,
            date=article.date,
            sentences=tuple(SummarySentence(s.start, s.end, article.text[s.start : s.end]) for s in spans),
            title_derived=info.title_derived,
        )

    def summaries(self, sentences: int | None = None, ratio: float | None = None,
                  words: int | None = None) -> list[Summary]:
        return [self.summarize(d, sentences, ratio, words=words) for d in self._state().corpus.documents]

    def overview(self, language: Language = "en") -> Overview:
        return build_overview(self._state().corpus, language)


def _known(state: _Loaded, doc_ids: Sequence[str]) -> list[Article]:
    """The articles of ``doc_ids`` in one loaded version; an unknown id says how to list them."""
    articles = state.corpus.articles
    for doc_id in doc_ids:
        if doc_id not in articles:
            raise UnknownDocumentError(f"no article with doc_id {doc_id!r}; list them with `sanad docs`")
    return [articles[d] for d in doc_ids]
