"""Staff sessions: signed cookies naming a session the server holds (logout ends it), CSRF
tokens for the staff forms, and failed logins that lock an account and a client for a while."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from ..settings import WebSettings

SESSION_SECONDS = 8 * 3600
MAX_KEYS = 50_000
"""Accounts and clients with failed logins remembered before idle ones are forgotten."""


class StaffSessions:
    """Issues, checks and ends sessions; the key and the open sessions live as long as the
    process (a restart signs everybody out)."""

    def __init__(self, web: WebSettings, key: bytes | None = None) -> None:
        self.user = web.staff_user
        self.password = web.staff_password.get_secret_value() if web.staff_password else None
        self._key = key or secrets.token_bytes(32)
        self._open: dict[str, float] = {}  # session id -> expiry
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """True when a password is configured."""
        return bool(self.password)

    def check_login(self, user: str, password: str) -> bool:
        """Constant-time comparison with the configured credentials."""
        if not self.password:
            return False
        ok_user = hmac.compare_digest(user.encode(), self.user.encode())
        ok_pass = hmac.compare_digest(password.encode(), self.password.encode())
        return ok_user and ok_pass

    def issue(self, now: float | None = None) -> str:
        """A signed cookie value naming a new session of the staff user."""
        now = time.time() if now is None else now
        sid = secrets.token_urlsafe(18)
        expires = int(now + SESSION_SECONDS)
        with self._lock:
            self._open = {s: e for s, e in self._open.items() if e > now}
            self._open[sid] = expires
        body = json.dumps({"u": self.user, "sid": sid, "exp": expires})
        payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
        return f"{payload}.{self._sign(payload)}"

    def session_id(self, cookie: str | None, now: float | None = None) -> str | None:
        """The session a cookie names, if this process signed it and it is open and unexpired."""
        if not cookie or not self.open or "." not in cookie:
            return None
        payload, sig = cookie.rsplit(".", 1)
        if not hmac.compare_digest(sig, self._sign(payload)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            return None
        now = time.time() if now is None else now
        sid = data.get("sid") if isinstance(data, dict) else None
        if data.get("u") != self.user or not isinstance(sid, str):
            return None
        with self._lock:
            expires = self._open.get(sid)
        return sid if expires is not None and expires > now else None

    def valid(self, cookie: str | None, now: float | None = None) -> bool:
        """True for a cookie of an open, unexpired session this process started."""
        return self.session_id(cookie, now) is not None

    def end(self, cookie: str | None) -> None:
        """End the session a cookie names: the cookie is worthless from now on."""
        sid = self.session_id(cookie)
        if sid:
            with self._lock:
                self._open.pop(sid, None)

    def csrf_token(self, binding: str) -> str:
        """The form token for a browser's CSRF cookie (an HMAC: only this server makes it)."""
        return self._sign("csrf:" + binding)

    def csrf_ok(self, binding: str | None, token: str | None) -> bool:
        """True when ``token`` was made for the CSRF cookie the request carries."""
        if not binding or not token:
            return False
        return hmac.compare_digest(token, self.csrf_token(binding))

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()


class LoginGuard:
    """Counts failed logins per account and per client: ``max_failures`` within
    ``lock_seconds`` lock the account and the client for ``lock_seconds``, even against the
    right password.

    An attempt is counted *before* the password is checked, under one lock, so concurrent
    guesses cannot all slip in ahead of the count; a successful login takes its count back.
    """

    def __init__(self, max_failures: int, lock_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self._clock = clock
        self._attempts: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def begin(self, *keys: str) -> tuple[float, float]:
        """Try to start an attempt for these keys (account, client). Returns (0.0, stamp) when
        it may go on, counted as a failure until :meth:`succeeded`; else (seconds to wait, 0)."""
        now = self._clock()
        with self._lock:
            wait = max((self._locked_until.get(k, 0.0) - now for k in keys), default=0.0)
            if wait > 0:
                return wait, 0.0
            queues = [self._pruned(k, now) for k in keys]
            full = [q for q in queues if len(q) >= self.max_failures]
            if full:  # the quota is taken by attempts still running
                return max(q[0] + self.lock_seconds - now for q in full), 0.0
            for q in queues:
                q.append(now)
            return 0.0, now

    def failed(self, *keys: str) -> int:
        """The attempt was wrong; locks each key that reached ``max_failures``. Returns the
        largest count of failures among the keys."""
        now = self._clock()
        with self._lock:
            counts = []
            for k in keys:
                q = self._pruned(k, now)
                counts.append(len(q))
                if len(q) >= self.max_failures:
                    self._locked_until[k] = now + self.lock_seconds
                    q.clear()
            return max(counts, default=0)

    def succeeded(self, stamp: float, *keys: str) -> None:
        """The attempt begun at ``stamp`` was right: it is no failure."""
        with self._lock:
            for k in keys:
                q = self._attempts.get(k)
                if q is not None and stamp in q:
                    q.remove(stamp)

    def locked(self, key: str) -> bool:
        """True while a key is locked."""
        with self._lock:
            return self._locked_until.get(key, 0.0) > self._clock()

    def _pruned(self, key: str, now: float) -> deque[float]:
        if len(self._attempts) > MAX_KEYS:  # many clients: forget those with nothing counted
            self._attempts = {k: q for k, q in self._attempts.items()
                              if q and q[-1] > now - self.lock_seconds}
            self._locked_until = {k: t for k, t in self._locked_until.items() if t > now}
        q = self._attempts.setdefault(key, deque())
        while q and q[0] <= now - self.lock_seconds:
            q.popleft()
        return q


def minutes(seconds: float) -> int:
    """Whole minutes, rounded up, for a message."""
    return max(1, math.ceil(seconds / 60))
