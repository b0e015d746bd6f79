"""mlci.yaml's models on their own: the validators that turn a written value into a setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mlci.config import (
    DataConfig,
    DvcReference,
    FreshnessConfig,
    Levels,
    MetricRule,
    ModelConfig,
    Task,
    candidate_is_local,
)
from mlci.model.catalogue import Task as CatalogueTask


@pytest.mark.parametrize(
    ("written", "seconds"), [("90m", 5_400.0), ("36h", 129_600.0), ("2w", 1_209_600.0), (60, 60.0)]
)
def test_freshness_takes_a_duration_or_seconds(written: object, seconds: float) -> None:
    assert FreshnessConfig.model_validate({"max_age": written}).max_age == seconds


def test_a_duration_without_a_number_says_what_is_expected() -> None:
    with pytest.raises(ValidationError, match="expected a duration such as 36h or 30d, got 'soon'"):
        FreshnessConfig.model_validate({"max_age": "soon"})


def test_warn_above_fail_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"warn \(0.5\) must not be above fail \(0.2\)"):
        Levels(warn=0.5, fail=0.2)


def test_a_metric_written_without_rules_is_reported_without_rules() -> None:
    model = ModelConfig.model_validate(
        {
            "name": "churn",
            "task": "binary",
            "candidate": "m",
            "eval_data": "e.csv",
            "metrics": {"accuracy": None},
        }
    )
    assert model.metrics == {"accuracy": MetricRule()}
    assert model.task is Task.BINARY


def test_a_dvc_reference_is_read_as_one_and_a_bad_one_says_the_shape() -> None:
    data = DataConfig.model_validate({"reference": {"dvc_rev": "v1"}})
    assert data.reference == DvcReference(dvc_rev="v1")
    with pytest.raises(ValidationError, match=r"expected \{dvc_rev: REV, path: optional\}"):
        DataConfig.model_validate({"reference": {"path": "x.csv"}})


def test_candidate_is_local_tells_paths_from_registry_uris() -> None:
    assert candidate_is_local("models/candidate")
    for uri in ("models:/churn/3", "runs:/abc/model", "s3://bucket/model"):
        assert not candidate_is_local(uri)


def test_task_is_the_catalogue_one() -> None:
    assert Task is CatalogueTask
