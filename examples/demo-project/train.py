"""The example project's own code: make the data, train a model, save it as an MLflow model.

    python train.py data               # data/train.csv, data/eval.csv, data/new.csv
    python train.py model --kind tuned # models/candidate (an MLflow model directory)

Kinds: `baseline` (a shallow tree), `tuned` (scaled logistic regression, the better one),
`broken` (a tree on one weak feature: the gate must refuse it).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

CLINICS = ("north", "south", "east", "west")
KINDS = ("baseline", "tuned", "broken")


def make_data(root: Path, seed: int = 7) -> None:
    import numpy as np
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    rng = np.random.default_rng(seed)
    frame.insert(0, "clinic", rng.choice(CLINICS, size=len(frame)))
    train, rest = train_test_split(
        frame, test_size=0.5, random_state=seed, stratify=frame["target"]
    )
    evaluation, new = train_test_split(
        rest, test_size=0.3, random_state=seed, stratify=rest["target"]
    )
    (root / "data").mkdir(parents=True, exist_ok=True)
    for name, part in (("train", train), ("eval", evaluation), ("new", new)):
        part.to_csv(root / "data" / f"{name}.csv", index=False)


def build(kind: str) -> object:
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    if kind == "tuned":
        features = ColumnTransformer(
            [("num", StandardScaler(), make_column_selector(dtype_include="number"))],
            remainder="drop",
        )
        return Pipeline(
            [("features", features), ("model", LogisticRegression(C=0.5, max_iter=1000))]
        )
    columns = ["mean_smoothness"] if kind == "broken" else ["worst_radius", "worst_concave_points"]
    features = ColumnTransformer([("num", "passthrough", columns)], remainder="drop")
    return Pipeline(
        [("features", features), ("model", DecisionTreeClassifier(max_depth=2, random_state=0))]
    )


def train(root: Path, kind: str, out: Path) -> Path:
    import mlflow.sklearn
    import pandas as pd
    import sklearn

    data = pd.read_csv(root / "data" / "train.csv")
    model = build(kind).fit(data.drop(columns=["target"]), data["target"])  # type: ignore[attr-defined]
    if out.exists():
        shutil.rmtree(out)
    # cloudpickle: skops refuses ColumnTransformer pipelines unless every type is listed as trusted.
    # Explicit requirements: inferring them costs seconds and reads the whole environment.
    mlflow.sklearn.save_model(
        model,
        str(out),
        serialization_format="cloudpickle",
        pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"pandas=={pd.__version__}"],
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("data")
    model = sub.add_parser("model")
    model.add_argument("--kind", choices=KINDS, default="tuned")
    model.add_argument("--out", type=Path, default=Path("models/candidate"))
    args = parser.parse_args()
    root = Path(__file__).resolve().parent
    if args.what == "data":
        make_data(root)
    else:
        train(root, args.kind, root / args.out)


if __name__ == "__main__":
    main()
