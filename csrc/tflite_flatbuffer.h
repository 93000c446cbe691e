// Internal: the bounds-checked TFLite flatbuffer reader that the model
// patcher (tflite_model_patch.cc) and the operator checks
// (tflite_operator_check.cc) share, and the tensor facts it reads.
//
// Flatbuffer layout facts used here (all little-endian):
// - the file starts with a uoffset (u32) to the root table, then the 4-byte
//   file identifier ("TFL3" for TFLite);
// - a table starts with an soffset (i32); its vtable is at table - soffset;
// - a vtable is u16 vtable size, u16 table inline size, then one u16 offset
//   per field (0 = field absent, scalar takes its default);
// - table/vector/string fields hold a uoffset relative to the field itself;
// - vectors and strings start with a u32 element count.

#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "attention_jxl/error.h"

namespace attention_jxl {
namespace internal {

// Field slots of the Operator table (order of fields in TFLite's schema.fbs).
namespace operator_field {
constexpr int kOpcodeIndex = 0;
constexpr int kInputs = 1;
constexpr int kOutputs = 2;
constexpr int kBuiltinOptionsType = 3;
constexpr int kBuiltinOptions = 4;
constexpr int kIntermediates = 8;
constexpr int kBuiltinOptions2Type = 11;
}  // namespace operator_field

// No tensor of a model we can run comes near this; it also keeps every size
// computation far from overflow.
constexpr uint64_t kMaxTensorElements = uint64_t{1} << 32;

constexpr size_t kAbsent = std::numeric_limits<size_t>::max();

struct Table {
  size_t pos = 0;  // where the table (its soffset to the vtable) starts
  size_t vtable = 0;
  size_t vtable_size = 0;
  size_t inline_size = 0;
};

struct Vector {
  size_t length_pos = 0;  // where the element count is stored
  size_t first = 0;       // first element
  size_t length = 0;
};

// Reads (and, for the patch, writes) a flatbuffer held in memory. Every
// access is checked against the buffer; any violation throws the
// "not a compatible TFLite model" error.
class FlatbufferReader {
 public:
  FlatbufferReader(uint8_t* data, size_t size, const std::string& display_name)
      : data_(data),
        size_(size),
        display_name_(display_name),
        // Valid models need well under one unit per 4 bytes; the slack only
        // stops crafted files whose offsets alias the same data many times.
        work_budget_(4 * static_cast<uint64_t>(size) + 65536) {}

  [[noreturn]] void Fail(const std::string& reason) const {
    throw Error(ErrorCode::kUnsupported,
                display_name_ + " is not a compatible TFLite model: " + reason);
  }

  size_t size() const { return size_; }

  // Accounts for `units` of work so aliasing offsets cannot make us loop for
  // longer than a multiple of the file size.
  void Charge(uint64_t units) {
    if (units > work_budget_ - work_done_) {
      Fail("its tables reference each other too many times");
    }
    work_done_ += units;
  }

  void Require(size_t pos, size_t length, const std::string& what) const {
    if (pos > size_ || length > size_ - pos) {
      Fail(what + " lies outside the data (truncated or damaged)");
    }
  }

