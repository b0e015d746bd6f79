"""How many CPUs this process may use, which os.cpu_count() does not say: it counts the host's.

A container started with `--cpus 2` on a 64-core host, or a job pinned with `taskset`, would
otherwise get 64 profiling threads or 64 dask worker processes fighting over two cores. The
answer is the smaller of the CPU affinity mask and the cgroup's CPU quota, rounded up.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

_CGROUP = Path("/sys/fs/cgroup")
_SELF = Path("/proc/self/cgroup")


def usable_cpus(cgroup: Path = _CGROUP, self_cgroup: Path = _SELF) -> int:
    """CPUs this process may run on at once (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:  # no affinity mask to read (macOS, Windows): every core
        count = os.cpu_count() or 1
    quota = cgroup_quota(cgroup, self_cgroup)
    return max(1, count if quota is None else min(count, math.ceil(quota)))


def cgroup_quota(cgroup: Path = _CGROUP, self_cgroup: Path = _SELF) -> float | None:
    """The cgroup's CPU quota in CPUs (1.5 for 150000 of every 100000 us), None when there is
    none or it cannot be read (not Linux, no cgroup mounted: no limit to honour)."""
    for quota, period in _v2(cgroup, self_cgroup), _v1(cgroup):
        if quota is not None and period:
            return quota / period if quota > 0 else None
    return None


def _v2(cgroup: Path, self_cgroup: Path) -> tuple[int | None, int]:
    """cgroup v2: `cpu.max` ("max 100000" or "150000 100000") of this process's own group."""
    try:
        line = self_cgroup.read_text().splitlines()[0]  # "0::/the/group" under v2
        own = line.split(":", 2)[2].strip("/")
        fields = (cgroup / own / "cpu.max").read_text().split()
        return (None if fields[0] == "max" else int(fields[0])), int(fields[1])
    except (OSError, IndexError, ValueError):
        return None, 0


def _v1(cgroup: Path) -> tuple[int | None, int]:
    """cgroup v1: cpu.cfs_quota_us (-1: none) over cpu.cfs_period_us, under either name the
    distributions mount the controller as."""
    for name in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        try:
            quota = int((cgroup / name / "cpu.cfs_quota_us").read_text())
            period = int((cgroup / name / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return quota, period
    return None, 0
