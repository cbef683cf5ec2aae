"""Timing helpers: each thing measured is interleaved with its baseline, so both see the same machine."""

import statistics
import time
from dataclasses import dataclass


@dataclass
class Timing:
    """Seconds of each repetition."""

    samples: list

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        if len(self.samples) < 2:
            return self.samples[0]
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]

    def as_dict(self) -> dict:
        return {"median_ms": self.median * 1000, "p95_ms": self.p95 * 1000, "runs": len(self.samples)}


def seconds(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def interleaved(functions: dict, repetitions: int, warm_up: int = 1) -> dict[str, Timing]:
    """Run each function once per round, round after round, and time every run."""
    for _ in range(warm_up):
        for function in functions.values():
            function()
    samples = {name: [] for name in functions}
    for _ in range(repetitions):
        for name, function in functions.items():
            samples[name].append(seconds(function))
    return {name: Timing(values) for name, values in samples.items()}
