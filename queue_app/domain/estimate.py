"""How long one service takes in a queue: the one rule behind every wait shown (SPEC §3.4).

The dashboard, the public and join pages, the tickets and the report mail all call
`service_estimate`, so "service time" means the same everywhere.

Why this shape: a plain mean of the last services collapses when the owner taps Call → Done a few
times in a row (five 10-second "services" made a queue of three read "less than a minute"). So:

- the sample is the last `SERVICE_SAMPLES` (10) processing → done durations of the queue;
- below `SERVICE_MIN_SAMPLES` (3) the queue's default (owner-editable) is used as it is;
- otherwise the sample's *trimmed mean* (the fastest and slowest fifth dropped; the median while
  fewer than 5) is the observed time, robust to a few odd services either way;
- while fewer than 10 services were seen, the observed time is blended with the default in
  proportion to how many were seen (3 seen: 30 % observed, 70 % default) — the default is the
  prior, and the estimate "rests on few services" (`settled` is False; the dashboard says so);
- the result never drops below `FLOOR_SHARE` of the default: a queue whose default is 5 minutes
  never promises less than one minute per person.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

SERVICE_SAMPLES, SERVICE_MIN_SAMPLES = 10, 3
FLOOR_SHARE = 0.2  # the estimate is at least this share of the queue's default
_TRIM_SHARE = 0.2  # dropped from each end of the sample before averaging


@dataclass(frozen=True)
class ServiceEstimate:
    """Seconds one person takes, and how many services that rests on."""

    seconds: float
    samples: int  # services of the sample (at most SERVICE_SAMPLES)

    @property
    def settled(self) -> bool:
        """Rests on a full sample, not (partly) on the owner's default."""
        return self.samples >= SERVICE_SAMPLES


def robust_mean(values: Sequence[float]) -> float:
    """Trimmed mean (a fifth dropped at each end); the median of fewer than 5 values."""
    ordered = sorted(values)
    if len(ordered) < 5:
        return float(statistics.median(ordered))
    cut = int(len(ordered) * _TRIM_SHARE)
    kept = ordered[cut:len(ordered) - cut]
    return sum(kept) / len(kept)


def service_estimate(durations: Sequence[float], default_seconds: float) -> ServiceEstimate:
    """The service time of a queue from its done durations in order of finishing (oldest first)."""
    recent = [max(0.0, float(d)) for d in list(durations)[-SERVICE_SAMPLES:]]
    default = float(default_seconds)
    if len(recent) < SERVICE_MIN_SAMPLES:
        return ServiceEstimate(default, len(recent))
    weight = len(recent) / SERVICE_SAMPLES
    blended = weight * robust_mean(recent) + (1 - weight) * default
    return ServiceEstimate(max(blended, FLOOR_SHARE * default), len(recent))


def average_service_seconds(durations: Sequence[float], default_seconds: float) -> float:
    """Only the seconds of `service_estimate`."""
    return service_estimate(durations, default_seconds).seconds


def estimate_basis(estimate: ServiceEstimate) -> str:
    """What the owner is told an estimate rests on ('' once 10 services); short: it sits in a column."""
    if estimate.settled:
        return ""
    if estimate.samples < SERVICE_MIN_SAMPLES:
        return "Estimates: your default time"
    return f"Estimates: only {estimate.samples} served"
