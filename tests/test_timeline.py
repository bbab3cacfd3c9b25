"""Dates stated in passages, resolved against the article's publication date."""

from __future__ import annotations

from geo.metadata import ArticleMeta
from geo.model import Passage
from geo.timeline import passage_dates


def dates(text: str, published: str | None = "2024-08-20") -> list[tuple[str, str, str, str]]:
    metadata = {"a": ArticleMeta("a", date=published)}
    found = passage_dates([Passage("a", 0, 0, len(text), text)], metadata)
    return [(d.text, d.start, d.end, d.precision) for d in found]


def test_month_and_year() -> None:
    assert dates("Troops crossed in February 2022.") == [
        ("February 2022", "2022-02-01", "2022-02-28", "month")
    ]


def test_last_month_name_is_the_one_before_the_article() -> None:
    assert dates("Baku took Khankendi last September.") == [
        ("last September", "2023-09-01", "2023-09-30", "month")
    ]
    assert dates("They met last March.", "2024-03-28")[0][1] == "2023-03-01"
    assert dates("They met last January.", "2024-03-28")[0][1] == "2024-01-01"


def test_since_runs_until_the_article_date() -> None:
    assert dates("Talks have stalled since 2020.") == [
        ("since 2020", "2020-01-01", "2024-08-20", "since")
    ]


def test_year_after_a_preposition_and_year_ranges() -> None:
    assert dates("The war in 2020 and the president from 1993 to 2003.") == [
        ("2020", "2020-01-01", "2020-12-31", "year"),
        ("from 1993 to 2003", "1993-01-01", "2003-12-31", "years"),
    ]


def test_full_dates_in_either_order() -> None:
    assert [d[1] for d in dates("On August 19, 2024 and on 3 May 2021.")] == [
        "2024-08-19", "2021-05-03"
    ]  # fmt: skip


def test_numbers_that_are_not_dates_are_left_alone() -> None:
    assert dates("The Baku 2015 European Games had 5,900 athletes and ISSN 2975-0474.") == []


def test_relative_dates_need_a_dated_article() -> None:
    assert dates("It began last September, and since 2020 in February 2022.", None) == [
        ("February 2022", "2022-02-01", "2022-02-28", "month")
    ]
