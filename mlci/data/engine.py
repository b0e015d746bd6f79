"""The data engine seam: where the rows of `data.path` are profiled.

`local` (the default) streams them in this process; `dask` (mlci/data/engine_dask.py) maps the
same profile function (`profile_parts`) over the dataset's partitions on a Dask cluster and merges
the partial profiles in a tree. Either way the checks then run on one Profile, unchanged.

The input is a CSV or Parquet file, or a Parquet dataset: a folder (every .parquet/.pq file under
it, hidden and `_`-prefixed files left out, as Spark and Dask write them) or a glob, on disk or at
an fsspec URL (`s3://bucket/logs/*.parquet` with s3fs installed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from mlci.data.digest import HashedFile, file_digest
from mlci.data.engine_base import Dataset, Engine, ParquetInfo
from mlci.data.reader import (
    Advance,
    is_url,
    parquet_file,
    table_format,
    url_filesystem,
)
from mlci.errors import InputError, ServiceError

if TYPE_CHECKING:
    from mlci.config import DaskConfig, ValidateConfig
    from mlci.data.stats import Edges, Profile

_PARQUET = (".parquet", ".pq")
_In = TypeVar("_In")
_Out = TypeVar("_Out")
_GLOB = set("*?[")


class LocalEngine:
    """Every part in turn in this process, as one stream (one accumulator, read ahead)."""

    def profile(
        self,
        dataset: Dataset,
        *,
        edges: Edges | None,
        batch_rows: int | None,
        advance: Advance | None,
    ) -> Profile:
        from mlci.data.profile import profile_parts

        return profile_parts(
            dataset.whole_files(), edges=edges, batch_rows=batch_rows, advance=advance
        )


def make_engine(settings: ValidateConfig) -> Engine:
    """The one place the configured engine is built."""
    if settings.engine == "dask":
        from mlci.data.engine_dask import DaskEngine

        return DaskEngine(settings.dask)
    return LocalEngine()


def map_parts(
    engine: str, dask: DaskConfig, fn: Callable[[_In], _Out], parts: Sequence[_In]
) -> list[_Out]:
    """FN over PARTS for steps whose partial result is not a Profile (`mlci monitor`'s window):
    in turn in this process (`local`), or one task per part on the cluster `validate.dask` names
    (`dask`). The results come back in PARTS' order, so merging them gives what local gives."""
    if engine != "dask":
        return [fn(part) for part in parts]
    from mlci.data.engine_dask import _client, _service_error

    with _client(dask) as client:
        try:
            futures = client.map(fn, list(parts), pure=False)  # a run reads the files as they are
            found: list[_Out] = client.gather(futures)
        except (InputError, ServiceError):
            raise  # a part's own error (naming its file) as it was raised on the worker
        except Exception as exc:
            raise _service_error(exc, dask) from None
    return found


def check_complete(profile: Profile, dataset: Dataset, engine: str) -> Profile:
    """A partial profile must never pass for the whole: its rows against the footers'."""
    if profile.rows != dataset.rows:
        raise ServiceError(
            f"{dataset.location}: the {engine} engine profiled {profile.rows:,} rows, but the "
            f"Parquet footers count {dataset.rows:,}: the profile is incomplete (run again)"
        )
    return profile


# ---------------------------------------------------------------------------- finding files


def is_dataset(location: str) -> bool:
    """A folder, a glob or a URL, as opposed to one file on disk (`data[1].csv` that exists is
    a file, not a glob)."""
    if is_url(location):
        return True
    path = Path(location)
    return path.is_dir() or (bool(_GLOB & set(location)) and not path.is_file())


def open_dataset(location: str) -> Dataset:
    """The Parquet files LOCATION names (sorted, so the order does not depend on listing order)
    with their row groups; InputError naming LOCATION when there are none."""
    names = _url_files(location) if is_url(location) else _local_files(location)
    names = [n for n in names if n.lower().endswith(_PARQUET) and _visible(n, location)]
    if not names:
        raise InputError(
            f"{location}: no Parquet files found (expected a .parquet/.pq file, a folder or a "
            "glob of them)"
        )
    return Dataset(location, tuple(_info(n) for n in sorted(names)))


def _local_files(location: str) -> list[str]:
    path = Path(location)
    if _GLOB & set(location):
        root = Path(path.anchor or ".")
        pattern = str(path.relative_to(path.anchor)) if path.anchor else location
        return [str(p) for p in root.glob(pattern) if p.is_file()]
    if path.is_dir():
        return [str(p) for p in path.rglob("*") if p.is_file()]
    table_format(path)  # names a missing file or a wrong suffix
    return [location]


def _url_files(location: str) -> list[str]:
    fs, inner = url_filesystem(location)
    try:
        if _GLOB & set(inner):
            found = list(fs.glob(inner))
        elif fs.isdir(inner):
            found = list(fs.find(inner))
        elif fs.exists(inner):
            found = [inner]
        else:
            raise InputError(f"{location}: data file not found")
    except (OSError, ValueError) as exc:
        raise InputError(f"{location}: cannot list: {exc}") from None
    return [str(fs.unstrip_protocol(f)) for f in found]


def _visible(name: str, location: str) -> bool:
    """Leave out _SUCCESS, _metadata, .crc and such below the dataset's root."""
    inside = name[len(location) :] if name.startswith(location) else name.rsplit("/", 1)[-1]
    return not any(seg.startswith((".", "_")) for seg in inside.replace("\\", "/").split("/"))


def _info(location: str) -> ParquetInfo:
    reader, _ = parquet_file(location)
    meta = reader.metadata
    return ParquetInfo(
        location, tuple(meta.row_group(i).num_rows for i in range(meta.num_row_groups))
    )


# ------------------------------------------------------------------------------ the digest


@dataclass(frozen=True)
class HashedDataset:
    """A dataset's digest, computed on a thread while its rows are profiled, as HashedFile's:
    BLAKE3 over each file's name (relative to the dataset) and digest (`blake3-files:`). For files at a URL the
    file's digest is the filesystem's key for it (ETag, size and time: fsspec's `ukey`) instead
    of its bytes, which would be read a second time over the network."""

    dataset: Dataset
    stamps: tuple[tuple[int, int], ...]
    pending_digest: Future[str] = field(compare=False, repr=False)

    @classmethod
    def open(cls, dataset: Dataset) -> HashedDataset:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlci-digest")
        pending = pool.submit(dataset_digest, dataset)
        pool.shutdown(wait=False)
        return cls(dataset=dataset, stamps=_stamps(dataset), pending_digest=pending)

    @property
    def digest(self) -> str:
        return self.pending_digest.result()

    def unchanged(self) -> bool:
        return _stamps(self.dataset) == self.stamps


def _stamps(dataset: Dataset) -> tuple[tuple[int, int], ...]:
    local = (Path(f.location).stat() for f in dataset.files if not is_url(f.location))
    return tuple((s.st_size, s.st_mtime_ns) for s in local)


def dataset_digest(dataset: Dataset) -> str:
    import blake3

    h = blake3.blake3()
    for name, digest in _file_digests(dataset):
        h.update(f"{name}\t{digest}\n".encode())
    return "blake3-files:" + h.hexdigest()


def _file_digests(dataset: Dataset) -> Iterator[tuple[str, str]]:
    root = dataset.location.split("*", 1)[0]
    for f in dataset.files:
        name = f.location[len(root) :] if f.location.startswith(root) else f.location
        if is_url(f.location):
            fs, inner = url_filesystem(f.location)
            yield name, f"ukey:{fs.ukey(inner)}"
        else:
            yield name, file_digest(Path(f.location))


# -------------------------------------------------------------------------- for the step


@dataclass(frozen=True)
class DataSource:
    """data.path opened for validate: a single file (today's path) or a dataset."""

    hashed: HashedFile | HashedDataset
    dataset: Dataset | None

    @property
    def digest(self) -> str:
        return self.hashed.digest

    @property
    def name(self) -> str:
        if self.dataset is None:
            assert isinstance(self.hashed, HashedFile)
            return self.hashed.path.name
        return self.dataset.location

    def unchanged(self) -> bool:
        return self.hashed.unchanged()


def open_source(location: Path | str, settings: ValidateConfig) -> DataSource:
    """A single file on the local engine is profiled as it always was (CSV included); a
    dataset, or any input on the dask engine, is listed first (Parquet only)."""
    text = str(location)
    if settings.engine == "local" and not is_dataset(text):
        return DataSource(HashedFile.open(Path(text)), None)
    if not is_dataset(text) and table_format(Path(text)) == "csv":
        raise InputError(f"{text}: validate.engine dask reads Parquet (convert the CSV first)")
    dataset = open_dataset(text)
    return DataSource(HashedDataset.open(dataset), dataset)


def profile_source(
    source: DataSource,
    *,
    settings: ValidateConfig,
    edges: Edges | None,
    advance: Advance | None,
) -> Profile:
    from mlci.data.profile import profile_file

    if source.dataset is None:
        assert isinstance(source.hashed, HashedFile)
        return profile_file(
            source.hashed.path, edges=edges, batch_rows=settings.batch_rows, advance=advance
        )
    profile = make_engine(settings).profile(
        source.dataset, edges=edges, batch_rows=settings.batch_rows, advance=advance
    )
    return check_complete(profile, source.dataset, settings.engine)


def describe(settings: ValidateConfig, source: DataSource) -> str | None:
    """A note for the report when the rows were not one local file."""
    if source.dataset is None:
        return None
    where = (settings.dask.scheduler or "a LocalCluster") if settings.engine == "dask" else "local"
    n = len(source.dataset.files)
    return f"engine {settings.engine} ({where}): {n} Parquet file(s), {source.dataset.rows:,} rows"


__all__ = [
    "DataSource",
    "Dataset",
    "Engine",
    "LocalEngine",
    "check_complete",
    "make_engine",
    "map_parts",
    "open_dataset",
    "open_source",
    "profile_source",
]
