"""Passes over the group normalisations of the backbone (27 of them in center.tflite).

Each one was converted as

    x5 = RESHAPE(x, [1, H, W, G, c])
    mean = MEAN(x5, [1, 2, 4]);  var = MEAN(SQUARE(x5 - mean), [1, 2, 4])
    scale = RSQRT(var + eps) * gamma;  bias = beta - mean * scale      (all [1, 1, 1, G, c])
    y = RESHAPE(x5 * scale + bias, [1, H, W, C])

The reductions and the subtraction broadcast over the innermost axis of a 5-D
tensor, the slowest case for XNNPACK and the reference kernels alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from .graph import Graph


@dataclass
class GroupNorm:
    """The tensors and operators of one group normalisation."""

    x: int  # [1, H, W, C] input
    x5: int  # [1, H, W, G, c]
    mean: int  # [1, 1, 1, G, 1]
    variance: int  # [1, 1, 1, G, 1]
    subtract: schema.OperatorT  # x5 - mean
    scale: int  # [1, 1, 1, G, c]
    bias: int  # [1, 1, 1, G, c]
    multiply: schema.OperatorT  # x5 * scale
    add: schema.OperatorT  # (x5 * scale) + bias, maybe with a fused activation
    y: int  # [1, H, W, C] output
    eps: int  # the constant added to the variance
    shape5: list[int]  # [1, H, W, G, c]


def _other(op: schema.OperatorT, tensor: int) -> int:
    return op.inputs[1] if op.inputs[0] == tensor else op.inputs[0]


def find_group_norms(graph: Graph) -> list[GroupNorm]:
    """The group normalisations of the graph, matched by structure (not by name).

    Expects `drop_broadcast_to` to have run. A normalisation that does not match the
    expected form in every detail is left out, so the passes never touch it.
    """
    producers = graph.producers()
    consumers = graph.consumers()

    def only(tensor: int, kind: str) -> schema.OperatorT | None:
        found = [op for op in consumers.get(tensor, []) if graph.kind(op) == kind]
        return found[0] if len(found) == 1 else None

    found = []
    for op in graph.operators:
        if graph.kind(op) != "MEAN" or len(graph.shape(op.inputs[0])) != 5:
            continue
        x5, mean = op.inputs[0], op.outputs[0]
        axes = graph.constant(op.inputs[1])
        reshape = producers.get(x5)
        if (axes is None or sorted(int(a) % 5 for a in axes.ravel()) != [1, 2, 4]
                or reshape is None or graph.kind(reshape) != "RESHAPE"):
            continue
        subtract, multiply = only(x5, "SUB"), only(x5, "MUL")
        if subtract is None or multiply is None or subtract.inputs != [x5, mean]:
            continue
        square = only(subtract.outputs[0], "SQUARE")
        reduce = only(square.outputs[0], "MEAN") if square is not None else None
        if reduce is None:
            continue
        variance = reduce.outputs[0]
        add_eps = only(variance, "ADD")
        add = only(multiply.outputs[0], "ADD")
        back = only(add.outputs[0], "RESHAPE") if add is not None else None
        if add_eps is None or add is None or back is None:
            continue
        eps = _other(add_eps, variance)
        if graph.value(eps) is None or len(consumers.get(add.outputs[0], [])) != 1:
            continue
        norm = GroupNorm(
            x=reshape.inputs[0], x5=x5, mean=mean, variance=variance, subtract=subtract,
            scale=_other(multiply, x5), bias=_other(add, multiply.outputs[0]),
            multiply=multiply, add=add, y=back.outputs[0], eps=eps, shape5=graph.shape(x5),
        )
        if graph.shape(norm.scale)[:3] != [1, 1, 1] or graph.shape(norm.bias)[:3] != [1, 1, 1]:
            continue
        found.append(norm)
    return found


def rows_for_mean(graph: Graph, norms: list[GroupNorm]) -> None:
    """Subtracts `mean * ones[G, c]` instead of the [G, 1] mean (exact).

    With a [1, 1, 1, G, c] operand the subtraction broadcasts whole rows of G*c
    values over H*W, which XNNPACK vectorises; multiplying by 1.0 changes no value.
    """
    for norm in norms:
        _, _, _, groups, per_group = norm.shape5
        ones = graph.add_constant(graph.name(norm.mean) + "/ones",
                                  np.ones((1, 1, 1, groups, per_group), np.float32))
        full = graph.compute("MUL", [norm.mean, ones], [1, 1, 1, groups, per_group],
                             graph.name(norm.mean) + "/rows", near=norm.subtract)
        norm.subtract.inputs = [norm.x5, full]


def affine_in_4d(graph: Graph, norms: list[GroupNorm]) -> None:
    """Applies the final `x * scale + bias` to the 4-D input (exact).

    The [G, c] scale and bias are reshaped to [1, 1, 1, C]; the products and sums
    are the same numbers, computed without the 5-D broadcast and the RESHAPE back.
    """
    for norm in norms:
        channels = graph.shape(norm.x)[3]
        base = graph.name(norm.y)
        scale = graph.reshape(norm.scale, [1, 1, 1, channels], base + "/scale",
                              near=norm.multiply)
        bias = graph.reshape(norm.bias, [1, 1, 1, channels], base + "/bias", near=norm.add)
        shape = graph.shape(norm.x)
        scaled = graph.compute("MUL", [norm.x, scale], shape, base + "/mul", near=norm.multiply,
                               fusedActivationFunction=norm.multiply.builtinOptions.
                               fusedActivationFunction)
        out = graph.compute("ADD", [scaled, bias], shape, base + "/add", near=norm.add,
                            fusedActivationFunction=norm.add.builtinOptions.
                            fusedActivationFunction)
        graph.take_over(norm.y, out)
        norm.y = out


def channel_statistics(graph: Graph, norms: list[GroupNorm]) -> None:
    """Computes the group mean and variance from per-channel 4-D means (not exact).

    MEAN(x, [1, 2]) and MEAN(SQUARE(x), [1, 2]) are global poolings XNNPACK runs
    fast; a FULLY_CONNECTED with a [G, C] matrix of 1/c entries averages them per
    group, and the variance is E[x^2] - E[x]^2 (one pass over x instead of two),
    clamped at 0: for a flat group the difference can round below zero, and with
    the graph's eps of 1e-6 the reciprocal square root would give NaN. The results
    replace the 5-D mean and variance; the 5-D reductions become dead.
    """
    for norm in norms:
        _, height, width, groups, per_group = norm.shape5
        channels = groups * per_group
        base = graph.name(norm.mean).rsplit("/", 1)[0]
        matrix = np.kron(np.eye(groups, dtype=np.float32),
                         np.full((1, per_group), 1.0 / per_group, np.float32))
        weights = graph.add_constant(base + "/group_average", matrix)
        axes = graph.add_constant(base + "/channel_axes", np.asarray([1, 2], np.int32))
        near = norm.subtract
        squares = graph.compute("SQUARE", [norm.x], [1, height, width, channels],
                                base + "/square", near=near)
        mean = _group_average(graph, norm.x, axes, weights, base + "/mean", near)
        mean_square = _group_average(graph, squares, axes, weights, base + "/mean_square", near)
        squared_mean = graph.compute("MUL", [mean, mean], [1, groups], base + "/squared_mean",
                                     near=near)
        difference = graph.compute("SUB", [mean_square, squared_mean], [1, groups],
                                   base + "/one_pass_difference", near=near)
        zero = graph.add_constant(base + "/zero", np.zeros((), np.float32))
        variance = graph.compute("MAXIMUM", [difference, zero], [1, groups],
                                 base + "/one_pass_variance", near=near)
        shape5 = [1, 1, 1, groups, 1]
        graph.take_over(norm.mean, graph.reshape(mean, shape5, base + "/mean5", near=near))
        graph.take_over(norm.variance,
                        graph.reshape(variance, shape5, base + "/variance5", near=near))


def _group_average(graph: Graph, tensor: int, axes: int, weights: int, name: str,
                   near: schema.OperatorT) -> int:
    """FULLY_CONNECTED(MEAN(tensor, [1, 2]), weights): per-channel means averaged per group."""
    channels = graph.shape(tensor)[3]
    groups = graph.shape(weights)[0]
    pooled = graph.compute("MEAN", [tensor, axes], [1, 1, 1, channels], f"{name}_per_channel",
                           near=near, keepDims=True)
    flat = graph.reshape(pooled, [1, channels], f"{name}_flat", near=near)
    return graph.compute("FULLY_CONNECTED", [flat, weights, -1], [1, groups],
                         f"{name}_per_group", near=near, keepNumDims=False)
