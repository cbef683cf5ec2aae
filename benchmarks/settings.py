"""Settings for `make bench`: the product as deployed, against a database of its own, with a bench-only URLconf.

The developer's database is never touched: the embedded server (or DATABASE_URL's server) gets a second
database, which the benchmark drops and recreates for each size of data.
"""

import os

BENCH_DATABASE = "strategy_tracker_bench"

# Production settings (no DEBUG, cached pages, hashed static files), but plain HTTP on loopback.
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_SSL_REDIRECT"] = "0"
os.environ["PGSERVER_DATABASE"] = BENCH_DATABASE
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-never-used-to-serve-anything-0123456789")

from strategy_tracker.settings import *  # noqa: E402, F403
from strategy_tracker.settings import BASE_DIR, DATABASES, INSTALLED_APPS  # noqa: E402

DATABASES["default"]["NAME"] = BENCH_DATABASE
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STATIC_ROOT = BASE_DIR / "build" / "bench-static"
# The benchmarks publish as part of loading each size; a workbook of every strategy built in the background would
# run beside the timings that follow (and die when the next size drops its database). bench_downloads times the
# builds themselves.
DOWNLOADS_BUILD_ON_PUBLISH = False
