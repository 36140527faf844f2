"""The reader's training loop: listwise and pointwise relevance losses plus the answer-span loss.

CPU only, bfloat16 autocast where the processor supports it (AMX/AVX-512 BF16), fixed seed.
Does not build data or write files; see data.py and train.py.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from rag.reading.inputs import Batch, Pair, PairEncoder
from rag.reading.model import ReaderNet
from rag.reading.precision import autocast
from rag.reading.training.data import Candidate, Group

log = logging.getLogger(__name__)
MICRO_BATCH = 16
CHECKPOINT_EVERY = 200  # steps; a kill loses at most this much work (~8 minutes here)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 3
    groups_per_step: int = 4  # answerable groups; as many no-answer groups ride along at half size
    candidates: int = 8  # per answerable group: the positive and sampled negatives
    lr: float = 4e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    span_weight: float = 0.5
    pointwise_weight: float = 1.0
    seed: int = 0


def pairs_of(group: Group, candidates: Sequence[Candidate]) -> list[Pair]:
    return [Pair(group.question, c.sentence, c.context) for c in candidates]


def span_targets(batch: Batch, candidates: Sequence[Candidate]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token positions of each positive's answer start and end (-100 where there is none)."""
    starts, ends = [], []
    for c, enc, offset in zip(candidates, batch.sentences, batch.sentence_start, strict=True):
        s_tok = e_tok = -100
        if c.label and c.span is not None:
            a, b = c.span
            covering = [i for i, (s, e) in enumerate(enc.offsets) if s < b and e > a]
            if covering:
                s_tok, e_tok = int(offset) + covering[0], int(offset) + covering[-1]
        starts.append(s_tok)
        ends.append(e_tok)
    return torch.tensor(starts), torch.tensor(ends)


