r"""An independent check of the red-team corpus: every expected verdict decided by hand-written SymPy.

Run it as a plain script (``python tests/corpus/verify/redteam_check.py``); it imports neither
``derive`` nor ``checks``.  Each claim of ``redteam_*.md`` and ``regions_all_wrong.md`` is encoded
here by hand, as SymPy expressions, in the order the ``<!-- expect: … -->`` comments appear; a
snippet of its LaTeX must occur in the text that follows its comment, so a table cannot drift from
its file.  A step is then decided on its own, without looking at the file's verdicts:

* :class:`Eq` -- ``lhs - rhs`` by ``sympy.simplify`` (a proof when it gives 0), then evaluated with
  mpmath at 60+ digits at the claim's own adversarial points (where the attacker hid the
  difference) and at random full-precision points at scales from 1e-9 to 3000, both signs.  A
  difference seen anywhere is ``not_equal``; agreement without a proof is ``equal`` and says so.
* :class:`Counts` / :class:`Indices` -- a claim with a symbolic count or free indices, built for
  every concrete value in a wide range (K = 1..120 by default) and decided as :class:`Eq`.
* :class:`Functions` -- a claim about an undeclared unknown function ``v``: ``equal`` only when it
  reduces to 0 for a symbolic ``v``; otherwise a concrete ``v`` that breaks it is shown and the
  expected verdict is ``unknown`` (the corpus convention, ``near_misses.md``: numbers never decide
  a claim about a function the reader does not know).
* :class:`Ambiguous` -- two plausible readings, each decided; ``unknown`` when they differ.
* :class:`Design` -- error/unknown by design (an unreadable construct): the reason is recorded.

It prints one row per step and exits 1 if any expect comment disagrees with this check (2 if a
table and its file do not line up).
"""

from __future__ import annotations

import random
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import mpmath
import sympy as sp

HERE = Path(__file__).parent
EXPECT = re.compile(r"<!-- expect: (?P<verdicts>.*?) -->")
#: Scales of the random points: tiny, near 1, and thousands.
SCALES = (1e-9, 1e-6, 1e-3, 0.1, 1.0, 1.0, 7.0, 60.0, 500.0, 3000.0)


@dataclass(frozen=True)
class Outcome:
    verdict: str
    why: str


def _rational(value: float) -> sp.Rational:
    return sp.Rational(value)  # exact binary value of the float: full precision, not a grid


