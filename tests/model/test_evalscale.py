"""A large evaluation set is read in batches: the reader's peak memory does not grow with rows.

Measured in child processes (VmHWM: unlike ru_maxrss, it starts afresh at exec, so a big
parent such as a long pytest session cannot mask the child's own peak), at two sizes, as a difference: the interpreter and its
imports cost the same at both sizes, so only what the reader holds shows. Reading the whole table
at the same two sizes is the control that proves the measurement sees growth when there is some.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COLUMNS = 10
SMALL, LARGE = 100_000, 1_600_000  # 8 MB and 128 MB of float64
ROW_GROUP = 25_000
BATCH = 10_000

CHILD = """
import sys
from pathlib import Path
path, how = Path(sys.argv[1]), sys.argv[2]
if how == "batches":
    from mlci.model.evaldata import EvalFile
    sizes = [len(b) for b in EvalFile.open(path).batches(int(sys.argv[3]))]
    seen = f"{len(sizes)} {max(sizes)} {sum(sizes)}"
else:
    import pyarrow.parquet as pq
    seen = str(pq.read_table(path).to_pandas().shape[0])
hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
print(seen, hwm.split()[1])  # KiB
"""


def write(path: Path, rows: int) -> Path:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    features = {f"f{i}": rng.random(rows) for i in range(COLUMNS)}
    table = pa.table({**features, "target": rng.integers(0, 2, rows)})
    pq.write_table(table, path, row_group_size=ROW_GROUP)
    return path


def child(path: Path, how: str) -> tuple[list[int], int]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), how, str(BATCH)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [int(v) for v in out[:-1]], int(out[-1]) * 1024


@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM is in /proc/self/status on Linux only")
def test_large_evaluation_set_is_read_in_batches_with_flat_peak_memory(tmp_path: Path) -> None:
    small = write(tmp_path / "small.parquet", SMALL)
    large = write(tmp_path / "large.parquet", LARGE)
    extra = (LARGE - SMALL) * (COLUMNS + 1) * 8  # bytes of the extra rows once decoded

    seen_small, peak_small = child(small, "batches")
    seen_large, peak_large = child(large, "batches")
    assert seen_small == [SMALL // BATCH, BATCH, SMALL]
    assert seen_large == [LARGE // BATCH, BATCH, LARGE]  # every row, never more than a batch
    # flat: 1.5M more rows, not their 132 MB (a fifth of it: the reader's read-ahead and the
    # allocator's arenas vary by a few MB with the machine's load, 13.3 MB seen once)
    assert peak_large - peak_small < 0.2 * extra

    _, whole_small = child(small, "whole")
    _, whole_large = child(large, "whole")
    assert whole_large - whole_small > 0.5 * extra  # the control: a whole read does grow
