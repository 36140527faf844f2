"""Is a question about a time the articles cannot know? ("Who won the November 2024 election?")

A collection of news articles covers a period. When every date a question names lies after
every date the articles give (their publication dates and the dates their text mentions), the
articles cannot say, however close a passage looks: similarity alone cannot tell an article that
previews an event from one that reports it. An article that gives no date at all cannot be
placed in time and adds nothing to the judgement. Pure functions over ISO date strings.
"""

from __future__ import annotations

from collections.abc import Iterable


def later(asked: str, known: str) -> bool:
    """Does ``asked`` lie wholly after ``known``, compared at the coarser of their precisions?

    ``"2025"`` is later than ``"2024-07-28"``; ``"2024"`` is not (July 2024 is in 2024), and
    neither is ``"2024-07"``.
    """
    n = min(len(asked), len(known))
    return asked[:n] > known[:n]


def beyond(asked: Iterable[str], known: Iterable[str]) -> str | None:
    """The newest known date when every ``asked`` date lies after all ``known`` ones, else None.

    None too when nothing is asked or nothing is known: no dates, no judgement.
    """
    asked, known = list(asked), list(known)
    if not asked or not known:
        return None
    if all(later(a, k) for a in asked for k in known):
        return max(known)  # the most precise of equals: "2024-07-28" sorts after "2024-07" and "2024"
    return None
