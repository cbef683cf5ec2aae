"""gunicorn's sync worker, which serves the connections already waiting for it before it exits on a stop."""

import errno

from gunicorn.workers.sync import SyncWorker


class DrainingWorker(SyncWorker):
    """A stop (SIGTERM: `systemctl stop`, a deploy) ends the workers of gunicorn's own sync worker as soon as each has
    answered the request in hand. Connections that nginx had opened and sent a request on meanwhile, still waiting in
    the socket's queue, were then reset: nginx sends such a GET to the other instance, but never a POST, which may
    have been accepted, so editors saving at that moment got a 502 and their save was not made (3 to 5 of 40 saves
    when one of two instances stopped, benchmarks/topology.py). This worker first serves every connection already
    queued, then closes its copy of the socket; once the last worker's is closed the port refuses connections, and
    nginx sends every request, POSTs too, to the other instance. gunicorn's graceful_timeout still bounds the wait."""

    def run(self):
        super().run()
        self.drain()

    def drain(self) -> None:
        for listener in self.sockets:
            while True:
                try:
                    self.accept(listener)
                except OSError as error:
                    if error.errno == errno.ECONNABORTED:  # a client that gave up while queued
                        continue
                    break  # EAGAIN: nothing left in the queue
            listener.close()
