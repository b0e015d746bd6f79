"""mlci.yaml: validation in one place, errors naming file and dotted key, unknown keys warned."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.config import Task
from mlci.config_load import ConfigWarning, load_config
from mlci.errors import ConfigError
from tests.conftest import Project

MINIMAL = """\
data:
  path: data/new.csv
  schema: mlci.schema.yaml
  label: target
model:
  name: churn
  task: binary
  candidate: models/candidate
  eval_data: data/eval.csv
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mlci.yaml"
    path.write_text(text)
    return path


def test_minimal_config_loads_with_defaults_and_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    loaded = load_config(write(tmp_path, MINIMAL))
    model = loaded.require_model()
    assert model.task is Task.BINARY
    assert model.candidate == str(tmp_path.resolve() / "models" / "candidate")
    assert model.eval_data == tmp_path.resolve() / "data" / "eval.csv"
    assert loaded.config.data.path == tmp_path.resolve() / "data" / "new.csv"
    assert loaded.config.registry.champion_alias == "champion"
    assert loaded.tracking_uri == f"sqlite:///{tmp_path.resolve() / 'mlflow.db'}"
    assert loaded.digest.startswith("sha256:") and len(loaded.digest) == 71


def test_paths_resolve_against_the_config_folder_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo").mkdir()
    write(tmp_path / "repo", MINIMAL)
    monkeypatch.chdir(tmp_path)
    assert (
        load_config(Path("repo/mlci.yaml")).require_model().eval_data
        == tmp_path.resolve() / "repo/data/eval.csv"
    )


def test_remote_candidate_uris_are_kept_as_they_are(tmp_path: Path) -> None:
    for uri in ("models:/churn/3", "models:/churn@challenger", "runs:/abc123/model"):
        loaded = load_config(write(tmp_path, MINIMAL.replace("models/candidate", uri)))
        assert loaded.require_model().candidate == uri


def test_tracking_uri_env_var_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    text = MINIMAL + "registry:\n  tracking_uri: sqlite:///other.db\n"
    assert load_config(write(tmp_path, text)).tracking_uri == "http://127.0.0.1:5999"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert (
        load_config(write(tmp_path, text)).tracking_uri
        == f"sqlite:///{tmp_path.resolve() / 'other.db'}"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "mlci.yaml")
    assert (
        str(err.value)
        == f"{tmp_path / 'mlci.yaml'}: config file not found (create one, or pass --config)"
    )


def test_unparsable_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "model:\n  name: [unclosed\n  task: binary\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: line ")
    assert "cannot parse YAML" in str(err.value)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: expected a mapping of sections at the top level"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  metrics: {}\n",
            "  metrics:\n    roc_auc: {min: high}\n",
            "mlci.yaml: model.metrics.roc_auc.min: expected a number, got 'high'",
        ),
        (
            "  task: binary\n",
            "  task: ranking\n",
            "mlci.yaml: model.task: expected one of binary, multiclass, regression, got 'ranking'",
        ),
        ("  name: churn\n", "", "mlci.yaml: model.name: required key is missing"),
        (
            "  name: churn\n",
            "  name: [1, 2]\n",
            "mlci.yaml: model.name: expected a string, got [1, 2]",
        ),
        (
            "  metrics: {}\n",
            "  metrics:\n    f1: {max_drop: -0.1}\n",
            "mlci.yaml: model.metrics.f1.max_drop: must be zero or more, got -0.1",
        ),
        (
            "  metrics: {}\n",
            "  metrics: {}\n  batch_size: 0\n",
            "mlci.yaml: model.batch_size: must be at least 1, got 0",
        ),
    ],
)
def test_wrong_values_name_the_dotted_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (MINIMAL + "  metrics: {}\n").replace(old, new)
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert str(err.value) == message


def test_unknown_keys_warn_with_their_dotted_path(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("  label: target\n", "  label: target\n  lable: oops\n") + "regsitry: {}\n"
    )
    with pytest.warns(ConfigWarning) as caught:
        load_config(write(tmp_path, text))
    assert sorted(str(w.message) for w in caught) == [
        "mlci.yaml: data.lable: unknown key, ignored (did you mean `label`?)",
        "mlci.yaml: regsitry: unknown key, ignored (did you mean `registry`?)",
    ]


def test_a_monitor_dask_section_says_the_cluster_is_validates(tmp_path: Path) -> None:
    # A user pointing the monitor at their cluster must not be left on a LocalCluster quietly.
    text = (
        MINIMAL
        + "monitor:\n  data: logs/\n  engine: dask\n  dask: {scheduler: 'tcp://10.0.0.5:8786'}\n"
    )
    with pytest.warns(ConfigWarning) as caught:
        loaded = load_config(write(tmp_path, text))
    assert [str(w.message) for w in caught] == [
        "mlci.yaml: monitor.dask: unknown key, ignored "
        "(the monitor runs on the cluster `validate.dask` names: set it there)"
    ]
    assert loaded.config.validate_.dask.scheduler is None


def test_unknown_keys_inside_list_items_warn(tmp_path: Path) -> None:
    text = MINIMAL + "  slices:\n    - {column: region, min_sise: 10}\n"
    with pytest.warns(ConfigWarning) as caught:
        load_config(write(tmp_path, text))
    assert [str(w.message) for w in caught] == [
        "mlci.yaml: model.slices[0].min_sise: unknown key, ignored (did you mean `min_size`?)"
    ]


def test_a_metric_of_another_task_says_so(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("task: binary", "task: regression")
        + "  metrics:\n    roc_auc: {min: 0.8}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert str(err.value) == (
        "mlci.yaml: model.metrics.roc_auc: a binary metric, not a regression one (known: rmse, mae, mape, r2)"
    )


def test_unknown_key_warning_reaches_the_user(project: Project) -> None:
    config = project.config()
    config["model"]["candiate"] = "typo"
    project.write_config(config)
    result = project.mlci("validate")
    assert result.code == 0, result.text
    assert (
        "mlci: warning: mlci.yaml: model.candiate: unknown key, ignored (did you mean `candidate`?)"
        in result.err
    )


def test_unknown_metric_is_a_config_error_exit_2(project: Project) -> None:
    config = project.config()
    config["model"]["metrics"] = {"acuracy": {"min": 0.5}}
    project.write_config(config)
    result = project.mlci("regress")
    assert result.code == 2
    assert result.err.strip() == (
        "mlci: error: mlci.yaml: model.metrics.acuracy: unknown metric for task binary "
        "(known: accuracy, precision, recall, f1, roc_auc, pr_auc, log_loss, brier)"
    )
    assert project.aliases() == {}


def test_command_needing_a_missing_section_says_which(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, "data:\n  path: x.csv\n"))
    with pytest.raises(ConfigError) as err:
        loaded.require_model()
    assert str(err.value) == "mlci.yaml: model: missing section (name, task, candidate, eval_data)"
    with pytest.raises(ConfigError) as err:
        loaded.require_data("schema")
    assert str(err.value) == "mlci.yaml: data.schema: required by this command but not set"


def test_a_mistyped_required_key_says_what_was_meant(tmp_path: Path) -> None:
    text = MINIMAL.replace("  candidate: models/candidate\n", "  candiate: models/candidate\n")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert str(err.value) == (
        "mlci.yaml: model.candidate: required key is missing; `candiate`: did you mean `candidate`?"
    )


def test_a_missing_key_with_no_look_alike_stays_plain(tmp_path: Path) -> None:
    text = MINIMAL.replace("  candidate: models/candidate\n", "  colour: blue\n")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert str(err.value) == "mlci.yaml: model.candidate: required key is missing"
