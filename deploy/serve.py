"""`make serve`: the app as in production, nginx in front and gunicorn behind it on the loopback interface only.

    python deploy/serve.py --listen 127.0.0.1:8000 [--workers 3] [--run-dir .serve]

nginx answers on --listen; gunicorn listens on a loopback port the operating system picks, handed to it as an
open socket, so nothing but nginx ever reaches it. Both stop when either does, or on Ctrl-C or SIGTERM.
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


def nginx_config(listen: str, app: str, run_dir: Path, workers: int) -> str:
    values = {
        "@LISTEN@": listen,
        "@APP@": app,
        "@RUN_DIR@": str(run_dir),
        # Heavy downloads of all clients together leave at least one worker for the pages.
        "@HEAVY@": str(max(workers - 1, 1)),
    }
    text = (DEPLOY / "nginx.conf").read_text()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", default="127.0.0.1:8000", help="address:port nginx answers on")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "3")))
    parser.add_argument("--run-dir", type=Path, default=BASE_DIR / ".serve", help="nginx's configuration and files")
    args = parser.parse_args(argv)

    run_dir = args.run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    app_socket = socket.create_server(("127.0.0.1", 0), backlog=2048)
    app_socket.set_inheritable(True)
    app = f"127.0.0.1:{app_socket.getsockname()[1]}"
    config = run_dir / "nginx.conf"
    config.write_text(nginx_config(args.listen, app, run_dir, args.workers))
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
    nginx = subprocess.Popen(
        [NGINX, "-p", str(run_dir), "-c", str(config), "-e", "stderr", "-g", "daemon off;"], cwd=run_dir
    )
    children = [nginx, gunicorn]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Serving on http://{args.listen}/ (nginx) in front of gunicorn on {app}.", flush=True)
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
