"""When a question asks only about times after every date the articles give."""

from __future__ import annotations

import pytest

from rag.question import read_question
from rag.timescope import beyond, later


@pytest.mark.parametrize(
    ("asked", "known", "expected"),
    [
        ("2025", "2024-07-28", True),
        ("2024-11", "2024-07-28", True),
        ("2024-07-29", "2024-07-28", True),
        ("2024", "2024-07-28", False),  # July 2024 is in 2024
        ("2024-07", "2024-07-28", False),
        ("2024-07-28", "2024", False),  # a bare year may mean any day of it
        ("2023", "2024-07-28", False),
    ],
)
def test_later_compares_at_the_coarser_precision(asked: str, known: str, expected: bool) -> None:
    assert later(asked, known) is expected


def test_beyond_names_the_newest_known_date_only_when_every_asked_date_is_later() -> None:
    known = ["2021-12-09", "2024-07-28", "2024-07", "2008"]
    assert beyond(["2025"], known) == "2024-07-28"
    assert beyond(["2020", "2025"], known) is None  # a span reaching into the covered period
    assert beyond([], known) is None
    assert beyond(["2025"], []) is None  # an undated, date-free collection: no judgement


def test_a_question_carries_the_dates_it_names() -> None:
    assert read_question("من فاز بالانتخابات التي جرت في تشرين الثاني 2024؟").dates == ("2024-11",)
    assert read_question("What happened in Iraq in 2025?").dates == ("2025",)
    assert read_question("Who leads the coalition?").dates == ()
