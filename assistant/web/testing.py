"""Helpers for tests and the benchmark: a free port and the app served by uvicorn in a
background thread."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServerThread:
    """The app served by uvicorn on loopback in a daemon thread (``with ServerThread(app):``)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int | None = None) -> None:
        import uvicorn

        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning",
                                lifespan="on", ws="none")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerThread:
        """Start serving and wait until the server accepts requests."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web app did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Ask uvicorn to finish and wait for it."""
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Wait until a server process started on ``base`` answers /api/health; exit with a clear
    line if it dies or does not come up in ``timeout`` seconds (the first start may convert
    the encoder)."""
    import httpx  # a dev dependency: only tests and the benchmarks call this

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not come up")


def form_token(client: Any, path: str = "/staff") -> str:
    """The CSRF token in the forms of a staff page (its cookie lands in ``client``, a
    Starlette ``TestClient`` or an ``httpx.Client``)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    if not found:
        raise AssertionError(f"no CSRF token in the forms of {path}")
    return found.group(1)


def staff_login(client: Any, password: str, user: str = "staff", **headers: str) -> Any:
    """Sign in to ``/staff`` as a browser would (with the form's CSRF token); the response."""
    return client.post("/staff/login", data={"user": user, "password": password,
                                             "csrf": form_token(client)},
                       headers=headers, follow_redirects=False)
