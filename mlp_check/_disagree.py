"""When the course's tests and the per-function verdict disagree, say why.

The course's tests run end to end: a mistake in the loss's dJdy_hat that backward undoes is
invisible to them, and they never look at J, at autograd, or at configurations other than their
three. The per-function verdict runs each function alone on the grader's weights, so a mistake in
`__init__` or in code that depends on the sizes is invisible to it. Each reason is said once,
for every course test it applies to.
"""

from __future__ import annotations

from ._cases import COURSE_NORM_LIMIT, COURSE_TESTS
from ._course import CourseResult
from ._groups import cases_text
from ._ratios import constant_factor, label, named
from ._reference import GRADS, QUANTITIES
from ._result import CaseResult

TESTS = "{tests}"  # where the names of the course tests a reason applies to go


def _factor(alpha: float, tol: float) -> str:
    exps = named(alpha, tol)
    return f"{label(*exps)} times" if exps else f"{alpha:.4g} times"


def compensation(r: CaseResult) -> str | None:
    """dJdy_hat off by a factor that backward's gradients are off by the inverse of."""
    run = r.run
    if run.checks["dJdy_hat"].status != "mismatch" or run.first("dJdy_hat") is None:
        return None
    tol = run.checks["dJdy_hat"].tolerance
    alpha = constant_factor(run.first("dJdy_hat").tensor, run.expected["dJdy_hat"], tol)
    wrong = [q for q in GRADS if run.checks[q].status == "mismatch"]
    betas = [constant_factor(run.first(q).tensor, run.expected[q], tol) for q in wrong]
    if alpha is None or not wrong or None in betas \
            or any(abs(alpha * b - 1) > 100 * tol for b in betas):
        return None
    return (f"compensating mistakes: {r.case.loss}_loss's dJdy_hat is {_factor(alpha, tol)} "
            f"torch's, and MLP.backward turns torch's dJdy_hat into {_factor(betas[0], tol)} "
            f"torch's gradients ({', '.join(wrong)}); end to end the two cancel, so the course's "
            f"{TESTS} pass(es) while each function alone is wrong")


def why_course_passes(r: CaseResult) -> str:
    wrong = [q for q in QUANTITIES if r.checks[q].status != "ok"]
    if any("autograd is not allowed" in f.text for f in r.findings):
        return f"the course's {TESTS} pass(es) because autograd's gradients are right; the " \
               f"course's tests cannot see that autograd computed them"
    if wrong and set(wrong) <= {"J"}:
        return f"the course's {TESTS} pass(es): the course compares the four gradients only, " \
               f"never J"
    text = compensation(r)
    if text is not None:
        return text
    return f"the course's {TESTS} pass(es) (its bound is an absolute {COURSE_NORM_LIMIT:g} on " \
           f"the norm of each gradient's difference), but run alone " \
           f"{', '.join(wrong) or 'a rule'} fails in {r.case.label}: see the diagnoses"


def why_course_fails(c: CourseResult, r: CaseResult) -> str:
    s = c.test.sizes
    where = (f"it builds MLP({s.n_in}, {s.hidden}, ...) with the file's own weights from "
             f"__init__, at batch {s.batch} and K = {s.n_out}, where the grader sets its own")
    why = c.error or ", ".join(f"‖{q} − torch's‖ = {c.norms[q]:.3g}" for q in GRADS
                               if not c.norms[q] < COURSE_NORM_LIMIT)
    return f"the course's {c.test.name} fails ({why}) although each function agrees run alone " \
           f"in {r.case.label}: {where}"


def unseen(course: list[CourseResult], cases: list[CaseResult]) -> list[str]:
    covered = {t.case for t in COURSE_TESTS}
    missed = [r.case.label for r in cases if r.case not in covered and not r.ok()]
    if not missed or not all(c.passed for c in course):
        return []
    return [f"the course's three tests run only {', '.join(t.case.label for t in COURSE_TESTS)}; "
            f"of the cases they never run, these fail here: "
            f"{cases_text(missed, [r.case for r in cases])}"]


def disagreements(course: list[CourseResult], cases: list[CaseResult]) -> list[str]:
    """One sentence per reason the course's tests and the per-function verdict differ, naming
    the course tests it applies to; then the failing cases the course never runs."""
    by_case, reasons = {r.case: r for r in cases}, {}
    for c in course:
        r = by_case.get(c.test.case)
        if r is None or c.passed is None or c.passed == r.ok():
            continue
        text = why_course_passes(r) if c.passed else why_course_fails(c, r)
        reasons.setdefault(text, []).append(c.test.name)
    out = []
    for text, names in reasons.items():
        verb = "passes" if len(names) == 1 else "pass"
        out.append(text.replace("pass(es)", verb).replace(TESTS, ", ".join(names)))
    return out + unseen(course, cases)
