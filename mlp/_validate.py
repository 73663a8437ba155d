"""Argument checks shared by the networks and the losses.

Each check raises before anything is written, names the argument, what was expected and what
came: TypeError for a wrong type (a non-tensor, an integer dtype, a sparse or other non-strided
layout), ValueError for a wrong value or shape. Most read only attributes (type, layout, dtype,
shape, device), so they cost no tensor work on the hot path. Three read values: `finite`, one
pass over x, since a NaN or inf in x would reach backward; `in_unit_interval` and
`rows_sum_to_one`, which the BCE and cross-entropy losses need because log is undefined
outside [0, 1] and cross-entropy takes probability rows.
"""

from __future__ import annotations

import torch
from torch import Tensor


def positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


def choice(name: str, value: object, registry: dict) -> object:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {sorted(registry)}, "
                        f"got {type(value).__name__}")
    if value not in registry:
        raise ValueError(f"{name} must be one of {sorted(registry)}, got {value!r}")
    return registry[value]


def tensor_input(name: str, value: object) -> Tensor:
    """`value` checked to be a dense floating tensor, and detached from any autograd graph.

    Every tensor the networks and the losses take comes through here, so none of them records
    a graph: what they return carries no grad_fn, as the hand-written backward needs none. The
    detached tensor shares `value`'s storage and version counter.
    """
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__module__}."
                        f"{type(value).__name__}; convert it with torch.as_tensor(...)")
    if value.layout != torch.strided:
        raise TypeError(f"{name} must be a dense (strided) tensor, got layout {value.layout}; "
                        f"convert it with {name}.to_dense()")
    if not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got {value.dtype}; "
                        f"convert it with .to(torch.float32) or .double()")
    return value.detach()


def finite(name: str, value: Tensor) -> None:
    # Refused rather than propagated: a NaN's path through backward depends on how each
    # derivative treats it (ReLU's 1[u > 0] is 0 at NaN where autograd's kernel passes the
    # gradient), so gradients would agree with autograd's only by accident.
    if value.device.type == "meta":  # a meta tensor has a shape but no values to check
        return
    # One summing pass first: a NaN or inf anywhere makes the sum non-finite. isfinite over
    # every entry costs several passes (about 3% of a step at (256, 512->512->512)), so it runs
    # only when the sum is not finite, which finite entries can also cause by overflowing.
    if bool(torch.isfinite(value.sum())):
        return
    bad = ~torch.isfinite(value)
    if bool(bad.any()):
        where = tuple(torch.nonzero(bad)[0].tolist())
        raise ValueError(f"{name} must be finite; got {int(bad.sum())} NaN or infinite "
                         f"entries, the first {value[where].item()} at index {where}")


def shape(name: str, value: Tensor, expected: tuple[int, ...], what: str) -> None:
    if tuple(value.shape) != expected:
        raise ValueError(f"{name} must have shape {expected} ({what}), got {tuple(value.shape)}")


def same_kind(name: str, value: Tensor, like: Tensor, like_name: str) -> None:
    if value.dtype != like.dtype:
        raise TypeError(f"{name} has dtype {value.dtype} but {like_name} has {like.dtype}; "
                        f"convert one with .to({like.dtype})")
    if value.device != like.device:
        raise ValueError(f"{name} is on {value.device} but {like_name} is on {like.device}")


def in_unit_interval(name: str, value: Tensor) -> None:
    # NaN fails both comparisons, so one reduction catches it with the out-of-range values.
    if not bool(((value >= 0) & (value <= 1)).all()):
        bad = value[~((value >= 0) & (value <= 1))]
        raise ValueError(f"{name} must lie in [0, 1] with no NaN; got {bad.numel()} entries "
                         f"outside, such as {bad[0].item()}")


def as_dtype(name: str, value: object) -> torch.dtype | None:
    if value is not None and not (isinstance(value, torch.dtype) and value.is_floating_point):
        raise TypeError(f"{name} must be a floating torch.dtype or None, got {value!r}")
    return value


def rows_sum_to_one(name: str, value: Tensor) -> None:
    # Softmax rows sum to 1 to within a few ulps; sqrt(eps) leaves room for any sum order and
    # still tells a sigmoid's independent outputs (or a forgotten softmax) from probabilities.
    tol = torch.finfo(value.dtype).eps ** 0.5
    sums = value.sum(dim=-1)
    if not bool(((sums - 1).abs() <= tol).all()):
        worst = sums[(sums - 1).abs().argmax()].item()
        raise ValueError(f"each row of {name} must sum to 1 (a probability vector, as softmax "
                         f"gives), to within {tol:.1e}; a row sums to {worst}")
