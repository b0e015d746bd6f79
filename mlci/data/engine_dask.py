"""The dask engine: `profile_parts` (the local engine's function) mapped over a dataset's
partitions (runs of row groups, `partition_rows` long) on a Dask cluster, the partial profiles
merged in a tree `split_every` wide.

Imported only when `validate.engine: dask` (pip install 'mlci[dask]'). A worker that dies mid-run
is Dask's to recover from: its tasks run again elsewhere (up to the scheduler's
`allowed-failures`); when they cannot, or the scheduler cannot be reached, the run fails with
exit 3 rather than report a partial profile.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlci.cpus import usable_cpus
from mlci.data.reader import Advance
from mlci.errors import InputError, ServiceError, first_line

if TYPE_CHECKING:
    from mlci.config import DaskConfig
    from mlci.data.engine_base import Dataset
    from mlci.data.reader import Part
    from mlci.data.stats import Edges, Profile


class DaskEngine:
    def __init__(self, settings: DaskConfig) -> None:
        self.settings = settings

    def profile(
        self,
        dataset: Dataset,
        *,
        edges: Edges | None,
        batch_rows: int | None,
        advance: Advance | None,
    ) -> Profile:
        with _client(self.settings) as client:
            try:
                slots = sum(client.nthreads().values())  # tasks the workers run at once
                target = part_rows(dataset.rows, slots, self.settings.partition_rows)
                parts = dataset.partitions(target)
                return _run(
                    client,
                    parts=parts,
                    edges=edges,
                    batch_rows=batch_rows,
                    advance=advance,
                    split_every=self.settings.split_every,
                    where=self.settings.scheduler or "the LocalCluster",
                )
            except (InputError, ServiceError):
                raise
            except Exception as exc:
                raise _service_error(exc, self.settings) from None


def part_rows(total: int, slots: int, partition_rows: int) -> int:
    """The rows of a partition: at most PARTITION_ROWS, and as many partitions as a whole
    number of rounds of the SLOTS (the workers' threads), so that none waits for a part left
    over at the end (10M rows on 2 one-thread workers: 4 parts of 2.5M, not 4M, 4M and 2M)."""
    per_worker = -(-total // max(slots, 1))
    rounds = max(1, -(-per_worker // partition_rows))
    return max(1, -(-per_worker // rounds))


def profile_part(part: Part, stream: int, edges: Edges | None, batch_rows: int | None) -> Profile:
    """One leaf of the tree, on a worker: the local engine's function on one part, its columns
    on one thread (the worker's: the cluster's parallelism is its workers' tasks, and column
    threads would only fight them for the same cores: about 12% more CPU with 2, measured)."""
    from mlci.data.profile import profile_parts

    return profile_parts((part,), edges=edges, batch_rows=batch_rows, stream=stream, threads=1)


def _run(
    client: Any,
    *,
    parts: tuple[Part, ...],
    edges: Edges | None,
    batch_rows: int | None,
    advance: Advance | None,
    split_every: int,
    where: str,
) -> Profile:
    import distributed

    from mlci.data.profile import merge_all

    as_completed: Any = distributed.as_completed  # distributed is only partly typed

    # pure=False: a part's profile is not cached by key, so a run reads the files as they are now
    leaves = client.map(
        profile_part,
        parts,
        range(1, len(parts) + 1),
        edges=edges,
        batch_rows=batch_rows,
        key=[f"mlci-profile-part-{i}-{os.urandom(4).hex()}" for i in range(len(parts))],
        pure=False,
    )
    level = list(leaves)
    while len(level) > 1:
        level = [
            client.submit(merge_all, *level[i : i + split_every], pure=False)
            for i in range(0, len(level), split_every)
        ]
    keys = [leaf.key for leaf in leaves]
    rows = {leaf.key: part.rows for leaf, part in zip(leaves, parts, strict=True)}
    total, done = sum(rows.values()), 0
    for leaf in as_completed(leaves):
        if leaf.status == "error":
            _raise_failed(leaf, parts[keys.index(leaf.key)], where)
        done += rows[leaf.key]
        if advance is not None:
            advance(rows[leaf.key], done / total if total else None)
    profile: Profile = level[0].result()
    return profile


@contextlib.contextmanager
def _client(settings: DaskConfig) -> Iterator[Any]:
    try:
        import dask
        import distributed
    except ImportError:
        raise InputError(
            "validate.engine: dask needs the distributed package (pip install 'mlci[dask]')"
        ) from None
    Client: Any = distributed.Client  # distributed is only partly typed
    if settings.scheduler is not None:
        try:
            client = Client(settings.scheduler, timeout=settings.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise ServiceError(
                f"validate.dask.scheduler: cannot reach the Dask scheduler at "
                f"{settings.scheduler}: {first_line(exc)}"
            ) from None
        with client:
            yield client
        return
    # Each Nanny writes its workers' variables (OMP_NUM_THREADS=1, PYTHONHASHSEED...) into this
    # process's environment before it spawns one, and again on a restart: they would reach every
    # process mlci starts after the run, so the environment is put back once the cluster is shut.
    saved = dict(os.environ)
    try:
        with dask.config.set({_SPAWN_ENV: _spawn_env()}):  # read by each Nanny as it is made
            cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=settings.workers or usable_cpus(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
        with cluster, Client(cluster) as client:
            yield client
    finally:
        _restore_environ(saved)


_SPAWN_ENV = "distributed.nanny.pre-spawn-environ"


def _restore_environ(saved: dict[str, str]) -> None:
    """The environment as SAVED, variable by variable (never cleared whole: another thread
    reading a variable meanwhile must still find it)."""
    for name in [n for n in os.environ if n not in saved]:
        os.environ.pop(name, None)
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def _spawn_env() -> dict[str, Any]:
    """Dask's environment for worker processes without its MALLOC_TRIM_THRESHOLD_: setting it
    at all turns off glibc's adaptive mmap threshold, so every array over 128 KiB is mapped and
    unmapped afresh (measured at 10M rows: 8x the page faults, sys time 1.5 s -> 7.6 s, about
    twice the CPU of the same profile). It keeps a long-lived worker's memory returned to the
    system; a cluster started for one run has no use for that."""
    import dask

    found: dict[str, Any] = dask.config.get(_SPAWN_ENV, default={})
    return {k: v for k, v in found.items() if k != "MALLOC_TRIM_THRESHOLD_"}


def _raise_failed(leaf: Any, part: Part, where: str) -> None:
    """The first partition that failed ends the run (the client's exit cancels the rest)."""
    exc = leaf.exception()
    if type(exc).__name__ == "KilledWorker":
        groups = part.row_groups or (0,)
        span = (
            f"row group {groups[0]}" if len(groups) == 1 else f"row groups {groups[0]}-{groups[-1]}"
        )
        raise ServiceError(
            f"dask ({where}): the workers running {part.location} ({span}) died and "
            "the scheduler gave up on it; nothing was reported (run again)"
        )
    leaf.result()  # the task's own error (an InputError naming the file) is raised as is


def _service_error(exc: Exception, settings: DaskConfig) -> ServiceError:
    where = settings.scheduler or "the LocalCluster"
    return ServiceError(f"dask ({where}): {type(exc).__name__}: {first_line(exc)}")
