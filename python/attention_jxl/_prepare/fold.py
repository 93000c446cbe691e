"""Passes that remove run-time shape arithmetic and explicit broadcasts.

The converter kept the dynamic-shape plumbing of the TensorFlow graph: SHAPE,
STRIDED_SLICE, PACK and BROADCAST_ARGS chains computing shapes that are fixed
once the input is [1, 480, 640, 3], and BROADCAST_TO copies feeding operators
that broadcast by themselves. Neither runs inside XNNPACK, so each one splits
the delegated graph into another partition. Both passes are exact: they change
no floating-point value.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from .graph import _NUMPY_TYPES, Graph

_BROADCASTING = {"ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE"}


def _strided_slice(op: schema.OperatorT, values: list[np.ndarray]) -> np.ndarray | None:
    """Evaluates a STRIDED_SLICE of a 1-D constant; None for forms the pass leaves alone."""
    data, begin, end, strides = values
    options: schema.StridedSliceOptionsT = op.builtinOptions
    if (data.ndim != 1 or begin.size != 1 or options.ellipsisMask or options.newAxisMask
            or getattr(options, "offset", False)):
        return None
    start = None if options.beginMask & 1 else int(begin[0])
    stop = None if options.endMask & 1 else int(end[0])
    step = int(strides[0])
    if options.shrinkAxisMask & 1:
        return np.asarray(data[start if start is not None else 0])
    return data[start:stop:step]


def _evaluate(graph: Graph, op: schema.OperatorT) -> np.ndarray | None:
    """The value of a shape-arithmetic operator whose result is static, or None."""
    kind = graph.kind(op)
    if kind == "SHAPE":
        shape = graph.shape(op.inputs[0])
        signature = graph.tensors[op.inputs[0]].shapeSignature
        if any(d < 0 for d in shape) or (signature is not None and any(
                d < 0 for d in signature[1:])):
            return None
        out_type = getattr(op.builtinOptions, "outType", schema.TensorType.INT32)
        return np.asarray(shape, dtype=_NUMPY_TYPES.get(out_type, np.int32))
    values = [graph.constant(t) for t in op.inputs]
    if any(v is None for v in values):
        return None
    if kind == "STRIDED_SLICE":
        return _strided_slice(op, values)  # type: ignore[arg-type]
    if kind == "PACK":
        return np.stack(values, axis=op.builtinOptions.axis)  # type: ignore[arg-type]
    if kind == "BROADCAST_ARGS":
        shape = np.broadcast_shapes(*(tuple(int(d) for d in v) for v in values))  # type: ignore[union-attr]
        return np.asarray(shape, dtype=values[0].dtype)  # type: ignore[union-attr]
    return None


def fold_static_shapes(graph: Graph) -> int:
    """Replaces SHAPE/STRIDED_SLICE/PACK/BROADCAST_ARGS with the constants they compute.

    The batch size is fixed to 1 first (every tensor's shape signature is dropped), so
    the chains become static; RESHAPE then reads a constant target shape. Returns the
    number of operators folded.
    """
    for tensor in graph.tensors:
        tensor.shapeSignature = None
    folded = 0
    for op in list(graph.operators):
        value = _evaluate(graph, op)
        if value is None:
            continue
        out = op.outputs[0]
        replacement = graph.add_constant(graph.name(out), value.astype(
            _NUMPY_TYPES[graph.tensors[out].type]))
        graph.tensors[out].buffer = graph.tensors[replacement].buffer
        graph.tensors[out].shape = list(value.shape)
        graph.operators.remove(op)
        folded += 1
    return folded


def drop_broadcast_to(graph: Graph) -> int:
    """Bypasses BROADCAST_TO where every reader broadcasts its operands by itself.

    An elementwise reader computes the same values from the unbroadcast operand as
    long as its output shape stays the same. Returns the number of bypassed operators.
    """
    consumers = graph.consumers()
    dropped = 0
    for op in list(graph.operators):
        if graph.kind(op) != "BROADCAST_TO" or op.outputs[0] in graph.sub.outputs:
            continue
        out, source = op.outputs[0], op.inputs[0]
        readers = consumers.get(out, [])
        for reader in readers:
            if graph.kind(reader) not in _BROADCASTING:
                continue
            inputs = [source if t == out else t for t in reader.inputs]
            shapes = [tuple(graph.shape(t)) for t in inputs]
            if np.broadcast_shapes(*shapes) != tuple(graph.shape(reader.outputs[0])):
                continue
            reader.inputs = inputs
        if all(out not in reader.inputs for reader in readers):
            dropped += 1
    return dropped
