"""``ask`` as one line of stages, composed here and nowhere else (each stage is a module of rag/stages/).

question (rag/question.py) → first stage (dense, sparse, names, fusion, filters) → reader's pool → reader →
abstention → citations → framing. Each stage takes the previous one's frozen output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.abstain import AbstentionModel
from rag.corpus import Corpus
from rag.question import Question
from rag.reading.base import Reader
from rag.retrieve import Filters
from rag.stages.abstention import Abstention
from rag.stages.citations import Citations
from rag.stages.contracts import ChunkRetriever, Composer, SentenceRanker
from rag.stages.first_stage import FirstStage, FirstStageConfig
from rag.stages.framing import ExtractiveComposer
from rag.stages.pool import ReaderPool
from rag.stages.reading import ReadingStage
from rag.types import Answer


@dataclass(frozen=True)
class AnswerConfig:
    """How many excerpts an answer cites, how many sentences the reader reads, what counts as a duplicate."""

    excerpts: int = 3
    reader_pool: int = 12  # best first-stage sentences the reader reads
    duplicate_cosine: float = 0.97
    first_stage: FirstStageConfig = field(default_factory=FirstStageConfig)

    def __post_init__(self) -> None:
        if self.excerpts < 1 or self.reader_pool < 1:
            raise ValueError("excerpts and reader_pool must be >= 1")


class Asker:
    """Answers questions over one index version; every stage is an attribute that can be replaced."""

    def __init__(
        self, corpus: Corpus, retriever: ChunkRetriever, config: AnswerConfig | None = None,
        reader: Reader | None = None, abstention: AbstentionModel | None = None, composer: Composer | None = None,
    ) -> None:
        self.config = config = config or AnswerConfig()
        self.first_stage: SentenceRanker = FirstStage(corpus, retriever, config.first_stage)
        self.pool = ReaderPool(corpus, config.reader_pool)
        self.reading = ReadingStage(reader, config.reader_pool)
        self.abstention = Abstention(corpus, retriever, reader, abstention)
        self.citations = Citations(corpus, config.duplicate_cosine)
        self.composer: Composer = composer or ExtractiveComposer()

    def answer(self, question: Question, k: int | None = None, filters: Filters | None = None) -> Answer:
        """Cited excerpts (up to ``k``, default ``config.excerpts``), or an abstention citing the closest."""
        first = self.first_stage.rank(question, filters)
        pool = self.pool.take(first)
        read = self.reading.read(question, pool, first)
        verdict = self.abstention.judge(question, filters, first, read)
        chosen = self.citations.choose(read, k or self.config.excerpts)
        citations = self.citations.cite(chosen, phrases=not verdict.abstained)
        answer = self.composer.compose(question, citations, verdict)
        return Answer(question.asked, answer, verdict.abstained, question.language, citations, question.notice,
                      question.searched)
