"""What installing and starting a server takes on Debian: root (or sudo), apt-get, a socket."""

import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


class CannotSetUp(Exception):
    """A server is missing and this machine does not let the run set it up; the message says
    what to do instead."""


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until_answering(host: str, port: int, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not answers(host, port):
        if time.monotonic() > deadline:
            raise CannotSetUp(f"{what} was started but does not answer on {host}:{port}")
        time.sleep(0.2)


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def privileged_prefix(why: str) -> list[str]:
    """[] as root, ["sudo", "-n"] where sudo works without a password; else CannotSetUp."""
    if os.geteuid() == 0:
        return []
    sudo_works = shutil.which("sudo") and subprocess.run(
        ["sudo", "-n", "true"], capture_output=True
    )
    if sudo_works and sudo_works.returncode == 0:
        return ["sudo", "-n"]
    raise CannotSetUp(f"{why}: this needs root or password-less sudo, and this user has neither.")


def run(command: Sequence[str], what: str) -> str:
    """Run a set-up command; its output only when it fails."""
    result = subprocess.run(list(command), capture_output=True, text=True)
    if result.returncode != 0:
        raise CannotSetUp(f"{what} failed ({' '.join(command)}):\n{result.stdout}{result.stderr}")
    return result.stdout


_updated = False
# Held while this machine's test processes install: pytest-xdist's workers may each need a
# package at once (the directory tests on two workers), and apt-get refuses to run beside
# itself. An apt-get outside the run is waited for by apt itself (DPkg::Lock::Timeout).
APT_LOCK = Path(tempfile.gettempdir()) / "coordination-tests-apt.lock"
APT_WAIT = ["-o", "DPkg::Lock::Timeout=600"]


def _installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return status.returncode == 0 and status.stdout.endswith(" installed")


def apt_install(packages: Sequence[str], why: str) -> None:
    """Install the Debian packages not installed yet, one process at a time (the package lists
    are read once per process)."""
    global _updated
    with APT_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [package for package in packages if not _installed(package)]
        if not missing:
            return  # another worker installed them while this one waited
        prefix = privileged_prefix(f"{why}; installing {' '.join(missing)}")
        print(f"Installing Debian packages: {' '.join(missing)} ({why})", flush=True)
        if not _updated:
            run([*prefix, "apt-get", *APT_WAIT, "update", "-qq"], "apt-get update")
            _updated = True
        run(
            [
                *prefix,
                "env",
                "DEBIAN_FRONTEND=noninteractive",
                "apt-get",
                *APT_WAIT,
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                *missing,
            ],
            f"installing {' '.join(missing)}",
        )


def as_user(user: str, command: Sequence[str]) -> list[str]:
    """`command` run as `user` (Debian's runuser as root, sudo otherwise)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", user, "--", *command]
    return [*privileged_prefix(f"running {command[0]} as {user}"), "-u", user, *command]
