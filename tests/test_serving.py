"""`make serve` as documented for production: nginx in front of gunicorn (deploy/serve.py, deploy/nginx.conf,
deploy/gunicorn.conf.py). Slow clients cost nginx, never a gunicorn worker; a reload of gunicorn keeps the
embedded PostgreSQL running."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests
from django.conf import settings
from django.db import connection

from benchmarks.topology import wait_until_serving as wait_for
from tests.live_app import app_environment, database_url

pytestmark = pytest.mark.django_db

DEPLOY = settings.BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WORKERS = 3
SLOW_CLIENTS = 2 * WORKERS


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture
def served(tmp_path):
    """`make serve` against the test database: the URL of nginx."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (make test installs Debian's)")
    # nginx's workers run as an unprivileged user when the tests run as root: they must reach the run directory.
    run_dir = Path(tempfile.mkdtemp(prefix="strategy-tracker-serve-"))
    run_dir.chmod(0o755)
    port, log_path = free_port(), tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, str(DEPLOY / "serve.py"), f"--listen=127.0.0.1:{port}", f"--workers={WORKERS}"]
            + [f"--run-dir={run_dir}"],
            cwd=settings.BASE_DIR,
            # The served app commits to the test database: its pages must not wait in the shared cache for the
            # tests after this one, whose own changes are rolled back without moving the figures' version.
            env=app_environment(database_url(connection.settings_dict)) | {"DJANGO_PAGE_CACHE": "0"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/health/", process, log_path)
            yield url
        finally:
            stop(process)
            shutil.rmtree(run_dir, ignore_errors=True)


def slow_client(port: int, started: threading.Barrier, done: threading.Event) -> None:
    """Slowloris: a request whose headers come one byte every two seconds, never finished."""
    with socket.create_connection(("127.0.0.1", port)) as connection_:
        connection_.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started.wait()
        while not done.wait(2):
            try:
                connection_.send(b"a")
            except OSError:  # nginx gave up on it (client_header_timeout), which is the point
                return


def test_slow_clients_do_not_take_the_site_down(served):
    port = int(served.rsplit(":", 1)[1])
    started, done = threading.Barrier(SLOW_CLIENTS + 1), threading.Event()
    clients = [threading.Thread(target=slow_client, args=(port, started, done)) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    try:
        started.wait(timeout=10)
        time.sleep(3)  # every slow client is now part-way through its headers
        answered = []
        for _ in range(3):
            began = time.monotonic()
            # gunicorn alone has three workers, each waiting on a slow client: this would time out.
            response = requests.get(f"{served}/", timeout=10)
            answered.append((response.status_code, time.monotonic() - began))
    finally:
        done.set()
        for client in clients:
            client.join(timeout=10)

    print(
        f"\n/ with {SLOW_CLIENTS} slowloris clients: " + ", ".join(f"{status} in {s:.2f} s" for status, s in answered)
    )
    assert [status for status, _ in answered] == [200, 200, 200]


def test_the_proxy_sets_the_client_address_and_scheme_whatever_the_client_sends(served):
    response = requests.get(f"{served}/health/", headers={"X-Forwarded-Proto": "https", "X-Real-IP": "10.9.8.7"})

    assert response.status_code == 200
    assert "Server" not in response.headers or "nginx/" not in response.headers["Server"]


def test_the_proxy_compresses_pages_and_scripts(served):
    page = requests.get(f"{served}/api/", headers={"Accept-Encoding": "gzip"})
    script = requests.get(f"{served}/static/dashboard/charts.js", headers={"Accept-Encoding": "br, gzip"})

    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    assert script.status_code == 200 and "Content-Encoding" in script.headers


def test_a_reload_of_gunicorn_keeps_the_embedded_database_running(tmp_path):
    """A HUP replaces every worker; the last old one to exit used to stop the embedded PostgreSQL."""
    data, log_path = tmp_path / "pgdata", tmp_path / "gunicorn.log"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.set_inheritable(True)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/health/"
    environment = app_environment("") | {"PGSERVER_DATA": str(data), "GUNICORN_WORKERS": "2"}
    del environment["DATABASE_URL"]
    with log_path.open("w") as log:
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", str(DEPLOY / "gunicorn.conf.py")]
            + [f"--bind=fd://{listener.fileno()}", "strategy_tracker.wsgi"],
            cwd=settings.BASE_DIR,
            env=environment,
            pass_fds=[listener.fileno()],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    listener.close()
    try:
        wait_for(url, gunicorn, log_path, timeout=180)  # a new embedded PostgreSQL runs initdb first
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        workers = {child.pid for child in psutil.Process(gunicorn.pid).children()}

        gunicorn.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while {child.pid for child in psutil.Process(gunicorn.pid).children()} & workers:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        wait_for(url, gunicorn, log_path)

        assert psutil.pid_exists(postmaster)
        assert int((data / "postmaster.pid").read_text().split()[0]) == postmaster
    finally:
        stop(gunicorn)
    # The master was the last to hold it: it stops with gunicorn, as it did before.
    deadline = time.monotonic() + 30
    while psutil.pid_exists(postmaster) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not psutil.pid_exists(postmaster)
    assert os.path.isdir(data)


def test_the_proxy_lets_one_address_try_a_few_logins_a_minute(served):
    answers = [requests.get(f"{served}/accounts/login/", timeout=10).status_code for _ in range(30)]

    assert answers[:20] == [200] * 20
    assert 429 in answers
    assert requests.get(f"{served}/", timeout=10).status_code == 200


@pytest.fixture
def unanswered(tmp_path):
    """nginx with the production site in front of one instance that refuses every connection: the URL of nginx."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (make test installs Debian's)")
    sys.path.insert(0, str(DEPLOY))
    from serve import site_config, start_nginx, write_nginx_config, write_unanswered_pages

    run_dir = Path(tempfile.mkdtemp(prefix="strategy-tracker-unanswered-"))
    run_dir.chmod(0o755)
    port = free_port()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.server_settings"}
    write_unanswered_pages(run_dir / "pages", env=environment, stdout=subprocess.DEVNULL)
    site = site_config([f"127.0.0.1:{port}"], [f"127.0.0.1:{free_port()}"], WORKERS, run_dir / "pages")
    with (tmp_path / "nginx.log").open("w") as log:
        nginx = start_nginx(run_dir, write_nginx_config(run_dir, site), stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    requests.get(f"{url}/health/", timeout=5)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            yield url
        finally:
            stop(nginx)
            shutil.rmtree(run_dir, ignore_errors=True)


def test_a_request_no_instance_answers_gets_the_apps_page_saying_a_save_may_be_lost(unanswered):
    page = requests.get(f"{unanswered}/strategies/strategi-2021/")
    save = requests.post(f"{unanswered}/strategies/strategi-2021/edit/", data={"x": "1"})
    english = requests.get(f"{unanswered}/en/compare/")
    api = requests.get(f"{unanswered}/api/strategies/")

    assert page.status_code == save.status_code == english.status_code == api.status_code == 502
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Siden svarede ikke" in page.text and 'lang="da"' in page.text
    assert "måske gemt, måske ikke" in save.text
    assert "<title>The site did not answer" in english.text and 'lang="en"' in english.text
    assert api.headers["Content-Type"] == "application/json; charset=utf-8"
    assert api.json() == {"detail": "Ingen af sidens servere svarede i tide. Prøv igen om et øjeblik."}
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Retry-After"] == "30"
    assert "nginx" not in page.text
