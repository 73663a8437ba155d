r"""The one tolerance rule: a result computed in a dtype must keep half of that dtype's digits.

$$\text{rtol}(\text{dtype}) = \varepsilon_\text{dtype}^{\,1/2}, \qquad
\frac{\lVert c - r \rVert}{\lVert r \rVert} \le \text{rtol},$$

where $\varepsilon$ is the dtype's machine epsilon (`torch.finfo(dtype).eps`), $c$ the result and
$r$ the reference, both read as float64, and the norm is Frobenius over every entry. That is
1.5e-8 for float64, 3.5e-4 for float32, 3.1e-2 for float16 and 8.8e-2 for bfloat16.

The dtype is the one the result was *computed* in: the lower precision of the inputs it got and
the tensor it came back as. A float32 run judged at float64's tolerance fails every right answer;
a float64 run judged at float32's lets a float32 tensor hidden inside the computation pass.

Why half the digits, for this project's small, well-conditioned cases:

- rounding stays far below it: a right float64 computation differs from autograd by about
  $10\,\varepsilon$ (3e-15), a right float32 one by about 1e-6;
- float32 leaking into a float64 run stays above it: rounding to float32 costs about
  $\varepsilon_{32} = 1.2 \times 10^{-7}$, eight times float64's tolerance;
- every mistake that changes the formula stays above it: a factor $1/N$, a dropped 2, a
  derivative at the wrong point are off by more than 1e-2, thirty times float32's tolerance.
"""

from __future__ import annotations

import torch

DIGITS_KEPT = 0.5
"""The fraction of the dtype's significant digits a result must keep: rtol = eps ** DIGITS_KEPT."""


def tolerance_for(dtype: torch.dtype) -> float:
    r"""The relative tolerance $\varepsilon^{1/2}$ at which a result computed in `dtype` is judged.

    Args:
        dtype: a floating torch dtype, such as `torch.float64` or `torch.float32`.

    Returns:
        `torch.finfo(dtype).eps ** DIGITS_KEPT`: 1.49e-8 for float64, 3.45e-4 for float32.

    Raises:
        TypeError: `dtype` is not a floating torch dtype.
    """
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    return torch.finfo(dtype).eps ** DIGITS_KEPT