class Trainer:
    """Trains ``net`` in place. With a ``checkpoint`` file it saves its whole state there every
    ``every`` steps and at each epoch's end, and resumes from that file when it exists: a run longer
    than a sitting (3 h here) continues where it stopped and ends with the weights an uninterrupted
    run gives."""

    def __init__(self, net: ReaderNet, encode: PairEncoder, config: TrainConfig,
                 checkpoint: Path | None = None, every: int = CHECKPOINT_EVERY) -> None:
        self.net, self.encode, self.config = net, encode, config
        self.checkpoint, self.every = checkpoint, every

    def _steps(self, groups: Sequence[Group], rng: random.Random) -> list[list[tuple[Group, list[Candidate]]]]:
        c = self.config
        answerable = [g for g in groups if g.answerable]
        empty = [g for g in groups if not g.answerable]
        rng.shuffle(answerable)
        rng.shuffle(empty)
        steps = []
        for i in range(0, len(answerable), c.groups_per_step):
            step = []
            for g in answerable[i : i + c.groups_per_step]:
                pos = [x for x in g.candidates if x.label]
                neg = [x for x in g.candidates if not x.label]
                step.append((g, pos[:1] + rng.sample(neg, min(len(neg), c.candidates - 1))))
            for g in empty[i : i + c.groups_per_step] if empty else []:
                step.append((g, rng.sample(list(g.candidates), min(len(g.candidates), c.candidates // 2))))
            steps.append(step)
        return steps

    def train(self, groups: Sequence[Group]) -> list[dict[str, float]]:
        c = self.config
        rng = random.Random(c.seed)
        torch.manual_seed(c.seed)
        heads = [*self.net.relevance.parameters(), *self.net.span.parameters()]
        head_ids = {id(p) for p in heads}
        body = [p for p in self.net.parameters() if id(p) not in head_ids]
        optimiser = torch.optim.AdamW(
            [{"params": body, "lr": c.lr}, {"params": heads, "lr": c.head_lr}], weight_decay=c.weight_decay
        )
        per_epoch = len(self._steps(groups, random.Random(0)))
        total = per_epoch * c.epochs
        warm = max(1, int(total * c.warmup))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
        )
        state = self._resume(groups, optimiser, schedule)
        history: list[dict[str, float]] = state["history"] if state else []
        step_no = state["step_no"] if state else 0
        if state:
            rng.setstate(state["rng"])
        for epoch in range(len(history), c.epochs):
            self.net.train()
            epoch_rng = rng.getstate()  # the epoch's steps are drawn from it: a resumed run draws them again
            done = state["done"] if state else 0
            running: list[float] = state["running"] if state else []
            spent = state["seconds"] if state else 0.0
            state = None
            started = time.perf_counter() - spent
            for at, step in enumerate(self._steps(groups, rng)):
                if at < done:
                    continue
                loss = self._loss(step)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                step_no += 1
                running.append(float(loss.detach()))
                if step_no % 50 == 0:
                    log.info("epoch %d step %d/%d loss %.4f (%.1f s)", epoch + 1, step_no, total,
                             sum(running[-50:]) / len(running[-50:]), time.perf_counter() - started)
                if self.checkpoint and step_no % self.every == 0:
                    self._save(groups, optimiser, schedule, history, step_no, epoch_rng, at + 1, running,
                               time.perf_counter() - started)
            history.append({"epoch": epoch + 1, "loss": sum(running) / max(1, len(running)),
                            "seconds": time.perf_counter() - started})
            log.info("epoch %d done: mean loss %.4f in %.0f s", epoch + 1, history[-1]["loss"], history[-1]["seconds"])
            if self.checkpoint:
                self._save(groups, optimiser, schedule, history, step_no, rng.getstate(), 0, [], 0.0)
        return history

    def _fingerprint(self, groups: Sequence[Group]) -> dict[str, Any]:
        """What a checkpoint must match to be resumed: the configuration and the training groups."""
        return {"config": asdict(self.config), "groups": [g.qid for g in groups]}

    def _save(self, groups: Sequence[Group], optimiser: torch.optim.Optimizer, schedule: Any,
              history: list[dict[str, float]], step_no: int, rng: object, done: int, running: list[float],
              seconds: float) -> None:
        assert self.checkpoint is not None
        state = {"fingerprint": self._fingerprint(groups), "net": self.net.state_dict(),
                 "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(),
                 "torch_rng": torch.get_rng_state(), "rng": rng, "history": history, "step_no": step_no,
                 "done": done, "running": running, "seconds": seconds}
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        partial = self.checkpoint.with_name(self.checkpoint.name + ".partial")
        torch.save(state, partial)
        os.replace(partial, self.checkpoint)  # a kill mid-write leaves the previous checkpoint whole
        log.info("checkpoint: step %d saved to %s", step_no, self.checkpoint)

    def _resume(self, groups: Sequence[Group], optimiser: torch.optim.Optimizer, schedule: Any
                ) -> dict[str, Any] | None:
        if self.checkpoint is None or not self.checkpoint.exists():
            return None
        try:
            state: dict[str, Any] = torch.load(self.checkpoint, weights_only=False)
            fingerprint = state["fingerprint"]
        except Exception as exc:  # torch.load fails in many ways; each gets the same advice
            raise ValueError(f"cannot resume from {self.checkpoint} ({exc}); delete it to start over") from exc
        if fingerprint != self._fingerprint(groups):
            raise ValueError(f"{self.checkpoint} was saved by a run with other settings or data; delete it to "
                             "start over, or resume with the same options")
        self.net.load_state_dict(state["net"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["torch_rng"])
        log.info("resuming from %s at step %d", self.checkpoint, state["step_no"])
        return state

    def _loss(self, step: list[tuple[Group, list[Candidate]]]) -> torch.Tensor:
        c = self.config
        candidates = [x for _, cands in step for x in cands]
        pairs = [p for g, cands in step for p in pairs_of(g, cands)]
        relevance, span = self._forward(pairs, candidates)
        labels = torch.tensor([float(x.label) for x in candidates])
        loss = c.pointwise_weight * F.binary_cross_entropy_with_logits(relevance, labels)
        listwise, at = [], 0
        for g, cands in step:
            if g.answerable:
                listwise.append(F.cross_entropy(relevance[at : at + len(cands)][None], torch.tensor([0])))
            at += len(cands)
        if listwise:
            loss = loss + torch.stack(listwise).mean()
        return loss + c.span_weight * span

    def _forward(self, pairs: list[Pair], candidates: list[Candidate]) -> tuple[torch.Tensor, torch.Tensor]:
        """Relevance logits in the order given, and the mean span loss of the positives.

        Pairs run in micro-batches of similar length, which wastes less time on padding.
        """
        lengths = [len(p.question) + len(p.sentence) + len(p.context) for p in pairs]
        order = sorted(range(len(pairs)), key=lambda i: lengths[i])
        parts, spans, counted = [], [], 0
        for i in range(0, len(order), MICRO_BATCH):
            idx = order[i : i + MICRO_BATCH]
            batch = self.encode([pairs[j] for j in idx])
            with autocast():
                out = self.net(batch)
            parts.append((idx, out.relevance))
            starts, ends = span_targets(batch, [candidates[j] for j in idx])
            n = int((starts >= 0).sum())
            if n:
                spans.append(n * (F.cross_entropy(out.start, starts, ignore_index=-100)
                                  + F.cross_entropy(out.end, ends, ignore_index=-100)) / 2)
                counted += n
        relevance = torch.cat([r for _, r in parts])
        position = torch.tensor([j for idx, _ in parts for j in idx])
        relevance = relevance[torch.argsort(position)]
        span = torch.stack(spans).sum() / counted if spans else torch.zeros(())
        return relevance, span


def score_groups(net: ReaderNet, encode: PairEncoder, groups: Sequence[Group], batch_size: int = 64
                 ) -> list[list[float]]:
    """Relevance logits of every candidate of every group (evaluation mode)."""
    net.eval()
    out: list[list[float]] = []
    with torch.inference_mode(), autocast():
        for g in groups:
            logits: list[float] = []
            for i in range(0, len(g.candidates), batch_size):
                part = g.candidates[i : i + batch_size]
                logits += net(encode(pairs_of(g, part))).relevance.float().tolist()
            out.append(logits)
    return out


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))
