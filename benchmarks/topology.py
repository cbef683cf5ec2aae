"""More than one machine: the app as a ministry runs it, checked and measured through nginx (`make bench-topology`).

    python -m benchmarks.topology [--saves 200] [--steps visibility,load,stop,restart,throughput] [--out FILE]

Debian's PostgreSQL server (apt's `postgresql`, not pgserver) in a temporary directory on a free local port, with
TLS and passwords as a managed server has them, reached only through DATABASE_URL (`sslmode=verify-full`); two
gunicorn instances as deploy/gunicorn.conf.py runs them, each on a loopback port and with a downloads directory of
its own, as on two machines; nginx with deploy/site.conf round-robin in front. Then, each a row PASS or FAIL:

- visibility: a save and a publication through one instance are seen on the other at once, straight from its port,
  by every worker (each kept the old page in memory) and in its built downloads;
- load: 8 editors × N saves through nginx lose nothing (tests/test_concurrent_editors.py's editors and checks),
  and one instance is stopped half-way (as `systemctl stop` does): nginx sends the rest to the other, and no
  accepted save is lost. One run for both, as the audit trail's check counts every save of the run's kind;
- backup: `manage.py backup`, as strategy-tracker-backup.service runs it, over the same verified TLS;
- restart: PostgreSQL killed and started again while editors save: they are told (503), nothing is half written,
  the instances serve again with the same workers;
- throughput: requests/s through nginx with both instances against one, interleaved rounds of wrk.

The test suite runs the short form (tests/test_topology.py). This process is Django too: it migrates and seeds the
database and checks the audit trail with the ORM, pointed at the same server through the same DATABASE_URL.
"""

import argparse
import glob
import io
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "deploy"))
from serve import site_config, start_nginx, write_nginx_config, write_unanswered_pages  # noqa: E402

STEPS = ["visibility", "load", "backup", "restart", "throughput"]
EDITORS = 8
WORKERS = 3
SLUG = "2021"
GRID = f"/strategies/{SLUG}/edit/"
PUBLIC = f"/strategies/{SLUG}/"
PASSWORD = "a-long-test-password"
THROUGHPUT_ROUNDS = 5
THROUGHPUT_RATIO = 0.9


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user Debian's package made."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def make_certificates(directory: Path) -> None:
    """A certificate authority of this run and a certificate for `localhost` signed by it, as a managed PostgreSQL
    has one from its provider's authority: ca.crt, server.crt, server.key."""

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=topology test authority",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    (directory / "names.ext").write_text("subjectAltName=DNS:localhost\n")
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"
    )
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "names.ext",
        "-out",
        "server.crt",
    )


class DebianPostgres:
    """Debian's PostgreSQL server in ``directory``: TLS only, a password, a free port on localhost."""

    def __init__(self, directory: Path):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
        if not binaries:
            raise RuntimeError("Debian's PostgreSQL server is not installed (make bench-topology installs it)")
        self.bin = Path(binaries[-1]).parent
        self.directory, self.data = directory, directory / "data"
        self.port, self.password = free_port(), secrets.token_hex(16)

    def url(self, database: str = "strategy_tracker") -> str:
        return (
            f"postgres://postgres:{self.password}@localhost:{self.port}/{database}"
            f"?sslmode=verify-full&sslrootcert={self.directory / 'ca.crt'}"
        )

    def _run(self, *command: str) -> None:
        subprocess.run(as_server_user([str(self.bin / command[0]), *command[1:]]), check=True, capture_output=True)

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        make_certificates(self.directory)
        password_file = self.directory / "password"
        password_file.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            for name in ("password", "server.crt", "server.key"):
                shutil.chown(self.directory / name, "postgres", "postgres")
        (self.directory / "server.key").chmod(0o600)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=scram-sha-256", f"--pwfile={password_file}")
        password_file.unlink()
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = 'localhost'\nunix_socket_directories = '{self.directory}'\n"
                f"ssl = on\nssl_cert_file = '{self.directory / 'server.crt'}'\n"
                f"ssl_key_file = '{self.directory / 'server.key'}'\n"
                # A throwaway server: without fsync a crash of PostgreSQL (the restart step) still loses nothing, as
                # each commit is written to the operating system before it is acknowledged; only a crash of the
                # machine would. The migrations' hundreds of commits take a third less time. (synchronous_commit =
                # off would acknowledge commits still in PostgreSQL's memory: the restart step lost a save with it.)
                "fsync = off\nfull_page_writes = off\n"
            )
        # Over TCP with TLS only, as a managed server takes connections: a client without TLS is refused.
        (self.data / "pg_hba.conf").write_text(
            "hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n"
        )
        self.start()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (
            subprocess.run(
                as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]), capture_output=True
            ).returncode
            == 0
        )


