"""Time one training step of the homework's network four ways: `mlp` (backprop by hand),
`nn.Sequential` with autograd, `torch.func.grad`, and the floor of five matrix products.

Run it with `make bench` (`python -m benchmarks`); it writes `benchmarks/results.json`, which
is committed and which the site's benchmarks page renders.
"""
