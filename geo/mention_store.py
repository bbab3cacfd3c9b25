"""Precomputed mentions on disk: written by ``geoparse --out``, read by ``build --mentions``.

Two formats, chosen by the name of ``--out``:

``mentions.parquet/`` (a directory of GeoParquet parts)
    ``part-00000.parquet``, ``part-00001.parquet``… hold one row per place mention, in input
    order: the article id and path, the offsets and text of the mention, the gazetteer entry
    it was resolved to (id, name, kind, country, lat/lon, score), the passage that quotes it
    (index, offsets, text) and a Point geometry in EPSG:4326. Part *n* covers input files
    ``n * PART_FILES`` to ``(n + 1) * PART_FILES - 1``; a part without mentions is not
    written. ``_articles/part-*.parquet`` hold one row per article with every quotable
    passage, because story layers (corridors, conflicts) are found in any passage, not only
    in those with a place mention. Readers of Parquet datasets (pyarrow, geopandas, DuckDB)
    skip ``_``-prefixed folders, so ``geopandas.read_parquet("mentions.parquet")`` reads the
    mentions alone.

``mentions.jsonl``
    one JSON line per article, in input order: ``{"id", "path", "meta", "mentions",
    "passages"}``, the mention records being those of ``storymap geoparse --jsonl``.

Both keep each article's metadata (headline, date, author, outlet, URL, lead sentence:
``geo.metadata``), read from its text when the store is written, so that the page built
from a store heads its articles exactly as a direct build does.

Article texts are not stored (the passages are every sentence worth quoting), so an
``Article`` read back has an empty ``text``; layers and the page need only its id.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from geo.metadata import STORED_FIELDS, article_meta, meta_from_record, meta_record
from geo.model import Article, InputError, Mention, Passage
from geo.parallel import ArticleResult, Geoparsed, Outcome
from geo.weights import COUNT_DEMONYMS

FORMATS = {".parquet": "parquet", ".jsonl": "jsonl"}
PART_FILES = 256  # input files per Parquet part (and per Dask task)
PART_NAME = "part-{:05d}.parquet"
ARTICLES_DIR = "_articles"
MENTION_KEYS = ("start", "end", "text", "name", "lat", "lon", "kind", "country_code")
MENTION_COLUMNS = (
    "article", "path", "start", "end", "text", "name", "gazetteer_id", "kind", "country_code",
    "lat", "lon", "score", "alternatives", "demonym", "passage_index", "passage_start",
    "passage_end", "passage",
)  # fmt: skip


@dataclass(slots=True)
class StoreSummary:
    """What a store holds once written: counts, and the input files that were skipped."""

    articles: int = 0
    mentions: int = 0
    errors: list[InputError] = field(default_factory=list)

    def count(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            if isinstance(outcome, InputError):
                self.errors.append(outcome)
            else:
                self.articles += 1
                self.mentions += len(outcome.mentions)


class StoreError(Exception):
    """A mention store that cannot be written or read; the message names the file and why."""


def store_format(out: Path) -> str:
    """``parquet`` or ``jsonl``, from the name of ``out``."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        choices = " or ".join(f"NAME{suffix}" for suffix in FORMATS)
        raise StoreError(f"{out}: the output name must end in {choices}")
    return fmt


# -- records ----------------------------------------------------------------------------
def mention_record(mention: Mention) -> dict[str, Any]:
    """One mention as JSON, the same keys and values as ``storymap geoparse --jsonl``.

    ``MENTION_KEYS`` first, in their order. Written as one literal: made key by key it took
    twice as long, once for every mention of every line.
    """
    m = mention
    return {
        "start": m.start, "end": m.end, "text": m.text, "name": m.name, "lat": m.lat,
        "lon": m.lon, "kind": m.kind, "country_code": m.country_code,
        "gazetteer_id": m.gazetteer_id, "score": round(m.score, 4),
        "alternatives": [dict(alternative) for alternative in m.alternatives],
        "demonym": m.demonym,
    }  # fmt: skip


# ``json.dumps(record, ensure_ascii=False)`` without making an encoder per line or checking
# for cycles (a record has none): the same text.
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def geoparse_line(result: ArticleResult) -> str:
    """The ``storymap geoparse --jsonl`` line (no newline) of one geoparsed article."""
    record = {"id": result.article.id, "mentions": [mention_record(m) for m in result.mentions]}
    return _LINE_ENCODER.encode(record)


