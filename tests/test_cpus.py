"""usable_cpus: the affinity mask and the cgroup quota, not the host's count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlci.cpus import cgroup_quota, usable_cpus


def group(tmp_path: Path, own: str = "/job") -> tuple[Path, Path]:
    """A cgroup v2 tree with this process in OWN, as /proc/self/cgroup says it."""
    root = tmp_path / "cgroup"
    (root / own.strip("/")).mkdir(parents=True)
    self_cgroup = tmp_path / "self-cgroup"
    self_cgroup.write_text(f"0::{own}\n")
    return root, self_cgroup


def test_a_cgroup_v2_quota_of_one_and_a_half_cpus_rounds_up_to_two(tmp_path: Path) -> None:
    root, self_cgroup = group(tmp_path)
    (root / "job" / "cpu.max").write_text("150000 100000\n")
    assert cgroup_quota(root, self_cgroup) == 1.5
    assert usable_cpus(root, self_cgroup) == min(2, len(os.sched_getaffinity(0)))


def test_a_cgroup_v2_quota_of_half_a_cpu_still_gives_one(tmp_path: Path) -> None:
    root, self_cgroup = group(tmp_path)
    (root / "job" / "cpu.max").write_text("50000 100000\n")
    assert usable_cpus(root, self_cgroup) == 1


def test_max_means_no_quota_and_the_affinity_mask_decides(tmp_path: Path) -> None:
    root, self_cgroup = group(tmp_path)
    (root / "job" / "cpu.max").write_text("max 100000\n")
    assert cgroup_quota(root, self_cgroup) is None
    assert usable_cpus(root, self_cgroup) == len(os.sched_getaffinity(0))


def test_a_cgroup_v1_quota_is_read_under_the_controllers_joint_name(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    (root / "cpu,cpuacct").mkdir(parents=True)
    (root / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text("100000\n")
    (root / "cpu,cpuacct" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_quota(root, tmp_path / "absent") == 1.0
    (root / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text("-1\n")  # v1's "no quota"
    assert cgroup_quota(root, tmp_path / "absent") is None


@pytest.mark.parametrize("text", ["", "garbage", "100000\n", "0 100000\n"])
def test_an_unreadable_or_odd_cpu_max_is_no_limit(tmp_path: Path, text: str) -> None:
    root, self_cgroup = group(tmp_path)
    (root / "job" / "cpu.max").write_text(text)
    assert cgroup_quota(root, self_cgroup) is None


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux only")
def test_a_process_pinned_to_one_cpu_profiles_on_one_thread() -> None:
    # A child pinned with sched_setaffinity (as `taskset -c 0` does): os.cpu_count() still
    # says every core of the host, mlci's column threads must not.
    script = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "from mlci.cpus import usable_cpus; from mlci.data.profile import _column_pool;"
        "print(usable_cpus(), _column_pool()._max_workers, os.cpu_count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[:2] == ["1", "1"]
    assert int(out[2]) == os.cpu_count()
