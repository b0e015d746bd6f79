"""The stacks a team runs mlci against, as session fixtures (a pytest plugin, see conftest.py).

`embedded_stack`: the `mlflow server` of conftest.py (sqlite backend, local artifacts) and a DVC
remote in a local folder. `production_stack`: what a team deploys: `mlflow server` on a throwaway
PostgreSQL cluster (initdb/pg_ctl in a temp dir), MLflow artifacts proxied to S3, and a DVC S3
remote, S3 being moto's standalone server. Everything listens on 127.0.0.1 on free ports, waits
are bounded, and every process is stopped at teardown, whatever the tests did.

A Stack is what a project is told about its services: the tracking URI, the DVC commands that add
the remote as the project's default, and the environment a workflow passes from its secrets.
Credentials are only ever in that environment, never in the repository's DVC config.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, tool_missing

REMOTE = "storage"
DVC_BUCKET = "dvc-remote"
ARTIFACT_BUCKET = "mlflow-artifacts"
# moto accepts any key pair; these stand for the secrets a workflow maps to AWS_* variables.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "mlci-test-key",
    "AWS_SECRET_ACCESS_KEY": "mlci-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
S3_NS = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
STARTUP_SECONDS = 300.0  # 2 cores shared by the suite's workers


@dataclass(frozen=True)
class Stack:
    """The services one project talks to, described as the project sees them."""

    name: str
    tracking_uri: str
    remote_url: str
    # `dvc remote modify` options besides the URL (no credentials: those are in `env`).
    remote_options: Mapping[str, str]
    # What a workflow passes from secrets: MLFLOW_TRACKING_URI and, for S3, the AWS_* keys.
    env: Mapping[str, str]

    @property
    def dvc_remote(self) -> tuple[tuple[str, ...], ...]:
        """The `dvc` commands a project runs to add this remote as its default."""
        add = ("remote", "add", "--default", REMOTE, self.remote_url)
        modify = tuple(("remote", "modify", REMOTE, k, v) for k, v in self.remote_options.items())
        return (add, *modify)

    def add_remote(self, root: Path) -> None:
        for args in self.dvc_remote:
            dvc(*args, cwd=root)

    def holds(self, md5: str) -> bool:
        """Whether the DVC remote stores the object with this hash (DVC 3's files/md5 layout)."""
        key = f"files/md5/{md5[:2]}/{md5[2:]}"
        if not self.remote_url.startswith("s3://"):
            return (Path(self.remote_url) / key).is_file()
        bucket, _, prefix = self.remote_url.removeprefix("s3://").partition("/")
        return f"{prefix}/{key}" in s3_keys(self.remote_options["endpointurl"], bucket, prefix)


def dvc(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, f"dvc {' '.join(args)}: {done.stderr or done.stdout}"
    return done.stdout


def s3_keys(endpoint: str, bucket: str, prefix: str = "") -> list[str]:
    """Every key under prefix, read from the S3 server's ListObjectsV2 (moto needs no signature)."""
    keys: list[str] = []
    params = {"list-type": "2", "prefix": prefix}
    while True:
        reply = requests.get(f"{endpoint}/{bucket}", params=params, timeout=30)
        reply.raise_for_status()
        doc = ET.fromstring(reply.content)
        keys += [el.text or "" for el in doc.findall("s3:Contents/s3:Key", S3_NS)]
        token = doc.findtext("s3:NextContinuationToken", namespaces=S3_NS)
        if not token:
            return keys
        params["continuation-token"] = token


class Service:
    """A server process on 127.0.0.1: started and polled until healthy, killed with its children."""

    def __init__(self, argv: list[str], *, health: str, log: Path, env: Mapping[str, str]) -> None:
        self.argv, self.health, self.log_path, self.env = argv, health, log, env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            # Its own process group: mlflow server runs workers that must die with it.
            self.proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                cwd=self.log_path.parent,  # what a server writes beside it stays in its folder
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.argv[:4]} did not start: {self.log_tail()}")
            time.sleep(0.5)

    def _healthy(self) -> bool:
        try:
            return requests.get(self.health, timeout=5).status_code == 200
        except requests.RequestException:  # refused, or too busy (migrations) to answer yet
            return False

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """SIGKILL (a crash) by default; the process group goes, and the port is free again."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        self.proc = None

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]


@dataclass(frozen=True)
class Postgres:
    """A throwaway PostgreSQL cluster: trust auth for user `mlci`, TCP on 127.0.0.1 only."""

    bin: Path
    data: Path
    port: int
    user: str = "mlci"

    def uri(self, database: str) -> str:
        # psycopg2 named: SQLAlchemy 2.1 takes plain postgresql:// to mean psycopg 3.
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{database}"

    def query(self, database: str, sql: str) -> list[list[str]]:
        """Rows of a query through psql (tab-separated, unaligned)."""
        done = subprocess.run(
            [str(self.bin / "psql"), "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return [line.split("\t") for line in done.stdout.splitlines()]


def postgres_bin() -> Path:
    """The folder of initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major)
    if not debian:
        tool_missing(
            "PostgreSQL's initdb is missing: .ci/install-system installs Debian's postgresql",
            "PostgreSQL is not installed (apt-get install postgresql)",
        )
    return Path(debian[-1]).parent


