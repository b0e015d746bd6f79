"""The one pass over the evaluation rows: any batch size, either format, the same numbers."""

from __future__ import annotations

import pandas as pd

from tests.conftest import Project
from tests.model.conftest import checks, rules


def test_parquet_in_small_batches_gives_the_same_numbers_as_csv(champion: Project) -> None:
    rules(champion, {"accuracy": {"max_drop": 0.02}, "roc_auc": {}, "log_loss": {}})
    assert champion.mlci("regress").code == 0
    from_csv = {k: c["details"] for k, c in checks(champion).items()}
    pd.read_csv(champion.root / "data" / "eval.csv").to_parquet(
        champion.root / "data" / "eval.parquet"
    )
    rules(
        champion,
        {"accuracy": {"max_drop": 0.02}, "roc_auc": {}, "log_loss": {}},
        eval_data="data/eval.parquet",
        batch_size=16,
    )
    assert champion.mlci("regress").code == 0
    from_parquet = {k: c["details"] for k, c in checks(champion).items()}
    assert from_parquet == from_csv
    assert checks(champion, "latency")["prediction latency"]["details"]["batch_rows"] == 16
