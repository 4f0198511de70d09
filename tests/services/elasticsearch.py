"""A real Elasticsearch node for the test run and the bench: Elastic's test distribution from
Maven Central, run as an unprivileged user on a free loopback port, single node, small heap,
security off. Its data lives in a temporary folder that `stop()` keeps (a restart finds its
indices again, as after an outage) and `remove()` deletes.

The distribution is cached twice: Maven's local repository keeps the zip, `var/elasticsearch/`
the unpacked node (shared, read-only, by every run). Set `ELASTICSEARCH_VERSION` to try another
8.x release; 9.x needs JDK 21 or later (`ES_JAVA_HOME`) and the 9.x client.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

from .debian import CannotSetUp, apt_install, as_user, free_port, run

VERSION = os.environ.get("ELASTICSEARCH_VERSION", "8.19.21")
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{VERSION}:zip"
CACHE = Path(__file__).resolve().parents[2] / "var" / "elasticsearch"
# Elasticsearch refuses to run as root; as root the node runs as this system user.
NODE_USER = "koordinimi-search"
HEAP = "512m"


def _maven_zip() -> Path:
    """The distribution's zip in Maven's local repository, fetched once."""
    group, name, version, packaging = ARTIFACT.split(":")
    repository = Path(os.environ.get("MAVEN_REPOSITORY", Path.home() / ".m2" / "repository"))
    path = repository.joinpath(*group.split("."), name, version, f"{name}-{version}.{packaging}")
    if not path.exists():
        if not shutil.which("mvn"):
            apt_install(["maven"], "fetching Elasticsearch's test distribution needs Maven")
        print(f"Fetching {ARTIFACT} from Maven Central", flush=True)
        run(
            ["mvn", "-q", "-B", "dependency:get", f"-Dartifact={ARTIFACT}", "-Dtransitive=false",
             f"-Dmaven.repo.local={repository}"],
            f"fetching {ARTIFACT}",
        )  # fmt: skip
    return path


def _cache() -> Path:
    """`var/elasticsearch/`, or a system folder where the node's user could not reach it (a
    checkout under a home folder that others may not enter)."""
    reachable = all(folder.stat().st_mode & 0o001 for folder in CACHE.parent.parents)
    if os.geteuid() == 0 and not reachable:
        return Path("/var/cache/koordinimi-elasticsearch")
    return CACHE


def distribution() -> Path:
    """The unpacked node, `var/elasticsearch/elasticsearch-<version>/` (see `_cache`)."""
    cache = _cache()
    home = cache / f"elasticsearch-{VERSION}"
    if not (home / "bin" / "elasticsearch").exists():
        cache.mkdir(parents=True, exist_ok=True)
        unpacking = Path(tempfile.mkdtemp(dir=cache))
        with zipfile.ZipFile(_maven_zip()) as archive:
            for member in archive.infolist():
                archive.extract(member, unpacking)
                mode = member.external_attr >> 16  # the zip keeps the scripts' x bits
                if mode:
                    (unpacking / member.filename).chmod(mode & 0o755)
        unpacked = unpacking / f"elasticsearch-{VERSION}"
        shutil.rmtree(home, ignore_errors=True)
        unpacked.rename(home)
        shutil.rmtree(unpacking)
        cache.chmod(0o755)  # readable by the node's user
    return home


def java_home() -> str:
    """ES_JAVA_HOME if set, else the JDK of the `java` on the PATH."""
    if configured := os.environ.get("ES_JAVA_HOME"):
        return configured
    java = shutil.which("java")
    if not java:
        raise CannotSetUp("Elasticsearch needs Java 17 or later: no `java` on the PATH")
    return str(Path(java).resolve().parent.parent)


class ElasticsearchNode:
    def __init__(self) -> None:
        self.version = VERSION
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_seconds = 0.0
        self._run_dir: Path | None = None

    def _user_command(self, command: list[str]) -> list[str]:
        return as_user(NODE_USER, command) if os.geteuid() == 0 else command

    def _prepare(self, home: Path) -> Path:
        """Config, data, logs and temporary files, owned by the node's user. The config is not
        inside the temporary folder: the node refuses write access to anything under it."""
        run_dir = Path(tempfile.mkdtemp(prefix="koordinimi-es-"))
        shutil.copytree(home / "config", run_dir / "config")
        for folder in ("data", "logs", "tmp"):
            (run_dir / folder).mkdir()
        if os.geteuid() == 0:
            if subprocess.run(["id", NODE_USER], capture_output=True).returncode != 0:
                run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                     NODE_USER], f"creating the user {NODE_USER}")  # fmt: skip
            run(["chown", "-R", NODE_USER, str(run_dir)], "handing the node its folder")
        return run_dir

    def start(self) -> None:
        """Start the node (again, after `stop()`, on the same port and data) and wait until
        the cluster is yellow."""
        home = distribution()
        if self._run_dir is None:
            self._run_dir = self._prepare(home)
        run_dir = self._run_dir
        settings = {
            "cluster.name": "koordinimi-test",
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": self.port,
            "transport.port": free_port(),
            "path.data": run_dir / "data",
            "path.logs": run_dir / "logs",
            "xpack.security.enabled": "false",
            # A test machine's disk may be fuller than a cluster's default watermarks allow.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }
        command = [
            "env",
            f"ES_JAVA_HOME={java_home()}",
            f"ES_PATH_CONF={run_dir / 'config'}",
            f"ES_TMPDIR={run_dir / 'tmp'}",
            f"ES_JAVA_OPTS=-Xms{HEAP} -Xmx{HEAP}",
            str(home / "bin" / "elasticsearch"),
            "--daemonize",
            "--pidfile",
            str(run_dir / "pid"),
            *[f"-E{key}={value}" for key, value in settings.items()],
        ]
        started = time.monotonic()
        result = subprocess.run(self._user_command(command), capture_output=True, text=True)
        if result.returncode != 0:
            raise CannotSetUp(
                f"Elasticsearch {VERSION} did not start:\n{result.stdout}{result.stderr}"
                f"{self._log_tail()}"
            )
        self._wait_until_yellow(deadline=started + 120)
        self.startup_seconds = time.monotonic() - started

    def _wait_until_yellow(self, deadline: float) -> None:
        url = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                    if json.load(response)["status"] in ("yellow", "green"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                tail = self._log_tail()
                raise CannotSetUp(f"Elasticsearch {VERSION} did not become yellow:\n{tail}")
            time.sleep(0.3)

    def _pid(self) -> int | None:
        pidfile = self._run_dir / "pid" if self._run_dir else None
        if pidfile is None or not pidfile.exists():
            return None
        return int(pidfile.read_text().strip() or 0) or None

    def rss_bytes(self) -> int:
        """The node's resident memory now."""
        pid = self._pid()
        if pid is None:
            return 0
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> None:
        """Stop the node (its data stays, for `start()` again)."""
        pid = self._pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)
        (self._run_dir / "pid").unlink(missing_ok=True)  # type: ignore[operator]

    def remove(self) -> None:
        """Stop the node and delete its data."""
        self.stop()
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    def _log_tail(self) -> str:
        log = self._run_dir / "logs" / "koordinimi-test.log" if self._run_dir else None
        if log is None or not log.exists():
            return "(no log)"
        return "".join(log.read_text(errors="replace").splitlines(keepends=True)[-40:])
