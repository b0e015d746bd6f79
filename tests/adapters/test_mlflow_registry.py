"""mlci/adapters/mlflow_registry.py on a real sqlite registry with real scikit-learn models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlci.adapters.mlflow_registry import DIGEST_TAG, Registry, dir_digest, load_pyfunc
from mlci.errors import InputError, ServiceError
from tests.conftest import free_port


def test_register_fetch_and_find_by_digest(
    registry: Registry, trained: Path, tmp_path: Path
) -> None:
    local = registry.fetch(str(trained / "models" / "baseline"), tmp_path / "unused")
    assert (local.digest, local.version) == (dir_digest(trained / "models" / "baseline"), None)
    assert registry.by_alias("m", "champion") is None  # no model yet
    first = registry.register(local, "m")
    assert (first.version, first.tags[DIGEST_TAG]) == ("1", local.digest)
    assert registry.by_alias("m", "champion") is None  # the model, not the alias
    registry.set_alias("m", "champion", "1")
    assert registry.has_alias("m", "champion")
    fetched = registry.fetch("models:/m@champion", tmp_path / "champion")
    assert (fetched.uri, fetched.version, fetched.digest) == ("models:/m/1", "1", local.digest)
    assert fetched.path.is_relative_to(tmp_path / "champion")
    assert registry.find_by_digest("m", local.digest) == first
    assert registry.find_by_digest("m", "sha256:other") is None
    assert registry.find_by_digest("absent", local.digest) is None
    registry.delete_alias("m", "champion")
    assert registry.by_alias("m", "champion") is None
    assert [v.version for v in registry.versions("m")] == ["1"]


def test_tags_of_models_and_versions(registry: Registry, trained: Path, tmp_path: Path) -> None:
    local = registry.fetch(str(trained / "models" / "tuned"), tmp_path)
    registry.register(local, "m")
    registry.tag_model("m", "mlci.history.000001", "{}")
    registry.tag_version("m", "1", {"a": "1", "b": "2"})
    assert registry.model_tags("m") == {"mlci.history.000001": "{}"}
    assert {k: v for k, v in registry.version("m", "1").tags.items() if k != DIGEST_TAG} == {
        "a": "1",
        "b": "2",
    }


def test_create_model_if_absent_is_a_compare_and_set(registry: Registry) -> None:
    assert registry.create_model_if_absent("m.lock", {"token": "a"}) is True
    assert registry.create_model_if_absent("m.lock", {"token": "b"}) is False
    assert registry.model_tags("m.lock") == {"token": "a"}
    registry.delete_model("m.lock")
    assert registry.model_exists("m.lock") is False


def test_a_lock_dropped_while_mlflow_words_its_refusal_is_a_lost_race(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MLflow's SQL store, refused the insert of an existing name, looks that model up to word
    its error; when the holder deletes it in between, the lookup says RESOURCE_DOES_NOT_EXIST.
    That window is microseconds wide across processes (a racing monitor run once exited 2 in
    it), so the holder's delete is made at the store's lookup itself: patched to delete the
    model first, then run MLflow's own lookup, on the same real sqlite registry."""
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore

    assert registry.create_model_if_absent("m.lock", {"token": "a"}) is True
    lookup: Any = SqlAlchemyStore.get_registered_model  # mlflow is only partly typed

    def released_meanwhile(store: Any, name: str) -> object:
        monkeypatch.setattr(SqlAlchemyStore, "get_registered_model", lookup)
        store.delete_registered_model(name)
        return lookup(store, name)

    monkeypatch.setattr(SqlAlchemyStore, "get_registered_model", released_meanwhile)
    assert registry.create_model_if_absent("m.lock", {"token": "b"}) is False
    assert registry.model_exists("m.lock") is False  # released: the next try takes it
    assert registry.create_model_if_absent("m.lock", {"token": "b"}) is True
    assert registry.model_tags("m.lock") == {"token": "b"}


def test_missing_things_are_input_errors_naming_them(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        registry.version("m", "7")
    assert str(caught.value).startswith("models:/m/7: ")
    with pytest.raises(InputError) as caught:
        registry.model_tags("absent")
    assert (
        str(caught.value) == "registered model absent: Registered Model with name=absent not found"
    )
    with pytest.raises(InputError) as caught:
        registry.fetch(str(tmp_path), tmp_path / "into")
    assert str(caught.value) == f"{tmp_path}: not an MLflow model directory (no MLmodel file)"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            "models:/m/latest",
            "models:/m/latest: expected models:/NAME/VERSION or models:/NAME@ALIAS",
        ),
        ("models:/m@champion", "models:/m@champion: no version of m holds alias @champion"),
        (
            "weird://bucket/model",
            "model weird://bucket/model: no MLflow artifact store handles this URI scheme "
            "(expected a local path, runs:/, models:/, s3://, gs://, ...)",
        ),
    ],
)
def test_bad_model_uris(registry: Registry, tmp_path: Path, uri: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        registry.fetch(uri, tmp_path)
    assert str(caught.value) == message


def test_an_unreachable_server_is_a_service_error() -> None:
    dead = Registry(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServiceError) as caught:
        dead.model_exists("m")
    assert str(caught.value).startswith("registered model m: MLflow registry failed: ")


def test_load_pyfunc_names_the_role_and_uri_of_a_broken_model(
    registry: Registry, trained: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "MLmodel").write_text("flavors: {}\n")
    local = registry.fetch(str(broken), tmp_path)
    with pytest.raises(InputError) as caught:
        load_pyfunc(local, "candidate")
    assert str(caught.value).startswith(f"candidate {broken}: cannot load with mlflow.pyfunc: ")
    good = registry.fetch(str(trained / "models" / "baseline"), tmp_path)
    assert type(load_pyfunc(good, "champion")).__name__ == "PyFuncModel"
