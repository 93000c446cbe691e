"""Binary Netpbm decoding in the core: PGM (P5), PPM (P6) and PAM (P7).

Pillow reads no PAM and cuts 16-bit PPM to 8 bits; this keeps the samples as
stored, as the native command line does.
"""

from __future__ import annotations

import numpy as np

from attention_jxl import _core
from attention_jxl._image import as_byte_buffer

BINARY_PNM_MAGICS = (b"P5", b"P6", b"P7")


def pnm_read(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Decodes a binary PGM/PPM/PAM file to an HxW (gray) or HxWxC array.

    uint8 for a maxval up to 255, else uint16; other maxvals than 255 and
    65535 are scaled to the full range. A malformed or truncated file is a
    ValueError, one over the pixel limit an ImageTooLargeError.
    """
    return _core.pnm_decode(as_byte_buffer(data, "data"))
