"""gunicorn's sync worker, which serves the connections already waiting for it before it exits on a stop."""

import errno

from gunicorn import util
from gunicorn.workers.sync import SyncWorker


class DrainingWorker(SyncWorker):
    """A stop (SIGTERM: `systemctl stop`, a deploy) ends the workers of gunicorn's own sync worker as soon as each has
    answered the request in hand. Connections that nginx had opened and sent a request on meanwhile, still waiting in
    the socket's queue, were then reset: nginx sends such a GET to the other instance, but never a POST, which may
    have been accepted, so editors saving at that moment got a 502 and their save was not made (3 to 5 of 40 saves
    when one of two instances stopped, benchmarks/topology.py).

    This worker, once it has answered the request in hand, takes every connection waiting at once and closes its copy
    of the socket, and only then answers them. Serving them first kept the port open while it did, and nginx went on
    sending it requests, still reset in the end on a busy machine (4 of 1.600 saves). Once the last worker's copy is
    closed the port refuses connections, and nginx sends every request, POSTs too, to the other instance."""

    def run(self):
        super().run()
        waiting = []
        for listener in self.sockets:
            closed = ClosedListener(listener.getsockname())
            while True:
                try:
                    client, address = listener.accept()
                except OSError as error:
                    if error.errno == errno.ECONNABORTED:  # a client that gave up while queued
                        continue
                    break  # EAGAIN: nothing left in the queue
                waiting.append((closed, client, address))
            listener.close()
        for listener, client, address in waiting:
            client.setblocking(True)
            util.close_on_exec(client)
            self.handle(listener, client, address)


class ClosedListener:
    """A listening socket after it was closed, as gunicorn's request handling asks it: the address it listened on."""

    def __init__(self, name):
        self.name = name

    def getsockname(self):
        return self.name
