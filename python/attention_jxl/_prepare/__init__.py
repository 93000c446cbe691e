"""Preparing center.tflite for fast inference: a rewritten graph with named outputs.

`prepare_model` drops the unused string input, exposes the centre and the
normalised saliency map as outputs `center` and `saliency` (plus any named
intermediate tensor asked for), rewrites the slow parts of the graph and records
what was done in an `attention_jxl` metadata entry that `prepared_info` reads back.

Two graph kinds:

* "exact" applies only rewrites that change no floating-point value on LiteRT, so
  the centre is bit-identical to the original model's;
* "fast" (the default) adds rewrites that reorder arithmetic, within a small
  fraction of a model pixel of the original.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

from . import fold, groupnorm, head
from .graph import Graph, as_name
from .layers import STAGES

# Part of every cached file name and recorded in each prepared model: raise it
# whenever a pass changes what it writes, so no stale preparation is reused.
PREPARATION_VERSION = 2
METADATA_NAME = "attention_jxl"
CENTER = "center"
SALIENCY = "saliency"
_FILE_IDENTIFIER = b"TFL3"


def _load(data: bytes) -> schema.ModelT:
    """Parses a TFLite flatbuffer, turning every decoding failure into ValueError."""
    if len(data) < 8 or data[4:8] != _FILE_IDENTIFIER:
        raise ValueError("not a TFLite model (no TFL3 file identifier)")
    try:
        model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    except Exception as error:  # the flatbuffer readers raise many kinds on bad offsets
        raise ValueError(f"corrupt or truncated TFLite model: {error}") from error
    for buffer in model.buffers or []:
        if buffer.offset and buffer.offset + buffer.size > len(data):
            raise ValueError("truncated TFLite model: a buffer ends past the end of the file")
    if not model.subgraphs or model.buffers is None:
        raise ValueError("corrupt TFLite model: no subgraph or no buffers")
    return model


def _read_metadata(model: schema.ModelT) -> dict[str, Any] | None:
    for entry in model.metadata or []:
        if as_name(entry.name) == METADATA_NAME and entry.buffer < len(model.buffers):
            data = model.buffers[entry.buffer].data
            if data is None:
                return None
            try:
                return json.loads(bytes(bytearray(data)).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return None
    return None


def prepared_info(model: str | os.PathLike[str] | bytes) -> dict[str, Any] | None:
    """What `prepare_model` recorded in a prepared model, or None for any other model.

    The dict holds `source_sha256`, `preparation_version`, `graph` ("fast" or
    "exact") and `outputs` (the output names in order). Accepts a path or the bytes.
    Reads only the metadata (about a millisecond): it runs on every model load.
    Raises ValueError for data that is not a TFLite model.
    """
    data = bytes(model) if isinstance(model, bytes | bytearray) else Path(model).read_bytes()
    if len(data) < 8 or data[4:8] != _FILE_IDENTIFIER:
        raise ValueError("not a TFLite model (no TFL3 file identifier)")
    try:
        root = schema.Model.GetRootAs(data, 0)
        for index in range(root.MetadataLength()):
            entry = root.Metadata(index)
            if as_name(entry.Name()) != METADATA_NAME:
                continue
            record = root.Buffers(entry.Buffer()).DataAsNumpy()  # 0 when empty
            return None if isinstance(record, int) else json.loads(record.tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    except Exception as error:  # the flatbuffer readers raise many kinds on bad offsets
        raise ValueError(f"corrupt or truncated TFLite model: {error}") from error
    return None


def prepared_file_name(exact: bool, stem: str = "center", *, layers: bool = False) -> str:
    """The name of a prepared copy, as bundled (stem "center") and cached (the sha256).

    `layers` names the fast graph with the backbone stages as extra outputs.
    """
    kind = "exact" if exact else "fast"
    return f"{stem}-{kind}{'-layers' if layers else ''}-v{PREPARATION_VERSION}.tflite"


def write_atomically(target: Path, data: bytes) -> None:
    """Writes `data` to a temporary file beside `target`, then renames it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _locate_outputs(graph: Graph) -> tuple[int, int]:
    """The centre tensor, and a new tensor with the weighting map divided by its maximum.

    The graph computes `truediv = Sigmoid / (max(Sigmoid) + eps)` and takes its
    centre of gravity; `saliency = Sigmoid / max(Sigmoid)` has the same centre of
    gravity (the two differ by a constant factor) and a maximum of exactly 1.
    """
    sub = graph.sub
    if len(sub.outputs) != 1 or graph.shape(sub.outputs[0]) != [1, 2]:
        raise ValueError("not the attention center model: expected one [1, 2] output")
    producers = graph.producers()
    for op in graph.operators:
        if graph.kind(op) != "DIV" or len(graph.shape(op.outputs[0])) != 3:
            continue
        sigmoid, denominator = op.inputs
        source, plus_eps = producers.get(sigmoid), producers.get(denominator)
        if source is None or graph.kind(source) != "LOGISTIC" or plus_eps is None or graph.kind(
                plus_eps) != "ADD":
            continue
        peak = [t for t in plus_eps.inputs if t in producers
                and graph.kind(producers[t]) == "REDUCE_MAX"]
        if len(peak) != 1:
            continue
        saliency = graph.compute("DIV", [sigmoid, peak[0]], graph.shape(sigmoid), SALIENCY,
                                 near=op)
        return sub.outputs[0], saliency
    raise ValueError("not the attention center model: no normalised sigmoid map")


