"""Property-based tests over every ingest stage with hostile Unicode and bytes (eval/reliability/fuzz.py).

Never a crash, and ``text[start:end]`` is exactly what each sentence and chunk holds. The number of
examples follows ``--reliability`` (150 per property in CI, 2,000 for the report); the counts and
any failure go into the reliability report.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eval.reliability import fuzz
from eval.reliability.results import Results
from eval.reliability.scale import Scale
from index.html import html_to_text

pytestmark = pytest.mark.reliability("fuzz")


def run_property(
    name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], list[str]], scale: Scale, reliability: Results,
) -> None:
    """Run ``check`` on ``scale.fuzz_examples`` generated inputs; record how many ran and what failed."""
    seen = {"cases": 0}

    @settings(max_examples=scale.fuzz_examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def prop(value: Any) -> None:
        seen["cases"] += 1
        problems = check(value)
        assert not problems, problems

    try:
        prop()
    except BaseException as exc:
        reliability.record("fuzz", name, {"cases": seen["cases"], "failures": 1, "first failure": str(exc)[:400]})
        raise
    reliability.record("fuzz", name, {"cases": seen["cases"], "failures": 0})


def test_decoding_never_crashes_and_keeps_valid_text(scale: Scale, reliability: Results) -> None:
    run_property("decoding (bytes)", fuzz.raw_files(), fuzz.check_decode, scale, reliability)


def test_cleaning_only_drops_whole_lines(scale: Scale, reliability: Results) -> None:
    run_property("cleaning", fuzz.texts(), fuzz.check_clean, scale, reliability)


def test_html_extraction_never_runs_or_keeps_scripts(scale: Scale, reliability: Results) -> None:
    run_property("HTML extraction", fuzz.html_pages(), fuzz.check_html, scale, reliability)


def test_markdown_never_crashes(scale: Scale, reliability: Results) -> None:
    run_property("Markdown", fuzz.texts(), fuzz.check_markdown, scale, reliability)


def test_normalisation_is_idempotent_and_tokens_are_clean(scale: Scale, reliability: Results) -> None:
    run_property("normalisation and tokens", fuzz.texts(), fuzz.check_normalize, scale, reliability)


def test_sentences_and_chunks_are_exact_spans(scale: Scale, reliability: Results) -> None:
    run_property("sentence splitting and chunking", fuzz.texts(), fuzz.check_spans, scale, reliability)


def test_files_of_any_bytes_become_exact_articles_or_a_reason(
    scale: Scale, reliability: Results, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("fuzz-files")
    strategy = st.tuples(st.one_of(fuzz.raw_files(), fuzz.html_pages().map(str.encode)),
                         st.sampled_from([".txt", ".md", ".html"]))
    run_property("whole files (decode, convert, clean, metadata, spans)", strategy,
                 lambda case: fuzz.check_ingest(case[0], case[1], folder), scale, reliability)


@pytest.mark.slow
def test_megabyte_lines_and_deep_nesting(reliability: Results, tmp_path: Path) -> None:
    """Sizes hypothesis does not reach: 1 MB lines of each kind, and 10,000-deep HTML."""
    rng = random.Random(13)
    words = ["القوات", "الأمريكية", "بغداد", "U.S.", "2.5", "«قال»", "forces", "؟", "…", "\u200f", "e\u0301"]
    cases = {
        "1 MB line of words": " ".join(rng.choice(words) for _ in range(120_000))[: 1 << 20],
        "1 MB line without spaces": "ب" * (1 << 20),
        "1 MB line of punctuation": ".؟!، " * (1 << 18),
        "1 MB of CRLF-mixed short lines": "".join(rng.choice(words) + rng.choice(fuzz.BREAKS)
                                                   for _ in range(140_000))[: 1 << 20],
    }
    problems: dict[str, list[str]] = {}
    for name, text in cases.items():
        problems[name] = fuzz.check_spans(text) + fuzz.check_normalize(text[:50_000]) + fuzz.check_clean(text)
    deep = "<div>" * 10_000 + "The zebra base was attacked." + "</div>" * 10_000
    text, _ = html_to_text("<html><body>" + deep + "<span>" * 10_000 + "</body></html>")
    problems["10,000-deep HTML"] = [] if text == "The zebra base was attacked." else [f"got {text[:80]!r}"]
    for name in ("10,000-deep HTML",):
        path = tmp_path / "deep.html"
        path.write_text(deep, encoding="utf-8")
        problems[name + " as a file"] = fuzz.check_ingest(path.read_bytes(), ".html", tmp_path)
    failures = {k: v for k, v in problems.items() if v}
    reliability.record("fuzz", "fixed extremes", {"cases": len(problems), "failures": len(failures),
                                                  "kinds": list(problems), "problems": failures})
    assert not failures
