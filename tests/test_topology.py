"""deploy/ as a ministry runs it on more than one machine: Debian's PostgreSQL over TLS, two gunicorn instances,
nginx round-robin in front (benchmarks/topology.py; `make bench-topology` runs the long form), and the production
files themselves checked by nginx and systemd."""

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks.topology import make_certificates

DEPLOY = settings.BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in output.splitlines()
        if line.startswith("| ") and not line.startswith("| what ")
    ]


def test_it_shows_a_save_on_both_instances_at_once_and_loses_none_when_one_stops_mid_load(tmp_path):
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") or not Path(NGINX).exists():
        pytest.skip("Debian's postgresql and nginx are not installed (make test installs them)")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.topology", "--saves", "20", "--steps", "visibility,load,backup"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)

    found = rows(result.stdout)
    # The stop comes when half of the 160 saves are in; which save is the 80th to be answered is up to the scheduler.
    stop = re.compile(
        r"instance b stopped \(SIGTERM\) after (\d+) of those saves: the (\d+)"
        r" after it all through instance a"
    )
    stopped = stop.fullmatch(found[2][0].split(",")[0]) if len(found) == 4 else None
    assert stopped and sum(map(int, stopped.groups())) == 160, result.stdout + result.stderr[-6000:]
    assert [row[0].split(",")[0] for row in (found[0], found[1], found[3])] == [
        "a save and a publication through one instance",
        "8 editors × 20 saves through nginx",
        "backup over TLS (sslmode=verify-full)",
    ], result.stdout + result.stderr[-6000:]
    assert [row[3] for row in found] == ["PASS"] * 4, result.stdout + result.stderr[-6000:]
    assert result.returncode == 0


def production_site(tmp_path: Path, *arguments: str) -> Path:
    """Debian's own /etc/nginx, as installed, with the site that `deploy/serve.py --print-site` writes enabled."""
    etc = tmp_path / "nginx"
    shutil.copytree("/etc/nginx", etc, symlinks=False)
    for enabled in (etc / "sites-enabled").iterdir():
        enabled.unlink()
    site = subprocess.run(
        [sys.executable, str(DEPLOY / "serve.py"), "--print-site", f"--unanswered={tmp_path}/unanswered", *arguments],
        capture_output=True,
        text=True,
        check=True,
        # The pages for an unanswered request name static files, which the tests do not collect.
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.server_settings"},
    ).stdout
    (etc / "sites-enabled" / "strategy-tracker").write_text(site)
    conf = etc / "nginx.conf"
    conf.write_text(conf.read_text().replace("/etc/nginx/", f"{etc}/"))
    return conf


@pytest.mark.parametrize("tls", [False, True], ids=["behind a TLS proxy", "answering HTTPS"])
def test_the_production_site_passes_nginx_check_in_debians_nginx(tmp_path, tls):
    if not (Path("/etc/nginx/nginx.conf").exists() and Path(NGINX).exists()):
        pytest.skip("Debian's nginx is not installed (make test installs it)")
    arguments = ["--listen", "80", "--app", "127.0.0.1:8001", "--app", "127.0.0.1:8002"]
    if tls:
        make_certificates(tmp_path)
        arguments += [
            "--listen",
            "443 ssl",
            "--certificate",
            f"{tmp_path}/server.crt",
            "--key",
            f"{tmp_path}/server.key",
        ]
    conf = production_site(tmp_path, *arguments)

    checked = subprocess.run([NGINX, "-t", "-c", str(conf), "-e", "stderr"], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr
    site = (conf.parent / "sites-enabled" / "strategy-tracker").read_text()
    assert "server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;" in site
    assert "server 127.0.0.1:8002 max_fails=3 fail_timeout=10s;" in site
    # A POST that reached an instance is never sent to the other one as well.
    assert "proxy_next_upstream error timeout;" in site and "non_idempotent" not in site.replace("`non_idempotent`", "")


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """The units as shipped, with the checkout and the environment file where this machine has them."""
    if SYSTEMD_ANALYZE is None:
        pytest.skip("systemd-analyze is not installed")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/srv/strategy-tracker", str(settings.BASE_DIR))
        text = text.replace("/etc/strategy-tracker/environment", str(DEPLOY / "environment.example"))
        # An instance of the template, as `systemctl start strategy-tracker@8001` makes it.
        units.append(tmp_path / unit.name.replace("@.", "@8001."))
        units[-1].write_text(text)

    checked = subprocess.run([SYSTEMD_ANALYZE, "verify", *map(str, units)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == "", checked.stderr
    assert {unit.name for unit in units} == {
        "strategy-tracker@8001.service",
        "strategy-tracker-backup.service",
        "strategy-tracker-backup.timer",
    }


def settings_under(environment: dict) -> dict:
    """The database settings a process started with ``environment`` has."""
    program = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "strategy_tracker.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_environment_example_connects_to_a_managed_database_over_verified_tls():
    example = {}
    for line in (DEPLOY / "environment.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = shlex.split(line)[0].split("=", 1)  # as a shell or systemd reads it: quotes removed
            example[name] = value

    database = settings_under(example)
    without_reuse = settings_under(example | {"DJANGO_CONN_MAX_AGE": "0", "DJANGO_CONN_HEALTH_CHECKS": "0"})

    assert database["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": "/etc/strategy-tracker/database-ca.pem"}
    assert (database["HOST"], database["NAME"], database["USER"]) == (
        "db.example.internal",
        "strategy_tracker",
        "strategy_tracker",
    )
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert (without_reuse["CONN_MAX_AGE"], without_reuse["CONN_HEALTH_CHECKS"]) == (0, False)
