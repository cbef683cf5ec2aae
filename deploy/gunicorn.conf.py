"""gunicorn as `make serve` runs it behind nginx (deploy/serve.py), and as a production service should.

Sync workers suffice because nginx buffers whole requests and answers: a worker never waits on a client. gunicorn
must never be reachable from outside; bind it to the loopback interface or a Unix socket.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# gunicorn's sync worker, but one that serves the requests already queued for it before a stop ends it, so that
# stopping one of several instances behind nginx refuses no save (strategy_tracker/serving.py).
worker_class = "strategy_tracker.serving.DrainingWorker"
# The workbook of every strategy of a ministry of 100 strategies × 1.000 lines takes about 30 s (1,4 million styled
# cells through openpyxl), gunicorn's default limit.
timeout = 120
graceful_timeout = 30
# nginx logs every request.
accesslog = None


def on_starting(server):
    """Without DATABASE_URL the app runs its own PostgreSQL, which stops when the last process that joined it exits.

    The master joins it too, so it lives as long as the master does: a reload (HUP) replaces every worker, and
    the last old worker to leave must not stop the server under the new workers' transactions.
    """
    if not os.environ.get("DATABASE_URL"):
        from strategy_tracker.embedded_db import configured_database

        configured_database()