def app_environment(url: str, downloads: Path) -> dict:
    """An instance's environment, as deploy/environment.example documents it, but plain HTTP on loopback."""
    from tests.live_app import app_environment as live_environment

    return live_environment(url) | {
        "DJANGO_BEHIND_PROXY": "1",
        "DJANGO_PAGE_CACHE": "1",
        "DOWNLOADS_DIR": str(downloads),
        "GUNICORN_WORKERS": str(WORKERS),
        "RELEASE": "topology",
    }


def wait_until_serving(url: str, process: subprocess.Popen | None = None, log: Path | None = None, timeout=90) -> None:
    """Until ``url`` answers 200; the tail of the server's ``log`` in the error if it exits or never does."""

    def tail() -> str:
        return log.read_text(errors="replace")[-4000:] if log is not None else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}:\n{tail()}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        # Not up yet, or a worker still starting on a busy machine: ask again until the deadline.
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{tail()}")


class Instance:
    """One app server: gunicorn with deploy/gunicorn.conf.py on a loopback port, as strategy-tracker@PORT.service."""

    def __init__(self, name: str, database_url: str, directory: Path):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = app_environment(database_url, directory / f"downloads-{name}")
        self.environment["GUNICORN_BIND"] = f"127.0.0.1:{self.port}"
        self.log_path = directory / f"gunicorn-{name}.log"
        self.process = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "--config",
                    str(BASE_DIR / "deploy" / "gunicorn.conf.py"),
                    "strategy_tracker.wsgi",
                ],
                cwd=BASE_DIR,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_serving(f"{self.url}/health/", self.process, self.log_path)

    def stop(self) -> None:
        """As `systemctl stop` does: SIGTERM, and gunicorn's workers finish the requests they hold."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def worker_pids(self) -> set[int]:
        import psutil

        return {child.pid for child in psutil.Process(self.process.pid).children()}

    def refuses(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
        except OSError:
            return True
        return False


class Proxy:
    """nginx with deploy/site.conf in front of the given instances, on a port of its own."""

    def __init__(self, name: str, instances: list[Instance], directory: Path):
        self.port, self.run_dir = free_port(), directory / f"nginx-{name}"
        self.url = f"http://127.0.0.1:{self.port}"
        self.run_dir.mkdir(parents=True)
        # nginx's workers run as an unprivileged user when this runs as root: they must reach the run directory.
        self.run_dir.chmod(0o755)
        write_unanswered_pages(self.run_dir / "unanswered", stdout=subprocess.DEVNULL)
        site = site_config(
            [f"127.0.0.1:{self.port}"],
            [f"127.0.0.1:{instance.port}" for instance in instances],
            WORKERS,
            self.run_dir / "unanswered",
            access_log="off",
        )
        self.config = write_nginx_config(self.run_dir, site)
        self.process = None

    def start(self) -> None:
        self.log = (self.run_dir / "error.log").open("w")
        self.process = start_nginx(self.run_dir, self.config, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_serving(f"{self.url}/health/", self.process, self.run_dir / "error.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            self.process.wait(30)
            self.log.close()


@dataclass
class Row:
    what: str
    measured: str
    target: str
    passed: bool

    def markdown(self) -> str:
        return f"| {self.what} | {self.measured} | {self.target} | {'PASS' if self.passed else 'FAIL'} |"


@contextmanager
def topology(directory: Path, log):
    """The server, the database migrated and seeded, the editors, two instances and nginx over both."""
    postgres = DebianPostgres(directory / "postgres")
    log(f"PostgreSQL from {postgres.bin}, port {postgres.port}")
    postgres.create()
    with ExitStack() as stack:
        stack.callback(lambda: postgres.running() and postgres.stop("immediate"))
        subprocess.run(
            [str(postgres.bin / "psql"), postgres.url("postgres"), "-qc", "CREATE DATABASE strategy_tracker"],
            check=True,
        )
        set_up_django(postgres.url())
        log("migrating and seeding")
        prepare_database()
        log("migrated and seeded")
        instances = [Instance(name, postgres.url(), directory) for name in ("a", "b")]
        for instance in instances:
            stack.callback(instance.stop)
            instance.start()
        proxy = Proxy("both", instances, directory)
        stack.callback(proxy.stop)
        proxy.start()
        yield postgres, instances, proxy


def set_up_django(database_url: str) -> None:
    """Django in this process, on the same server and database as the instances."""
    import django

    os.environ.update(app_environment(database_url, Path(tempfile.gettempdir())))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.server_settings"
    django.setup()


def prepare_database() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from budgets.services import seed_strategies
    from editing.services import grant_approver, grant_editor
    from initiatives.models import Strategy

    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    seed_strategies()
    users = get_user_model().objects
    for number in range(EDITORS):
        grant_editor(users.create_user(f"redaktoer-{number}", password=PASSWORD), [Strategy.objects.get(slug=SLUG)])
    grant_approver(users.create_user("godkender", password=PASSWORD))


# Visibility: a save and a publication through one instance, read straight from the other.


def cached_everywhere(instance: Instance, path: str) -> None:
    """Enough requests that each of the instance's workers serves the page and keeps it in memory."""
    for _ in range(4 * WORKERS):
        requests.get(instance.url + path, timeout=60).raise_for_status()