def _major(path: Path) -> int:
    part = path.parts[-3]
    return int(part) if part.isdigit() else 0


def _as_cluster_owner(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root (CI's user here): root runs it as Debian's `postgres`."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("runuser") is None or not _user_exists("postgres"):
        tool_missing(
            "running PostgreSQL as root needs runuser and the `postgres` user (Debian's postgresql)",
            "as root, PostgreSQL needs the `postgres` user: apt-get install postgresql",
        )
    return ["runuser", "-u", "postgres", "--", *argv]


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {(done.stderr or done.stdout)[-2000:]}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """initdb + pg_ctl start in a temp dir; stopped (immediate) and removed at teardown.

    Not under pytest's tmp_path: that is private to root, and the server may run as `postgres`.
    fsync is off: this cluster's data is thrown away.
    """
    bin_dir = postgres_bin()
    home = Path(tempfile.mkdtemp(prefix="mlci-pg-"))
    pg = Postgres(bin=bin_dir, data=home / "data", port=free_port())
    try:
        if os.geteuid() == 0:
            shutil.chown(home, user="postgres")
        _run(_as_cluster_owner(
            [str(bin_dir / "initdb"), "-D", str(pg.data), "-U", pg.user, "--auth=trust",
             "--encoding=UTF8", "--no-sync"]
        ))  # fmt: skip
        _run(_as_cluster_owner(
            [str(bin_dir / "pg_ctl"), "-D", str(pg.data), "-l", str(home / "server.log"), "-w",
             "-t", "60", "-o", f"-h 127.0.0.1 -p {pg.port} -k {home} -F", "start"]
        ))  # fmt: skip
        try:
            _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(pg.port),
                  "-U", pg.user, "mlflow"])  # fmt: skip
            yield pg
        finally:
            _run(_as_cluster_owner(
                [str(bin_dir / "pg_ctl"), "-D", str(pg.data), "-m", "immediate", "-w", "stop"]
            ))  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's standalone server as the S3 endpoint, with the two buckets the stack uses."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = Service(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        health=f"{endpoint}/moto-api/",
        log=tmp_path_factory.mktemp("moto") / "moto.log",
        env={},
    )
    server.start()
    try:
        for bucket in (DVC_BUCKET, ARTIFACT_BUCKET):
            requests.put(f"{endpoint}/{bucket}", timeout=30).raise_for_status()
        yield endpoint
    finally:
        server.stop()


@dataclass(frozen=True)
class Production:
    """The production stack and handles on its parts, for tests that look behind mlci."""

    stack: Stack
    postgres: Postgres
    s3_endpoint: str
    mlflow: Service


@pytest.fixture(scope="session")
def production(
    postgres: Postgres, moto_s3: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Production]:
    """`mlflow server` on PostgreSQL with artifacts proxied to S3 (the server holds S3's keys)."""
    root = tmp_path_factory.mktemp("mlflow-production")
    # S3's keys on the server side only: clients upload through the server's artifact proxy.
    mlflow = mlflow_service(
        postgres.uri("mlflow"),
        f"s3://{ARTIFACT_BUCKET}/artifacts",
        root,
        {**AWS_ENV, "MLFLOW_S3_ENDPOINT_URL": moto_s3},
    )
    mlflow.start()
    try:
        url = mlflow.health.removesuffix("/health")
        stack = Stack(
            name="production",
            tracking_uri=url,
            remote_url=f"s3://{DVC_BUCKET}/store",
            remote_options={"endpointurl": moto_s3},
            env={"MLFLOW_TRACKING_URI": url, **AWS_ENV},
        )
        yield Production(stack=stack, postgres=postgres, s3_endpoint=moto_s3, mlflow=mlflow)
    finally:
        mlflow.stop()


@pytest.fixture(scope="session")
def production_stack(production: Production) -> Stack:
    return production.stack


@contextlib.contextmanager
def mlflow_server(root: Path, backend_store_uri: str) -> Iterator[str]:
    """`mlflow server` on a free port of 127.0.0.1, artifacts under ROOT, until the block ends
    (its process group stopped whatever the block did); its URL. The one way the tests start a
    server of their own: conftest's session fixture, the workflow harness and the stacks here."""
    service = mlflow_service(backend_store_uri, str(root / "artifacts"), root, {})
    service.start()
    try:
        yield service.health.removesuffix("/health")
    finally:
        service.stop()


def mlflow_service(backend: str, artifacts: str, root: Path, env: Mapping[str, str]) -> Service:
    port = free_port()
    return Service(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", backend,
         "--artifacts-destination", artifacts, "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1"],
        health=f"http://127.0.0.1:{port}/health",
        log=root / "server.log",
        env=env,
    )  # fmt: skip


@pytest.fixture(scope="session")
def embedded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`mlflow server` on sqlite with local artifacts, and a DVC remote in a local folder."""
    root = tmp_path_factory.mktemp("mlflow-embedded")
    with mlflow_server(root, f"sqlite:///{root / 'mlflow.db'}") as url:
        yield Stack(
            name="embedded",
            tracking_uri=url,
            remote_url=str(tmp_path_factory.mktemp("dvc-remote")),
            remote_options={},
            env={"MLFLOW_TRACKING_URI": url},
        )
