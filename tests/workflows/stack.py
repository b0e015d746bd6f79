"""What the story needs of a stack (an MLflow server and a DVC remote), and the embedded one.

A `Stack` is all the story knows: the tracking URI a developer and the workflows use, the DVC
commands that configure the team repository's remote, the repository secrets the workflows get,
and the environment a developer's own shell has (for `dvc push` from a laptop). The embedded
stack is a real `mlflow server` on 127.0.0.1 backed by sqlite plus a local-directory DVC remote;
a production-shaped stack (PostgreSQL + S3 on moto, tests/stacks.py) plugs in the same way.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tests.conftest import free_port
from tests.stacks import (
    ARTIFACT_BUCKET,
    AWS_ENV,
    DVC_BUCKET,
    Postgres,
    mlflow_server,
    mlflow_service,
)


class Stack(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def tracking_uri(self) -> str: ...
    @property
    def dvc_remote(self) -> Sequence[Sequence[str]]:
        """`dvc` argument lists, run in the team repository."""

    @property
    def secrets(self) -> Mapping[str, str]:
        """The repository secrets the caller workflows pass on."""

    @property
    def env(self) -> Mapping[str, str]:
        """A developer's shell: the credentials DVC and MLflow read."""


@dataclass(frozen=True)
class EmbeddedStack:
    name: str
    tracking_uri: str
    dvc_remote: Sequence[Sequence[str]]
    secrets: Mapping[str, str]
    env: Mapping[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def embedded_stack(root: Path) -> Iterator[Stack]:
    """mlci's embedded defaults behind a server: sqlite `mlflow server`, a local DVC remote."""
    root.mkdir(parents=True, exist_ok=True)
    remote = root / "dvc-remote"
    remote.mkdir()
    with mlflow_server(root, f"sqlite:///{root / 'mlflow.db'}") as url:
        yield EmbeddedStack(
            name="embedded",
            tracking_uri=url,
            dvc_remote=[["remote", "add", "--default", "storage", str(remote)]],
            secrets={"MLFLOW_TRACKING_URI": url},
        )


@contextlib.contextmanager
def production_stack(root: Path, postgres: Postgres, s3_endpoint: str) -> Iterator[Stack]:
    """The production shape: `mlflow server` on its own PostgreSQL database with artifacts on S3
    (moto), and a DVC S3 remote. Its own database and prefixes, so each story starts from an
    empty registry on the session's PostgreSQL and moto; S3 keys reach the workflows as secrets."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"story{free_port()}"
    subprocess.run(
        [str(postgres.bin / "createdb"), "-h", "127.0.0.1", "-p", str(postgres.port),
         "-U", postgres.user, name],
        check=True, capture_output=True,
    )  # fmt: skip
    server = mlflow_service(
        postgres.uri(name),
        f"s3://{ARTIFACT_BUCKET}/{name}",
        root,
        {**AWS_ENV, "MLFLOW_S3_ENDPOINT_URL": s3_endpoint},
    )
    server.start()
    try:
        url = server.health.removesuffix("/health")
        keys = {k: AWS_ENV[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        yield EmbeddedStack(
            name="production",
            tracking_uri=url,
            dvc_remote=[
                ["remote", "add", "--default", "storage", f"s3://{DVC_BUCKET}/{name}"],
                ["remote", "modify", "storage", "endpointurl", s3_endpoint],
                ["remote", "modify", "storage", "region", AWS_ENV["AWS_DEFAULT_REGION"]],
            ],
            secrets={"MLFLOW_TRACKING_URI": url, **keys},
            env=dict(AWS_ENV),
        )
    finally:
        server.stop()