def shown_value(instance: Instance, path: str, value: str) -> bool:
    return value in requests.get(instance.url + path, timeout=60).text


def save_and_publish(through: Instance, cell: tuple[int, int], value: Decimal) -> None:
    from tests.live_app import Visitor, grid_form

    editor, approver = Visitor(through.url), Visitor(through.url)
    try:
        editor.log_in("redaktoer-0")
        page = editor.get(GRID)
        typed = {cell: f"{value}".replace(".", ",")}
        answer = editor.post(GRID, grid_form(page, typed, f"topology: seen on every instance ({value})"))
        if answer.status != 302:
            raise AssertionError(f"the save through {through.name} answered {answer.status}: {answer.alerts}")
        approver.log_in("godkender")
        review = approver.get(f"/strategies/{SLUG}/publish/")
        answer = approver.post(
            f"/strategies/{SLUG}/publish/",
            {
                "csrfmiddlewaretoken": review.inputs["csrfmiddlewaretoken"],
                "reviewed": review.inputs["reviewed"],
                "note": f"Topologi {value}",
            },
        )
        if answer.status != 302:
            raise AssertionError(f"publishing through {through.name} answered {answer.status}: {answer.alerts}")
    finally:
        editor.close()
        approver.close()


def visibility(instances: list[Instance], log) -> list[Row]:
    from budgets.models import Allocation

    cell = (
        Allocation.objects.filter(line__strategy__slug=SLUG, kind="amount", year=2022)
        .order_by("-line__position")
        .values_list("line_id", "year")
        .first()
    )
    download = f"/api/allocations.csv?strategy={SLUG}"
    seen = total = 0
    failures = []
    for value, (through, other) in zip(
        (Decimal("4321.7"), Decimal("4322.8")), (instances, instances[::-1]), strict=True
    ):
        shown = f"{value:,}".replace(",", "X").replace(".", ",").replace("X", ".")  # Danish: 4.321,7
        for instance in instances:
            cached_everywhere(instance, PUBLIC)
            requests.get(instance.url + download, timeout=120).raise_for_status()  # built and kept by the instance
        if any(shown_value(instance, PUBLIC, shown) for instance in instances):
            raise AssertionError(f"{shown} is public before it was published")
        save_and_publish(through, cell, value)
        log(f"saved and published {shown} through instance {through.name}")
        for instance in (other, through):
            for _ in range(4 * WORKERS):
                total += 1
                if shown_value(instance, PUBLIC, shown):
                    seen += 1
                else:
                    failures.append(f"instance {instance.name} served the page without {shown}")
            total += 1
            if shown_value(instance, download, str(value)):
                seen += 1
            else:
                failures.append(f"instance {instance.name} served its built CSV without {value}")
    for failure in failures[:10]:
        log(failure)
    return [
        Row(
            "a save and a publication through one instance, read straight from each (both ways; pages kept in "
            "every worker's memory, downloads built by each instance)",
            f"{seen} of {total} answers new",
            "all new at once",
            seen == total,
        )
    ]


