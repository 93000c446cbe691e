"""Partial decoding: 40% of a 24 MP file against decoding all of it, same run."""

from __future__ import annotations

import pytest

import attention_jxl
from conftest import note, photo


@pytest.fixture(scope="module")
def big_file() -> bytes:
    # Effort 3 keeps the setup short; center-first like the files we write.
    return attention_jxl.encode(photo(6000, 4000), distance=1, effort=3, center=(3000, 2000))


def test_partial_decode_40_percent(compare, big_file) -> None:
    prefix = big_file[: int(len(big_file) * 0.4)]
    note(f"24 MP file: {len(big_file) / 1e6:.2f} MB, 40% = {len(prefix) / 1e6:.2f} MB")
    image = compare("decode 6000x4000 d1 e3 (all cores)", "ours",
                    "decode(40% of the bytes, partial=True)",
                    lambda: attention_jxl.decode(prefix, partial=True), rounds=5)
    assert image.shape == (4000, 6000, 3)


def test_full_decode(compare, big_file) -> None:
    image = compare("decode 6000x4000 d1 e3 (all cores)", "peer", "decode(all bytes)",
                    lambda: attention_jxl.decode(big_file), rounds=5)
    assert image.shape == (4000, 6000, 3)
