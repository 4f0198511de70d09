"""A real directory server for the test run: Debian's OpenLDAP `slapd`, installed when missing,
run on a free loopback port with a configuration and a database of its own in a temporary
folder (nothing of the system's instance is used or changed), as the unprivileged `openldap`
user when the run is root. The tests fill it (tests/directory/conftest.py).
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .debian import CannotSetUp, apt_install, free_port, wait_until_answering

SLAPD = Path("/usr/sbin/slapd")
SCHEMA = Path("/etc/ldap/schema")
SUFFIX = "dc=koordinimi,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-secret"  # the test server's own
SERVER_USER = "openldap"  # Debian's slapd package creates it


class Directory:
    def __init__(self, folder: Path, port: int, process: subprocess.Popen[bytes]) -> None:
        self.folder = folder
        self.port = port
        self.process = process
        self.uri = f"ldap://127.0.0.1:{port}/"
        self.suffix = SUFFIX
        self.admin_dn = ADMIN_DN
        self.admin_password = ADMIN_PASSWORD

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # slapd's clean shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def installed() -> None:
    if SLAPD.exists() and (SCHEMA / "inetorgperson.schema").exists():
        return
    # The package's own set-up makes a system instance from debconf's defaults; ours never
    # uses it (DEBIAN_FRONTEND=noninteractive, set by apt_install).
    apt_install(["slapd", "ldap-utils"], "the directory tests need OpenLDAP's slapd")
    if not SLAPD.exists():
        raise CannotSetUp("slapd was installed but /usr/sbin/slapd is missing")


def _configuration(folder: Path) -> Path:
    data = folder / "data"
    data.mkdir()
    config = folder / "slapd.conf"
    schemas = ["core", "cosine", "inetorgperson", "nis"]
    config.write_text(
        "\n".join(
            [
                *(f"include {SCHEMA / name}.schema" for name in schemas),
                f"pidfile {folder / 'slapd.pid'}",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "database mdb",
                "maxsize 104857600",
                f'suffix "{SUFFIX}"',
                f'rootdn "{ADMIN_DN}"',
                f"rootpw {ADMIN_PASSWORD}",
                f"directory {data}",
                # Anyone may bind (that is how passwords are checked); only the admin reads.
                "access to attrs=userPassword by self write by anonymous auth by * none",
                "access to * by * read",
                "",
            ]
        )
    )
    return config


def start() -> Directory:
    """A fresh, empty directory with only its suffix's entry missing (the tests add it)."""
    installed()
    folder = Path(tempfile.mkdtemp(prefix="koordinimi-slapd-"))
    folder.chmod(0o755)
    config = _configuration(folder)
    port = free_port()
    command = [str(SLAPD), "-d", "0", "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/"]
    if os.geteuid() == 0:
        try:
            server = pwd.getpwnam(SERVER_USER)
        except KeyError as error:
            raise CannotSetUp(
                f"the system user {SERVER_USER} (from Debian's slapd) is missing"
            ) from error
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, server.pw_uid, server.pw_gid)
        command += ["-u", SERVER_USER, "-g", SERVER_USER]
    log = open(folder / "slapd.log", "wb")  # noqa: SIM115 (the server's lifetime)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering("127.0.0.1", port, "slapd", seconds=30)
    except CannotSetUp:
        process.kill()
        time.sleep(0.2)
        raise CannotSetUp(
            f"slapd did not start: {(folder / 'slapd.log').read_text(errors='replace')}"
        ) from None
    return Directory(folder, port, process)
