"""What ``derive verify`` reports: a verdict per step, steps per chain, chains per document."""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("equal", "not_equal", "unknown", "error", "definition")
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
    """One step ``lhs = rhs``, its verdict, and the evidence.

    ``lhs``/``rhs`` are the sides as read (layout removed), ``lhs_source``/``rhs_source`` verbatim
    from the file, ``lhs_read``/``rhs_read`` what they were read as before any simplification;
    ``readings`` says which reading was taken where more than one was possible; ``assumptions``
    every assumption and condition the step used; ``reason`` what the author wrote beside it;
    ``definitions`` the definitions put into it (name and line); ``diagnosis`` (``kind``, ``text``)
    what kind of mistake a ``not_equal`` step makes, when one was checked.  A step that defines a name has the
    verdict ``definition`` and is not judged.
    """

    lhs: str
    rhs: str
    verdict: str
    method: str
    detail: str
    counterexample: dict | None = None
    lhs_read: str | None = None
    rhs_read: str | None = None
    assumptions: tuple[str, ...] = ()
    lhs_source: str | None = None
    rhs_source: str | None = None
    readings: tuple[str, ...] = ()
    reason: str | None = None
    definitions: tuple[str, ...] = ()
    diagnosis: dict | None = None


@dataclass(frozen=True)
class ChainVerdict:
    """The steps of one chain; ``conditions`` hold for this chain alone; ``region`` is its display region."""

    line: int
    source: str
    steps: tuple[StepVerdict, ...]
    conditions: tuple[str, ...] = ()
    region: int | None = None
    #: For a chain with a wrong step: whether its last side still equals its first, in words.
    result: str | None = None

    @property
    def first_wrong(self) -> int | None:
        """Index of the first ``not_equal`` step, if any."""
        return next((n for n, step in enumerate(self.steps) if step.verdict == "not_equal"), None)


@dataclass(frozen=True)
class RegionSummary:
    """A display-math region: where it is, what opened it (``$$ > align``), and whether it was read."""

    line: int
    construct: str
    read: bool


@dataclass(frozen=True)
class Report:
    chains: tuple[ChainVerdict, ...] = field(default=())
    regions: tuple[RegionSummary, ...] = field(default=())

    @property
    def region_counts(self) -> dict[str, int]:
        """Regions found, read (every side of every chain in them read) and not read."""
        read = sum(region.read for region in self.regions)
        return {"found": len(self.regions), "read": read, "not_read": len(self.regions) - read}

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for chain in self.chains:
            for step in chain.steps:
                counts[step.verdict] += 1
        return counts
