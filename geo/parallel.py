"""The geoparser on every core of one machine, streaming, in input order.

Why a process pool and not threads: the geoparser is pure Python, so only processes run it
in parallel. Each worker opens the gazetteer once (the pool initializer) and reads its own
files, so only file paths go out and only results come back. Work goes out in chunks of
paths and at most ``IN_FLIGHT_PER_WORKER`` chunks per worker are pending at once, so memory
stays flat however many files there are: results are yielded as soon as the chunk holding
the next file in input order is done, never gathered.

Workers start from a fork server (``forkserver``), not by forking the caller: the caller may
hold an open SQLite connection (the gazetteer), which must not cross a fork.

``jobs=1`` (or a single file) runs in the calling process with no pool at all; both paths
run the same function, so their results are identical.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from geo.model import Article, InputError, Mention, Passage
from geo.weights import COUNT_DEMONYMS, DEFAULT, Weights

if TYPE_CHECKING:  # pragma: no cover
    from geo.gazetteer import Gazetteer
    from geo.metadata import ArticleMeta
    from geo.timeline import DatedPhrase

CHUNK_SIZE = 32  # files per task: big enough to hide the per-task cost, small enough to balance
IN_FLIGHT_PER_WORKER = 4  # pending chunks per worker: keeps workers busy, bounds memory
POOL_MIN_FILES = 64  # with the default --jobs, fewer files than this run in-process
_START_METHOD = "forkserver"
T = TypeVar("T")
R = TypeVar("R", covariant=True)
_PRELOAD = ["geo.pipeline"]  # imported once in the fork server, inherited by every worker


class ClusterError(Exception):
    """The Dask scheduler cannot be used (unreachable, no worker, Dask not installed)."""


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """One geoparsed article: the article, its quotable passages and its place mentions.

    With ``story_facts`` the worker also read what the page tells of the article: its
    metadata and the dates its passages state (dateparser's work, spread over the workers).
    """

    article: Article
    passages: list[Passage]
    mentions: list[Mention]
    meta: ArticleMeta | None = None
    dates: list[DatedPhrase] | None = None

    @property
    def path(self) -> Path | None:
        return self.article.path


Outcome = ArticleResult | InputError
# What a worker sends back for an article instead of the result itself (a JSON line): the
# work of turning results into output is then spread over the workers too.
Render = Callable[[ArticleResult], str]


@dataclass(slots=True)
class Geoparsed:
    """Everything ``storymap build`` needs from the geoparser, for a whole folder."""

    articles: list[Article] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    metadata: dict[str, ArticleMeta] = field(default_factory=dict)  # from a store or workers
    dates: list[DatedPhrase] | None = None  # every passage's dates, when the workers read them

    def add(self, outcome: Outcome) -> None:
        if isinstance(outcome, InputError):
            self.errors.append(outcome)
            return
        self.articles.append(outcome.article)
        self.passages.extend(outcome.passages)
        self.mentions.extend(outcome.mentions)
        if outcome.meta is not None:
            self.metadata[outcome.article.id] = outcome.meta
        if outcome.dates is not None:
            self.dates = [] if self.dates is None else self.dates
            self.dates.extend(outcome.dates)


def plan_inputs(
    paths: Iterable[Path], *, absolute: bool = False, follow_symlinks: bool = False
) -> tuple[list[Path], list[InputError]]:
    """The article files to geoparse, and the files refused before any is read.

    An article's id is its file stem, so a second file with a stem already taken is refused
    here, up front: workers never see each other's files, so they could not tell.
    ``absolute`` paths are for workers with another working directory (a Dask cluster) and
    for stores, which record each article's path.
    """
    from geo.articles import find_article_files

    files: list[Path] = []
    found, refused = find_article_files(paths, follow_symlinks=follow_symlinks)
    first_path: dict[str, Path] = {}
    for path in found:
        path = path.absolute() if absolute else path
        if path.stem in first_path:
            reason = f"has the same article id as {first_path[path.stem]}; rename it"
            refused.append(InputError(path, reason))
            continue
        first_path[path.stem] = path
        files.append(path)
    return files, refused


def geoparse_paths(
    paths: Iterable[Path],
    gazetteer: Gazetteer,
    *,
    demonyms: bool = COUNT_DEMONYMS,
    weights: Weights | None = None,
    story_facts: bool = False,
) -> list[Outcome]:
    """Read and geoparse each file in order; a file that cannot be read becomes an InputError.

    This is the unit of work everywhere: in-process, in a pool worker, on a Dask worker.
    """
    from geo.articles import read_article
    from geo.pipeline import geoparse_article

    outcomes: list[Outcome] = []
    for path in paths:
        try:
            article = read_article(Path(path))
        except InputError as error:
            outcomes.append(error)
            continue
        passages, mentions = geoparse_article(
            article, gazetteer=gazetteer, demonyms=demonyms, weights=weights or DEFAULT
        )
        facts = _facts(article, passages) if story_facts else (None, None)
        outcomes.append(ArticleResult(article, passages, mentions, *facts))
    return outcomes


def _facts(article: Article, passages: list[Passage]) -> tuple[ArticleMeta, list[DatedPhrase]]:
    """The article's metadata and its passages' dates, as the page would read them."""
    from geo.metadata import article_meta
    from geo.timeline import passage_dates

    meta = article_meta(article)
    return meta, passage_dates(passages, {article.id: meta})


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def chunk_size_for(count: int, workers: int, largest: int = CHUNK_SIZE) -> int:
    """Chunks small enough that every worker gets several, at most ``largest`` files."""
    return max(1, min(largest, math.ceil(count / (workers * IN_FLIGHT_PER_WORKER))))


@dataclass(frozen=True, slots=True)
class Task:
    """What is asked of every file, the same in-process or in a pool worker (a Dask cluster
    is asked only for ``demonyms``: a build reads the story facts itself when they are missing)."""

    demonyms: bool = COUNT_DEMONYMS
    weights: Weights | None = None
    render: Render | None = None  # each result as text, made where it was geoparsed
    story_facts: bool = False  # also read metadata and dates (``ArticleResult``)

    def run(self, paths: Sequence[Path], gazetteer: Gazetteer) -> list[Any]:
        outcomes = geoparse_paths(
            paths, gazetteer, demonyms=self.demonyms, weights=self.weights,
            story_facts=self.story_facts,
        )  # fmt: skip
        return list(_rendered(outcomes, self.render))


def geoparse_files(
    paths: Sequence[Path],
    *,
    jobs: int | None = None,
    demonyms: bool = COUNT_DEMONYMS,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    weights: Weights | None = None,
    story_facts: bool = False,
) -> Iterator[Outcome]:
    """An ``ArticleResult`` or ``InputError`` for each of ``paths``, in the same order.

    ``jobs=None`` uses every core when there is enough work (``POOL_MIN_FILES``); an explicit
    ``jobs`` is obeyed. With ``scheduler`` (``tcp://host:port``) the workers of that Dask
    cluster do the work instead (``geo.distributed``). Results are identical to
    ``geo.pipeline.geoparse_article`` run on each file in turn.
    """
    task = Task(demonyms, weights, story_facts=story_facts)
    return _outcomes(paths, jobs, chunk_size, scheduler, task)


def geoparse_rendered(
    paths: Sequence[Path],
    render: Render,
    *,
    jobs: int | None = None,
    demonyms: bool = COUNT_DEMONYMS,
    scheduler: str | None = None,
    weights: Weights | None = None,
) -> Iterator[str | InputError]:
    """``geoparse_files`` with each readable article as ``render(result)``, made where it
    was geoparsed (every core; by the client with a ``scheduler``). ``render`` must be a
    module-level function, so that it pickles by name."""
    return _outcomes(paths, jobs, None, scheduler, Task(demonyms, weights, render))


def _outcomes(
    paths: Sequence[Path],
    jobs: int | None,
    chunk_size: int | None,
    scheduler: str | None,
    task: Task,
) -> Iterator[Any]:
    """Both of the above: one path through pool, process and cluster, so they agree."""
    if scheduler:
        if task.weights not in (None, DEFAULT):
            raise ClusterError("--weights is not available with --scheduler; workers use defaults")
        outcomes = cluster().outcomes_on_cluster(scheduler, paths, demonyms=task.demonyms)
        yield from _rendered(outcomes, task.render)
        return
    workers = min(default_jobs() if jobs is None else jobs, len(paths))
    if jobs is None and len(paths) < POOL_MIN_FILES:
        workers = 1
    if workers <= 1:
        yield from _in_process(paths, task)
        return
    yield from _in_pool(paths, workers, chunk_size or chunk_size_for(len(paths), workers), task)


def _in_pool(paths: Sequence[Path], workers: int, size: int, task: Task) -> Iterator[Any]:
    """Chunks of ``paths`` on a pool of ``workers`` processes, outcomes in input order.

    The pool's modules are imported here, so ``--jobs 1`` starts without them (~10 ms)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(_START_METHOD)
    context.set_forkserver_preload(_PRELOAD)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_open_gazetteer) as pool:
        yield from ordered(
            lambda chunk: pool.submit(_work, chunk, task),
            chunked(paths, size),
            window=workers * IN_FLIGHT_PER_WORKER,
        )


class Pending(Protocol[R]):
    """A submitted task: a ``concurrent.futures.Future`` or a Dask ``Future``."""

    def result(self) -> R: ...


def ordered(
    submit: Callable[[list[T]], Pending[list[R]]],
    chunks: Iterable[list[T]],
    *,
    window: int,
) -> Iterator[R]:
    """Submit chunks keeping at most ``window`` pending; yield their outcomes in chunk order.

    Works with any future that has ``.result()`` (concurrent.futures and Dask alike).
    """
    pending: deque[Pending[list[R]]] = deque()
    chunks = iter(chunks)
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            break
    while pending:
        outcomes = pending.popleft().result()
        next_chunk = next(chunks, None)
        if next_chunk is not None:
            pending.append(submit(next_chunk))
        yield from outcomes


def geoparse_all(
    paths: Sequence[Path],
    *,
    jobs: int | None = None,
    demonyms: bool = COUNT_DEMONYMS,
    progress: bool = True,
    story_facts: bool = False,
) -> Geoparsed:
    """Every outcome gathered, for ``storymap build`` (which needs them all anyway)."""
    from tqdm import tqdm

    parsed = Geoparsed()
    outcomes = geoparse_files(paths, jobs=jobs, demonyms=demonyms, story_facts=story_facts)
    show = progress and len(paths) >= 20
    for outcome in tqdm(
        outcomes, total=len(paths), desc="geoparsing", unit="article", disable=not show
    ):
        parsed.add(outcome)
    return parsed


def cluster() -> Any:
    """``geo.distributed``, imported only when asked for (Dask is an optional extra)."""
    try:
        from geo import distributed
    except ImportError as error:
        raise ClusterError(
            f"--scheduler needs Dask ({error}); install it: pip install 'geo-storymap[cluster]'"
        ) from error
    return distributed


def _in_process(paths: Sequence[Path], task: Task) -> Iterator[Any]:
    from geo.gazetteer import Gazetteer

    gazetteer = Gazetteer.default()
    for path in paths:  # one at a time: each JSON line is written as soon as it is ready
        yield from task.run([path], gazetteer)


# -- in the worker processes ------------------------------------------------------------
_worker_gazetteer: Gazetteer | None = None


def _open_gazetteer() -> None:
    """Pool initializer: open the gazetteer once for all the chunks this worker will run."""
    global _worker_gazetteer
    from geo.gazetteer import Gazetteer

    _worker_gazetteer = Gazetteer.default()


def _work(chunk: list[Path], task: Task) -> list[Outcome | str]:
    assert _worker_gazetteer is not None, "the pool initializer opens the gazetteer"
    return task.run(chunk, _worker_gazetteer)


def _rendered(outcomes: Iterable[Outcome], render: Render | None) -> Iterator[Outcome | str]:
    for outcome in outcomes:
        yield outcome if render is None or isinstance(outcome, InputError) else render(outcome)
