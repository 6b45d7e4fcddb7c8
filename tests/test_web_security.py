"""Staff sessions (lockout, logout on the server, Secure cookies, CSRF) and what every page
tells the browser (CSP, who may frame it, no Gradio uploads)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.engine import Engine
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.staff import COOKIE, CSRF_COOKIE
from assistant.web.staff_sessions import LoginGuard
from assistant.web.testing import ServerThread, form_token, staff_login

PASSWORD = "rätt-lösenord"
REGION_SITE = "https://www.region.se"
CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019"


def web_settings(engine: Engine, **web: Any) -> Settings:
    web = {"staff_password": SecretStr(PASSWORD), "rate_limit_per_minute": 0, **web}
    return engine.settings.model_copy(update={"web": engine.settings.web.model_copy(update=web)})


def make_app(engine: Engine, tmp_path: Path, chat_ui: bool = False, **web: Any) -> Any:
    return create_app(web_settings(engine, **web), engine,
                      FeedbackStore(tmp_path / "feedback.sqlite3"), chat_ui=chat_ui)


def log_in(client: TestClient | httpx.Client, password: str = PASSWORD,
           user: str = "staff", **headers: str) -> httpx.Response:
    response: httpx.Response = staff_login(client, password, user, **headers)
    return response


# -- failed logins --------------------------------------------------------------------------
def test_thirty_concurrent_wrong_passwords_lock_the_account(corpus_engine: Engine,
                                                            tmp_path: Path) -> None:
    with ServerThread(make_app(corpus_engine, tmp_path)) as server, \
            httpx.Client(base_url=server.url, timeout=60) as browser:
        token = form_token(browser)
        cookies = dict(browser.cookies)

        def guess(i: int) -> httpx.Response:
            with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as c:
                return c.post("/staff/login", data={"user": "staff", "password": f"fel-{i}",
                                                    "csrf": token}, follow_redirects=False)

        with ThreadPoolExecutor(max_workers=30) as pool:
            replies = list(pool.map(guess, range(30)))
        codes = [r.status_code for r in replies]
        # exactly the allowed number of guesses was checked; the rest were refused unchecked
        assert codes.count(401) == 5, codes
        assert codes.count(429) == 25, codes
        assert all("Retry-After" in r.headers for r in replies if r.status_code == 429)
        right = browser.post("/staff/login", data={"user": "staff", "password": PASSWORD,
                                                   "csrf": token}, follow_redirects=False)
        assert right.status_code == 429
        assert "spärrad" in right.text and "även med rätt lösenord" in right.text
        assert COOKIE not in right.cookies
        assert 14 * 60 <= int(right.headers["retry-after"]) <= 15 * 60


def test_lock_holds_per_account_and_per_client(corpus_engine: Engine, tmp_path: Path) -> None:
    app = make_app(corpus_engine, tmp_path, trusted_proxies=("10.0.0.0/8",))
    with TestClient(app, client=("10.0.0.2", 1)) as proxy:
        def attempt(client: str, user: str = "staff", password: str = "fel") -> int:
            return log_in(proxy, password, user, **{"X-Forwarded-For": client}).status_code

        # slower with each failure, then locked
        assert [attempt("192.0.2.1") for _ in range(5)] == [401] * 5
        assert attempt("192.0.2.1", password=PASSWORD) == 429
        # the account is locked for everybody ...
        assert attempt("192.0.2.77", password=PASSWORD) == 429
        # ... and the client for every account
        assert attempt("192.0.2.1", user="someone-else") == 429
        # a different account from a different client is not affected
        assert attempt("192.0.2.88", user="another") == 401


def test_lock_lifts_after_the_lock_period() -> None:
    now = [0.0]
    guard = LoginGuard(max_failures=3, lock_seconds=900, clock=lambda: now[0])
    for _ in range(3):
        wait, _ = guard.begin("user:staff", "client:a")
        assert wait == 0
        guard.failed("user:staff", "client:a")
    assert guard.locked("user:staff") and guard.locked("client:a")
    now[0] += 899
    assert guard.begin("user:staff", "client:b")[0] == pytest.approx(1.0)
    now[0] += 2
    wait, stamp = guard.begin("user:staff", "client:b")
    assert wait == 0
    guard.succeeded(stamp, "user:staff", "client:b")  # a right password counts for nothing
    assert not guard.locked("user:staff")


# -- sessions -------------------------------------------------------------------------------
def test_logout_ends_the_session_on_the_server(corpus_engine: Engine, tmp_path: Path) -> None:
    with TestClient(make_app(corpus_engine, tmp_path)) as c:
        assert log_in(c).status_code == 303
        session = c.cookies[COOKIE]
        assert "Sök i dokumenten</h1>" in c.get("/staff").text
        r = c.post("/staff/logout", data={"csrf": form_token(c)}, follow_redirects=False)
        assert r.status_code == 303
        # the browser forgot the cookie; someone who kept a copy gets nothing with it
        c.cookies.set(COOKIE, session, path="/staff")
        page = c.get("/staff").text
        assert 'type="password"' in page and "Sök i dokumenten</h1>" not in page
        assert c.get("/staff/lessons", follow_redirects=False).status_code == 303


def test_session_cookie_is_secure_over_https_and_behind_a_trusted_proxy(
        corpus_engine: Engine, tmp_path: Path) -> None:
    app = make_app(corpus_engine, tmp_path, trusted_proxies=("10.0.0.0/8",))
    with TestClient(app, base_url="https://testserver") as https:
        assert "; secure" in log_in(https).headers["set-cookie"].lower()
    with TestClient(app, client=("10.0.0.2", 1)) as proxied:
        r = log_in(proxied, **{"X-Forwarded-Proto": "https"})
        assert "; secure" in r.headers["set-cookie"].lower()
    with TestClient(app, client=("203.0.113.9", 1)) as direct:
        r = log_in(direct, **{"X-Forwarded-Proto": "https"})  # not a proxy: not believed
        assert r.status_code == 303 and "; secure" not in r.headers["set-cookie"].lower()


# -- CSRF -----------------------------------------------------------------------------------
def test_staff_forms_carry_a_csrf_token_that_is_checked(corpus_engine: Engine,
                                                        tmp_path: Path) -> None:
    with TestClient(make_app(corpus_engine, tmp_path)) as c, \
            TestClient(make_app(corpus_engine, tmp_path)) as other_app:
        login_form = c.get("/staff")
        assert 'name="csrf"' in login_form.text and CSRF_COOKIE in c.cookies
        assert "httponly" in login_form.headers["set-cookie"].lower()
        data = {"user": "staff", "password": PASSWORD}
        for token in ("", "0" * 64, form_token(other_app)):  # none, made up, another server's
            r = c.post("/staff/login", data={**data, "csrf": token}, follow_redirects=False)
            assert r.status_code == 403 and COOKIE not in r.cookies
        c.cookies.delete(CSRF_COOKIE)  # the token without the cookie it was made for
        r = c.post("/staff/login", data={**data, "csrf": form_token(other_app)},
                   follow_redirects=False)
        assert r.status_code == 403
        assert log_in(c).status_code == 303
        page = c.get("/staff").text
        assert re.search(r'action="/staff/logout"><input type="hidden" name="csrf"', page)
        # a forged logout (no token) does not end the session
        assert c.post("/staff/logout", follow_redirects=False).status_code == 403
        assert "Sök i dokumenten</h1>" in c.get("/staff").text


# -- headers of the pages -------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(corpus_engine: Engine, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[TestClient]:
    """The whole app with the Gradio chat, allowed origins and a small rate limit."""
    app = make_app(corpus_engine, tmp_path_factory.mktemp("site"), chat_ui=True,
                   allowed_origins=(REGION_SITE,), rate_limit_per_minute=2)
    with TestClient(app) as c:
        yield c


def test_every_html_page_has_a_csp_and_only_embed_may_be_framed_by_the_region(
        site: TestClient) -> None:
    for path in ("/", "/embed", f"/documents/{CALL}", "/staff"):
        r = site.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        frames = re.search(r"frame-ancestors ([^;]+)", csp)
        assert frames, path
        if path == "/embed":
            assert frames.group(1) == f"'self' {REGION_SITE}"
            assert "x-frame-options" not in r.headers
        else:
            assert frames.group(1) in ("'self'", "'none'"), path
            assert REGION_SITE not in csp
            assert r.headers["x-frame-options"] in ("SAMEORIGIN", "DENY")
        assert csp.count("frame-ancestors") == 1


def test_cors_only_for_allowed_origins(site: TestClient) -> None:
    ok = site.get("/api/health", headers={"Origin": REGION_SITE})
    assert ok.headers["access-control-allow-origin"] == REGION_SITE
    foreign = site.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers
    assert "*" not in foreign.headers.get("access-control-allow-origin", "")


def test_gradio_uploads_are_refused(site: TestClient) -> None:
    files = {"files": ("x.txt", b"hello", "text/plain")}
    for path in ("/gradio_api/upload", "/gradio_api/upload?upload_id=abc", "/upload"):
        r = site.post(path, files=files)
        assert r.status_code == 403, path
    assert site.get("/gradio_api/upload_progress?upload_id=abc").status_code == 403


def test_gradio_questions_are_rate_limited(site: TestClient) -> None:
    config = site.get("/config").json()
    respond = [d["id"] for d in config["dependencies"] if d.get("api_name") == "respond"]
    assert respond, [d.get("api_name") for d in config["dependencies"]]
    join = {"data": ["Vem kan söka?", [], [], "sv"], "fn_index": respond[0],
            "trigger_id": None, "session_hash": "limit-test", "event_data": None}
    codes = [site.post("/gradio_api/queue/join", json=join).status_code for _ in range(4)]
    assert codes == [200, 200, 429, 429]
    r = site.post("/gradio_api/queue/join", json=join, headers={"Accept-Language": "en"})
    assert "Please wait" in r.json()["detail"] and "Retry-After" in r.headers
    # other Gradio events (switching the language, loading the page) are not counted
    assert site.get("/").status_code == 200
