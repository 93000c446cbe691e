// Marks what libattention_jxl.so exports: the library is built with hidden
// visibility, so only the C ABI and the public C++ API are its interface.
#pragma once

#if defined(ATTENTION_JXL_BUILDING) && defined(__GNUC__)
#define ATTENTION_JXL_EXPORT __attribute__((visibility("default")))
#else
#define ATTENTION_JXL_EXPORT
#endif
