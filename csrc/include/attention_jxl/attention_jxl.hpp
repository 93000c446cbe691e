// attention_jxl: predict where a person looks first in an image and encode it
// as JPEG XL with the groups around that point first in the file. The C++
// API; attention_jxl/attention_jxl.h is the C ABI over it.
#pragma once

#include "attention_jxl/center.h"
#include "attention_jxl/decode.h"
#include "attention_jxl/encode.h"
#include "attention_jxl/error.h"
#include "attention_jxl/group_order.h"
#include "attention_jxl/image.h"
#include "attention_jxl/limits.h"
#include "attention_jxl/metadata.h"
#include "attention_jxl/model.h"
#include "attention_jxl/png_decode.h"
#include "attention_jxl/png_encode.h"
#include "attention_jxl/pnm_decode.h"
#include "attention_jxl/probe.h"
#include "attention_jxl/reconstruct_jpeg.h"
#include "attention_jxl/reorder.h"
#include "attention_jxl/resample.h"
#include "attention_jxl/resize.h"
#include "attention_jxl/saliency.h"
#include "attention_jxl/thread_pool.h"
#include "attention_jxl/thumbnail.h"
#include "attention_jxl/transcode.h"
#include "attention_jxl/types.h"
#include "attention_jxl/version.h"
