"""`mlci version`: DVC tracking and push to a real local remote, lineage tags in a real registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlci.adapters.dvc import redact
from tests.conftest import Project, git

MODEL = "breast-cancer-classifier"


def dvc(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "dvc", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def own_dvc_site_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DVC remembers what a remote holds in a site cache keyed by paths; pytest reuses temporary
    paths across sessions, so a stale entry would make DVC skip a push ("Everything is up to
    date") that this test needs."""
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(tmp_path / "dvc-site-cache"))


@pytest.fixture
def repo(project: Project, tmp_path: Path, own_dvc_site_cache: None) -> Project:
    """The example project as git + DVC repository with a local remote; data tracked and committed."""
    root = project.root
    git("init", "-q", "-b", "main", cwd=root)
    dvc("init", "-q", cwd=root)
    dvc("remote", "add", "-d", "local", str(tmp_path / "remote"), cwd=root)
    dvc("add", "data/train.csv", "data/eval.csv", "data/new.csv", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "data", cwd=root)
    return project


def in_remote(remote: Path, md5: str) -> bool:
    return (remote / "files" / "md5" / md5[:2] / md5[2:]).is_file()


def pointer_md5(pointer: Path) -> str:
    return next(line.split()[-1] for line in pointer.read_text().splitlines() if "md5:" in line)


def test_tracks_pushes_and_tags_lineage(repo: Project, tmp_path: Path) -> None:
    first = repo.mlci("version")
    assert first.code == 2
    assert first.err.strip().splitlines()[-1] == (
        "mlci: error: uncommitted .dvc changes: models/candidate.dvc; commit them so the lineage names "
        "a commit that has them (git add models/candidate.dvc && git commit)"
    )
    assert repo.versions() == []  # nothing tagged before the commit exists
    git("add", "-A", cwd=repo.root)
    git("commit", "-q", "-m", "model", cwd=repo.root)

    result = repo.mlci("version")
    assert result.code == 0, result.text
    assert result.out.splitlines()[0] == "mlci version: PASS"
    remote = tmp_path / "remote"
    for name in ("data/train.csv", "data/eval.csv", "data/new.csv", "models/candidate"):
        assert in_remote(remote, pointer_md5(repo.root / f"{name}.dvc")), name
    tags = repo.client().get_model_version(MODEL, "1").tags
    assert tags["mlci.lineage.git_sha"] == git("rev-parse", "HEAD", cwd=repo.root)
    assert (tags["mlci.lineage.dvc_remote"], tags["mlci.lineage.dvc_remote_url"]) == (
        "local",
        str(remote),
    )
    eval_data = json.loads(tags["mlci.lineage.eval_data"])
    assert eval_data == {"path": "data/eval.csv", "md5": pointer_md5(repo.root / "data/eval.csv.dvc"),
                         "size": (repo.root / "data/eval.csv").stat().st_size}  # fmt: skip
    assert json.loads(tags["mlci.lineage.candidate"])["md5"].endswith(".dir")
    assert (
        json.loads((repo.root / "mlci-version.json").read_text())["steps"][0]["name"] == "version"
    )
    assert not (repo.root / "mlci-report.json").exists()  # the gate's report is not version's

    # The same files again: nothing new is registered; promote later reuses this version.
    again = repo.mlci("version")
    assert again.code == 0 and repo.versions() == ["1"]
    assert repo.mlci("gate").code == 0
    assert repo.mlci("promote").out.strip() == f"{MODEL} v1 is now @champion (first champion)"


def test_dry_run_changes_nothing(repo: Project, tmp_path: Path) -> None:
    before = git("status", "--porcelain", cwd=repo.root)
    result = repo.mlci("version", "--dry-run")
    assert result.code == 0, result.text
    assert result.out.splitlines() == [
        "mlci version: DRY RUN",
        "  skip  data/new.csv: tracked and unchanged",
        "  skip  data/train.csv: tracked and unchanged",
        "  skip  data/eval.csv: tracked and unchanged",
        "  skip  models/candidate: would run `dvc add`",
        f"  skip  would push 4 artifacts to local ({tmp_path / 'remote'})",
        "  skip  would tag the candidate's model version with git commit, DVC digests and remote",
    ]
    assert not (repo.root / "models" / "candidate.dvc").exists()
    assert not (tmp_path / "remote").exists()
    assert git("status", "--porcelain", cwd=repo.root) == before
    assert repo.versions() == []


def test_modified_data_must_be_committed_first(repo: Project) -> None:
    with (repo.root / "data" / "new.csv").open("a") as f:
        f.write((repo.root / "data" / "new.csv").read_text().splitlines()[1] + "\n")
    result = repo.mlci("version")
    assert result.code == 2
    assert "uncommitted .dvc changes: data/new.csv.dvc, models/candidate.dvc;" in result.err
    assert repo.versions() == []


