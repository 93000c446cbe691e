"""Passes over the saliency head: four 1-channel maps resized to 480x640 and summed,
a sigmoid, the normalisation by the maximum, and the centre of gravity.

A 1-channel RESIZE_BILINEAR to 480x640 keeps XNNPACK to one value per pixel and
ADD_N and SUM run outside it, so the head costs far more than its arithmetic.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from .graph import Graph


def _resize(graph: Graph, source: int, size: tuple[int, int], like: schema.OperatorT,
            name: str) -> int:
    """A RESIZE_BILINEAR of `source` to `size` with the options of the operator `like`."""
    batch, _, _, channels = graph.shape(source)
    target = graph.add_constant(name + "/size", np.asarray(size, np.int32))
    options = like.builtinOptions
    return graph.compute("RESIZE_BILINEAR", [source, target], [batch, *size, channels], name,
                         near=like, alignCorners=options.alignCorners,
                         halfPixelCenters=options.halfPixelCenters)


def split_resizes(graph: Graph) -> int:
    """Resizes 1-channel maps in two passes: the width, then the height over W channels.

    Bilinear interpolation weighs the two source columns, then the two rows; the width
    pass produces the row values and the height pass, on the map reshaped to
    [1, h, 1, W], interpolates between whole rows with W channels at once. Each output
    is computed by the same operations in the same order (exact on XNNPACK).
    Returns the number of resizes split.
    """
    split = 0
    for op in list(graph.operators):
        if graph.kind(op) != "RESIZE_BILINEAR":
            continue
        batch, height, width, channels = graph.shape(op.inputs[0])
        _, out_height, out_width, _ = graph.shape(op.outputs[0])
        if batch != 1 or channels != 1 or out_width <= width:
            continue
        base = graph.name(op.outputs[0])
        rows = _resize(graph, op.inputs[0], (height, out_width), op, base + "/width_pass")
        rows = graph.reshape(rows, [1, height, 1, out_width], base + "/rows", near=op)
        full = _resize(graph, rows, (out_height, 1), op, base + "/height_pass")
        full = graph.reshape(full, [1, out_height, out_width, 1], base + "/map", near=op)
        graph.take_over(op.outputs[0], full)
        split += 1
    return split


def add_n_as_adds(graph: Graph) -> int:
    """Replaces ADD_N by a chain of ADDs in operand order (exact: ADD_N sums left to right).

    ADD_N has no XNNPACK kernel; ADD does. Returns the number of ADD_N replaced.
    """
    replaced = 0
    for op in list(graph.operators):
        if graph.kind(op) != "ADD_N":
            continue
        shape = graph.shape(op.outputs[0])
        total = op.inputs[0]
        for k, term in enumerate(op.inputs[1:], start=1):
            total = graph.compute("ADD", [total, term], shape,
                                  f"{graph.name(op.outputs[0])}/add{k}", near=op)
        graph.take_over(op.outputs[0], total)
        replaced += 1
    return replaced


def unit_sums_as_reshapes(graph: Graph) -> int:
    """Replaces a SUM over axes of size 1 by a RESHAPE (exact: it adds one value).

    Returns the number of SUM replaced.
    """
    replaced = 0
    for op in list(graph.operators):
        if graph.kind(op) != "SUM":
            continue
        axes = graph.constant(op.inputs[1])
        shape = graph.shape(op.inputs[0])
        if axes is None or any(shape[int(a) % len(shape)] != 1 for a in axes.ravel()):
            continue
        out = op.outputs[0]
        graph.take_over(out, graph.reshape(op.inputs[0], graph.shape(out),
                                           graph.name(out) + "/reshape", near=op))
        replaced += 1
    return replaced


def merge_equal_resizes(graph: Graph) -> int:
    """Adds maps of the same size before resizing them, in an ADD_N of resizes (not exact).

    Bilinear resizing is linear, so resize(a) + resize(b) == resize(a + b) up to
    rounding; one full-size resize is saved per merged pair. Run before add_n_as_adds.
    Returns the number of resizes saved.
    """
    producers = graph.producers()
    saved = 0
    for op in list(graph.operators):
        if graph.kind(op) != "ADD_N":
            continue
        groups: dict[tuple, list[schema.OperatorT]] = {}
        for term in op.inputs:
            resize = producers.get(term)
            if resize is None or graph.kind(resize) != "RESIZE_BILINEAR":
                continue
            size = graph.constant(resize.inputs[1])
            options = resize.builtinOptions
            key = (tuple(graph.shape(resize.inputs[0])), tuple(size.ravel()) if size is not None
                   else None, options.alignCorners, options.halfPixelCenters)
            if key[1] is not None:
                groups.setdefault(key, []).append(resize)
        inputs = list(op.inputs)
        for resizes in groups.values():
            if len(resizes) < 2:
                continue
            first = resizes[0]
            total = first.inputs[0]
            for k, other in enumerate(resizes[1:], start=1):
                total = graph.compute("ADD", [total, other.inputs[0]], graph.shape(total),
                                      f"{graph.name(first.outputs[0])}/merged{k}", near=first)
            merged = graph.compute("RESIZE_BILINEAR", [total, first.inputs[1]],
                                   graph.shape(first.outputs[0]),
                                   graph.name(first.outputs[0]) + "/merged", near=first,
                                   alignCorners=first.builtinOptions.alignCorners,
                                   halfPixelCenters=first.builtinOptions.halfPixelCenters)
            position = inputs.index(first.outputs[0])
            gone = {r.outputs[0] for r in resizes}
            inputs = [t for t in inputs if t not in gone]
            inputs.insert(min(position, len(inputs)), merged)
            saved += len(resizes) - 1
        op.inputs = inputs
    return saved
