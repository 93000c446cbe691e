"""An editable view of a TFLite model's main subgraph, built on the flatbuffer object API.

The passes in this package rewrite the graph through `Graph`: they add tensors,
constants and operators, redirect the uses of a tensor to another one, and leave
dead operators behind. `Graph.finish` then removes what no output needs, sorts the
operators topologically and drops unused tensors, buffers and operator codes while
keeping every index that remains (metadata buffers included) valid.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from ai_edge_litert import schema_py_generated as schema

_OP_NAMES = {
    value: name
    for name, value in vars(schema.BuiltinOperator).items()
    if not name.startswith("_") and isinstance(value, int)
}
_OP_CODES = {name: value for value, name in _OP_NAMES.items()}

_NUMPY_TYPES = {
    schema.TensorType.FLOAT32: np.float32,
    schema.TensorType.FLOAT16: np.float16,
    schema.TensorType.INT32: np.int32,
    schema.TensorType.INT64: np.int64,
    schema.TensorType.UINT8: np.uint8,
    schema.TensorType.INT8: np.int8,
    schema.TensorType.BOOL: np.bool_,
}
_TENSOR_TYPES = {np.dtype(value): key for key, value in _NUMPY_TYPES.items()}

# Builtin options type and class for each operator the passes create.
_OPTIONS = {
    "ADD": (schema.BuiltinOptions.AddOptions, schema.AddOptionsT),
    "SUB": (schema.BuiltinOptions.SubOptions, schema.SubOptionsT),
    "MUL": (schema.BuiltinOptions.MulOptions, schema.MulOptionsT),
    "RESHAPE": (schema.BuiltinOptions.ReshapeOptions, schema.ReshapeOptionsT),
    "MEAN": (schema.BuiltinOptions.ReducerOptions, schema.ReducerOptionsT),
    "SUM": (schema.BuiltinOptions.ReducerOptions, schema.ReducerOptionsT),
    "MAXIMUM": (
        schema.BuiltinOptions.MaximumMinimumOptions,
        schema.MaximumMinimumOptionsT,
    ),
    "DIV": (schema.BuiltinOptions.DivOptions, schema.DivOptionsT),
    "SQUARE": (schema.BuiltinOptions.SquareOptions, schema.SquareOptionsT),
    "RSQRT": (0, None),
    "FULLY_CONNECTED": (
        schema.BuiltinOptions.FullyConnectedOptions,
        schema.FullyConnectedOptionsT,
    ),
    "RESIZE_BILINEAR": (
        schema.BuiltinOptions.ResizeBilinearOptions,
        schema.ResizeBilinearOptionsT,
    ),
    "CONCATENATION": (
        schema.BuiltinOptions.ConcatenationOptions,
        schema.ConcatenationOptionsT,
    ),
}


def op_code_name(code: schema.OperatorCodeT) -> str:
    """The builtin operator name of an operator code (handles the deprecated field)."""
    return _OP_NAMES.get(max(code.builtinCode, code.deprecatedBuiltinCode), "CUSTOM")


def as_name(value: bytes | str | None) -> str:
    """A tensor or metadata name as str (the object API gives bytes)."""
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class Graph:
    """The main subgraph of a model, with the bookkeeping the passes need."""

    def __init__(self, model: schema.ModelT) -> None:
        if not model.subgraphs:
            raise ValueError("the model has no subgraph")
        self.model = model
        self.sub: schema.SubGraphT = model.subgraphs[0]
        self.sub.inputs = [int(i) for i in self.sub.inputs]
        self.sub.outputs = [int(i) for i in self.sub.outputs]
        for op in self.sub.operators:
            op.inputs = [int(i) for i in op.inputs]
            op.outputs = [int(i) for i in op.outputs]
        # Sort keys that keep new operators next to the ones they replace.
        self._keys: dict[int, float] = {id(op): float(k) for k, op in enumerate(self.sub.operators)}
        self._names = {as_name(t.name) for t in self.sub.tensors}
        self._added = 0

    # Reading --------------------------------------------------------------------------------

    @property
    def tensors(self) -> list[schema.TensorT]:
        return self.sub.tensors

    @property
    def operators(self) -> list[schema.OperatorT]:
        return self.sub.operators

    def kind(self, op: schema.OperatorT) -> str:
        """The builtin name of an operator, e.g. "MEAN"."""
        return op_code_name(self.model.operatorCodes[op.opcodeIndex])

    def name(self, tensor: int) -> str:
        return as_name(self.tensors[tensor].name)

    def shape(self, tensor: int) -> list[int]:
        shape = self.tensors[tensor].shape
        return [] if shape is None else [int(d) for d in shape]

    def producers(self) -> dict[int, schema.OperatorT]:
        """Maps each tensor to the operator writing it."""
        return {t: op for op in self.operators for t in op.outputs}

    def consumers(self) -> dict[int, list[schema.OperatorT]]:
        """Maps each tensor to the operators reading it, in graph order."""
        users: dict[int, list[schema.OperatorT]] = {}
        for op in self.operators:
            for t in op.inputs:
                if t >= 0:
                    users.setdefault(t, []).append(op)
        return users

    def constant(self, tensor: int) -> np.ndarray | None:
        """The value of a constant tensor, or None when it is computed at run time."""
        info = self.tensors[tensor]
        buffers = self.model.buffers
        data = buffers[info.buffer].data if info.buffer < len(buffers) else None
        if info.type not in _NUMPY_TYPES:
            return None
        if data is None or len(data) == 0:
            shape = self.shape(tensor)
            if shape and 0 in shape and info.buffer > 0:
                return np.zeros(shape, dtype=_NUMPY_TYPES[info.type])
            return None
        array = np.frombuffer(bytes(bytearray(data)), dtype=_NUMPY_TYPES[info.type])
        return array.reshape(self.shape(tensor))

    def value(self, tensor: int) -> np.ndarray | None:
        """A constant's value, looking through a DEQUANTIZE of a float16 constant."""
        found = self.constant(tensor)
        if found is not None:
            return found
        op = self.producers().get(tensor)
        if op is not None and self.kind(op) == "DEQUANTIZE":
            source = self.constant(op.inputs[0])
            if source is not None:
                return source.astype(np.float32)
        return None

    # Writing --------------------------------------------------------------------------------

    def unique_name(self, name: str) -> str:
        """`name`, or `name` with a numeric suffix when another tensor already has it."""
        candidate, n = name, 1
        while candidate in self._names:
            candidate = f"{name}_{n}"
            n += 1
        self._names.add(candidate)
        return candidate

    def rename(self, tensor: int, name: str) -> None:
        """Gives a tensor a name no other tensor has (the old name becomes free)."""
        self._names.discard(self.name(tensor))
        self.tensors[tensor].name = self.unique_name(name).encode()

    def add_tensor(self, name: str, shape: Sequence[int], dtype: Any = np.float32) -> int:
        """Adds a run-time tensor and returns its index."""
        tensor = schema.TensorT()
        tensor.name = self.unique_name(name).encode()
        tensor.shape = [int(d) for d in shape]
        tensor.type = _TENSOR_TYPES[np.dtype(dtype)]
        tensor.buffer = 0
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    def add_constant(self, name: str, value: np.ndarray) -> int:
        """Adds a constant tensor with its own buffer and returns its index."""
        value = np.ascontiguousarray(value)
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(value.tobytes(), dtype=np.uint8).copy()
        self.model.buffers.append(buffer)
        index = self.add_tensor(name, value.shape, value.dtype)
        self.tensors[index].buffer = len(self.model.buffers) - 1
        return index

    def _opcode(self, kind: str) -> int:
        code = _OP_CODES[kind]
        for index, existing in enumerate(self.model.operatorCodes):
            if max(existing.builtinCode, existing.deprecatedBuiltinCode) == code:
                return index
        entry = schema.OperatorCodeT()
        entry.builtinCode = code
        entry.deprecatedBuiltinCode = min(code, 127)
        entry.version = 1
        self.model.operatorCodes.append(entry)
        return len(self.model.operatorCodes) - 1

    def add_op(
        self,
        kind: str,
        inputs: Sequence[int],
        outputs: Sequence[int],
        *,
        near: schema.OperatorT | None = None,
        **options: Any,
    ) -> schema.OperatorT:
        """Adds an operator; `near` places it next to that one when the graph is sorted."""
        op = schema.OperatorT()
        op.opcodeIndex = self._opcode(kind)
        op.inputs = [int(i) for i in inputs]
        op.outputs = [int(i) for i in outputs]
        options_type, options_class = _OPTIONS.get(kind, (0, None))
        if options_class is not None:
            op.builtinOptionsType = options_type
            op.builtinOptions = options_class()
            for key, value in options.items():
                setattr(op.builtinOptions, key, value)
        self._added += 1
        if near is not None:
            base = self._keys.get(id(near), float(len(self._keys)))
        else:
            producers = self.producers()
            base = max((self._keys.get(id(producers[t]), -1.0) for t in op.inputs
                        if t in producers), default=-1.0)
        self._keys[id(op)] = base + 1e-6 * self._added
        self.operators.append(op)
        return op

    def compute(
        self, kind: str, inputs: Sequence[int], shape: Sequence[int], name: str, *,
        near: schema.OperatorT | None = None, **options: Any,
    ) -> int:
        """Adds an operator with one new float32 output and returns that output."""
        out = self.add_tensor(name, shape)
        self.add_op(kind, inputs, [out], near=near, **options)
        return out

    def reshape(self, tensor: int, shape: Sequence[int], name: str, *,
                near: schema.OperatorT | None = None) -> int:
        """Adds a RESHAPE of `tensor` to `shape` (given as a constant) and returns its output."""
        target = self.add_constant(f"{name}/shape", np.asarray(shape, dtype=np.int32))
        return self.compute("RESHAPE", [tensor, target], shape, name, near=near,
                            newShape=[int(d) for d in shape])

    def replace_uses(self, old: int, new: int) -> None:
        """Makes every reader of `old` (and the graph outputs) read `new` instead."""
        for op in self.operators:
            op.inputs = [new if t == old else t for t in op.inputs]
        self.sub.outputs = [new if t == old else t for t in self.sub.outputs]

    def take_over(self, old: int, new: int) -> None:
        """`replace_uses`, and `new` takes `old`'s name so that names stay meaningful."""
        self.replace_uses(old, new)
        old_name = self.name(old)
        self.rename(old, old_name + "/replaced")
        self.rename(new, old_name)

    # Cleaning up ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Removes dead operators, sorts the rest and compacts tensors, buffers and codes."""
        self._remove_dead_ops()
        self._sort_ops()
        self._compact_tensors()
        self._compact_buffers()
        self._compact_opcodes()

    def live_operators(self) -> list[schema.OperatorT]:
        """The operators the graph outputs depend on, in graph order."""
        producers = self.producers()
        live: set[int] = set()
        stack = list(self.sub.outputs)
        needed: set[int] = set()
        while stack:
            tensor = stack.pop()
            if tensor in needed:
                continue
            needed.add(tensor)
            op = producers.get(tensor)
            if op is not None and id(op) not in live:
                live.add(id(op))
                stack.extend(t for t in op.inputs if t >= 0)
        return [op for op in self.operators if id(op) in live]

    def _remove_dead_ops(self) -> None:
        self.sub.operators = self.live_operators()

    def _sort_ops(self) -> None:
        producers = self.producers()
        waiting: dict[int, int] = {}
        readers: dict[int, list[schema.OperatorT]] = {}
        for op in self.operators:
            sources = {id(producers[t]) for t in op.inputs if t in producers}
            waiting[id(op)] = len(sources)
            for source in sources:
                readers.setdefault(source, []).append(op)
        ready = [(self._keys[id(op)], n, op) for n, op in enumerate(self.operators)
                 if waiting[id(op)] == 0]
        order_index = {id(op): n for n, op in enumerate(self.operators)}
        heapq.heapify(ready)
        ordered = []
        while ready:
            _, _, op = heapq.heappop(ready)
            ordered.append(op)
            for reader in readers.get(id(op), []):
                waiting[id(reader)] -= 1
                if waiting[id(reader)] == 0:
                    heapq.heappush(ready, (self._keys[id(reader)], order_index[id(reader)], reader))
        if len(ordered) != len(self.operators):
            raise ValueError("the rewritten graph has a cycle")
        self.sub.operators = ordered
        self._keys = {id(op): float(k) for k, op in enumerate(ordered)}

    def _compact_tensors(self) -> None:
        used: list[int] = []
        seen: set[int] = set()

        def use(indices: Iterable[int]) -> None:
            for t in indices:
                if t >= 0 and t not in seen:
                    seen.add(t)
                    used.append(t)

        use(self.sub.inputs)
        for op in self.operators:
            use(op.inputs)
            use(op.outputs)
            use(op.intermediates if op.intermediates is not None else [])
        use(self.sub.outputs)
        used.sort()
        remap = {old: new for new, old in enumerate(used)}

        def move(indices: Iterable[int]) -> list[int]:
            return [remap[t] if t >= 0 else t for t in indices]

        self.sub.tensors = [self.tensors[t] for t in used]
        self.sub.inputs = move(self.sub.inputs)
        self.sub.outputs = move(self.sub.outputs)
        for op in self.operators:
            op.inputs = move(op.inputs)
            op.outputs = move(op.outputs)
            if op.intermediates is not None:
                op.intermediates = move(op.intermediates)
        self._names = {as_name(t.name) for t in self.tensors}

    def _compact_buffers(self) -> None:
        model = self.model
        keep = {0}
        keep.update(t.buffer for t in self.tensors)
        keep.update(entry.buffer for entry in model.metadata or [])
        order = sorted(b for b in keep if b < len(model.buffers))
        remap = {old: new for new, old in enumerate(order)}
        model.buffers = [model.buffers[b] for b in order]
        for tensor in self.tensors:
            tensor.buffer = remap[tensor.buffer]
        for entry in model.metadata or []:
            entry.buffer = remap[entry.buffer]

    def _compact_opcodes(self) -> None:
        model = self.model
        order = sorted({op.opcodeIndex for op in self.operators})
        remap = {old: new for new, old in enumerate(order)}
        model.operatorCodes = [model.operatorCodes[c] for c in order]
        for op in self.operators:
            op.opcodeIndex = remap[op.opcodeIndex]
