"""`make serve`: the app as in production, nginx in front and gunicorn behind it on the loopback interface only.

    python deploy/serve.py --listen 127.0.0.1:8000 [--workers 3] [--run-dir .serve]

nginx answers on --listen; gunicorn listens on a loopback port the operating system picks, handed to it as an
open socket, so nothing but nginx ever reaches it. Both stop when either does, or on Ctrl-C or SIGTERM.

    python deploy/serve.py --print-site --listen "443 ssl" --listen 80 --certificate FILE --key FILE \
        --app 127.0.0.1:8001 --app 127.0.0.1:8002 [--workers 3]

writes the site (deploy/site.conf) for a server's own nginx instead, round-robin over the gunicorn instances named
(README.md, "Running in production"). Plain HTTP is answered by the app's redirect to HTTPS.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
BASE_DIR = DEPLOY.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def site_config(
    listen: list[str],
    apps: list[str],
    workers: int,
    unanswered: Path,
    *,
    access_log: str = "/dev/stdout",
    certificate: str | None = None,
    key: str | None = None,
) -> str:
    """deploy/site.conf for nginx in front of the gunicorn instances at ``apps``, each with ``workers`` workers,
    answering on each of ``listen`` (an nginx `listen` value: `127.0.0.1:8000`, `443 ssl`), with the pages for an
    unanswered request in ``unanswered`` (write_unanswered_pages)."""
    tls = ""
    if certificate:
        tls = f"    ssl_certificate {certificate};\n    ssl_certificate_key {key};\n    ssl_protocols TLSv1.2 TLSv1.3;"
    values = {
        "@LISTEN@": "\n".join(f"    listen {value};" for value in listen),
        "@UPSTREAM@": "\n".join(f"    server {app} max_fails=3 fail_timeout=10s;" for app in apps),
        "@TLS@": tls,
        "@ACCESS_LOG@": access_log,
        "@UNANSWERED@": str(unanswered),
        # Heavy downloads of all clients together leave at least one worker for the pages, even should every one
        # of them reach the same instance.
        "@HEAVY@": str(max(workers - 1, 1)),
    }
    return _filled((DEPLOY / "site.conf").read_text(), values)


def write_unanswered_pages(directory: Path, **popen) -> None:
    """The app's pages for a request no instance answered, rendered by the app for nginx (write_error_pages)."""
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "write_error_pages", str(directory)],
        cwd=BASE_DIR,
        check=True,
        **popen,
    )


def write_nginx_config(run_dir: Path, site: str) -> Path:
    """nginx's configuration for a process of its own, with its files in ``run_dir``, around the site."""
    (run_dir / "site.conf").write_text(site)
    config = run_dir / "nginx.conf"
    config.write_text(_filled((DEPLOY / "nginx.conf").read_text(), {"@RUN_DIR@": str(run_dir)}))
    return config


def start_nginx(run_dir: Path, config: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [NGINX, "-p", str(run_dir), "-c", str(config), "-e", "stderr", "-g", "daemon off;"], cwd=run_dir, **popen
    )


def _filled(text: str, values: dict) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", action="append", help="address:port nginx answers on (127.0.0.1:8000)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "3")))
    parser.add_argument("--run-dir", type=Path, default=BASE_DIR / ".serve", help="nginx's configuration and files")
    parser.add_argument("--print-site", action="store_true", help="write the site for a server's nginx, and stop")
    parser.add_argument("--app", action="append", default=[], help="a gunicorn instance's address (--print-site)")
    parser.add_argument("--certificate", help="TLS certificate file (--print-site)")
    parser.add_argument("--key", help="TLS private key file (--print-site)")
    parser.add_argument(
        "--unanswered",
        type=Path,
        default=BASE_DIR / "unanswered",
        help="where --print-site writes the pages nginx shows when no instance answered",
    )
    args = parser.parse_args(argv)
    args.listen = args.listen or ["127.0.0.1:8000"]
    if args.print_site:
        if not args.app or bool(args.certificate) != bool(args.key):
            parser.error("--print-site needs at least one --app, and --certificate with --key or neither")
        access_log = "/var/log/nginx/strategy-tracker.access.log"
        unanswered = args.unanswered.resolve()
        # The command's summary goes to stderr: stdout is the site.
        write_unanswered_pages(unanswered, stdout=sys.stderr)
        site = site_config(
            args.listen,
            args.app,
            args.workers,
            unanswered,
            access_log=access_log,
            certificate=args.certificate,
            key=args.key,
        )
        print(site, end="")
        return 0

    run_dir = args.run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    app_socket = socket.create_server(("127.0.0.1", 0), backlog=2048)
    app_socket.set_inheritable(True)
    app = f"127.0.0.1:{app_socket.getsockname()[1]}"
    write_unanswered_pages(run_dir / "unanswered")
    config = write_nginx_config(run_dir, site_config(args.listen, [app], args.workers, run_dir / "unanswered"))
    # nginx sets the client's address and scheme on every request, whatever the client sent.
    environment = {**os.environ, "DJANGO_BEHIND_PROXY": "1", "GUNICORN_WORKERS": str(args.workers)}
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            str(DEPLOY / "gunicorn.conf.py"),
            f"--bind=fd://{app_socket.fileno()}",
            "strategy_tracker.wsgi",
        ],
        cwd=BASE_DIR,
        env=environment,
        pass_fds=[app_socket.fileno()],
    )
    app_socket.close()
    nginx = start_nginx(run_dir, config)
    children = [nginx, gunicorn]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Serving on http://{args.listen[0]}/ (nginx) in front of gunicorn on {app}.", flush=True)
    while all(child.poll() is None for child in children):
        time.sleep(0.2)
    stop()
    for child in children:
        try:
            child.wait(35)
        except subprocess.TimeoutExpired:
            child.kill()
    return max(child.returncode or 0 for child in children)


if __name__ == "__main__":
    sys.exit(main())
