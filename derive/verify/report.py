"""What ``derive verify`` reports: a verdict per step, steps per chain, chains per document."""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("equal", "not_equal", "unknown", "error")
DEFAULT_TIMEOUT = 5.0
#: Input-size bound: steps checked per document (the rest are reported as errors).
MAX_STEPS = 400


@dataclass(frozen=True)
class Options:
    """How hard to try: ``timeout`` seconds per step, ``points`` numeric points, ``seed`` for sampling."""

    timeout: float = DEFAULT_TIMEOUT
    points: int = 8
    seed: int = 0


@dataclass(frozen=True)
class StepVerdict:
    """One step ``lhs = rhs`` (LaTeX as written), its verdict, and the evidence."""

    lhs: str
    rhs: str
    verdict: str
    method: str
    detail: str
    counterexample: dict | None = None
    lhs_read: str | None = None
    rhs_read: str | None = None
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainVerdict:
    line: int
    source: str
    steps: tuple[StepVerdict, ...]

    @property
    def first_wrong(self) -> int | None:
        """Index of the first ``not_equal`` step, if any."""
        return next((n for n, step in enumerate(self.steps) if step.verdict == "not_equal"), None)


@dataclass(frozen=True)
class Report:
    chains: tuple[ChainVerdict, ...] = field(default=())

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for chain in self.chains:
            for step in chain.steps:
                counts[step.verdict] += 1
        return counts
