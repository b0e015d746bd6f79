"""A data file's digest, and the proof that the rows read are its bytes."""

from __future__ import annotations

import os
from pathlib import Path

import blake3

from mlci.data.digest import HashedFile, file_digest
from tests.data.conftest import make_frame, write


def test_hashed_file_names_its_bytes_and_sees_a_change(tmp_path: Path) -> None:
    path = write(make_frame(500), tmp_path / "d.csv")
    hashed = HashedFile.open(path)
    assert hashed.digest == "blake3:" + blake3.blake3(path.read_bytes()).hexdigest()
    assert hashed.unchanged()
    os.utime(path, ns=(hashed.mtime_ns + 1_000_000_000, hashed.mtime_ns + 1_000_000_000))
    assert not hashed.unchanged()


def test_the_digest_is_blake3_of_the_bytes_as_b3sum_prints_it(tmp_path: Path) -> None:
    path = tmp_path / "d.bin"
    path.write_bytes(b"mlci" * 300_000)  # over one 1 MiB read block
    assert file_digest(path) == "blake3:" + blake3.blake3(path.read_bytes()).hexdigest()