def _drop_string_inputs(graph: Graph) -> None:
    """Removes the string input `filename:0`, which no operator reads."""
    consumers = graph.consumers()
    kept = []
    for tensor in graph.sub.inputs:
        if graph.tensors[tensor].type == schema.TensorType.STRING:
            if tensor in consumers:
                raise ValueError(f"the string input {graph.name(tensor)} is used by the graph")
            continue
        kept.append(tensor)
    if len(kept) != 1 or graph.shape(kept[0]) != [1, 480, 640, 3]:
        raise ValueError("not the attention center model: expected one [1, 480, 640, 3] input")
    graph.sub.inputs = kept


def _passes(graph: Graph, exact: bool) -> None:
    """Runs the graph passes in order: the exact ones, then the fast ones."""
    fold.fold_static_shapes(graph)
    fold.drop_broadcast_to(graph)
    norms = groupnorm.find_group_norms(graph)
    groupnorm.rows_for_mean(graph, norms)
    groupnorm.affine_in_4d(graph, norms)
    if not exact:
        groupnorm.channel_statistics(graph, norms)
        head.merge_equal_resizes(graph)
    head.split_resizes(graph)
    head.add_n_as_adds(graph)
    head.unit_sums_as_reshapes(graph)


def _intermediates(graph: Graph) -> dict[str, int]:
    """Float32 activations the graph computes that can be asked for as extra outputs.

    Only tensors the centre and the map depend on, leaving out `center` and `saliency`
    themselves, weights (operators of constants only) and tensors a pass replaced.
    """
    found = {}
    for op in graph.live_operators():
        if all(t < 0 or graph.constant(t) is not None for t in op.inputs):
            continue
        for t in op.outputs:
            name = graph.name(t)
            if (graph.tensors[t].type == schema.TensorType.FLOAT32 and name not in (
                    CENTER, SALIENCY) and not name.endswith("/replaced")):
                found[name] = t
    return found


def _resolve_extras(graph: Graph, names: Sequence[str] | Mapping[str, str]) -> list[int]:
    """The tensors asked for; a mapping {output name: tensor name} also renames them."""
    if isinstance(names, str):
        raise TypeError("extra_outputs is a sequence of tensor names, not one string")
    available = _intermediates(graph)
    found = []
    for name in names.values() if isinstance(names, Mapping) else names:
        if name not in available:
            examples = ", ".join([n for n in available if n.endswith("GroupNorm/Reshape_2")][:4])
            raise ValueError(f"no tensor named {name!r} in the prepared graph; "
                             f"valid names include {examples} (see available_outputs())")
        if available[name] not in found:
            found.append(available[name])
    if isinstance(names, Mapping):
        if len(found) != len(names):
            raise ValueError("extra_outputs names one tensor twice")
        for output_name, tensor in zip(names, found, strict=True):
            graph.rename(tensor, output_name)
    return found


