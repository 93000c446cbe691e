"""Attention-center JPEG XL encoding.

Predicts where a person looks first in an image and encodes it as JPEG XL
with the 256x256 groups around that point first in the file, so a progressive
viewer shows the interesting part first.
"""

from attention_jxl._batch import crop_files, encode_files, reorder_files
from attention_jxl._codec import (
    Metadata,
    center,
    decode,
    encode,
    frame_setting_names,
    group_order,
    jpeg_center,
    libjxl_version,
    model_input,
    read_metadata,
    reconstruct_jpeg,
    resize_simd_target,
    transcode_jpeg,
)
from attention_jxl._core import __version__ as __version__  # the CMake project version
from attention_jxl._limits import (
    DEFAULT_MAX_IMAGE_PIXELS,
    ImageTooLargeError,
    max_image_pixels,
    set_max_image_pixels,
)
from attention_jxl._model import (
    MODEL_SHA256,
    MODEL_URL,
    Model,
    download_model,
    find_model,
    prepare_model,
    prepared_model,
)
from attention_jxl._preview import preview
from attention_jxl._probe import Info, probe
from attention_jxl._reorder import jxl_center, reorder
from attention_jxl._saliency import box_from_saliency, crop, crop_box, saliency, thumbnail

__all__ = [
    "DEFAULT_MAX_IMAGE_PIXELS",
    "ImageTooLargeError",
    "Info",
    "MODEL_SHA256",
    "MODEL_URL",
    "Metadata",
    "Model",
    "box_from_saliency",
    "center",
    "crop",
    "crop_box",
    "crop_files",
    "decode",
    "download_model",
    "encode",
    "encode_files",
    "find_model",
    "frame_setting_names",
    "group_order",
    "jpeg_center",
    "jxl_center",
    "libjxl_version",
    "max_image_pixels",
    "model_input",
    "prepare_model",
    "prepared_model",
    "preview",
    "probe",
    "read_metadata",
    "reconstruct_jpeg",
    "reorder",
    "reorder_files",
    "resize_simd_target",
    "saliency",
    "set_max_image_pixels",
    "thumbnail",
    "transcode_jpeg",
]