  uint8_t U8(size_t pos, const std::string& what) const {
    Require(pos, 1, what);
    return data_[pos];
  }
  uint16_t U16(size_t pos, const std::string& what) const {
    Require(pos, 2, what);
    return static_cast<uint16_t>(data_[pos] | (data_[pos + 1] << 8));
  }
  uint32_t U32(size_t pos, const std::string& what) const {
    Require(pos, 4, what);
    return static_cast<uint32_t>(data_[pos]) |
           (static_cast<uint32_t>(data_[pos + 1]) << 8) |
           (static_cast<uint32_t>(data_[pos + 2]) << 16) |
           (static_cast<uint32_t>(data_[pos + 3]) << 24);
  }
  int32_t I32(size_t pos, const std::string& what) const {
    const uint32_t bits = U32(pos, what);
    int32_t value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  uint64_t U64(size_t pos, const std::string& what) const {
    const uint64_t low = U32(pos, what);
    const uint64_t high = U32(pos + 4, what);
    return low | (high << 32);
  }

  void PutU8(size_t pos, uint8_t value) {
    Require(pos, 1, "patched byte");
    data_[pos] = value;
  }
  void PutU32(size_t pos, uint32_t value) {
    Require(pos, 4, "patched word");
    for (size_t i = 0; i < 4; ++i) {
      data_[pos + i] = static_cast<uint8_t>(value >> (8 * i));
    }
  }

  // Follows the uoffset stored at `pos`.
  size_t Deref(size_t pos, const std::string& what) const {
    const uint32_t relative = U32(pos, what);
    if (relative > size_ - pos) {
      Fail(what + " points outside the data");
    }
    return pos + relative;
  }

  Table ReadTable(size_t pos, const std::string& what) {
    Charge(1);
    Require(pos, 4, what);
    const int64_t vtable =
        static_cast<int64_t>(pos) - static_cast<int64_t>(I32(pos, what));
    if (vtable < 0 || static_cast<uint64_t>(vtable) > size_) {
      Fail(what + " has its field table outside the data");
    }
    Table table;
    table.pos = pos;
    table.vtable = static_cast<size_t>(vtable);
    table.vtable_size = U16(table.vtable, what + " field table");
    table.inline_size = U16(table.vtable + 2, what + " field table");
    if (table.vtable_size < 4 || table.vtable_size % 2 != 0 ||
        table.inline_size < 4) {
      Fail(what + " has a malformed field table");
    }
    Require(table.vtable, table.vtable_size, what + " field table");
    Require(table.pos, table.inline_size, what);
    return table;
  }

  // Position of field `index` (`width` bytes wide), or kAbsent.
  size_t Field(const Table& table, int index, size_t width,
               const std::string& what) const {
    const size_t slot = 4 + 2 * static_cast<size_t>(index);
    if (slot + 2 > table.vtable_size) return kAbsent;
    const size_t offset = U16(table.vtable + slot, what);
    if (offset == 0) return kAbsent;
    if (offset < 4 || width > table.inline_size ||
        offset > table.inline_size - width) {
      Fail(what + " lies outside its table");
    }
    return table.pos + offset;
  }

  uint8_t FieldU8(const Table& table, int index, uint8_t default_value,
                  const std::string& what) const {
    const size_t pos = Field(table, index, 1, what);
    return pos == kAbsent ? default_value : U8(pos, what);
  }
  uint32_t FieldU32(const Table& table, int index, uint32_t default_value,
                    const std::string& what) const {
    const size_t pos = Field(table, index, 4, what);
    return pos == kAbsent ? default_value : U32(pos, what);
  }
  int32_t FieldI32(const Table& table, int index, int32_t default_value,
                   const std::string& what) const {
    const size_t pos = Field(table, index, 4, what);
    return pos == kAbsent ? default_value : I32(pos, what);
  }
  uint64_t FieldU64(const Table& table, int index, uint64_t default_value,
                    const std::string& what) const {
    const size_t pos = Field(table, index, 8, what);
    return pos == kAbsent ? default_value : U64(pos, what);
  }

  Vector ReadVector(size_t pos, size_t element_size, const std::string& what) {
    Charge(1);
    Vector vector;
    vector.length_pos = pos;
    vector.length = U32(pos, what + " length");
    vector.first = pos + 4;
    if (vector.length > (size_ - vector.first) / element_size) {
      Fail(what + " runs past the end of the data");
    }
    return vector;
  }

  // Reads an optional vector field; returns false when absent.
  bool VectorField(const Table& table, int index, size_t element_size,
                   const std::string& what, Vector* vector) {
    const size_t pos = Field(table, index, 4, what);
    if (pos == kAbsent) return false;
    *vector = ReadVector(Deref(pos, what), element_size, what);
    return true;
  }

  Vector RequiredVectorField(const Table& table, int index, size_t element_size,
                             const std::string& what) {
    Vector vector;
    if (!VectorField(table, index, element_size, what, &vector)) {
      Fail(what + " is missing");
    }
    return vector;
  }

  Table TableAt(const Vector& vector, size_t i, const std::string& what) {
    const size_t element = vector.first + 4 * i;
    return ReadTable(Deref(element, what), what);
  }

  int32_t I32At(const Vector& vector, size_t i, const std::string& what) {
    Charge(1);
    return I32(vector.first + 4 * i, what);
  }

  std::string ReadString(size_t pos, const std::string& what) {
    const uint32_t length = U32(pos, what + " length");
    Require(pos + 4, length, what);
    Charge(1 + length / 64);
    return std::string(reinterpret_cast<const char*>(data_ + pos + 4), length);
  }

  // Reads an optional string field; returns false when absent.
  bool StringField(const Table& table, int index, const std::string& what,
                   std::string* value) {
    const size_t pos = Field(table, index, 4, what);
    if (pos == kAbsent) return false;
    *value = ReadString(Deref(pos, what), what);
    return true;
  }

 private:
  uint8_t* data_;
  size_t size_;
  const std::string& display_name_;
  uint64_t work_budget_;
  uint64_t work_done_ = 0;
};

// A tensor as the patcher read and checked it (tflite_model_patch.cc).
struct TensorView {
  Table table;
  uint8_t type = 0;
  size_t type_pos = kAbsent;  // where the type byte is stored, if present
  bool has_constant_data = false;
  bool is_variable = false;
  bool is_empty = false;  // zero elements: nothing to write
  std::vector<int32_t> shape;
  size_t data_pos = kAbsent;  // first byte of its constant data
  uint64_t data_bytes = 0;
};

}  // namespace internal
}  // namespace attention_jxl
