"""Where a report comes from: the commit, the config, mlci's version, the models and the data.

One builder for every report a step makes outside `mlci gate`'s loop too (the evaluation logged
to MLflow, `mlci version`), so their provenance can never drift from the gate's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from mlci import __version__
from mlci.adapters.git import head_sha
from mlci.adapters.mlflow_registry import DIGEST_TAG
from mlci.clock import now_iso
from mlci.results import GateReport, ModelRef, Provenance, StepResult

if TYPE_CHECKING:
    from mlci.adapters.mlflow_registry import VersionInfo
    from mlci.config_load import LoadedConfig


def provenance(
    loaded: LoadedConfig,
    *,
    candidate: ModelRef | None = None,
    champion: ModelRef | None = None,
    data: Mapping[str, str] | None = None,
) -> Provenance:
    return Provenance(
        git_sha=head_sha(loaded.root),
        config_digest=loaded.digest,
        mlci_version=__version__,
        created_at=now_iso(),
        candidate=candidate,
        champion=champion,
        data=dict(data or {}),
    )


def step_report(
    loaded: LoadedConfig,
    step: StepResult,
    *,
    candidate: ModelRef | None = None,
    champion: ModelRef | None = None,
    data: Mapping[str, str] | None = None,
) -> GateReport:
    """A report holding one step run outside the gate."""
    where = provenance(loaded, candidate=candidate, champion=champion, data=data)
    return GateReport(steps=(step,), provenance=where)


def version_ref(version: VersionInfo) -> ModelRef:
    """A registry version as reports name it: its URI and the digest it was registered with."""
    return ModelRef(
        name=version.name,
        uri=version.uri,
        version=version.version,
        digest=version.tags.get(DIGEST_TAG),
    )