def test_not_a_git_repository(project: Project) -> None:
    result = project.mlci("version")
    assert result.code == 2
    assert (
        result.err.strip()
        == f"mlci: error: {project.root}: not a git repository (mlci version records the commit)"
    )


def test_not_a_dvc_repository(project: Project) -> None:
    git("init", "-q", cwd=project.root)
    result = project.mlci("version")
    assert result.code == 2
    assert (
        result.err.strip() == f"mlci: error: {project.root}: not a DVC repository (run `dvc init`)"
    )


def test_no_remote_configured(project: Project) -> None:
    git("init", "-q", cwd=project.root)
    dvc("init", "-q", cwd=project.root)
    result = project.mlci("version")
    assert result.code == 2
    assert result.err.strip() == (
        "mlci: error: mlci.yaml: version.remote: no DVC remote configured (or `dvc remote add -d NAME URL`)"
    )


def test_unknown_remote_name(repo: Project) -> None:
    config = repo.config()
    config["version"] = {"remote": "s3prod"}
    repo.write_config(config)
    result = repo.mlci("version")
    assert result.code == 2
    assert (
        result.err.strip()
        == "mlci: error: mlci.yaml: version.remote: no DVC remote named 's3prod' (known: local)"
    )


def test_unreachable_remote_is_exit_3_and_the_registry_is_untouched(
    repo: Project, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a remote cannot live under a file")
    dvc("remote", "add", "broken", f"{blocker}/remote", cwd=repo.root)
    config = repo.config()
    config["version"] = {"remote": "broken"}
    repo.write_config(config)
    git("add", "-A", cwd=repo.root)
    git("commit", "-q", "-m", "config", cwd=repo.root)
    dvc("add", "models/candidate", cwd=repo.root)
    git("add", "-A", cwd=repo.root)
    git("commit", "-q", "-m", "model", cwd=repo.root)
    result = repo.mlci("version")
    assert result.code == 3
    assert result.err.strip().splitlines()[-1].startswith("mlci: error: dvc push -r broken ")
    assert repo.versions() == []


def test_credentials_in_remote_urls_are_never_printed() -> None:
    assert redact("ERROR: failed to push to https://alice:s3cret@dvc.example.com/store: 403") == (
        "ERROR: failed to push to https://dvc.example.com/store: 403"
    )
    assert redact("s3://bucket/path") == "s3://bucket/path"


def commit_model(repo: Project) -> None:
    dvc("add", "models/candidate", cwd=repo.root)
    git("add", "-A", cwd=repo.root)
    git("commit", "-q", "-m", "model", cwd=repo.root)


POINTERS = ("data/train.csv.dvc", "data/eval.csv.dvc", "data/new.csv.dvc", "models/candidate.dvc")


def test_in_ci_version_verifies_the_remote_and_records_lineage_without_add_or_push(
    repo: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_model(repo)
    dvc("push", "-q", *POINTERS, cwd=repo.root)  # what the pull request's author did
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    before = git("status", "--porcelain", cwd=repo.root)
    result = repo.mlci("version")
    assert result.code == 0, result.text
    assert result.out.splitlines()[0] == "mlci version --verify: PASS"
    assert "  pass  4 artifacts of this commit are in remote local (" in result.out
    assert "mlci: verifying 4 artifacts in DVC remote local (no add, no push)" in result.err
    tags = repo.client().get_model_version(MODEL, "1").tags
    assert tags["mlci.lineage.git_sha"] == git("rev-parse", "HEAD", cwd=repo.root)
    assert git("status", "--porcelain", cwd=repo.root) == before


def test_verify_fails_naming_what_the_remote_lacks(repo: Project, tmp_path: Path) -> None:
    commit_model(repo)  # committed, never pushed
    result = repo.mlci("version", "--verify")
    assert result.code == 1
    assert result.out.splitlines()[0] == "mlci version --verify: FAIL"
    assert result.out.splitlines()[1].startswith(
        f"  fail  DVC remote local ({tmp_path / 'remote'}) lacks data/eval.csv, data/new.csv, "
    )
    assert not (tmp_path / "remote").exists()  # nothing pushed
    assert repo.versions() == []  # nothing tagged


def test_verify_names_an_artifact_without_a_committed_pointer(repo: Project) -> None:
    result = repo.mlci("version", "--verify")
    assert result.code == 1
    assert "  fail  models/candidate: no candidate.dvc at this commit; run `mlci version`" in (
        result.out
    )
    assert repo.versions() == []


def test_version_never_overwrites_the_gate_report(repo: Project) -> None:
    assert repo.mlci("gate").code == 0
    gate_report = (repo.root / "mlci-report.json").read_text()
    result = repo.mlci("version", "--report-json", "mlci-report.json")
    assert result.code == 2
    assert result.err.strip() == (
        "mlci: error: mlci-report.json: holds a gate report (promote reads it); mlci version "
        "writes its own report (default mlci-version.json), choose another --report-json"
    )
    assert (repo.root / "mlci-report.json").read_text() == gate_report
