"""Steps, chains and documents: each step decided in a bounded child process (:mod:`.worker`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from derive.latex.tokens import LatexError
from derive.verify.assumptions import Hypothesis
from derive.verify.decide import decide_step
from derive.verify.document import Chain, Side, read_chains
from derive.verify.report import DEFAULT_TIMEOUT, MAX_STEPS, ChainVerdict, Options, Report, StepVerdict
from derive.verify.worker import run_bounded


def check_step(lhs: Side, rhs: Side, assumptions: Sequence[Side], options: Options = Options()) -> StepVerdict:
    """The verdict on ``lhs = rhs``, decided in a child process within ``options.timeout`` seconds."""
    seed = f"{options.seed}|{lhs.text}|{rhs.text}"
    texts = tuple(a.text for a in assumptions)
    outcome = run_bounded(decide_step, (lhs.text, rhs.text, texts, options.points, seed), options.timeout)
    found = {message[0]: message[1:] for message in outcome.messages}
    base = {"lhs": lhs.text, "rhs": rhs.text}
    if "error" in found:
        which, message, column = found["error"]
        side = {"lhs": lhs, "rhs": rhs}.get(which) or assumptions[int(which.split()[1])]
        line, col = side.position(column)
        label = which if which in ("lhs", "rhs") else f"the assumption '{side.text}'"
        where = f"line {line}, column {col}" if line else f"--assume, column {col}"
        detail = f"{label}: {where}: {message}"
        return StepVerdict(**base, verdict="error", method="read", detail=detail)
    if "read" in found:
        base.update(lhs_read=found["read"][0], rhs_read=found["read"][1])
    numeric = found.get("numeric")
    proof = found.get("proof")
    used = (proof or numeric or (None,) * 4)[-1] or ()
    if numeric and numeric[0] == "not_equal":
        return StepVerdict(**base, verdict="not_equal", method="numeric", detail=numeric[1],
                           counterexample=numeric[2], assumptions=used)
    if proof and proof[0]:
        also = f"numerically: {numeric[1]}" if numeric else ""
        return StepVerdict(**base, verdict="equal", method=f"symbolic: {proof[1]}",
                           detail=f"lhs - rhs reduces to 0 by {proof[1]}; {also}".rstrip("; "), assumptions=used)
    stopped = _why_stopped(outcome, options)
    if numeric and numeric[0] == "equal":
        no_proof = f"no symbolic proof ({proof[1]})" if proof else f"no symbolic proof: {stopped}"
        return StepVerdict(**base, verdict="equal", method="numeric", detail=f"{numeric[1]}; {no_proof}",
                           assumptions=used)
    tried = [f"numeric: {numeric[1]}" if numeric else "numeric: not finished",
             f"symbolic: {proof[1]}" if proof else "symbolic: not finished"]
    if stopped:
        tried.append(stopped)
    return StepVerdict(**base, verdict="unknown", method="none", detail="; ".join(tried), assumptions=used)


def _why_stopped(outcome, options: Options) -> str:
    if outcome.timed_out:
        return f"stopped at the time bound of {options.timeout:g} s"
    if outcome.crash:
        return f"the checker failed: {outcome.crash}"
    return ""


def verify_chain(chain: Chain, assumptions: Sequence[Side] = (), options: Options = Options(),
                 budget: list[int] | None = None) -> ChainVerdict:
    """Every step of ``chain``, under ``assumptions`` plus the chain's own ``% assume:`` lines."""
    if chain.problem is not None or len(chain.sides) < 2:
        text = chain.sides[0].text if chain.sides else ""
        step = StepVerdict(text, "", "error", "read", chain.problem or "nothing to compare")
        return ChainVerdict(chain.line, chain.source, (step,))
    in_force = (*assumptions, *chain.assumptions)
    steps = []
    for lhs, rhs in zip(chain.sides, chain.sides[1:], strict=False):
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                steps.append(StepVerdict(lhs.text, rhs.text, "error", "limit",
                                         f"not checked: more than {MAX_STEPS} steps in one input"))
                continue
        steps.append(check_step(lhs, rhs, in_force, options))
    return ChainVerdict(chain.line, chain.source, tuple(steps))


def verify_text(text: str, assumptions: Sequence[str] = (), options: Options = Options()) -> Report:
    """Verdicts on every chain of a Markdown/LaTeX document; ``assumptions`` apply to all of them."""
    given = [Side(a, 0, 1) for a in assumptions]
    budget = [MAX_STEPS]
    return Report(tuple(verify_chain(chain, given, options, budget) for chain in read_chains(text)))


def read_assumption(text: str, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Why the assumption ``text`` cannot be read (``column N: …``), or None when it can."""
    outcome = run_bounded(_read_assumption, (text,), timeout)
    if outcome.messages:
        return outcome.messages[0][1]
    if outcome.finished:
        return None
    return _why_stopped(outcome, Options(timeout=timeout)) or "cannot be read"


def _read_assumption(send: Callable[[tuple], None], text: str) -> None:
    try:
        Hypothesis.read(text)
    except LatexError as err:
        send(("error", str(err)))