# Load: eight editors through nginx, one instance stopped part-way or not.


def load(proxy: Proxy, instances: list[Instance], saves: int, log) -> list[Row]:
    """tests/test_concurrent_editors.py's editors, reader and checks, through nginx; the second instance is
    stopped once half the saves are sent."""
    from tests import test_concurrent_editors as editors

    editors.SAVES = saves  # read by its editors and reader at each run
    shared, own = editors.cells_under_load()
    run, start, done = editors.Run(), threading.Barrier(EDITORS + 1), threading.Event()
    threads = [
        threading.Thread(target=editors.edit, args=(n, f"redaktoer-{n}", shared, own[n], proxy.url, start, run))
        for n in range(EDITORS)
    ]
    reader = threading.Thread(target=editors.read, args=(proxy.url, done, run))
    for thread in threads:
        thread.start()
    start.wait(timeout=180)
    began = time.monotonic()
    reader.start()
    while len(run.saves) < EDITORS * saves // 2 and any(thread.is_alive() for thread in threads):
        time.sleep(0.05)
    stopped = len(run.saves)
    log(f"stopping instance {instances[1].name} after {stopped} saves")
    instances[1].stop()
    for thread in threads:
        thread.join(timeout=3600)
    done.set()
    reader.join(timeout=120)
    elapsed = time.monotonic() - began
    for failure in run.failures[:10]:
        log(failure)
    report = {"lost": "-", "lost_saves": "-", "phantom": "-", "unreported": "-"}
    checked = not run.failures and len(run.saves) == EDITORS * saves
    if checked:
        report = editors.check_audit_trail(run)
        editors.check_final_cells(run)
        editors.check_totals(proxy.url)
    accepted = sum(1 for save in run.saves if editors.save_accepted(save))
    measured = (
        f"{len(run.saves)} saves in {elapsed:.0f} s, {accepted} accepted, {len(run.failures)} unanswered or failed; "
        f"lost {report['lost_saves']} saves ({report['lost']} cells), written though refused {report['phantom']}, "
        f"refusals not reported {report['unreported']}"
    )
    passed = checked and all(report[key] == 0 for key in ("lost", "lost_saves", "phantom", "unreported"))
    refuses = instances[1].refuses()
    return [
        Row(f"{EDITORS} editors × {saves} saves through nginx, 2 instances", measured, "nothing lost", passed),
        Row(
            f"instance {instances[1].name} stopped (SIGTERM) after {stopped} of those saves: the "
            f"{len(run.saves) - stopped} after it all through instance {instances[0].name}",
            f"{len(run.failures)} unanswered or failed, lost {report['lost_saves']}"
            + ("" if refuses else f"; instance {instances[1].name} still answered"),
            "every save answered, nothing lost",
            passed and refuses,
        ),
    ]