def article_line(result: ArticleResult) -> str:
    """One JSONL line (no newline) for one geoparsed article."""
    article = result.article
    record = {
        "id": article.id,
        "path": str(article.path) if article.path else None,
        "meta": meta_record(article_meta(article)),
        "mentions": [mention_record(m) for m in result.mentions],
        "passages": [
            {"index": p.index, "start": p.start, "end": p.end, "text": p.text}
            for p in result.passages
        ],
    }
    return json.dumps(record, ensure_ascii=False)


def mention_rows(result: ArticleResult) -> Iterator[dict[str, Any]]:
    """The Parquet rows of one article's mentions, each with the passage that quotes it."""
    passages = result.passages
    starts = [p.start for p in passages]
    path = str(result.article.path) if result.article.path else None
    for m in result.mentions:
        at = bisect.bisect_right(starts, m.start) - 1
        passage = passages[at] if at >= 0 and m.end <= passages[at].end else None
        yield {
            "article": m.article, "path": path, "start": m.start, "end": m.end, "text": m.text,
            "name": m.name, "gazetteer_id": m.gazetteer_id, "kind": m.kind,
            "country_code": m.country_code, "lat": m.lat, "lon": m.lon, "score": m.score,
            "alternatives": json.dumps(list(m.alternatives), ensure_ascii=False),
            "demonym": m.demonym,
            "passage_index": passage.index if passage else None,
            "passage_start": passage.start if passage else None,
            "passage_end": passage.end if passage else None,
            "passage": passage.text if passage else None,
        }  # fmt: skip


# -- writing ----------------------------------------------------------------------------
def write_part(results: Sequence[ArticleResult], directory: Path, index: int) -> None:
    """Write part ``index`` of a Parquet store: its mentions and its articles' passages.

    Runs wherever the results are (on a Dask worker, it writes straight to the shared
    directory); geopandas is imported here only, so the geoparser never loads it.
    """
    import geopandas as gpd
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = PART_NAME.format(index)
    rows = [row for result in results for row in mention_rows(result)]
    if rows:
        frame = pd.DataFrame(rows, columns=list(MENTION_COLUMNS))
        for column in ("passage_index", "passage_start", "passage_end"):
            frame[column] = frame[column].astype("Int64")
        points = gpd.points_from_xy(frame["lon"], frame["lat"], crs="EPSG:4326")
        gpd.GeoDataFrame(frame, geometry=points).to_parquet(directory / name, index=False)
    if results:
        table = pa.Table.from_pylist(
            [
                {
                    "article": r.article.id,
                    "path": str(r.article.path) if r.article.path else None,
                    "meta": meta_record(article_meta(r.article)),
                    "passages": [
                        {"index": p.index, "start": p.start, "end": p.end, "text": p.text}
                        for p in r.passages
                    ],
                }
                for r in results
            ],
            schema=_articles_schema(),
        )
        (directory / ARTICLES_DIR).mkdir(exist_ok=True)
        pq.write_table(table, directory / ARTICLES_DIR / name)


def _articles_schema() -> Any:
    import pyarrow as pa

    passage = pa.struct(
        [("index", pa.int64()), ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())]
    )
    meta = pa.struct([(name, pa.string()) for name in STORED_FIELDS])
    return pa.schema(
        [("article", pa.string()), ("path", pa.string()), ("meta", meta),
         ("passages", pa.list_(passage))]
    )  # fmt: skip


