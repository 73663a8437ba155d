"""Every (f, g, loss) the losses accept, through MLP and DeepMLP against autograd, at tiny sizes.

The full grid, computed from the registries (`derivations.configurations`), so every new entry
joins it; the slower tests run `strategies.NETWORK_CASES`, a cover of it.
"""

from __future__ import annotations

import pytest
import torch

from mlp import LOSSES, MLP
from mlp.deep import DeepMLP

from .reference import assert_rel_close, autograd_run
from .strategies import CONFIGURATIONS, NETWORK_CASES, targets

F64 = torch.float64
# float64, the same products in a different order: 1e-12 relative, well inside the 1e-10 asked.
RTOL = 1e-12
NETS = {
    "MLP": lambda f, g, gen: MLP(2, 3, f, 3, 3, g, dtype=F64, generator=gen),
    "DeepMLP": lambda f, g, gen: DeepMLP((2, 3, 4, 3), f, g, dtype=F64, generator=gen),
}


def test_the_cover_has_every_entry_in_every_role():
    for position in range(3):
        assert {c[position] for c in NETWORK_CASES} == {c[position] for c in CONFIGURATIONS}
    assert {c[1:] for c in NETWORK_CASES} == {c[1:] for c in CONFIGURATIONS}


@pytest.mark.parametrize("kind", NETS)
@pytest.mark.parametrize(("f", "g", "loss"), CONFIGURATIONS)
def test_every_configuration_matches_autograd(f, g, loss, kind):
    gen = torch.Generator().manual_seed(7)
    net = NETS[kind](f, g, gen)
    x = torch.randn(4, 2, dtype=F64, generator=gen)
    y = targets((4, 3), F64, gen)
    y_hat = net.forward(x)
    J, dJdy_hat = LOSSES[loss].fn(y, y_hat)
    net.backward(dJdy_hat)
    y_hat_ref, J_ref, grads_ref = autograd_run(net, x, y, loss)
    assert_rel_close(y_hat, y_hat_ref, RTOL, "y_hat")
    assert_rel_close(J, J_ref, RTOL, "J")
    assert net.grads.keys() == grads_ref.keys()
    for k, grad in net.grads.items():
        assert_rel_close(grad, grads_ref[k], RTOL, k)
    assert any(bool(grad.abs().sum() > 0) for grad in net.grads.values())
