"""Fuzz target: attention_jxl.group_order, the header and table-of-contents
reader, on arbitrary bytes (a result must be a non-empty list of
non-negative (x, y) pairs).
"""

from __future__ import annotations

from _harness import expect_failure, fuzz, import_instrumented

aj = import_instrumented()


def test_one_input(data: bytes) -> None:
    order = expect_failure(lambda: aj.group_order(data))
    if order is None:
        return
    assert order, "group_order returned no groups"
    for x, y in order:
        assert isinstance(x, int) and isinstance(y, int) and x >= 0 and y >= 0, (x, y)


if __name__ == "__main__":
    fuzz(test_one_input)