def backup(directory: Path) -> list[Row]:
    """The backup as deploy/systemd/strategy-tracker-backup.service makes it: pg_dump takes DATABASE_URL's TLS too."""
    from django.core.management import CommandError, call_command

    path = directory / "strategy-tracker.dump"
    try:
        call_command("backup", str(path), stdout=io.StringIO())
        measured, passed = f"{path.stat().st_size:,} bytes".replace(",", "."), True
    except CommandError as error:
        measured, passed = str(error)[:300], False
    return [Row("backup over TLS (sslmode=verify-full), as the backup timer runs it", measured, "written", passed)]


# PostgreSQL restarted while editors save.


@dataclass
class Attempt:
    editor: str
    reason: str
    values: dict
    status: int = 0
    told: bool = False


def save_until(number: int, base_url: str, cells: list, stop: threading.Event, attempts: list, lock, failures):
    from tests.live_app import Visitor, grid_form
    from tests.test_database_outage import DANISH

    username = f"redaktoer-{number}"
    visitor = Visitor(base_url)
    try:
        visitor.log_in(username)
        page, n = visitor.get(GRID), 0
        while not stop.is_set():
            n += 1
            values = {cell: Decimal(f"{number + 1}{n:03d}.{k}") for k, cell in enumerate(cells, start=1)}
            attempt = Attempt(username, f"restart {username} #{n}", values)
            if page.status == 200:
                typed = {cell: f"{value}".replace(".", ",") for cell, value in values.items()}
                answer = visitor.post(GRID, grid_form(page, typed, attempt.reason))
                attempt.status = answer.status
                attempt.told = answer.status == 503 and bool(answer.alerts) and DANISH in answer.alerts[0]
                with lock:
                    attempts.append(attempt)
            page = visitor.get(GRID)
            if page.status not in (200, 503):
                failures.append(f"{username}: the grid answered {page.status}")
                return
            if page.status == 503:
                time.sleep(0.2)
    except Exception as error:
        failures.append(f"{username}: {type(error).__name__}: {error}")
    finally:
        visitor.close()


def restart(postgres: DebianPostgres, proxy: Proxy, instances: list[Instance], log) -> list[Row]:
    """PostgreSQL killed (as a crash or a managed server's failover) and started 2 s later while 4 editors save."""
    from django.apps import apps
    from django.db import connection

    from budgets.models import Allocation
    from tests import test_concurrent_editors as editors

    _shared, own = editors.cells_under_load()
    workers = {instance.name: instance.worker_pids() for instance in instances}
    stop, lock, attempts, failures = threading.Event(), threading.Lock(), [], []
    threads = [
        threading.Thread(target=save_until, args=(n, proxy.url, own[n], stop, attempts, lock, failures))
        for n in range(4)
    ]
    for thread in threads:
        thread.start()

    def accepted() -> int:
        with lock:
            return sum(1 for attempt in attempts if attempt.status == 302)

    def wait_for_accepted(count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while accepted() < count and time.monotonic() < deadline and not failures:
            time.sleep(0.05)

    wait_for_accepted(20)
    log("PostgreSQL: immediate stop")
    connection.close()
    postgres.stop("immediate")
    time.sleep(2)
    postgres.start()
    log("PostgreSQL: started again")
    before = accepted()
    wait_for_accepted(before + 20)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)

    events = {}
    for event in (
        apps.get_model("budgets", "AllocationEvent")
        .objects.filter(pgh_context__metadata__reason__startswith="restart ")
        .select_related("pgh_context")
    ):
        events.setdefault(event.pgh_context.metadata["reason"], {})[(event.line_id, event.year)] = event.amount
    half = lost = untold = other = 0
    last = {}
    for attempt in attempts:
        written = events.get(attempt.reason, {})
        if attempt.status == 302:
            lost += written != attempt.values
            last.update(attempt.values)
        elif attempt.status == 503:
            untold += not attempt.told
            half += bool(written)  # "nothing was saved" must hold: none of its cells
        else:
            other += 1
    stored = {
        (cell.line_id, cell.year): cell.amount
        for cell in Allocation.objects.filter(line__strategy__slug=SLUG)
        if (cell.line_id, cell.year) in last
    }
    wrong = sum(1 for cell, value in last.items() if stored.get(cell) != value)
    same_workers = all(instance.worker_pids() == workers[instance.name] for instance in instances)
    told = sum(1 for attempt in attempts if attempt.status == 503)
    for failure in failures[:10]:
        log(failure)
    measured = (
        f"{len(attempts)} saves, {told} answered 503 ({untold} without the message), {half} of those written, "
        f"{other} other answers; {lost} accepted lost, {wrong} cells not as last saved; "
        f"{'the same' if same_workers else 'new'} workers"
    )
    passed = not failures and told > 0 and not (untold or half or other or lost or wrong) and same_workers
    return [
        Row(
            "PostgreSQL killed and started again after 2 s while 4 editors save through nginx",
            measured,
            "told, nothing half written, served again without a restart",
            passed,
        )
    ]


