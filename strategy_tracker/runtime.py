"""Tuning of the Python process that serves the pages or runs a command."""

import gc

# Objects allocated before a young-generation collection runs (Python's default is 700). A page of a strategy
# of 1.000 lines makes some 300.000 short-lived objects; at 700 the collector ran about 400 times a request and
# took a third of its time (45–50 ms of 150–170 ms, measured at 100 × 1.000 × 10, docs/benchmarks.md). At
# 20.000 it takes 8–10 ms, and at most 20.000 objects wait for it: a few MiB.
YOUNG_GENERATION_THRESHOLD = 20_000


def tune_garbage_collector() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)


def freeze_loaded_objects() -> None:
    """Leave what start-up loaded (modules, settings, URLs, templates) out of every later collection."""
    gc.freeze()