def _signature(graph: Graph) -> None:
    """Rebuilds the signature def for the new inputs and outputs."""
    def tensor_map(name: str, index: int) -> schema.TensorMapT:
        entry = schema.TensorMapT()
        entry.name = name.encode()
        entry.tensorIndex = index
        return entry

    key = b"serving_default"
    if graph.model.signatureDefs:
        key = graph.model.signatureDefs[0].signatureKey or key
    signature = schema.SignatureDefT()
    signature.signatureKey = key
    signature.subgraphIndex = 0
    signature.inputs = [tensor_map("image", t) for t in graph.sub.inputs]
    signature.outputs = [tensor_map(graph.name(t), t) for t in graph.sub.outputs]
    graph.model.signatureDefs = [signature]


def _record(graph: Graph, info: dict[str, Any]) -> None:
    """Adds the `attention_jxl` metadata entry with its own buffer."""
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(json.dumps(info, sort_keys=True).encode(), np.uint8).copy()
    graph.model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_NAME.encode()
    entry.buffer = len(graph.model.buffers) - 1
    graph.model.metadata = [*(graph.model.metadata or []), entry]


def _build(data: bytes, exact: bool) -> Graph:
    model = _load(data)
    if _read_metadata(model) is not None:
        raise ValueError("the model is already prepared; prepare the original center.tflite")
    if len(model.subgraphs) != 1:
        raise ValueError("not the attention center model: expected one subgraph")
    graph = Graph(model)
    _drop_string_inputs(graph)
    center, saliency = _locate_outputs(graph)
    graph.sub.outputs = [center, saliency]
    _passes(graph, exact)
    center, saliency = graph.sub.outputs
    graph.rename(center, CENTER)
    graph.rename(saliency, SALIENCY)
    return graph


def available_outputs(data: bytes, *, exact: bool = False) -> list[str]:
    """The names `extra_outputs` accepts for a graph kind, in graph order."""
    graph = _build(bytes(data), exact)
    graph.finish()
    return list(_intermediates(graph))


def prepare_model_bytes(data: bytes, *, exact: bool = False,
                        extra_outputs: Sequence[str] | Mapping[str, str] = ()) -> bytes:
    """The prepared model for the bytes of center.tflite.

    Outputs: `center` [1, 2] (x, y in model pixels), `saliency` [1, 480, 640] (the
    map the centre is the gravity centre of, normalised to max 1), then the tensors
    named in `extra_outputs` in that order. A mapping {output name: tensor name}
    gives them new names (as `STAGES` does for the layers graph). Raises ValueError
    for a file that is not a readable attention centre model, or for an unknown
    tensor name.
    """
    data = bytes(data)
    graph = _build(data, exact)
    graph.sub.outputs = [*graph.sub.outputs, *_resolve_extras(graph, extra_outputs)]
    graph.finish()
    _signature(graph)
    _record(graph, {
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "preparation_version": PREPARATION_VERSION,
        "graph": "exact" if exact else "fast",
        "outputs": [graph.name(t) for t in graph.sub.outputs],
    })
    builder = flatbuffers.Builder(len(data) + (1 << 20))
    builder.Finish(graph.model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    return bytes(builder.Output())


def prepare_model(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
                  exact: bool = False,
                  extra_outputs: Sequence[str] | Mapping[str, str] = ()) -> Path:
    """Prepares the model file `src` into `dst` (written atomically) and returns `dst`.

    See `prepare_model_bytes` for the outputs and errors.
    """
    target = Path(dst)
    write_atomically(target, prepare_model_bytes(Path(src).read_bytes(), exact=exact,
                                                 extra_outputs=extra_outputs))
    return target


__all__ = [
    "CENTER",
    "PREPARATION_VERSION",
    "SALIENCY",
    "STAGES",
    "available_outputs",
    "prepare_model",
    "prepare_model_bytes",
    "prepared_file_name",
    "prepared_info",
    "write_atomically",
]