def new_parquet_store(out: Path) -> Path:
    """A fresh hidden directory beside ``out`` to write the parts into (see ``commit``)."""
    if out.exists() and not _is_parquet_store(out):
        raise StoreError(f"{out}: exists and is not a mention store; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))


def commit_parquet_store(work: Path, out: Path) -> None:
    """Put the finished store in place of ``out`` (a previous store there is replaced)."""
    os.chmod(work, 0o755)
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(work, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, out)


def _is_parquet_store(path: Path) -> bool:
    return path.is_dir() and (not any(path.iterdir()) or (path / ARTICLES_DIR).is_dir())


def write_store(outcomes: Iterable[Outcome], out: Path) -> StoreSummary:
    """Write ``outcomes`` (in input order) to ``out``; say what was written and skipped.

    Streams: a Parquet part or a JSONL line is written as soon as its articles are done.
    """
    if store_format(out) == "jsonl":
        return _write_jsonl(outcomes, out)
    work = new_parquet_store(out)
    summary = StoreSummary()
    try:
        for index, part in enumerate(batches(outcomes, PART_FILES)):
            summary.count(part)
            write_part([o for o in part if isinstance(o, ArticleResult)], work, index)
        commit_parquet_store(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary


def batches(items: Iterable[Outcome], size: int) -> Iterator[list[Outcome]]:
    """Consecutive lists of ``size`` items (the last may be shorter), without reading ahead."""
    batch: list[Outcome] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_jsonl(outcomes: Iterable[Outcome], out: Path) -> StoreSummary:
    summary = StoreSummary()
    with _atomic_lines(out) as handle:
        for outcome in outcomes:
            summary.count([outcome])
            if isinstance(outcome, ArticleResult):
                handle.write(article_line(outcome) + "\n")
    return summary


class _atomic_lines:  # noqa: N801 - used as a context manager, like open()
    """A text file written beside ``path`` and renamed over it only when complete."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> IO[str]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        os.chmod(self.tmp, 0o644)
        self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self.handle

    def __exit__(self, kind: object, *_: object) -> None:
        self.handle.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            Path(self.tmp).unlink(missing_ok=True)


def geoparse_to_store(
    files: Sequence[Path],
    out: Path,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    demonyms: bool = COUNT_DEMONYMS,
) -> StoreSummary:
    """Geoparse ``files`` into the store ``out``: on this machine, or on a Dask cluster."""
    from geo.parallel import cluster, geoparse_files

    if scheduler and store_format(out) == "parquet":
        return cluster().geoparse_on_cluster(files, scheduler, out, demonyms=demonyms)
    outcomes = geoparse_files(files, jobs=jobs, scheduler=scheduler, demonyms=demonyms)
    return write_store(outcomes, out)


# -- reading ----------------------------------------------------------------------------
def read_mentions(path: Path) -> Geoparsed:
    """The articles, passages and mentions of a store, in input order, ready for a build."""
    if not path.exists():
        raise StoreError(f"{path}: no such file or folder")
    if path.is_dir():
        return _read_parquet(path)
    return _read_jsonl(path)


def _read_jsonl(path: Path) -> Geoparsed:
    parsed = Geoparsed()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                article = Article(
                    record["id"], "", Path(record["path"]) if record["path"] else None
                )
                parsed.metadata[article.id] = meta_from_record(article.id, record.get("meta"))
                passages = [
                    Passage(article.id, p["index"], p["start"], p["end"], p["text"])
                    for p in record["passages"]
                ]
                mentions = [
                    Mention(article=article.id, gazetteer_id=m["gazetteer_id"], score=m["score"],
                            alternatives=tuple(m.get("alternatives", ())),
                            demonym=bool(m.get("demonym", False)),  # stores before the flag
                            **{key: m[key] for key in MENTION_KEYS})
                    for m in record["mentions"]
                ]  # fmt: skip
            except (ValueError, KeyError, TypeError) as error:
                raise StoreError(
                    f"{path}: line {number}: not a mention record ({error})"
                ) from error
            parsed.add(ArticleResult(article, passages, mentions))
    return parsed


def _read_parquet(path: Path) -> Geoparsed:
    import pyarrow.parquet as pq

    parsed = Geoparsed()
    parts = sorted((path / ARTICLES_DIR).glob("part-*.parquet"))
    if not parts:
        raise StoreError(f"{path}: not a mention store (no {ARTICLES_DIR}/part-*.parquet)")
    try:
        for part in parts:
            for row in pq.read_table(part).to_pylist():
                article_id = row["article"]
                parsed.articles.append(
                    Article(article_id, "", Path(row["path"]) if row["path"] else None)
                )
                parsed.metadata[article_id] = meta_from_record(article_id, row.get("meta"))
                parsed.passages.extend(
                    Passage(article_id, p["index"], p["start"], p["end"], p["text"])
                    for p in row["passages"]
                )
        columns = [c for c in MENTION_COLUMNS if c not in ("path",) and not c.startswith("passage")]
        for part in sorted(path.glob("part-*.parquet")):
            present = set(pq.read_schema(part).names)  # stores before "demonym" lack it
            for row in pq.read_table(
                part, columns=[c for c in columns if c in present]
            ).to_pylist():
                row["alternatives"] = tuple(json.loads(row["alternatives"] or "[]"))
                parsed.mentions.append(Mention(**row))
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise StoreError(f"{path}: cannot be read as a mention store ({error})") from error
    return parsed
