"""The app served over TCP by gunicorn in a process of its own, and a visitor's browser session against it.

Tests that need concurrency across processes, or a database that goes away under the app, use these instead of
Django's test client: the requests go through the same server, middleware and connections as in production.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import requests
from django.conf import settings

GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "a-long-test-password"


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to, for a process started beside the tests."""
    host = quote(settings_dict["HOST"] or "localhost", safe="")
    return f"postgres://{settings_dict['USER']}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def app_environment(url: str) -> dict:
    """The environment `make serve` would have, pointed at the given database, over plain HTTP on this machine."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DJANGO_SECRET_KEY": "test-only-secret",
        "DJANGO_DEBUG": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


class AppServer:
    """gunicorn serving the app on a free port of 127.0.0.1 until the with-block ends.

    The test binds the socket and hands it over, so there is no race for a port number.
    """

    def __init__(self, url: str, log_path: Path, *, workers: int = 2, threads: int = 4):
        self.database_url, self.log_path, self.workers, self.threads = url, log_path, workers, threads
        self.process = None

    def __enter__(self):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.listener.set_inheritable(True)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.log = self.log_path.open("w")
        try:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "strategy_tracker.wsgi",
                    f"--bind=fd://{self.listener.fileno()}",
                    f"--workers={self.workers}",
                    f"--threads={self.threads}",
                    "--worker-class=gthread",
                    "--preload",
                    "--graceful-timeout=5",
                    "--timeout=120",
                    "--log-level=warning",
                ],
                cwd=settings.BASE_DIR,
                env=app_environment(self.database_url),
                pass_fds=[self.listener.fileno()],
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            self.wait_until_serving()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/health/", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /health/ within {timeout} s:\n{self.log_tail()}")

    def worker_pids(self) -> set[int]:
        import psutil

        return {child.pid for child in psutil.Process(self.process.pid).children()}

    def log_tail(self, characters: int = 6000) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-characters:]

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.listener.close()
        self.log.close()


def amount(text: str) -> Decimal:
    """An amount as the pages print it in Danish: 1.234,5."""
    return Decimal(text.replace(".", "").replace(",", "."))


class _PageReader(HTMLParser):
    """The parts of a page a test acts on: form fields, row titles of the grid, messages, conflicts, errors."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inputs, self.titles, self.messages, self.conflicts, self.alerts = {}, {}, [], [], []
        self.open, self.captures, self.in_conflicts = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs.setdefault(attrs["name"], attrs.get("value") or "")
        if tag in self.VOID:
            return
        self.open.append(tag)
        classes = (attrs.get("class") or "").split()
        depth = len(self.open)
        if tag == "div" and "conflicts" in classes:
            self.in_conflicts = depth
        if tag == "span" and (attrs.get("id") or "").startswith("label-"):
            self.captures.append((depth, self.titles, int(attrs["id"].removeprefix("label-")), []))
        elif tag == "li" and "message" in classes:
            self.captures.append((depth, self.messages, None, []))
        elif tag == "li" and self.in_conflicts:
            self.captures.append((depth, self.conflicts, None, []))
        elif attrs.get("role") == "alert":
            self.captures.append((depth, self.alerts, None, []))

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.open:
            return
        depth = len(self.open)
        while self.captures and self.captures[-1][0] >= depth:
            _, target, key, parts = self.captures.pop()
            text = " ".join("".join(parts).split())
            if key is None:
                target.append(text)
            else:
                target[key] = text.removesuffix(",")  # a row's label ends in the comma before the year
        if self.in_conflicts == depth:
            self.in_conflicts = None
        self.open.pop()

    def handle_data(self, data):
        for capture in self.captures:
            capture[3].append(data)


@dataclass
class Page:
    status: int
    text: str
    headers: dict = field(repr=False)

    @cached_property
    def _read(self) -> _PageReader:
        reader = _PageReader()
        reader.feed(self.text)
        reader.close()
        return reader

    @property
    def inputs(self) -> dict[str, str]:
        return self._read.inputs

    @property
    def titles(self) -> dict[int, str]:
        """Grid rows' labels (number and title, as conflicts name them) by budget line id."""
        return self._read.titles

    @property
    def messages(self) -> list[str]:
        return self._read.messages

    @property
    def conflicts(self) -> list[str]:
        """The grid's list of cells someone else saved meanwhile: 'title, year: nu theirs, din yours'."""
        return self._read.conflicts

    @property
    def alerts(self) -> list[str]:
        return self._read.alerts

    def cells(self) -> dict[tuple[int, int], tuple[str, str]]:
        """Every grid cell: (line id, year) → (value as shown, version) as the editor's browser holds them."""
        cells = {}
        for name, shown in self.inputs.items():
            if name.startswith("o-"):
                line_id, year = name[2:].split("-")
                # What the grid showed in the cell; a remark and the correction mark follow it after tabs.
                cells[(int(line_id), int(year))] = (shown.partition("\t")[0], self.inputs[f"v-{name[2:]}"])
        return cells


class Visitor:
    """One person's browser: its own cookies, its own connections, the forms it last saw."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> Page:
        response = self.session.get(self.base_url + path, allow_redirects=False, timeout=60, **kwargs)
        return Page(response.status_code, response.text, dict(response.headers))

    def post(self, path: str, data: dict) -> Page:
        response = self.session.post(self.base_url + path, data=data, allow_redirects=False, timeout=60)
        return Page(response.status_code, response.text, dict(response.headers))

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        form = self.get("/accounts/login/")
        answer = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": form.inputs["csrfmiddlewaretoken"], "username": username, "password": password},
        )
        if answer.status != 302:
            raise AssertionError(f"{username} could not log in: {answer.status} {answer.alerts}")

    def close(self) -> None:
        self.session.close()


def grid_form(page: Page, typed: dict[tuple[int, int], str], reason: str) -> dict:
    """The grid as a browser posts it after the given cells were typed: every other cell as the page showed it."""
    data = {"csrfmiddlewaretoken": page.inputs["csrfmiddlewaretoken"], "reason": reason}
    data |= {name: value for name, value in page.inputs.items() if name[:2] in ("c-", "o-", "v-", "r-", "k-")}
    data |= {f"c-{line_id}-{year}": text for (line_id, year), text in typed.items()}
    return data
