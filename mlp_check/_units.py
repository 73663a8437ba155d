"""What the worker runs for each unit: a case in one dtype, one of the course's tests, a probe.

Each follows the course's order: `MLP(...)`, `clear_grad_and_cache()`, one forward, one loss,
one backward. A case's loss gets torch's y_hat and its backward torch's dJdy_hat, so each function
is judged alone; a course test runs end to end on the candidate's own weights, as the course
does. Worker side: imports only torch and the stdlib.
"""

import torch
from _steps import PARAMETERS, encode, set_parameters, snapshot


def clone(data):
    return {k: v.clone() for k, v in data.items()}


def forward_backward(unit, net, x, dJdy_hat):
    """forward then backward; the grads as a snapshot, or why there are none, and y_hat."""
    ok, y_hat = unit.call("MLP.forward", getattr(net, "forward", None), x.clone())
    if not ok:
        return dict.fromkeys(("dJdW1", "dJdb1", "dJdW2", "dJdb2"), y_hat), y_hat
    ok, why = unit.call("MLP.backward", getattr(net, "backward", None), dJdy_hat.clone())
    grads = snapshot(net) if ok else dict.fromkeys(("dJdW1", "dJdb1", "dJdW2", "dJdb2"), why)
    return grads, encode(y_hat, "forward's result")


def loss_values(unit, module, loss, y, y_hat):
    """{"J": ..., "dJdy_hat": ...} of the candidate's loss, and its raw pair (or None)."""
    name = f"{loss}_loss"
    ok, out = unit.call(name, getattr(module, name, None), y.clone(), y_hat.clone())
    if ok and not (isinstance(out, (tuple, list)) and len(out) == 2):
        what = "None" if out is None else f"a {type(out).__name__}"
        ok, out = False, {"kind": "error", "message": f"{name} returned {what}, not (J, dJdy_hat)"}
    if not ok:
        return {"J": out, "dJdy_hat": out}, None
    return {"J": encode(out[0], "J"), "dJdy_hat": encode(out[1], "dJdy_hat")}, out


def run_case(unit, module, spec):
    """Pass 1 as the course runs it; with `probes`, pass 2 again without clearing (torch's .grad
    doubles) and pass 3 after clear_grad_and_cache (back to one gradient)."""
    f, g, loss = spec["case"]
    data = spec["data"]
    n, m, K = data["W1"].shape[1], data["W1"].shape[0], data["W2"].shape[0]
    ok, net = unit.call("MLP", getattr(module, "MLP", None), n, m, f, m, K, g)
    if not ok:
        return unit.values(failed=net)
    ok, why = unit.call("MLP.parameters", set_parameters, net, clone(data))
    if not ok:
        return unit.values(failed=why)
    clear = getattr(net, "clear_grad_and_cache", None)
    ok, why = unit.call("MLP.clear_grad_and_cache", clear)
    unit.values(clear=None if ok else why)
    ok, why = unit.call("MLP.forward", getattr(net, "forward", None), data["x"].clone())
    unit.values(y_hat=encode(why, "forward's result") if ok else why)
    unit.values(**loss_values(unit, module, loss, data["y"], data["y_hat"])[0])
    if ok:
        ok, why = unit.call("MLP.backward", getattr(net, "backward", None),
                            data["dJdy_hat"].clone())
    unit.values(grads1=snapshot(net) if ok else dict.fromkeys(
        ("dJdW1", "dJdb1", "dJdW2", "dJdb2"), why))
    if spec.get("probes") and ok:
        unit.values(grads2=forward_backward(unit, net, data["x"], data["dJdy_hat"])[0])
        ok, why = unit.call("MLP.clear_grad_and_cache", clear)
        if ok:
            unit.values(grads3=forward_backward(unit, net, data["x"], data["dJdy_hat"])[0])


def run_course_test(unit, module, spec):
    """The course's script: seeded, the candidate's own weights, its y_hat into its loss and its
    dJdy_hat into its backward. Sends what the course's twin then reads."""
    f, g, loss = spec["case"]
    N, n, m, K = spec["sizes"]
    torch.manual_seed(spec["seed"])
    ok, net = unit.call("MLP", getattr(module, "MLP", None), n, m, f, m, K, g)
    if not ok:
        return unit.values(failed=net)
    x = torch.randn(N, n)
    y = torch.randn(N, K) if spec["targets"] == "randn" else (torch.randn(N, K) < 0.5) * 1.0
    ok, why = unit.call("MLP.clear_grad_and_cache", getattr(net, "clear_grad_and_cache", None))
    if not ok:
        return unit.values(failed=why)
    ok, y_hat = unit.call("MLP.forward", getattr(net, "forward", None), x)
    if not ok:
        return unit.values(failed=y_hat)
    values, pair = loss_values(unit, module, loss, y, y_hat)
    if pair is None:
        return unit.values(failed=values["J"])
    ok, why = unit.call("MLP.backward", getattr(net, "backward", None), pair[1])
    if not ok:
        return unit.values(failed=why)
    params = getattr(net, "parameters", None)
    params = params if isinstance(params, dict) else {}
    unit.values(x=encode(x, "x"), y=encode(y, "y"), y_hat=encode(y_hat, "forward's result"),
                **values, grads1=snapshot(net),
                parameters={k: encode(params.get(k), f"parameters[{k!r}]") for k in PARAMETERS})


def run_probe(unit, module, spec):
    """The BCE where y_hat is exactly 0 or 1, which torch's clamps keep finite."""
    data = spec["data"]
    unit.values(**loss_values(unit, module, "bce", data["y"], data["y_hat"])[0])


RUNNERS = {"case": run_case, "course": run_course_test, "probe": run_probe}
