"""The same geoparser on a running Dask distributed cluster, for archives one machine can't do.

Dask does the scheduling; this module only says what a task is. Each worker loads the
gazetteer once, when it joins (``GazetteerPlugin``); a task is a list of article paths
(never their texts), which the worker reads itself. So every worker needs geo-storymap
installed and the articles at the same absolute paths: a filesystem the workers share
(NFS, a mounted bucket, or one machine).

Output, by the name of ``out`` (see ``geo.mention_store``):

* ``NAME.parquet`` — each task writes its own part (``part-00042.parquet``) straight into
  the store, so the client only receives counts: the workers must share the filesystem
  of ``out`` too. Parts are written into a hidden folder beside ``out``, renamed into
  place when every part is done.
* ``NAME.jsonl`` — results come back to the client, which writes them in input order as
  soon as the next one in line is done.

At most ``IN_FLIGHT_PER_THREAD`` tasks per worker thread are submitted at once, so neither
the scheduler nor the client holds more than a few tasks' results, for any number of files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from distributed import Client, Future, WorkerPlugin, as_completed

from geo import mention_store
from geo.mention_store import (
    StoreSummary,
    commit_parquet_store,
    new_parquet_store,
    store_format,
    write_part,
    write_store,
)
from geo.parallel import (
    ArticleResult,
    ClusterError,
    Outcome,
    chunked,
    geoparse_paths,
    ordered,
)
from geo.weights import COUNT_DEMONYMS

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Worker

PLUGIN_NAME = "geo-storymap-gazetteer"
IN_FLIGHT_PER_THREAD = 2  # pending tasks per worker thread: keeps workers busy, bounds memory
CONNECT_TIMEOUT = "30s"  # to reach the scheduler
WORKER_WAIT_SECONDS = 60  # for at least one worker to join


class GazetteerPlugin(WorkerPlugin):
    """Opens the gazetteer when a worker starts, once for all the tasks it will run."""

    name = PLUGIN_NAME

    def setup(self, worker: Worker) -> None:
        from geo.gazetteer import Gazetteer

        Gazetteer.default()


@contextmanager
def connect(scheduler_address: str) -> Iterator[Client]:
    """A client of the running scheduler, with the gazetteer plugin on every worker."""
    try:
        client = Client(scheduler_address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        reason = f"cannot reach the Dask scheduler ({error})"
        raise ClusterError(f"{scheduler_address}: {reason}") from error
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError as error:
            raise ClusterError(
                f"{scheduler_address}: no Dask worker joined within {WORKER_WAIT_SECONDS} s"
            ) from error
        try:
            client.register_plugin(GazetteerPlugin(), name=PLUGIN_NAME)
        except Exception as error:  # raised on a worker: any kind, reported in one line
            raise ClusterError(
                f"{scheduler_address}: a worker cannot open the gazetteer ({error}); "
                "is geo-storymap installed on every worker?"
            ) from error
        yield client
    finally:
        client.close()


def geoparse_files_on_cluster(
    client: Client, files: Sequence[Path], *, demonyms: bool = COUNT_DEMONYMS
) -> Iterator[Outcome]:
    """An ``ArticleResult`` or ``InputError`` per file, in input order, computed by the workers."""
    paths = [str(path) for path in files]
    yield from ordered(
        lambda chunk: client.submit(_geoparse_task, chunk, demonyms, pure=False),
        chunked(paths, mention_store.PART_FILES),
        window=_window(client),
    )


def outcomes_on_cluster(
    scheduler_address: str, files: Sequence[Path], *, demonyms: bool = COUNT_DEMONYMS
) -> Iterator[Outcome]:
    """``geoparse_files_on_cluster`` with its own client, closed once the last file is done."""
    with connect(scheduler_address) as client:
        yield from geoparse_files_on_cluster(client, files, demonyms=demonyms)


def geoparse_on_cluster(
    files: Sequence[Path],
    scheduler_address: str,
    out: Path,
    fmt: str | None = None,
    demonyms: bool = COUNT_DEMONYMS,
) -> StoreSummary:
    """Geoparse ``files`` on the cluster into the store ``out`` (Parquet parts or JSONL).

    ``files`` should be absolute (``geo.parallel.plan_inputs(..., absolute=True)``): the
    workers may run in another directory or on another machine.
    """
    fmt = fmt or store_format(out)
    with connect(scheduler_address) as client:
        if fmt == "jsonl":
            return write_store(geoparse_files_on_cluster(client, files, demonyms=demonyms), out)
        return _write_parquet_on_workers(client, files, out, demonyms)


def _write_parquet_on_workers(
    client: Client, files: Sequence[Path], out: Path, demonyms: bool
) -> StoreSummary:
    work = new_parquet_store(out)
    parts = enumerate(chunked([str(path) for path in files], mention_store.PART_FILES))

    def submit(index: int, chunk: list[str]) -> Future:
        return client.submit(_write_task, chunk, index, str(work), demonyms, pure=False)

    done: dict[int, StoreSummary] = {}
    try:
        first = [submit(*part) for part in islice(parts, _window(client))]
        pending = as_completed(first, loop=client.loop)
        for future in pending:
            index, summary = future.result()
            done[index] = summary
            for part in islice(parts, 1):
                pending.add(submit(*part))
        commit_parquet_store(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = StoreSummary()
    for index in sorted(done):  # skipped files reported in input order
        total.articles += done[index].articles
        total.mentions += done[index].mentions
        total.errors.extend(done[index].errors)
    return total


def _window(client: Client) -> int:
    return max(1, sum(client.nthreads().values())) * IN_FLIGHT_PER_THREAD


# -- on the workers ---------------------------------------------------------------------
def _geoparse_task(paths: list[str], demonyms: bool) -> list[Outcome]:
    from geo.gazetteer import Gazetteer

    return geoparse_paths([Path(p) for p in paths], Gazetteer.default(), demonyms=demonyms)


def _write_task(
    paths: list[str], index: int, directory: str, demonyms: bool
) -> tuple[int, StoreSummary]:
    outcomes = _geoparse_task(paths, demonyms)
    write_part([o for o in outcomes if isinstance(o, ArticleResult)], Path(directory), index)
    summary = StoreSummary()
    summary.count(outcomes)
    return index, summary
