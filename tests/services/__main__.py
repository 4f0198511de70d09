"""`python -m tests.services DATABASE_URL BROKER_URL`: see __init__.py. Exit status 1, with
a message saying what to do, when a server cannot be set up here."""

import glob
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .debian import (
    CannotSetUp,
    answers,
    apt_install,
    as_user,
    privileged_prefix,
    run,
    wait_until_answering,
)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _loopback(host: str, what: str, url: str) -> None:
    if host not in LOOPBACK:
        raise CannotSetUp(f"{what} at {url} does not answer, and only loopback servers are set up")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_name(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def postgresql(url: str) -> None:
    """PostgreSQL answering at `url`, with its role (LOGIN, CREATEDB: the suite creates its
    own test databases) and database."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    user, password = unquote(parts.username or "postgres"), unquote(parts.password or "")
    name = parts.path.lstrip("/")
    if not answers(host, port):
        _loopback(host, "PostgreSQL", url)
        if not shutil.which("pg_ctlcluster"):
            apt_install(["postgresql"], f"PostgreSQL does not answer on {host}:{port}")
        clusters = run(["pg_lsclusters", "--no-header"], "listing PostgreSQL clusters").split()
        if not clusters:
            version = max(Path(p).name for p in glob.glob("/usr/lib/postgresql/*"))
            run(
                [*privileged_prefix("creating a PostgreSQL cluster"), "pg_createcluster",
                 "--port", str(port), version, "main"],
                "creating a PostgreSQL cluster",
            )  # fmt: skip
            clusters = run(["pg_lsclusters", "--no-header"], "listing PostgreSQL clusters").split()
        version, cluster, cluster_port = clusters[0], clusters[1], int(clusters[2])
        if cluster_port != port:
            raise CannotSetUp(
                f"the PostgreSQL cluster {version}/{cluster} listens on port {cluster_port}, "
                f"not {port}: set TEST_DATABASE_URL to its port"
            )
        print(f"Starting PostgreSQL {version}/{cluster} on port {port}", flush=True)
        run(
            [*privileged_prefix("starting PostgreSQL"), "pg_ctlcluster", version, cluster, "start"],
            "starting PostgreSQL",
        )
        wait_until_answering(host, port, "PostgreSQL")
    if _can_log_in(url):
        if host in LOOPBACK and user != "postgres" and not _may_checkpoint(url):
            try:
                _checkpoint_granted(user)
            except CannotSetUp as error:  # the suite runs without; the bench warns
                print(f"PostgreSQL role {user} may not CHECKPOINT: {error}", flush=True)
        return
    if host not in LOOPBACK or user == "postgres":
        raise CannotSetUp(f"PostgreSQL answers on {host}:{port} but refuses {url}")
    print(f"Creating the PostgreSQL role {user} and database {name}", flush=True)
    role, database = _sql_name(user), _sql_name(name)
    # Every name and value below is quoted by _sql_name or _sql_literal.
    create_role = f"SELECT 'CREATE ROLE {role}' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_sql_literal(user)})"  # noqa: S608, E501
    create_database = f"SELECT 'CREATE DATABASE {database} OWNER {role}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = {_sql_literal(name)})"  # noqa: S608, E501
    _psql_as_postgres(
        f"{create_role} \\gexec\n"
        f"ALTER ROLE {role} LOGIN CREATEDB PASSWORD {_sql_literal(password)};\n"
        f"{create_database} \\gexec\n"
    )
    _checkpoint_granted(user)
    if not _can_log_in(url):
        raise CannotSetUp(f"PostgreSQL still refuses {url} after creating its role")


def _may_checkpoint(url: str) -> bool:
    """Whether the role may run CHECKPOINT (the bench writes its bulk load out before timing,
    `tests.bench.data.settle`); PostgreSQL before 15 has no such grant: nothing to ask for."""
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pg_checkpoint')"
            " OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER')"
        ).fetchone()
    return bool(row and row[0])


def _checkpoint_granted(user: str) -> None:
    """The role of the local server this module set up may run CHECKPOINT (PostgreSQL 15+)."""
    # The name is quoted by _sql_name.
    grant = f"SELECT 'GRANT pg_checkpoint TO {_sql_name(user)}' WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = 'pg_checkpoint')"  # noqa: S608, E501
    _psql_as_postgres(f"{grant} \\gexec\n")


def _can_log_in(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def _psql_as_postgres(script: str) -> None:
    # Through a file the postgres user can read: `\gexec` needs psql's script mode.
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
        file.write(script)
    Path(file.name).chmod(0o644)
    try:
        run(
            as_user("postgres", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file.name]),
            "creating the PostgreSQL role and database",
        )
    finally:
        Path(file.name).unlink()


def redis(url: str) -> None:
    """Redis answering at `url` (kept in memory only: the suite's queues need no disk)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if answers(host, port):
        return
    _loopback(host, "Redis", url)
    if not shutil.which("redis-server") and not Path("/usr/bin/redis-server").exists():
        apt_install(["redis-server"], f"Redis does not answer on {host}:{port}")
    print(f"Starting Redis on {host}:{port}", flush=True)
    scratch = tempfile.gettempdir()  # nothing is saved: it holds the log only
    command = ["/usr/bin/redis-server", "--bind", host, "--port", str(port), "--daemonize",
               "yes", "--save", "", "--appendonly", "no", "--dir", scratch,
               "--logfile", f"{scratch}/redis-{port}.log"]  # fmt: skip
    run(as_user("redis", command) if _has_user("redis") else command, "starting Redis")
    wait_until_answering(host, port, "Redis")


def _has_user(name: str) -> bool:
    return subprocess.run(["id", name], capture_output=True).returncode == 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    database_url, broker_url = argv
    try:
        postgresql(database_url)
        if broker_url.startswith("redis"):
            redis(broker_url)
    except CannotSetUp as error:
        print(f"The test run's servers cannot be set up: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