# Throughput: nginx over both instances against nginx over one.


def throughput(instances: list[Instance], directory: Path, log) -> list[Row]:
    from benchmarks.suite import _wrk

    one = Proxy("one", instances[:1], directory)
    both = Proxy("both-wrk", instances, directory)
    rows = []
    with ExitStack() as stack:
        for proxy in (one, both):
            stack.callback(proxy.stop)
            proxy.start()
        for path, name in (("/", "cached overview"), (PUBLIC, "cached strategy page")):
            rates = {"one": [], "both": []}
            for _ in range(THROUGHPUT_ROUNDS):
                for key, proxy in (("one", one), ("both", both)):
                    rates[key].append(_wrk(proxy.url + path))
            log(f"{name}: {rates}")
            # Each round's two runs are a few seconds apart: their ratio is steadier than the medians' on a machine
            # whose other users come and go.
            ratio = statistics.median(both / one for one, both in zip(rates["one"], rates["both"], strict=True))
            rows.append(
                Row(
                    f"{name}, requests/s through nginx: 2 instances / 1 ({WORKERS} workers each; wrk, 8 connections, "
                    f"{THROUGHPUT_ROUNDS} interleaved rounds)",
                    f"{statistics.median(rates['both']):.0f} / {statistics.median(rates['one']):.0f} (medians); "
                    f"median of the rounds' ratios {ratio:.2f}",
                    f"≥ {THROUGHPUT_RATIO} (2 cores: no regression)",
                    ratio >= THROUGHPUT_RATIO,
                )
            )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=200, help="saves per editor in the load steps")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"some of {','.join(STEPS)}")
    parser.add_argument("--out", type=Path, help="write the rows there as Markdown too")
    parser.add_argument("--keep", action="store_true", help="keep the logs and the server's directory")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    began = time.monotonic()

    def log(text: str) -> None:
        print(f"[{time.monotonic() - began:6.1f} s] {text}", file=sys.stderr, flush=True)

    rows = []
    directory = Path(tempfile.mkdtemp(prefix="strategy-tracker-topology-"))
    # The server runs as `postgres` and nginx's workers as `www-data` when this runs as root: both must reach it.
    directory.chmod(0o755)
    try:
        with topology(directory, log) as (postgres, instances, proxy):
            log(f"instances on {', '.join(instance.url for instance in instances)}, nginx on {proxy.url}")
            if "visibility" in steps:
                rows += visibility(instances, log)
            if "load" in steps:
                rows += load(proxy, instances, args.saves, log)
                instances[1].start()
            if "backup" in steps:
                rows += backup(directory)
            if "restart" in steps:
                rows += restart(postgres, proxy, instances, log)
            if "throughput" in steps:
                rows += throughput(instances, directory, log)
    finally:
        if args.keep:
            log(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    table = "\n".join(["| what | measured | target | |", "|---|---|---|---|", *(row.markdown() for row in rows)])
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            f"# More than one machine ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})\n\n{table}\n"
        )
    return 0 if rows and all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
