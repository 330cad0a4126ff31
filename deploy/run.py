"""Start N geobaro replicas (``streamlit run`` on loopback ports) behind nginx on loopback.

Usage, from the repository root (no root rights needed)::

    python deploy/run.py --replicas 2 --port 8080

Each replica is ``streamlit run streamlit_app.py`` on a free ``127.0.0.1`` port with the
repository's ``.streamlit/config.toml``. nginx gets a configuration generated from
``deploy/nginx.conf.template`` in a working folder (pid, logs and temporary files there:
``nginx -p <dir> -c <dir>/nginx.conf``), listens on ``--host:--port`` and keeps every
browser on its replica. Ctrl-C (or SIGTERM) stops nginx, then the replicas. See
``deploy/README.md`` for sizing and for running it behind a public TLS front.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = [
    "Deployment",
    "Replica",
    "find_nginx",
    "main",
    "max_upload_mb",
    "render_nginx_config",
]

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
STREAMLIT_CONFIG = REPO / ".streamlit" / "config.toml"
#: Streamlit's own default of ``server.maxUploadSize`` (MB), when the config leaves it out.
_STREAMLIT_DEFAULT_UPLOAD_MB = 200


def find_nginx() -> str | None:
    """Return the nginx binary (``PATH``, then Debian's ``/usr/sbin/nginx``), or ``None``."""
    found = shutil.which("nginx")
    if found:
        return found
    debian = Path("/usr/sbin/nginx")
    return str(debian) if debian.is_file() and os.access(debian, os.X_OK) else None


def max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Return Streamlit's upload limit ``server.maxUploadSize`` (MB) from its config file."""
    if not config.is_file():
        return _STREAMLIT_DEFAULT_UPLOAD_MB
    with config.open("rb") as fh:
        settings = tomllib.load(fh)
    value = settings.get("server", {}).get("maxUploadSize", _STREAMLIT_DEFAULT_UPLOAD_MB)
    if not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"{config}: server.maxUploadSize must be a positive integer, not {value!r}"
        )
    return value


def render_nginx_config(
    *, prefix: Path, listen: str, ports: Sequence[int], max_body_mb: int
) -> str:
    """Return the nginx configuration for replicas on ``127.0.0.1:<ports>``.

    Examples
    --------
    >>> conf = render_nginx_config(prefix=Path("/tmp/x"), listen="127.0.0.1:8080",
    ...                            ports=[8501, 8502], max_body_mb=10)
    >>> "server 127.0.0.1:8502 max_fails=1 fail_timeout=10s;" in conf
    True
    >>> "client_max_body_size 10m;" in conf
    True
    """
    if not ports:
        raise ValueError("at least one replica port is needed")
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in ports
    )
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "{prefix}": str(prefix),
        "{listen}": listen,
        "{servers}": servers,
        "{max_body_mb}": str(int(max_body_mb)),
    }.items():
        text = text.replace(key, value)
    return text


@dataclass
class Replica:
    """One ``streamlit run`` process on a loopback port."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL of the replica (direct, not through nginx)."""
        return f"http://127.0.0.1:{self.port}/"

    def healthy(self) -> bool:
        """Whether ``/_stcore/health`` answers 200 now."""
        return _answers(self.url + "_stcore/health")

    def stop(self) -> None:
        """Stop the replica (SIGTERM, then SIGKILL after 10 s)."""
        _stop(self.process)


@dataclass
class Deployment:
    """N replicas and nginx in front of them, all on loopback.

    Use as a context manager, or call `start` and `stop`.
    """

    replicas: int = 2
    host: str = "127.0.0.1"
    port: int = 0
    workdir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    started: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL through nginx."""
        return f"http://{self.host}:{self.port}/"

    @property
    def access_log(self) -> Path:
        """The access log of nginx (one line per request: replica and sticky key)."""
        assert self.workdir is not None
        return self.workdir / "access.log"

    def start(self, *, timeout: float = 120.0) -> Deployment:
        """Start the replicas, wait until each is healthy, then start nginx in front."""
        binary = find_nginx()
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        if self.replicas < 1:
            raise ValueError("replicas must be at least 1")
        self.workdir = Path(self.workdir or tempfile.mkdtemp(prefix="geobaro-deploy-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or _free_port()
        for _ in range(self.replicas):
            self.started.append(self._start_replica(_free_port()))
        try:
            deadline = time.monotonic() + timeout
            for replica in self.started:
                _wait(replica.healthy, deadline, f"replica on port {replica.port}", replica)
            conf = self.workdir / "nginx.conf"
            conf.write_text(
                render_nginx_config(
                    prefix=self.workdir,
                    listen=f"{self.host}:{self.port}",
                    ports=[r.port for r in self.started],
                    max_body_mb=max_upload_mb(),
                ),
                encoding="utf-8",
            )
            cmd = [binary, "-p", str(self.workdir), "-c", str(conf), "-e", "stderr"]
            test = subprocess.run([*cmd, "-t", "-q"], check=False, capture_output=True)
            if test.returncode != 0:
                raise RuntimeError(f"nginx refuses {conf}: {test.stderr.decode(errors='replace')}")
            with (self.workdir / "nginx.out").open("wb") as out:
                self.nginx = subprocess.Popen(
                    [*cmd, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT
                )
            _wait(lambda: _answers(self.url + "_stcore/health"), deadline, "nginx", None)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop nginx, then every replica."""
        if self.nginx is not None:
            _stop(self.nginx, first=signal.SIGQUIT)
            self.nginx = None
        for replica in self.started:
            replica.stop()

    def __enter__(self) -> Deployment:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _start_replica(self, port: int) -> Replica:
        assert self.workdir is not None
        log_path = self.workdir / f"replica-{port}.log"
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO / "streamlit_app.py"),
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.headless=true",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with log_path.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
        return Replica(port, proc, log_path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the deployment until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--host", default="127.0.0.1", help="address nginx listens on")
    parser.add_argument("--port", type=int, default=8080, help="port nginx listens on")
    parser.add_argument("--dir", type=Path, default=None, help="nginx working folder")
    args = parser.parse_args(argv)
    deployment = Deployment(args.replicas, args.host, args.port, args.dir)
    stop = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    deployment.start()
    ports = ", ".join(str(r.port) for r in deployment.started)
    sys.stdout.write(
        f"geobaro: {len(deployment.started)} replicas (ports {ports}) behind nginx at "
        f"{deployment.url} (logs in {deployment.workdir})\n"
    )
    sys.stdout.flush()
    try:
        while not stop:
            for replica in deployment.started:
                if replica.process.poll() is not None:
                    sys.stderr.write(f"replica on port {replica.port} exited; see its log\n")
            if deployment.nginx is not None and deployment.nginx.poll() is not None:
                sys.stderr.write("nginx exited; see nginx.out in the working folder\n")
                return 1
            time.sleep(1)
    finally:
        deployment.stop()
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own http URL
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait(ready: object, deadline: float, what: str, replica: Replica | None) -> None:
    assert callable(ready)
    while time.monotonic() < deadline:
        if replica is not None and replica.process.poll() is not None:
            log = replica.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{what} exited with {replica.process.returncode}:\n{log}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not healthy in time")


def _stop(process: subprocess.Popen[bytes], *, first: int = signal.SIGTERM) -> None:
    if process.poll() is not None:
        return
    process.send_signal(first)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
