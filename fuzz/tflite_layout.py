"""Where the structure of a TFLite flatbuffer lies, for structure-aware mutation.

A TFLite model is mostly constant weight data; flipping random bytes there
only changes the numbers the model computes. The bytes worth mutating are the
flatbuffer's own: vtables, inline scalars (tensor types, buffer and opcode
indices, option fields), offsets, vector and string lengths, shapes and
tensor index lists, and the small constant buffers operators read as
parameters (e.g. a RESHAPE's target shape). `layout` walks the model the way
the TFLite schema describes it and lists those byte positions by kind.

The model fuzz target's input is a small program of 8-byte records
(`decode_program`) that becomes a list of (offset, byte) patches on the
original model; that list is also how a finding is stored.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

# Kinds of positions, each a list of offsets of its first byte.
SCALAR = "scalar"            # one inline byte of a table (types, flags, options)
WORD = "word"                # an inline 4-byte scalar (indices, versions, option ints)
OFFSET = "offset"            # a uoffset to a table, vector or string
VTABLE = "vtable"            # a u16 entry of a vtable (sizes and field offsets)
LENGTH = "length"            # the element count of a vector or string
INDEX = "index"              # an int32 element of a tensor index list
DIM = "dim"                  # an int32 element of a shape
SMALL_DATA = "small_data"    # a 4-byte word of a small constant buffer
KINDS = (SCALAR, WORD, OFFSET, VTABLE, LENGTH, INDEX, DIM, SMALL_DATA)

# Constant buffers up to this size are parameters (shapes, axes, paddings),
# not weights, and are mutated like structure.
SMALL_BUFFER_BYTES = 256


@dataclass
class Layout:
    """Positions of the structural bytes of one model, by kind."""

    size: int
    positions: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    tensor_counts: list[int] = field(default_factory=list)  # per subgraph
    buffer_count: int = 0
    opcode_count: int = 0

    def add(self, kind: str, pos: int) -> None:
        self.positions[kind].append(pos)


class _Reader:
    def __init__(self, data: bytes, layout: Layout) -> None:
        self.data = data
        self.layout = layout
        self.seen_tables: set[int] = set()
        self.seen_vtables: set[int] = set()

    def u16(self, pos: int) -> int:
        return struct.unpack_from("<H", self.data, pos)[0]

    def u32(self, pos: int) -> int:
        return struct.unpack_from("<I", self.data, pos)[0]

    def i32(self, pos: int) -> int:
        return struct.unpack_from("<i", self.data, pos)[0]

    def table(self, pos: int) -> dict[int, tuple[int, int]]:
        """Field slot -> (position, width up to the next field) of a table."""
        vtable = pos - self.i32(pos)
        vtable_size, inline_size = self.u16(vtable), self.u16(vtable + 2)
        if vtable not in self.seen_vtables:
            self.seen_vtables.add(vtable)
            for entry in range(vtable, vtable + vtable_size, 2):
                self.layout.add(VTABLE, entry)
        fields = {}
        for slot in range((vtable_size - 4) // 2):
            offset = self.u16(vtable + 4 + 2 * slot)
            if offset:
                fields[slot] = (pos + offset, 0)
        # Widths: up to the next field start or the end of the inline data.
        starts = sorted(p for p, _ in fields.values()) + [pos + inline_size]
        widths = {p: min(b for b in starts if b > p) - p for p in starts[:-1]}
        return {slot: (p, widths[p]) for slot, (p, _) in fields.items()}

    def deref(self, pos: int) -> int:
        self.layout.add(OFFSET, pos)
        return pos + self.u32(pos)

    def vector(self, pos: int) -> tuple[int, int]:
        """(first element, length) of the vector or string the field at pos points to."""
        start = self.deref(pos)
        self.layout.add(LENGTH, start)
        return start + 4, self.u32(start)

    def scalars(self, fields: dict[int, tuple[int, int]], slots: Iterable[int]) -> None:
        for slot in slots:
            if slot in fields:
                pos, width = fields[slot]
                self.layout.add(WORD if width >= 4 else SCALAR, pos)
                if width < 4:
                    for extra in range(pos + 1, pos + width):
                        self.layout.add(SCALAR, extra)

    def int_vector(self, fields: dict[int, tuple[int, int]], slot: int, kind: str) -> None:
        if slot in fields:
            first, length = self.vector(fields[slot][0])
            for i in range(length):
                self.layout.add(kind, first + 4 * i)

    def tables(self, fields: dict[int, tuple[int, int]], slot: int) -> list[int]:
        if slot not in fields:
            return []
        first, length = self.vector(fields[slot][0])
        return [self.deref(first + 4 * i) for i in range(length)]

    def generic_table(self, pos: int) -> None:
        """Any table whose fields we do not name (operator options): all inline bytes."""
        if pos in self.seen_tables:
            return
        self.seen_tables.add(pos)
        fields = self.table(pos)
        self.scalars(fields, fields)


def layout(data: bytes) -> Layout:
    """Lists the structural byte positions of the TFLite model `data`."""
    result = Layout(size=len(data))
    reader = _Reader(data, result)
    root = reader.deref(0)
    model = reader.table(root)
    reader.scalars(model, [0])  # schema version
    codes = reader.tables(model, 1)
    result.opcode_count = len(codes)
    for code in codes:
        fields = reader.table(code)
        reader.scalars(fields, [0, 2, 3])  # deprecated code, version, builtin code
    for subgraph in reader.tables(model, 2):
        _subgraph(reader, subgraph)
    buffers = reader.tables(model, 4)
    result.buffer_count = len(buffers)
    for buffer in buffers:
        fields = reader.table(buffer)
        reader.scalars(fields, [1, 2])  # external offset and size
        if 0 in fields:
            first, length = reader.vector(fields[0][0])
            if length <= SMALL_BUFFER_BYTES:
                for word in range(first, first + length - 3, 4):
                    result.add(SMALL_DATA, word)
    for metadata in reader.tables(model, 6):
        fields = reader.table(metadata)
        reader.scalars(fields, [1])
    for signature in reader.tables(model, 7):
        fields = reader.table(signature)
        reader.scalars(fields, [4])  # subgraph index
        for slot in (0, 1):
            for tensor_map in reader.tables(fields, slot):
                reader.scalars(reader.table(tensor_map), [1])  # tensor index
    for kind in KINDS:
        result.positions[kind] = sorted(set(result.positions[kind]))
    return result


def _subgraph(reader: _Reader, pos: int) -> None:
    fields = reader.table(pos)
    tensors = reader.tables(fields, 0)
    reader.layout.tensor_counts.append(len(tensors))
    for tensor in tensors:
        tensor_fields = reader.table(tensor)
        reader.int_vector(tensor_fields, 0, DIM)  # shape
        reader.scalars(tensor_fields, [1, 2, 5, 8])  # type, buffer, is_variable, has_rank
        reader.int_vector(tensor_fields, 7, DIM)  # shape signature
    reader.int_vector(fields, 1, INDEX)
    reader.int_vector(fields, 2, INDEX)
    for operator in reader.tables(fields, 3):
        op_fields = reader.table(operator)
        reader.scalars(op_fields, [0, 3, 6, 11])  # opcode index, option types
        reader.int_vector(op_fields, 1, INDEX)
        reader.int_vector(op_fields, 2, INDEX)
        reader.int_vector(op_fields, 8, INDEX)
        for slot in (4, 12):  # builtin options (1 and 2)
            if slot in op_fields:
                reader.generic_table(reader.deref(op_fields[slot][0]))



# Values worth trying in 4-byte fields: empty, one, powers of two around
# buffer and shape sizes, the largest positive and negative, -1 (TFLite's
# "omitted" index) and -2.
INTERESTING_WORDS = (0, 1, 2, 3, 4, 8, 16, 255, 256, 1024, 65535, 0x7FFFFFFF,
                     0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x10000)
OPERATIONS = 8


def _word_patches(pos: int, value: int) -> list[tuple[int, int]]:
    return [(pos + i, b) for i, b in enumerate(struct.pack("<I", value & 0xFFFFFFFF))]


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def decode_program(program: bytes, model: bytes, layout: Layout) -> list[tuple[int, int]]:
    """Turns a fuzz input into (offset, byte) patches on `model`, structure-aware.

    Each 8-byte record picks a kind of position (byte 0), one position of that
    kind (bytes 1-3), an operation (byte 4) and its argument (bytes 5-7):
    set a value, add a small delta, set a count of the model (tensors,
    buffers, operator codes) give or take one, copy the value of another
    position of the same kind (which rewires operators when applied to
    tensor index lists), flip a bit, set an interesting constant, scale, or
    set one raw byte. Records apply in order; later ones see earlier ones.
    Any input is a valid program: libFuzzer's byte-level mutations of it are
    structure-aware mutations of the model.
    """
    mutated = bytearray(model)
    patches: list[tuple[int, int]] = []
    counts = [max(layout.tensor_counts, default=0), layout.buffer_count, layout.opcode_count]
    for record in range(0, len(program) - len(program) % 8, 8):
        kind_byte, p0, p1, p2, operation, a0, a1, a2 = program[record:record + 8]
        kind = KINDS[kind_byte % len(KINDS)]
        positions = layout.positions[kind]
        if not positions:
            continue
        pos = positions[(p0 | p1 << 8 | p2 << 16) % len(positions)]
        argument = a0 | a1 << 8 | a2 << 16
        operation %= OPERATIONS
        if kind in (SCALAR, VTABLE) and operation != 7:
            width = 1 if kind == SCALAR else 2
            current = int.from_bytes(mutated[pos:pos + width], "little")
            if operation in (0, 5):
                new = argument
            elif operation == 3:
                other = positions[argument % len(positions)]
                new = int.from_bytes(model[other:other + width], "little")
            elif operation == 4:
                new = current ^ (1 << argument % (8 * width))
            else:
                new = current + (a0 if a0 < 128 else a0 - 256)
            new_bytes = (new & ((1 << 8 * width) - 1)).to_bytes(width, "little")
            edits = [(pos + i, b) for i, b in enumerate(new_bytes)]
        elif operation == 7:
            edits = [(pos + a0 % 4, a1)]
        elif pos + 4 > len(model):
            continue  # a word field cut off by the end of a damaged file
        else:
            current = struct.unpack_from("<I", mutated, pos)[0]
            if operation == 0:
                new = argument - (1 << 23) if a2 >= 128 else argument  # 24-bit signed
            elif operation == 1:
                new = _signed(current) + (a0 if a0 < 128 else a0 - 256)
            elif operation == 2:
                new = counts[a0 % len(counts)] + (a1 % 3) - 1
            elif operation == 3:
                other = positions[(a0 | a1 << 8 | a2 << 16) % len(positions)]
                new = struct.unpack_from("<I", model, other)[0]
            elif operation == 4:
                new = current ^ (1 << a0 % 32)
            elif operation == 5:
                new = INTERESTING_WORDS[a0 % len(INTERESTING_WORDS)]
            else:
                new = _signed(current) * (a0 % 7 + 2)
            edits = _word_patches(pos, new)
        for offset, value in edits:
            if offset < len(mutated):
                mutated[offset] = value
                patches.append((offset, value))
    return patches


def apply(model: bytes, patches: Iterable[tuple[int, int]]) -> bytes:
    """`model` with the (offset, byte) patches written over it, in order."""
    mutated = bytearray(model)
    for offset, value in patches:
        mutated[offset] = value
    return bytes(mutated)
