"""`make lighthouse`: Lighthouse's four scores for every public page, on the production set-up.

    python benchmarks/lighthouse.py [--out lighthouse-results] [--preset desktop]

Runs `make serve`'s nginx and gunicorn (deploy/serve.py) with DEBUG off and collectstatic's compressed files, over
plain HTTP on the loopback interface, against the developer's database (`make seed` fills it), and Lighthouse
(npm, mobile with its default simulated throttling) in Debian's Chromium on each page. Writes each report as JSON
and the scores as Markdown to --out, prints the table, and exits 1 if a page scores below the targets of issue 17.
With --preset desktop (a wide screen, no throttling of the CPU) the charts in view are drawn at load, so the scores
include Plotly's cost, which a phone pays only once its reader scrolls.
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
LIGHTHOUSE = BASE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# The measurements behind the performance score, in milliseconds (the simulated phone's), beside the scores.
METRICS = {"LCP ms": "largest-contentful-paint", "TBT ms": "total-blocking-time"}
PAGES = [
    ("overview", "/"),
    ("strategy 2018", "/strategies/2018/"),
    ("strategy 2021", "/strategies/2021/"),
    ("strategy 2030", "/strategies/2030/"),
    ("search", "/initiatives/"),
    ("initiative", None),  # the first initiative the 2021 page links to
    ("compare", "/compare/"),
    ("open data", "/api/"),
    ("open data in English", "/en/api/"),
    ("accessibility statement", "/accessibility/"),
    ("versions 2018", "/strategies/2018/versions/"),
    ("versions 2021", "/strategies/2021/versions/"),
    ("versions 2030", "/strategies/2030/versions/"),
    ("progress 2030", "/strategies/2030/progress/"),
    ("targets 2030", "/strategies/2030/targets/"),
    ("target 2030 no. 1", "/strategies/2030/targets/1/"),
]


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def environment() -> dict:
    """Production settings, over plain HTTP on this machine (Lighthouse counts the loopback address as secure)."""
    return {
        **os.environ,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Pages cached by an earlier run (or `make serve`) were made by other templates: a release of its own.
        "RELEASE": f"lighthouse-{time.time_ns()}",
    }


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make serve's set-up exited with {process.returncode}")
        try:
            if requests.get(f"{url}/health/", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting its workers
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def first_initiative(url: str) -> str:
    page = requests.get(f"{url}/strategies/2021/", timeout=60).text
    return re.search(r'href="(/initiatives/\d+/)"', page).group(1)


def measure(url: str, report: Path, preset: str) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        *([f"--preset={preset}"] if preset != "mobile" else []),
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    # Lighthouse now and then loses Chromium's trace on a busy machine (NO_NAVSTART) and asks to be run again.
    if subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}).returncode != 0:
        subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
    result = json.loads(report.read_text())
    scores = {category: round(result["categories"][category]["score"] * 100) for category in CATEGORIES}
    return scores | {name: round(result["audits"][audit]["numericValue"]) for name, audit in METRICS.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=BASE_DIR / "lighthouse-results")
    # desktop: a wide screen, where the charts in view are drawn at once, so Plotly's cost is in the scores.
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    env = environment()
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    run_dir = Path(tempfile.mkdtemp(prefix="strategy-tracker-lighthouse-"))
    run_dir.chmod(0o755)
    server = subprocess.Popen(
        [python, str(BASE_DIR / "deploy" / "serve.py"), f"--listen=127.0.0.1:{port}", f"--run-dir={run_dir}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    rows, failures = [], []
    try:
        wait_until_serving(url, server)
        for name, path in PAGES:
            path = path or first_initiative(url)
            requests.get(url + path, timeout=60)  # as a visitor before finds it: in the page cache
            scores = measure(url + path, args.out / f"{name.replace(' ', '-')}.json", args.preset)
            rows.append((name, path, scores))
            failures += [
                f"{path} {category} {scores[category]}"
                for category in CATEGORIES
                if scores[category] < TARGETS[category]
            ]
            print(name, path, scores, flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    columns = [*CATEGORIES, *METRICS]
    table = ["| page | address | " + " | ".join(columns) + " |", "|---|---|" + "---:|" * len(columns)]
    table += [
        f"| {name} | `{path}` | " + " | ".join(str(scores[c]) for c in columns) + " |" for name, path, scores in rows
    ]
    (args.out / "scores.md").write_text("\n".join(table) + "\n")
    (args.out / "scores.json").write_text(json.dumps({path: scores for _name, path, scores in rows}, indent=2))
    print("\n".join(table))
    if failures:
        print("Below the targets:", *failures, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