def random_points(symbols: Sequence[sp.Symbol], count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    points = []
    for n in range(count):
        point = {}
        for s in symbols:
            scale = SCALES[(n + rng.randrange(len(SCALES))) % len(SCALES)] if n else 1.0
            magnitude = rng.uniform(0.5, 1.0) * scale
            sign = -1 if (s.is_positive is not True and rng.random() < 0.5) else 1
            point[s] = _rational(sign * magnitude)
        points.append(point)
    return points


def _number(expr: sp.Expr, dps: int) -> mpmath.mpf | None:
    try:
        value = sp.N(expr, dps, maxn=4 * dps)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    re_part, im_part = value.as_real_imag()
    if im_part != 0 and abs(im_part) > 10 ** (-dps // 2) * (1 + abs(re_part)):
        return None
    with mpmath.workdps(dps):
        return mpmath.mpf(sp.Float(re_part, dps)._mpf_)


@dataclass
class Eq:
    """``lhs = rhs`` over the reals; ``at`` are the attacker's points; ``dps`` the working digits."""

    lhs: sp.Expr
    rhs: sp.Expr
    at: Sequence[dict] = ()
    dps: int = 60
    keep: Callable[[dict], bool] | None = None
    random_count: int = 24

    def decide(self) -> Outcome:
        lhs, rhs = sp.sympify(self.lhs), sp.sympify(self.rhs)
        difference = lhs - rhs
        symbols = sorted(difference.free_symbols | lhs.free_symbols | rhs.free_symbols, key=str)
        points = [*self.at, *random_points(symbols, self.random_count, seed=len(str(difference)))]
        valid = 0
        for point in points:
            if self.keep is not None and not self.keep(point):
                continue
            a = _number(lhs.xreplace(point), self.dps)
            b = _number(rhs.xreplace(point), self.dps)
            gap = _number(difference.xreplace(point), self.dps)
            if a is None or b is None or gap is None:
                continue
            valid += 1
            with mpmath.workdps(self.dps):
                floor = mpmath.mpf(10) ** (-(self.dps - 12)) * (max(abs(a), abs(b)) or 1)
                if abs(gap) > floor:
                    where = ", ".join(f"{s}={mpmath.nstr(mpmath.mpf(sp.Float(v, 30)._mpf_), 8)}"
                                      for s, v in point.items())
                    if _reduces_to_zero(difference, seconds=5):
                        raise AssertionError(f"simplify gave 0 but {where} differs: {lhs} vs {rhs}")
                    values = f"{mpmath.nstr(a, 8)} vs {mpmath.nstr(b, 8)}, difference {mpmath.nstr(gap, 3)}"
                    return Outcome("not_equal", f"differ at {where or 'any point'}: {values}")
        if not valid and symbols:
            raise AssertionError(f"no point where both sides are finite: {lhs} = {rhs}")
        if _reduces_to_zero(difference):
            return Outcome("equal", "simplify(lhs - rhs) = 0")
        return Outcome("equal", f"no proof; agree at {valid} points (numeric only)")


def _reduces_to_zero(difference: sp.Expr, seconds: int = 20) -> bool:
    """Whether simplify (or simplify after rewriting in exp) gives 0, each try bounded by ``seconds``."""
    if difference == 0:
        return True
    attempts = (
        sp.simplify,
        lambda e: sp.simplify(sp.expand(e.rewrite(sp.exp))),
        lambda e: sp.simplify(sp.piecewise_fold(e.rewrite(sp.Piecewise))),
    )
    for attempt in attempts:
        signal.signal(signal.SIGALRM, _out_of_time)
        signal.alarm(seconds)
        try:
            if attempt(difference) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError, RecursionError, TimeoutError):
            continue
        finally:
            signal.alarm(0)
    return False


def _out_of_time(signum, frame):
    raise TimeoutError


@dataclass
class Counts:
    """``build(K) -> (lhs, rhs)`` for every concrete count K in ``counts``."""

    build: Callable[[int], tuple[sp.Expr, sp.Expr]]
    counts: Sequence[int] = tuple(range(1, 121))

    def decide(self) -> Outcome:
        for K in self.counts:
            lhs, rhs = self.build(K)
            outcome = Eq(sp.sympify(lhs).doit(), sp.sympify(rhs).doit(), random_count=4).decide()
            if outcome.verdict != "equal":
                return Outcome(outcome.verdict, f"K = {K}: {outcome.why}")
        return Outcome("equal", f"equal for every K in {min(self.counts)}..{max(self.counts)}")


@dataclass
class Indices:
    """``build(*idx) -> (lhs, rhs)`` for every index tuple in ``grid`` (those ``where`` admits)."""

    build: Callable[..., tuple[sp.Expr, sp.Expr]]
    grid: Sequence[tuple[int, ...]]
    where: Callable[..., bool] = field(default=lambda *idx: True)

    def decide(self) -> Outcome:
        seen = 0
        for idx in self.grid:
            if not self.where(*idx):
                continue
            seen += 1
            lhs, rhs = self.build(*idx)
            outcome = Eq(sp.sympify(lhs).doit(), sp.sympify(rhs).doit(), random_count=4).decide()
            if outcome.verdict != "equal":
                return Outcome(outcome.verdict, f"indices {idx}: {outcome.why}")
        assert seen, "no index tuple admitted"
        return Outcome("equal", f"equal at all {seen} index tuples")


#: Concrete functions that break a claim about an unknown function (if it is not an identity).
WITNESS_FUNCTIONS = {
    "exp": sp.exp,
    "u^3+1": lambda u: u**3 + 1,
    "sin+u": lambda u: sp.sin(u) + u,
    "exp(2u)-u^2": lambda u: sp.exp(2 * u) - u**2,
}


@dataclass
class Functions:
    """``build(*functions) -> (lhs, rhs)`` for unknown functions named ``names``."""

    build: Callable[..., tuple[sp.Expr, sp.Expr]]
    names: Sequence[str] = ("v",)

    def decide(self) -> Outcome:
        unknown = [sp.Function(n, real=True) for n in self.names]
        lhs, rhs = self.build(*unknown)
        if _reduces_to_zero(sp.sympify(lhs - rhs).doit()):
            return Outcome("equal", "an identity for every function (simplify with symbolic functions)")
        for label, concrete in WITNESS_FUNCTIONS.items():
            lhs, rhs = self.build(*[concrete] * len(self.names))
            outcome = Eq(lhs, rhs, random_count=8).decide()
            if outcome.verdict == "not_equal":
                return Outcome("unknown", f"not an identity ({'/'.join(self.names)} = {label}: {outcome.why}); "
                                          "numbers must not decide an unknown function")
        raise AssertionError("neither proved nor broken by a witness function")


@dataclass
class Ambiguous:
    """Two plausible readings; ``unknown`` when they disagree."""

    readings: dict[str, object]

    def decide(self) -> Outcome:
        outcomes = {name: step.decide() for name, step in self.readings.items()}
        verdicts = {o.verdict for o in outcomes.values()}
        text = "; ".join(f"read as {name}: {o.verdict}" for name, o in outcomes.items())
        if len(verdicts) == 1:
            return Outcome(verdicts.pop(), f"both readings agree ({text})")
        return Outcome("unknown", f"readings differ ({text})")


@dataclass
class Unsaid:
    """A claim each side of which holds names of its own, one defined nowhere (``\\sigma^2`` against
    ``\\sigma(x)^2``): the name may stand for what makes the claim hold, so it is ``equal`` only where it
    holds for every value (decided as ``step``), else ``unknown`` -- never refuted by a value made up for it."""

    step: object

    def decide(self) -> Outcome:
        outcome = self.step.decide()
        if outcome.verdict == "equal":
            return outcome
        return Outcome("unknown", f"a name defined nowhere may mean what makes it hold ({outcome.why})")


@dataclass
class Design:
    """A verdict by design, with its reason (an unreadable construct, an unusable assumption)."""

    verdict: str
    reason: str

    def decide(self) -> Outcome:
        return Outcome(self.verdict, f"by design: {self.reason}")


@dataclass
class Claim:
    """One block: a snippet of its LaTeX, and one decision per step, in order."""

    snippet: str
    steps: tuple


def claim(snippet: str, *steps) -> Claim:
    return Claim(snippet, steps)


def blocks(path: Path) -> list[tuple[int, list[str], str]]:
    """(line, expected verdicts, text up to the next expect comment) for each comment of ``path``."""
    text = path.read_text(encoding="utf-8")
    found = list(EXPECT.finditer(text))
    out = []
    for n, m in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(text)
        out.append((text[: m.start()].count("\n") + 1, m.group("verdicts").split(), text[m.end() : end]))
    return out


def check_file(name: str, claims: list[Claim]) -> tuple[int, int, int]:
    """Print the table for one file; (steps, disagreements, claims)."""
    found = blocks(HERE / name)
    if len(found) != len(claims):
        print(f"{name}: {len(found)} expect comments but {len(claims)} claims encoded")
        sys.exit(2)
    steps = bad = 0
    print(f"\n== {name} ({len(claims)} claims)")
    for (line, expected, text), entry in zip(found, claims, strict=True):
        if entry.snippet not in text:
            print(f"{name}:{line}: snippet {entry.snippet!r} not in the block after the comment")
            sys.exit(2)
        if len(expected) != len(entry.steps):
            print(f"{name}:{line}: {len(expected)} verdicts expected, {len(entry.steps)} steps encoded")
            sys.exit(2)
        for n, (want, step) in enumerate(zip(expected, entry.steps, strict=True), 1):
            outcome = step.decide()
            steps += 1
            mark = "ok " if outcome.verdict == want else "BAD"
            bad += outcome.verdict != want
            print(f"{mark} {name}:{line} step {n}: expect {want:9} check {outcome.verdict:9} {outcome.why[:150]}")
    return steps, bad, len(claims)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    import redteam_claims_assumptions as assumptions
    import redteam_claims_hidden as hidden
    import redteam_claims_prose as prose
    import redteam_claims_readings as readings
    import redteam_claims_regions as regions
    import redteam_claims_sampling as sampling

    tables = {
        **regions.TABLES,
        "redteam_readings.md": readings.CLAIMS,
        "redteam_sampling.md": sampling.CLAIMS,
        "redteam_assumptions.md": assumptions.CLAIMS,
        **prose.TABLES,
        **hidden.TABLES,
    }
    wanted = argv or list(tables)
    total = disagreements = 0
    for name in wanted:
        steps, bad, _ = check_file(name, tables[name])
        total += steps
        disagreements += bad
    print(f"\n{total} steps checked, {disagreements} disagree with their expect comment")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
