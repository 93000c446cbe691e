// Bounds-checked TFLite flatbuffer reader and in-memory patcher; see
// tflite_model_patch.h for why it exists.
//
// Flatbuffer layout facts used here (all little-endian):
// - the file starts with a uoffset (u32) to the root table, then the 4-byte
//   file identifier ("TFL3" for TFLite);
// - a table starts with an soffset (i32); its vtable is at table - soffset;
// - a vtable is u16 vtable size, u16 table inline size, then one u16 offset
//   per field (0 = field absent, scalar takes its default);
// - table/vector/string fields hold a uoffset relative to the field itself;
// - vectors and strings start with a u32 element count.

#include "tflite_model_patch.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "attention_jxl/error.h"

namespace attention_jxl {
namespace internal {
namespace {

// Field slots of the tables we read (order of fields in TFLite's schema.fbs).
namespace model_field {
constexpr int kVersion = 0;
constexpr int kOperatorCodes = 1;
constexpr int kSubgraphs = 2;
constexpr int kBuffers = 4;
constexpr int kMetadata = 6;
constexpr int kSignatureDefs = 7;
}  // namespace model_field
namespace operator_code_field {
constexpr int kDeprecatedBuiltinCode = 0;
constexpr int kCustomCode = 1;
constexpr int kVersion = 2;
constexpr int kBuiltinCode = 3;
}  // namespace operator_code_field
namespace subgraph_field {
constexpr int kTensors = 0;
constexpr int kInputs = 1;
constexpr int kOutputs = 2;
constexpr int kOperators = 3;
}  // namespace subgraph_field
namespace tensor_field {
constexpr int kShape = 0;
constexpr int kType = 1;
constexpr int kBuffer = 2;
constexpr int kName = 3;
constexpr int kIsVariable = 5;
constexpr int kSparsity = 6;
constexpr int kShapeSignature = 7;
}  // namespace tensor_field
namespace operator_field {
constexpr int kOpcodeIndex = 0;
constexpr int kInputs = 1;
constexpr int kOutputs = 2;
constexpr int kBuiltinOptionsType = 3;
constexpr int kBuiltinOptions = 4;
constexpr int kIntermediates = 8;
constexpr int kBuiltinOptions2Type = 11;
}  // namespace operator_field
namespace buffer_field {
constexpr int kData = 0;
constexpr int kOffset = 1;
constexpr int kSize = 2;
}  // namespace buffer_field
namespace metadata_field {
constexpr int kName = 0;
constexpr int kBuffer = 1;
}  // namespace metadata_field
namespace signature_field {
constexpr int kInputs = 0;
constexpr int kOutputs = 1;
constexpr int kSubgraphIndex = 4;
}  // namespace signature_field
namespace tensor_map_field {
constexpr int kName = 0;
constexpr int kTensorIndex = 1;
}  // namespace tensor_map_field

// The only TFLite schema version there is.
constexpr uint32_t kSchemaVersion = 3;
// BuiltinOperator values: CUSTOM, and the highest one in the TFLite schema
// that LiteRT 1.4.0 was built with.
constexpr int32_t kDequantizeOperator = 6;
constexpr int32_t kCustomOperator = 32;
constexpr int32_t kMaxBuiltinOperator = 209;
// The newest version of each builtin operator (by BuiltinOperator value) that
// LiteRT 1.4.0's operator resolver has, 0 for operators it lacks (measured
// with its interpreter). All start at version 1 except BROADCAST_TO (2).
// An operator code it cannot resolve makes TFLite's builder fail, and
// LiteRT 1.4.0 then crashes.
constexpr uint8_t kMaxOperatorVersion[kMaxBuiltinOperator + 1] = {
    5, 3, 4, 8, 7, 2, 6, 4, 1, 13, 1, 2, 1, 1, 3, 1, 4, 3, 7, 3,  // 0-19
    1, 3, 1, 4, 3, 3, 2, 4, 3, 0, 1, 0, 0, 1, 4, 3, 7, 4, 4, 7,  // 20-39
    3, 5, 2, 2, 4, 8, 3, 2, 3, 4, 2, 0, 3, 7, 1, 4, 3, 4, 3, 1,  // 40-59
    4, 2, 3, 2, 4, 6, 1, 5, 3, 3, 1, 4, 3, 2, 2, 1, 3, 1, 1, 3,  // 60-79
    2, 2, 3, 4, 1, 1, 1, 1, 4, 3, 3, 1, 1, 1, 4, 2, 2, 4, 2, 2,  // 80-99
    3, 5, 2, 1, 1, 3, 1, 5, 1, 2, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1,  // 100-119
    1, 1, 1, 2, 1, 1, 4, 0, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 120-139
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1, 1, 1, 1, 1, 2, 1,  // 140-159
    1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  // 160-179
    0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0,  // 180-199
    0, 1, 0, 1, 1, 1, 1, 1, 0, 1,  // 200-209
};
constexpr int32_t kBroadcastToOperator = 130;

// Highest TensorType value in that schema (BFLOAT16), and the highest
// BuiltinOptions / BuiltinOptions2 union types.
constexpr uint8_t kMaxTensorType = 18;
constexpr uint8_t kMaxBuiltinOptions = 126;
constexpr uint8_t kMaxBuiltinOptions2 = 23;

// Builtin option tables that hold TensorType fields, by BuiltinOptions union
// value, with the slots of those fields. TFLite's builder fails on unknown
// TensorType values in them (CastOptions, ArgMaxOptions, ShapeOptions,
// ArgMinOptions, UniqueOptions).
struct TensorTypeOptions {
  uint8_t union_type;
  int fields[2];
  int num_fields;
};
constexpr TensorTypeOptions kTensorTypeOptions[] = {
    {37, {0, 1}, 2}, {40, {0, 0}, 1}, {55, {0, 0}, 1},
    {57, {0, 0}, 1}, {80, {0, 0}, 1},
};
// LiteRT copies shapes into a fixed array of this many dimensions without
// checking the rank.
constexpr size_t kMaxRank = 8;
// No tensor of a model we can run comes near this; it also keeps every size
// computation far from overflow.
constexpr uint64_t kMaxTensorElements = uint64_t{1} << 32;
// Operators use -1 for an omitted optional input.
constexpr int32_t kOptionalTensor = -1;
// Flatbuffers address at most 2 GiB.
constexpr size_t kMaxFlatbufferSize = 0x7fffffff;

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

std::string Describe(const std::string& kind, size_t index) {
  return kind + " " + std::to_string(index);
}

// Bits per element of a schema TensorType, or 0 when not fixed (strings,
// resources, variants, types this reader does not know).
uint64_t ElementBits(uint8_t type) {
  switch (type) {
    case 17:  // INT4, packed two to a byte
      return 4;
    case 3:   // UINT8
    case 6:   // BOOL
    case 9:   // INT8
      return 8;
    case 1:   // FLOAT16
    case 7:   // INT16
    case 16:  // UINT16
    case 18:  // BFLOAT16
      return 16;
    case 0:   // FLOAT32
    case 2:   // INT32
    case 15:  // UINT32
      return 32;
    case 4:   // INT64
    case 8:   // COMPLEX64
    case 10:  // FLOAT64
    case 12:  // UINT64
      return 64;
    case 11:  // COMPLEX128
      return 128;
    default:
      return 0;
  }
}

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

// Integer values of a tensor known before the graph runs: constants, and
// shape vectors the graph computes from declared shapes (see CheckShapes).
struct KnownValues {
  bool known = false;
  std::vector<int64_t> values;
};

struct SubgraphView {
  std::vector<TensorView> tensors;
  Vector inputs;
  Vector outputs;
  std::vector<int32_t> input_indices;
  std::vector<int32_t> output_indices;
  std::vector<bool> referenced;  // by an operator or as a subgraph output
  std::vector<bool> has_value;   // while walking the operators in order
  std::vector<KnownValues> values;
};

struct TensorMapView {
  size_t table_pos = 0;  // where the TensorMap table starts
  uint32_t tensor_index = 0;
  std::string name;
};

struct SignatureView {
  uint32_t subgraph_index = 0;
  Vector inputs;
  std::vector<TensorMapView> input_maps;
  std::vector<TensorMapView> output_maps;
};

// One operator as the shape checks see it.
struct OperatorView {
  int32_t builtin;
  Table table;
  const std::vector<int32_t>& inputs;   // -1: an omitted optional input
  const std::vector<int32_t>& outputs;
  const std::string& what;
};

using Dims = std::vector<int64_t>;

std::string DimsText(const Dims& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    text += (i > 0 ? ", " : "") + std::to_string(dims[i]);
  }
  return text + "]";
}

// BuiltinOperator values the shape checks know.
namespace builtin_op {
constexpr int32_t kAdd = 0, kAveragePool2d = 1, kConcatenation = 2, kConv2d = 3,
                  kDepthwiseConv2d = 4, kDequantize = 6, kFloor = 8, kFullyConnected = 9,
                  kLogistic = 14, kMaxPool2d = 17, kMul = 18, kRelu = 19, kRelu6 = 21,
                  kReshape = 22, kResizeBilinear = 23, kTanh = 28, kMean = 40, kSub = 41,
                  kDiv = 42, kStridedSlice = 45, kExp = 47, kMaximum = 55, kMinimum = 57,
                  kNeg = 59, kSlice = 65, kSum = 74, kSqrt = 75, kRsqrt = 76, kShape = 77,
                  kReduceProd = 81, kReduceMax = 82, kPack = 83, kReduceMin = 89,
                  kReduceAny = 91, kSquare = 92, kResizeNearestNeighbor = 97,
                  kSquaredDifference = 99, kAbs = 101, kAddN = 106, kHardSwish = 117,
                  kBatchMatmul = 126, kBroadcastTo = 130, kReduceAll = 140,
                  kBroadcastArgs = 145;
}  // namespace builtin_op
// Names of those operators, for error messages.
std::string OperatorName(int32_t builtin) {
  static const std::pair<int32_t, const char*> kNames[] = {
      {builtin_op::kAdd, "ADD"}, {builtin_op::kAveragePool2d, "AVERAGE_POOL_2D"},
      {builtin_op::kConcatenation, "CONCATENATION"}, {builtin_op::kConv2d, "CONV_2D"},
      {builtin_op::kDepthwiseConv2d, "DEPTHWISE_CONV_2D"},
      {builtin_op::kDequantize, "DEQUANTIZE"}, {builtin_op::kFloor, "FLOOR"},
      {builtin_op::kFullyConnected, "FULLY_CONNECTED"}, {builtin_op::kLogistic, "LOGISTIC"},
      {builtin_op::kMaxPool2d, "MAX_POOL_2D"}, {builtin_op::kMul, "MUL"},
      {builtin_op::kRelu, "RELU"}, {builtin_op::kRelu6, "RELU6"},
      {builtin_op::kReshape, "RESHAPE"}, {builtin_op::kResizeBilinear, "RESIZE_BILINEAR"},
      {builtin_op::kTanh, "TANH"}, {builtin_op::kMean, "MEAN"}, {builtin_op::kSub, "SUB"},
      {builtin_op::kDiv, "DIV"}, {builtin_op::kStridedSlice, "STRIDED_SLICE"},
      {builtin_op::kExp, "EXP"}, {builtin_op::kMaximum, "MAXIMUM"},
      {builtin_op::kMinimum, "MINIMUM"}, {builtin_op::kNeg, "NEG"},
      {builtin_op::kSlice, "SLICE"}, {builtin_op::kSum, "SUM"}, {builtin_op::kSqrt, "SQRT"},
      {builtin_op::kRsqrt, "RSQRT"}, {builtin_op::kShape, "SHAPE"},
      {builtin_op::kReduceProd, "REDUCE_PROD"}, {builtin_op::kReduceMax, "REDUCE_MAX"},
      {builtin_op::kPack, "PACK"}, {builtin_op::kReduceMin, "REDUCE_MIN"},
      {builtin_op::kReduceAny, "REDUCE_ANY"}, {builtin_op::kSquare, "SQUARE"},
      {builtin_op::kResizeNearestNeighbor, "RESIZE_NEAREST_NEIGHBOR"},
      {builtin_op::kSquaredDifference, "SQUARED_DIFFERENCE"}, {builtin_op::kAbs, "ABS"},
      {builtin_op::kAddN, "ADD_N"}, {builtin_op::kHardSwish, "HARD_SWISH"},
      {builtin_op::kBatchMatmul, "BATCH_MATMUL"}, {builtin_op::kBroadcastTo, "BROADCAST_TO"},
      {builtin_op::kReduceAll, "REDUCE_ALL"}, {builtin_op::kBroadcastArgs, "BROADCAST_ARGS"},
  };
  for (const auto& name : kNames) {
    if (name.first == builtin) return name.second;
  }
  return "builtin operator " + std::to_string(builtin);
}

// BuiltinOptions union values of the option tables the shape checks read.
namespace options_type {
constexpr uint8_t kConv2d = 1, kDepthwiseConv2d = 2, kPool2d = 5, kFullyConnected = 8,
                  kConcatenation = 10, kReshape = 17, kReducer = 27, kStridedSlice = 32,
                  kPack = 59, kBatchMatmul = 101;
}  // namespace options_type
// Padding values and integer tensor types (schema numbering).
constexpr uint8_t kPaddingSame = 0;
constexpr uint8_t kPaddingValid = 1;
constexpr uint8_t kInt32Type = 2;
constexpr uint8_t kInt64Type = 4;
// Integer constants longer than this are weights, not shapes or axes.
constexpr uint64_t kMaxKnownValues = 64;

class TflitePatcher {
 public:
  TflitePatcher(uint8_t* data, size_t size, const std::string& display_name)
      : reader_(data, size, display_name) {}

  TflitePatchResult Run() {
    CheckHeader();
    const Table model =
        reader_.ReadTable(reader_.Deref(0, "root offset"), "model table");
    CheckVersion(model);
    ReadBuffers(model);
    ReadOperatorCodes(model);
    ReadSubgraphs(model);
    ReadSignatures(model);
    CheckMetadata(model);
    PlanNeutralization();
    TflitePatchResult result = DescribeEntryPoint();
    ApplyPatch();
    result.neutralized = std::move(neutralized_names_);
    return result;
  }

 private:
  void CheckHeader() {
    const size_t size = reader_.size();
    if (size == 0) reader_.Fail("it is empty");
    if (size > kMaxFlatbufferSize) {
      reader_.Fail("it is larger than 2 GiB, the flatbuffer limit");
    }
    if (size < 8) {
      reader_.Fail("it is only " + std::to_string(size) + " bytes long");
    }
    static const char kIdentifier[4] = {'T', 'F', 'L', '3'};
    for (size_t i = 0; i < 4; ++i) {
      if (reader_.U8(4 + i, "file identifier") !=
          static_cast<uint8_t>(kIdentifier[i])) {
        reader_.Fail("it lacks the \"TFL3\" file identifier");
      }
    }
  }

  void ReadBuffers(const Table& model) {
    // LiteRT indexes the buffer list without checking that it exists.
    buffers_ = reader_.RequiredVectorField(model, model_field::kBuffers, 4,
                                           "buffer list");
  }

  // Checks buffer `index` and returns how many bytes of constant data it
  // holds (0 for none).
  uint64_t CheckBuffer(uint32_t index, const std::string& user,
                       size_t* data_pos = nullptr) {
    if (index >= buffers_.length) {
      reader_.Fail(user + " refers to buffer " + std::to_string(index) +
                   " of " + std::to_string(buffers_.length));
    }
    const std::string what = Describe("buffer", index);
    const Table buffer = reader_.TableAt(buffers_, index, what);
    Vector data;
    const uint64_t inline_length =
        reader_.VectorField(buffer, buffer_field::kData, 1, what + " data",
                            &data)
            ? data.length
            : 0;
    const uint64_t offset =
        reader_.FieldU64(buffer, buffer_field::kOffset, 0, what + " offset");
    const uint64_t length =
        reader_.FieldU64(buffer, buffer_field::kSize, 0, what + " size");
    if (offset != 0) {
      // Data stored after the flatbuffer; LiteRT uses it unchecked.
      if (offset > reader_.size() || length > reader_.size() - offset) {
        reader_.Fail(what + " points past the end of the data");
      }
      if (data_pos != nullptr) *data_pos = static_cast<size_t>(offset);
      return length;
    }
    if (data_pos != nullptr && inline_length > 0) *data_pos = data.first;
    return inline_length;
  }

  // TFLite's interpreter builder rejects other versions, and LiteRT 1.4.0
  // crashes (instead of failing) on anything that builder rejects.
  void CheckVersion(const Table& model) {
    const uint32_t version =
        reader_.FieldU32(model, model_field::kVersion, 0, "schema version");
    if (version != kSchemaVersion) {
      reader_.Fail("it has schema version " + std::to_string(version) +
                   ", expected " + std::to_string(kSchemaVersion));
    }
  }

  void ReadOperatorCodes(const Table& model) {
    Vector codes;
    if (!reader_.VectorField(model, model_field::kOperatorCodes, 4,
                             "operator code list", &codes)) {
      return;
    }
    builtin_codes_.resize(codes.length);
    for (size_t i = 0; i < codes.length; ++i) {
      const std::string what = Describe("operator code", i);
      const Table code = reader_.TableAt(codes, i, what);
      // Older files store the code in a byte, newer ones in an int; the
      // larger of the two is the real one.
      const int32_t deprecated = static_cast<int8_t>(reader_.FieldU8(
          code, operator_code_field::kDeprecatedBuiltinCode, 0, what));
      const int32_t builtin = std::max(
          deprecated, reader_.FieldI32(code, operator_code_field::kBuiltinCode,
                                       0, what));
      if (builtin < 0 || builtin > kMaxBuiltinOperator) {
        reader_.Fail(what + " names unknown builtin operator " +
                     std::to_string(builtin));
      }
      builtin_codes_[i] = builtin;
      const int32_t version =
          reader_.FieldI32(code, operator_code_field::kVersion, 1, what + " version");
      const int32_t oldest = builtin == kBroadcastToOperator ? 2 : 1;
      if (builtin != kCustomOperator &&
          (version < oldest || version > kMaxOperatorVersion[builtin])) {
        reader_.Fail(what + " asks for version " + std::to_string(version) +
                     " of " + OperatorName(builtin) +
                     (kMaxOperatorVersion[builtin] == 0
                          ? ", which LiteRT lacks"
                          : ", LiteRT has versions " + std::to_string(oldest) + " to " +
                                std::to_string(kMaxOperatorVersion[builtin])));
      }
      std::string custom_name;
      if (builtin == kCustomOperator &&
          !reader_.StringField(code, operator_code_field::kCustomCode,
                               what + " custom name", &custom_name)) {
        reader_.Fail(what + " is a custom operator without a name");
      }
    }
  }

  void ReadSubgraphs(const Table& model) {
    const Vector subgraphs = reader_.RequiredVectorField(
        model, model_field::kSubgraphs, 4, "subgraph list");
    if (subgraphs.length == 0) reader_.Fail("it has no subgraphs");
    subgraphs_.resize(subgraphs.length);
    for (size_t s = 0; s < subgraphs.length; ++s) {
      ReadSubgraph(reader_.TableAt(subgraphs, s, Describe("subgraph", s)),
                   Describe("subgraph", s), &subgraphs_[s]);
    }
  }

  void ReadSubgraph(const Table& table, const std::string& name,
                    SubgraphView* subgraph) {
    // LiteRT dereferences all four lists unconditionally.
    const Vector tensors = reader_.RequiredVectorField(
        table, subgraph_field::kTensors, 4, name + " tensor list");
    subgraph->inputs = reader_.RequiredVectorField(
        table, subgraph_field::kInputs, 4, name + " input list");
    subgraph->outputs = reader_.RequiredVectorField(
        table, subgraph_field::kOutputs, 4, name + " output list");
    const Vector operators = reader_.RequiredVectorField(
        table, subgraph_field::kOperators, 4, name + " operator list");

    const size_t num_tensors = tensors.length;
    subgraph->tensors.resize(num_tensors);
    subgraph->referenced.assign(num_tensors, false);
    for (size_t t = 0; t < num_tensors; ++t) {
      const std::string what = name + " " + Describe("tensor", t);
      ReadTensor(reader_.TableAt(tensors, t, what), what,
                 &subgraph->tensors[t]);
    }

    subgraph->input_indices =
        ReadTensorIndices(subgraph->inputs, num_tensors, name + " input");
    subgraph->output_indices =
        ReadTensorIndices(subgraph->outputs, num_tensors, name + " output");

    // Operators come in execution order and every tensor has one producer:
    // a constant (or an empty tensor), a variable, a subgraph input, or one
    // earlier operator.
    // Checking that cheaply rejects rewired graphs, which the TFLite kernels
    // trust (some crash on them).
    subgraph->has_value.assign(num_tensors, false);
    for (size_t t = 0; t < num_tensors; ++t) {
      const TensorView& tensor = subgraph->tensors[t];
      subgraph->has_value[t] =
          tensor.has_constant_data || tensor.is_variable || tensor.is_empty;
    }
    for (int32_t index : subgraph->input_indices) {
      subgraph->has_value[static_cast<size_t>(index)] = true;
    }
    subgraph->values.assign(num_tensors, KnownValues());
    for (size_t t = 0; t < num_tensors; ++t) {
      subgraph->values[t] = ConstantValues(subgraph->tensors[t]);
    }
    for (size_t o = 0; o < operators.length; ++o) {
      const std::string what = name + " " + Describe("operator", o);
      ReadOperator(reader_.TableAt(operators, o, what), what, subgraph);
    }

    for (int32_t index : subgraph->output_indices) {
      subgraph->referenced[static_cast<size_t>(index)] = true;
    }
  }

  void ReadTensor(const Table& table, const std::string& what,
                  TensorView* tensor) {
    tensor->table = table;
    tensor->type_pos = reader_.Field(table, tensor_field::kType, 1, what);
    tensor->type = tensor->type_pos == kAbsent
                       ? static_cast<uint8_t>(TfliteTensorType::kFloat32)
                       : reader_.U8(tensor->type_pos, what + " type");
    tensor->is_variable = reader_.FieldU8(table, tensor_field::kIsVariable, 0,
                                          what + " variable flag") != 0;
    // Element count, kept far from overflow. TFLite's builder rejects
    // negative or overflowing dimensions (and LiteRT then crashes).
    uint64_t elements = 1;
    Vector dims;
    if (reader_.VectorField(table, tensor_field::kShape, 4, what + " shape",
                            &dims)) {
      CheckRank(dims, what);
      for (size_t i = 0; i < dims.length; ++i) {
        const int32_t dim = reader_.I32At(dims, i, what + " shape");
        tensor->shape.push_back(dim);
        if (dim < 0) {
          reader_.Fail(what + " has negative dimension " + std::to_string(dim));
        }
        elements *= static_cast<uint64_t>(dim);
        if (elements > kMaxTensorElements) {
          reader_.Fail(what + " has more than 2^32 elements");
        }
      }
    }
    if (reader_.VectorField(table, tensor_field::kShapeSignature, 4,
                            what + " shape signature", &dims)) {
      CheckRank(dims, what);
    }

    const uint32_t buffer =
        reader_.FieldU32(table, tensor_field::kBuffer, 0, what + " buffer");
    // Buffer 0 is the schema's "no data" sentinel.
    const uint64_t data_bytes =
        buffer == 0 ? 0 : CheckBuffer(buffer, what, &tensor->data_pos);
    tensor->data_bytes = data_bytes;
    tensor->has_constant_data = data_bytes > 0;
    tensor->is_empty = elements == 0;
    // Like TFLite's builder: constant data must cover the shape. Sparse
    // tensors are stored compressed (and LiteRT refuses them anyway).
    const uint64_t bits = ElementBits(tensor->type);
    const uint64_t needed = (elements * bits + 7) / 8;
    const bool sparse =
        reader_.Field(table, tensor_field::kSparsity, 4, what) != kAbsent;
    if (tensor->has_constant_data && !sparse && data_bytes < needed) {
      reader_.Fail(what + " has " + std::to_string(data_bytes) +
                   " bytes of data but its shape needs " +
                   std::to_string(needed));
    }
  }

  void CheckRank(const Vector& dims, const std::string& what) {
    if (dims.length > kMaxRank) {
      reader_.Fail(what + " has rank " + std::to_string(dims.length) +
                   " (at most 8 supported)");
    }
  }

  void ReadOperator(const Table& table, const std::string& what,
                    SubgraphView* subgraph) {
    const uint32_t opcode = reader_.FieldU32(table, operator_field::kOpcodeIndex,
                                             0, what + " opcode index");
    if (opcode >= builtin_codes_.size()) {
      reader_.Fail(what + " uses operator code " + std::to_string(opcode) +
                   " of " + std::to_string(builtin_codes_.size()));
    }
    CheckOptionTypes(table, what);
    const size_t num_tensors = subgraph->tensors.size();
    const Vector inputs = reader_.RequiredVectorField(
        table, operator_field::kInputs, 4, what + " input list");
    std::vector<int32_t> input_indices(inputs.length);
    std::vector<int32_t> output_indices;
    for (size_t i = 0; i < inputs.length; ++i) {
      const int32_t index = reader_.I32At(inputs, i, what + " input");
      input_indices[i] = index;
      if (index == kOptionalTensor) continue;
      MarkReferenced(index, num_tensors, what + " input", subgraph);
      if (!subgraph->has_value[static_cast<size_t>(index)]) {
        reader_.Fail(what + " reads tensor " + std::to_string(index) +
                     " before anything writes it");
      }
    }
    // Outputs may not be omitted: LiteRT attaches every one.
    const Vector outputs = reader_.RequiredVectorField(
        table, operator_field::kOutputs, 4, what + " output list");
    for (size_t i = 0; i < outputs.length; ++i) {
      const int32_t index = reader_.I32At(outputs, i, what + " output");
      output_indices.push_back(index);
      MarkReferenced(index, num_tensors, what + " output", subgraph);
      if (subgraph->has_value[static_cast<size_t>(index)]) {
        reader_.Fail(what + " writes tensor " + std::to_string(index) +
                     ", which already has a value");
      }
      subgraph->has_value[static_cast<size_t>(index)] = true;
    }
    if (builtin_codes_[opcode] == kDequantizeOperator) {
      CheckConstantDequantize(inputs, outputs, what, *subgraph);
    }
    CheckShapes({builtin_codes_[opcode], table, input_indices, output_indices, what},
                subgraph);
    Vector intermediates;
    if (reader_.VectorField(table, operator_field::kIntermediates, 4,
                            what + " intermediate list", &intermediates)) {
      for (size_t i = 0; i < intermediates.length; ++i) {
        MarkReferenced(reader_.I32At(intermediates, i, what + " intermediate"),
                       num_tensors, what + " intermediate", subgraph);
      }
    }
  }

  // --- Shape checks -------------------------------------------------------
  //
  // TFLite recomputes every output shape when it prepares the graph, and a
  // few kernels trust the result: BROADCAST_ARGS aborts the process
  // (TFLITE_CHECK) when its shape vectors do not broadcast, others read past
  // their buffers. Changed options (keep_dims, strides, an options table of
  // the wrong type), parameters (axes, target shapes, slice bounds) or wiring
  // make the shapes computed at run time differ from the declared ones, and
  // that is where those kernels fail. So for each operator we know, the
  // declared output shape must be what the operator computes from its
  // declared inputs, and the integer vectors the graph computes from shapes
  // (SHAPE, BROADCAST_ARGS, PACK, STRIDED_SLICE) are evaluated so that the
  // shapes they feed (BROADCAST_TO, RESHAPE) are checked too. Inductively,
  // every tensor then has its declared shape at run time. Operators we do not
  // know keep their declared output shapes unchecked.

  void CheckShapes(const OperatorView& op, SubgraphView* g) {
    for (int32_t output : op.outputs) g->values[static_cast<size_t>(output)] = KnownValues();
    switch (op.builtin) {
      case builtin_op::kAbs: case builtin_op::kDequantize: case builtin_op::kExp: case builtin_op::kFloor:
      case builtin_op::kHardSwish: case builtin_op::kLogistic: case builtin_op::kNeg: case builtin_op::kRelu:
      case builtin_op::kRelu6: case builtin_op::kRsqrt: case builtin_op::kSqrt: case builtin_op::kSquare:
      case builtin_op::kTanh:
        Arity(op, 1, 1, 1);
        Expect(op, In(op, 0, *g), *g);
        return;
      case builtin_op::kAdd: case builtin_op::kSub: case builtin_op::kMul: case builtin_op::kDiv:
      case builtin_op::kMaximum: case builtin_op::kMinimum: case builtin_op::kSquaredDifference:
        Arity(op, 2, 2, 1);
        Expect(op, Broadcast(op, In(op, 0, *g), In(op, 1, *g)), *g);
        return;
      case builtin_op::kAddN:
        Variadic(op);
        for (size_t i = 1; i < op.inputs.size(); ++i) {
          if (In(op, i, *g) != In(op, 0, *g)) ShapeFail(op, "adds tensors of different shapes");
        }
        Expect(op, In(op, 0, *g), *g);
        return;
      case builtin_op::kMean: case builtin_op::kSum: case builtin_op::kReduceProd: case builtin_op::kReduceMax:
      case builtin_op::kReduceMin: case builtin_op::kReduceAny: case builtin_op::kReduceAll:
        return Reduce(op, g);
      case builtin_op::kShape: {
        Arity(op, 1, 1, 1);
        const Dims input = In(op, 0, *g);
        Expect(op, {static_cast<int64_t>(input.size())}, *g);
        SetValues(op, input, g);
        return;
      }
      case builtin_op::kBroadcastArgs: return BroadcastArgs(op, g);
      case builtin_op::kBroadcastTo: return BroadcastTo(op, g);
      case builtin_op::kReshape: return Reshape(op, g);
      case builtin_op::kConv2d: case builtin_op::kDepthwiseConv2d: return Convolution(op, g);
      case builtin_op::kMaxPool2d: case builtin_op::kAveragePool2d: return Pool(op, g);
      case builtin_op::kConcatenation: return Concatenation(op, g);
      case builtin_op::kPack: return Pack(op, g);
      case builtin_op::kResizeBilinear: case builtin_op::kResizeNearestNeighbor: return Resize(op, g);
      case builtin_op::kSlice: return Slice(op, g);
      case builtin_op::kStridedSlice: return StridedSlice(op, g);
      case builtin_op::kFullyConnected: return FullyConnected(op, g);
      case builtin_op::kBatchMatmul: return BatchMatmul(op, g);
      default:
        return;  // not known here: its declared output shapes stand
    }
  }

  [[noreturn]] void ShapeFail(const OperatorView& op, const std::string& reason) {
    reader_.Fail(op.what + " (" + OperatorName(op.builtin) + ") " + reason);
  }

  // The operator takes min_inputs..max_inputs inputs, the first min_inputs
  // of them not omitted, and `outputs` outputs.
  void Arity(const OperatorView& op, size_t min_inputs, size_t max_inputs, size_t outputs) {
    if (op.inputs.size() < min_inputs || op.inputs.size() > max_inputs ||
        op.outputs.size() != outputs) {
      ShapeFail(op, "has " + std::to_string(op.inputs.size()) + " inputs and " +
                        std::to_string(op.outputs.size()) + " outputs");
    }
    for (size_t i = 0; i < min_inputs; ++i) {
      if (op.inputs[i] == kOptionalTensor) {
        ShapeFail(op, "omits its input " + std::to_string(i) + ", which it needs");
      }
    }
  }

  // One or more inputs, none omitted, and one output.
  void Variadic(const OperatorView& op) {
    if (op.inputs.empty()) ShapeFail(op, "has no inputs");
    Arity(op, op.inputs.size(), op.inputs.size(), 1);
  }

  static Dims DeclaredShape(const TensorView& tensor) {
    return Dims(tensor.shape.begin(), tensor.shape.end());
  }

  Dims In(const OperatorView& op, size_t i, const SubgraphView& g) {
    return DeclaredShape(g.tensors[static_cast<size_t>(op.inputs[i])]);
  }

  void Expect(const OperatorView& op, const Dims& computed, const SubgraphView& g) {
    const Dims declared = DeclaredShape(g.tensors[static_cast<size_t>(op.outputs[0])]);
    if (declared != computed) {
      ShapeFail(op, "declares output shape " + DimsText(declared) +
                        " but its inputs and options give " + DimsText(computed));
    }
  }

  // Known values of input i (an omitted input has none).
  const KnownValues& Values(const OperatorView& op, size_t i, const SubgraphView& g) {
    static const KnownValues kUnknown;
    if (i >= op.inputs.size() || op.inputs[i] == kOptionalTensor) return kUnknown;
    return g.values[static_cast<size_t>(op.inputs[i])];
  }

  void SetValues(const OperatorView& op, Dims values, SubgraphView* g) {
    KnownValues& known = g->values[static_cast<size_t>(op.outputs[0])];
    known.known = true;
    known.values = std::move(values);
  }

  KnownValues ConstantValues(const TensorView& tensor) {
    KnownValues result;
    if (tensor.type != kInt32Type && tensor.type != kInt64Type) return result;
    uint64_t elements = 1;
    for (int32_t dim : tensor.shape) elements *= static_cast<uint64_t>(dim);
    if (elements == 0) {  // an empty vector: e.g. the shape of a scalar
      result.known = true;
      return result;
    }
    const uint64_t width = tensor.type == kInt32Type ? 4 : 8;
    if (!tensor.has_constant_data || elements > kMaxKnownValues ||
        tensor.data_bytes < elements * width) {
      return result;
    }
    // Far beyond any dimension, and far from overflow in the rules.
    constexpr int64_t kLimit = int64_t{1} << 40;
    for (uint64_t i = 0; i < elements; ++i) {
      const size_t pos = tensor.data_pos + static_cast<size_t>(i * width);
      const int64_t value = width == 4 ? static_cast<int64_t>(reader_.I32(pos, "constant"))
                                       : static_cast<int64_t>(reader_.U64(pos, "constant"));
      result.values.push_back(std::min(std::max(value, -kLimit), kLimit));
    }
    result.known = true;
    return result;
  }

  // The operator's options table when it has the type TFLite reads for this
  // operator; TFLite uses the defaults otherwise, and so do we.
  bool Options(const OperatorView& op, uint8_t union_type, Table* table) {
    const uint8_t type = reader_.FieldU8(op.table, operator_field::kBuiltinOptionsType, 0,
                                         op.what + " options type");
    const size_t pos = reader_.Field(op.table, operator_field::kBuiltinOptions, 4, op.what);
    if (type != union_type || pos == kAbsent) return false;
    *table = reader_.ReadTable(reader_.Deref(pos, op.what + " options"), op.what + " options");
    return true;
  }

  int32_t OptionI32(bool present, const Table& table, int slot, int32_t fallback,
                    const OperatorView& op) {
    return present ? reader_.FieldI32(table, slot, fallback, op.what + " options") : fallback;
  }
  uint8_t OptionU8(bool present, const Table& table, int slot, uint8_t fallback,
                   const OperatorView& op) {
    return present ? reader_.FieldU8(table, slot, fallback, op.what + " options") : fallback;
  }

  // Numpy broadcasting, as TFLite's elementwise kernels do it.
  Dims Broadcast(const OperatorView& op, const Dims& a, const Dims& b) {
    const size_t rank = std::max(a.size(), b.size());
    Dims result(rank);
    for (size_t i = 0; i < rank; ++i) {
      const int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
      const int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
      if (x != y && x != 1 && y != 1) {
        ShapeFail(op, "combines shapes " + DimsText(a) + " and " + DimsText(b) +
                          ", which do not broadcast");
      }
      result[rank - 1 - i] = x == 1 ? y : x;
    }
    return result;
  }

  // An axis of a rank-`rank` tensor, negative counting from the end.
  int64_t Axis(const OperatorView& op, int64_t axis, size_t rank) {
    const int64_t size = static_cast<int64_t>(rank);
    if (axis < -size || axis >= size) {
      ShapeFail(op, "names axis " + std::to_string(axis) + " of a rank-" +
                        std::to_string(rank) + " tensor");
    }
    return axis < 0 ? axis + size : axis;
  }

  void Reduce(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 2, 1);
    const KnownValues& axes = Values(op, 1, *g);
    if (!axes.known) return;
    const Dims input = In(op, 0, *g);
    std::vector<bool> reduced(input.size(), false);
    for (int64_t axis : axes.values) reduced[static_cast<size_t>(Axis(op, axis, input.size()))] = true;
    Table table;
    const bool present = Options(op, options_type::kReducer, &table);
    const bool keep_dims = OptionU8(present, table, 0, 0, op) != 0;
    Dims output;
    for (size_t i = 0; i < input.size(); ++i) {
      if (!reduced[i]) {
        output.push_back(input[i]);
      } else if (keep_dims) {
        output.push_back(1);
      }
    }
    Expect(op, output, *g);
  }

  void BroadcastArgs(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 2, 1);
    const KnownValues& a = Values(op, 0, *g);
    const KnownValues& b = Values(op, 1, *g);
    if (!a.known || !b.known) {
      // TFLite aborts the process when they turn out not to broadcast.
      ShapeFail(op, "takes shape vectors that are only known at run time");
    }
    const Dims result = Broadcast(op, a.values, b.values);
    Expect(op, {static_cast<int64_t>(result.size())}, *g);
    SetValues(op, result, g);
  }

  void BroadcastTo(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 2, 1);
    const KnownValues& target = Values(op, 1, *g);
    if (!target.known) return;
    const Dims input = In(op, 0, *g);
    if (input.size() > target.values.size() ||
        Broadcast(op, input, target.values) != target.values) {
      ShapeFail(op, "cannot broadcast shape " + DimsText(input) + " to " +
                        DimsText(target.values));
    }
    Expect(op, target.values, *g);
  }

  // Product of the dimensions (each < 2^32, at most 8 of them, so a
  // product above 2^32 is only a sign of a bad shape).
  static uint64_t Elements(const Dims& dims) {
    uint64_t product = 1;
    for (int64_t dim : dims) {
      if (dim < 0) return std::numeric_limits<uint64_t>::max();
      product = product > kMaxTensorElements ? product : product * static_cast<uint64_t>(dim);
    }
    return product;
  }

  void Reshape(const OperatorView& op, SubgraphView* g) {
    Arity(op, 1, 2, 1);
    const Dims input = In(op, 0, *g);
    Dims target;
    bool known = false;
    if (op.inputs.size() == 2 && op.inputs[1] != kOptionalTensor) {
      const KnownValues& values = Values(op, 1, *g);
      known = values.known;
      target = values.values;
    } else {
      Table table;
      Vector new_shape;
      if (Options(op, options_type::kReshape, &table) &&
          reader_.VectorField(table, 0, 4, op.what + " new shape", &new_shape)) {
        for (size_t i = 0; i < new_shape.length; ++i) {
          target.push_back(reader_.I32At(new_shape, i, op.what + " new shape"));
        }
        known = true;
      }
    }
    const uint64_t elements = Elements(input);
    if (!known) {
      const Dims declared = DeclaredShape(g->tensors[static_cast<size_t>(op.outputs[0])]);
      if (Elements(declared) != elements) {
        ShapeFail(op, "reshapes " + DimsText(input) + " to " + DimsText(declared));
      }
      return;
    }
    // One dimension may be -1: whatever makes the element count match.
    size_t unknown = target.size();
    uint64_t product = 1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == -1 && unknown == target.size()) {
        unknown = i;
      } else if (target[i] < 0 || static_cast<uint64_t>(target[i]) > kMaxTensorElements) {
        ShapeFail(op, "reshapes to " + DimsText(target));
      } else {
        product = std::min<uint64_t>(product * static_cast<uint64_t>(target[i]),
                                     kMaxTensorElements + 1);
      }
    }
    if (unknown != target.size()) {
      if (product == 0 || elements % product != 0) {
        ShapeFail(op, "cannot reshape " + DimsText(input) + " to " + DimsText(target));
      }
      target[unknown] = static_cast<int64_t>(elements / product);
      product = elements;
    }
    if (product != elements) {
      ShapeFail(op, "cannot reshape " + DimsText(input) + " to " + DimsText(target));
    }
    Expect(op, target, *g);
  }

  // Output size of one spatial dimension, as TFLite computes it.
  int64_t WindowOutput(const OperatorView& op, uint8_t padding, int64_t size, int64_t window,
                       int32_t stride, int32_t dilation) {
    if (stride <= 0 || dilation <= 0 || window <= 0) {
      ShapeFail(op, "has a window of " + std::to_string(window) + ", stride " +
                        std::to_string(stride) + " and dilation " + std::to_string(dilation));
    }
    if (padding == kPaddingSame) return (size + stride - 1) / stride;
    if (padding != kPaddingValid) ShapeFail(op, "has unknown padding " + std::to_string(padding));
    if (size < 1 || window - 1 > (size - 1) / dilation) {
      ShapeFail(op, "has a window of " + std::to_string(window) + " (dilation " +
                        std::to_string(dilation) + ") on " + std::to_string(size) +
                        " pixels without padding");
    }
    const int64_t effective = (window - 1) * dilation + 1;
    return (size - effective) / stride + 1;
  }

  void Convolution(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 3, 1);
    const bool depthwise = op.builtin == builtin_op::kDepthwiseConv2d;
    const Dims input = In(op, 0, *g);
    const Dims filter = In(op, 1, *g);
    if (input.size() != 4 || filter.size() != 4) {
      ShapeFail(op, "convolves " + DimsText(input) + " with " + DimsText(filter));
    }
    const int64_t channels = depthwise ? filter[3] : filter[0];
    const bool channels_fit =
        depthwise ? filter[0] == 1 && input[3] > 0 && filter[3] % input[3] == 0
                  : filter[3] > 0 && input[3] % filter[3] == 0;
    if (!channels_fit) {
      ShapeFail(op, "convolves " + DimsText(input) + " with " + DimsText(filter));
    }
    if (op.inputs.size() == 3 && op.inputs[2] != kOptionalTensor &&
        In(op, 2, *g) != Dims{channels}) {
      ShapeFail(op, "has bias of shape " + DimsText(In(op, 2, *g)) + " for " +
                        std::to_string(channels) + " channels");
    }
    Table table;
    const bool present =
        Options(op, depthwise ? options_type::kDepthwiseConv2d : options_type::kConv2d, &table);
    const uint8_t padding = OptionU8(present, table, 0, kPaddingSame, op);
    const int32_t stride_w = OptionI32(present, table, 1, 0, op);
    const int32_t stride_h = OptionI32(present, table, 2, 0, op);
    const int dilation_slot = depthwise ? 5 : 4;
    const int32_t dilation_w = OptionI32(present, table, dilation_slot, 1, op);
    const int32_t dilation_h = OptionI32(present, table, dilation_slot + 1, 1, op);
    Expect(op,
           {input[0], WindowOutput(op, padding, input[1], filter[1], stride_h, dilation_h),
            WindowOutput(op, padding, input[2], filter[2], stride_w, dilation_w), channels},
           *g);
  }

  void Pool(const OperatorView& op, SubgraphView* g) {
    Arity(op, 1, 1, 1);
    const Dims input = In(op, 0, *g);
    if (input.size() != 4) ShapeFail(op, "pools a tensor of shape " + DimsText(input));
    Table table;
    const bool present = Options(op, options_type::kPool2d, &table);
    const uint8_t padding = OptionU8(present, table, 0, kPaddingSame, op);
    const int32_t stride_w = OptionI32(present, table, 1, 0, op);
    const int32_t stride_h = OptionI32(present, table, 2, 0, op);
    const int32_t filter_w = OptionI32(present, table, 3, 0, op);
    const int32_t filter_h = OptionI32(present, table, 4, 0, op);
    Expect(op,
           {input[0], WindowOutput(op, padding, input[1], filter_h, stride_h, 1),
            WindowOutput(op, padding, input[2], filter_w, stride_w, 1), input[3]},
           *g);
  }

  void Concatenation(const OperatorView& op, SubgraphView* g) {
    Variadic(op);
    Table table;
    const bool present = Options(op, options_type::kConcatenation, &table);
    Dims output = In(op, 0, *g);
    const size_t axis = static_cast<size_t>(
        Axis(op, OptionI32(present, table, 0, 0, op), output.size()));
    for (size_t i = 1; i < op.inputs.size(); ++i) {
      Dims input = In(op, i, *g);
      if (input.size() != output.size()) ShapeFail(op, "joins tensors of different ranks");
      const int64_t along = input[axis];
      input[axis] = output[axis];
      if (input != output) ShapeFail(op, "joins tensors whose other dimensions differ");
      output[axis] += along;
    }
    Expect(op, output, *g);
  }

  void Pack(const OperatorView& op, SubgraphView* g) {
    Variadic(op);
    Table table;
    const bool present = Options(op, options_type::kPack, &table);
    const int32_t count = OptionI32(present, table, 0, 0, op);
    if (count != static_cast<int32_t>(op.inputs.size())) {
      ShapeFail(op, "packs " + std::to_string(op.inputs.size()) + " tensors but says " +
                        std::to_string(count));
    }
    const Dims input = In(op, 0, *g);
    for (size_t i = 1; i < op.inputs.size(); ++i) {
      if (In(op, i, *g) != input) ShapeFail(op, "packs tensors of different shapes");
    }
    Dims output = input;
    const size_t axis = static_cast<size_t>(
        Axis(op, OptionI32(present, table, 1, 0, op), input.size() + 1));
    output.insert(output.begin() + static_cast<std::ptrdiff_t>(axis),
                  static_cast<int64_t>(op.inputs.size()));
    Expect(op, output, *g);
    // Packing scalars builds a vector (of dimensions, in this graph).
    Dims values;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const KnownValues& known = Values(op, i, *g);
      if (!input.empty() || !known.known || known.values.size() != 1) return;
      values.push_back(known.values[0]);
    }
    SetValues(op, values, g);
  }

  void Resize(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 2, 1);
    const Dims input = In(op, 0, *g);
    const KnownValues& size = Values(op, 1, *g);
    if (input.size() != 4) ShapeFail(op, "resizes a tensor of shape " + DimsText(input));
    if (!size.known) return;
    if (size.values.size() != 2 || size.values[0] <= 0 || size.values[1] <= 0) {
      ShapeFail(op, "resizes to " + DimsText(size.values));
    }
    Expect(op, {input[0], size.values[0], size.values[1], input[3]}, *g);
  }

  void Slice(const OperatorView& op, SubgraphView* g) {
    Arity(op, 3, 3, 1);
    const Dims input = In(op, 0, *g);
    const KnownValues& begin = Values(op, 1, *g);
    const KnownValues& size = Values(op, 2, *g);
    if (!begin.known || !size.known) return;
    if (begin.values.size() != input.size() || size.values.size() != input.size()) {
      ShapeFail(op, "slices a rank-" + std::to_string(input.size()) + " tensor with " +
                        std::to_string(begin.values.size()) + " begin values");
    }
    Dims output(input.size());
    for (size_t i = 0; i < input.size(); ++i) {
      const int64_t start = begin.values[i];
      const int64_t length =
          size.values[i] == -1 && start >= 0 ? input[i] - start : size.values[i];
      if (start < 0 || length < 0 || start > input[i] || length > input[i] - start) {
        ShapeFail(op, "slices " + DimsText(begin.values) + " + " + DimsText(size.values) +
                          " out of " + DimsText(input));
      }
      output[i] = length;
    }
    Expect(op, output, *g);
  }

  void StridedSlice(const OperatorView& op, SubgraphView* g) {
    Arity(op, 4, 4, 1);
    const Dims input = In(op, 0, *g);
    const KnownValues& begin = Values(op, 1, *g);
    const KnownValues& end = Values(op, 2, *g);
    const KnownValues& strides = Values(op, 3, *g);
    Table table;
    const bool present = Options(op, options_type::kStridedSlice, &table);
    const int32_t begin_mask = OptionI32(present, table, 0, 0, op);
    const int32_t end_mask = OptionI32(present, table, 1, 0, op);
    const int32_t ellipsis_mask = OptionI32(present, table, 2, 0, op);
    const int32_t new_axis_mask = OptionI32(present, table, 3, 0, op);
    const int32_t shrink_mask = OptionI32(present, table, 4, 0, op);
    const bool offset = OptionU8(present, table, 5, 0, op) != 0;
    // Only the plain form (one begin/end/stride per dimension) is computed.
    if (!begin.known || !end.known || !strides.known || ellipsis_mask != 0 ||
        new_axis_mask != 0 || offset || begin.values.size() != input.size() ||
        end.values.size() != input.size() || strides.values.size() != input.size()) {
      return;
    }
    Dims output;
    std::vector<std::pair<int64_t, int64_t>> ranges;  // start, step per dimension
    for (size_t i = 0; i < input.size(); ++i) {
      const int64_t dim = input[i];
      const int64_t stride = strides.values[i];
      if (stride == 0) ShapeFail(op, "has stride 0");
      const bool forward = stride > 0;
      const auto clamp = [&](int64_t value) {
        if (value < 0) value += dim;
        return forward ? std::min(std::max<int64_t>(value, 0), dim)
                       : std::min(std::max<int64_t>(value, -1), dim - 1);
      };
      int64_t start = (begin_mask >> i & 1) ? (forward ? 0 : dim - 1) : clamp(begin.values[i]);
      int64_t stop = (end_mask >> i & 1) ? (forward ? dim : -1) : clamp(end.values[i]);
      if (shrink_mask >> i & 1) {
        start = begin.values[i] < 0 ? begin.values[i] + dim : begin.values[i];
        if (start < 0 || start >= dim) {
          ShapeFail(op, "takes index " + std::to_string(begin.values[i]) + " of a dimension of " +
                            std::to_string(dim));
        }
        ranges.emplace_back(start, 1);
        continue;
      }
      const int64_t span = forward ? stop - start : start - stop;
      const int64_t step = forward ? stride : -stride;
      output.push_back(span <= 0 ? 0 : (span + step - 1) / step);
      ranges.emplace_back(start, stride);
    }
    Expect(op, output, *g);
    // Slicing a known vector (a shape) gives known values.
    const KnownValues& data = Values(op, 0, *g);
    if (data.known && input.size() == 1) {
      Dims values;
      const int64_t count = output.empty() ? 1 : output[0];
      for (int64_t k = 0; k < count; ++k) {
        values.push_back(data.values[static_cast<size_t>(ranges[0].first + k * ranges[0].second)]);
      }
      SetValues(op, values, g);
    }
  }

  void FullyConnected(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 3, 1);
    const Dims input = In(op, 0, *g);
    const Dims weights = In(op, 1, *g);
    if (weights.size() != 2 || weights[1] <= 0 || input.empty() ||
        Elements(input) % static_cast<uint64_t>(weights[1]) != 0) {
      ShapeFail(op, "multiplies " + DimsText(input) + " by weights " + DimsText(weights));
    }
    if (op.inputs.size() == 3 && op.inputs[2] != kOptionalTensor &&
        In(op, 2, *g) != Dims{weights[0]}) {
      ShapeFail(op, "has bias of shape " + DimsText(In(op, 2, *g)));
    }
    Table table;
    const bool present = Options(op, options_type::kFullyConnected, &table);
    const bool keep_dims = OptionU8(present, table, 2, 0, op) != 0;
    Dims output;
    if (keep_dims) {
      if (input.back() != weights[1]) {
        ShapeFail(op, "multiplies " + DimsText(input) + " by weights " + DimsText(weights));
      }
      output.assign(input.begin(), input.end() - 1);
    } else {
      output.push_back(static_cast<int64_t>(Elements(input) / static_cast<uint64_t>(weights[1])));
    }
    output.push_back(weights[0]);
    Expect(op, output, *g);
  }

  void BatchMatmul(const OperatorView& op, SubgraphView* g) {
    Arity(op, 2, 2, 1);
    Dims lhs = In(op, 0, *g);
    Dims rhs = In(op, 1, *g);
    if (lhs.size() < 2 || rhs.size() < 2) {
      ShapeFail(op, "multiplies " + DimsText(lhs) + " by " + DimsText(rhs));
    }
    Table table;
    const bool present = Options(op, options_type::kBatchMatmul, &table);
    if (OptionU8(present, table, 0, 0, op) != 0) std::swap(lhs[lhs.size() - 2], lhs.back());
    if (OptionU8(present, table, 1, 0, op) != 0) std::swap(rhs[rhs.size() - 2], rhs.back());
    if (lhs.back() != rhs[rhs.size() - 2]) {
      ShapeFail(op, "multiplies " + DimsText(In(op, 0, *g)) + " by " + DimsText(In(op, 1, *g)));
    }
    Dims output = Broadcast(op, Dims(lhs.begin(), lhs.end() - 2), Dims(rhs.begin(), rhs.end() - 2));
    output.push_back(lhs[lhs.size() - 2]);
    output.push_back(rhs.back());
    Expect(op, output, *g);
  }

  // The flatbuffers verifier accepts unknown option types and TFLite then
  // silently uses defaults, which kernels are not always ready for.
  void CheckOptionTypes(const Table& op, const std::string& what) {
    const uint8_t union_type = reader_.FieldU8(
        op, operator_field::kBuiltinOptionsType, 0, what + " options type");
    const uint8_t union_type_2 = reader_.FieldU8(
        op, operator_field::kBuiltinOptions2Type, 0, what + " options type");
    if (union_type > kMaxBuiltinOptions || union_type_2 > kMaxBuiltinOptions2) {
      reader_.Fail(what + " has options of unknown type");
    }
    for (const TensorTypeOptions& options : kTensorTypeOptions) {
      if (options.union_type != union_type) continue;
      const size_t pos =
          reader_.Field(op, operator_field::kBuiltinOptions, 4, what);
      if (pos == kAbsent) return;
      const Table table =
          reader_.ReadTable(reader_.Deref(pos, what + " options"),
                            what + " options");
      for (int i = 0; i < options.num_fields; ++i) {
        const uint8_t type = reader_.FieldU8(table, options.fields[i], 0,
                                             what + " options");
        if (type > kMaxTensorType) {
          reader_.Fail(what + " options name unknown tensor type " +
                       std::to_string(type));
        }
      }
      return;
    }
  }

  // XNNPACK takes the output of a DEQUANTIZE of constant data for static
  // weights of the declared output shape, so that shape must be the input's.
  void CheckConstantDequantize(const Vector& inputs, const Vector& outputs,
                               const std::string& what,
                               const SubgraphView& subgraph) {
    if (inputs.length != 1 || outputs.length != 1) {
      reader_.Fail(what + " (DEQUANTIZE) needs one input and one output");
    }
    const int32_t input = reader_.I32At(inputs, 0, what + " input");
    const int32_t output = reader_.I32At(outputs, 0, what + " output");
    if (input < 0) reader_.Fail(what + " (DEQUANTIZE) has no input");
    const TensorView& source = subgraph.tensors[static_cast<size_t>(input)];
    const TensorView& result = subgraph.tensors[static_cast<size_t>(output)];
    if (source.has_constant_data && source.shape != result.shape) {
      reader_.Fail(what + " (DEQUANTIZE) changes the shape of its constant");
    }
  }

  void MarkReferenced(int32_t index, size_t num_tensors,
                      const std::string& what, SubgraphView* subgraph) {
    if (index < 0 || static_cast<size_t>(index) >= num_tensors) {
      reader_.Fail(what + " refers to tensor " + std::to_string(index) +
                   " of " + std::to_string(num_tensors));
    }
    subgraph->referenced[static_cast<size_t>(index)] = true;
  }

  std::vector<int32_t> ReadTensorIndices(const Vector& vector,
                                         size_t num_tensors,
                                         const std::string& what) {
    std::vector<int32_t> indices(vector.length);
    for (size_t i = 0; i < vector.length; ++i) {
      indices[i] = reader_.I32At(vector, i, what);
      if (indices[i] < 0 || static_cast<size_t>(indices[i]) >= num_tensors) {
        reader_.Fail(what + " refers to tensor " + std::to_string(indices[i]) +
                     " of " + std::to_string(num_tensors));
      }
    }
    return indices;
  }

  void ReadSignatures(const Table& model) {
    Vector signatures;
    if (!reader_.VectorField(model, model_field::kSignatureDefs, 4,
                             "signature list", &signatures)) {
      return;
    }
    signatures_.resize(signatures.length);
    for (size_t i = 0; i < signatures.length; ++i) {
      const std::string what = Describe("signature", i);
      const Table table = reader_.TableAt(signatures, i, what);
      SignatureView& signature = signatures_[i];
      signature.subgraph_index = reader_.FieldU32(
          table, signature_field::kSubgraphIndex, 0, what + " subgraph index");
      if (signature.subgraph_index >= subgraphs_.size()) {
        reader_.Fail(what + " refers to subgraph " +
                     std::to_string(signature.subgraph_index) + " of " +
                     std::to_string(subgraphs_.size()));
      }
      const size_t num_tensors =
          subgraphs_[signature.subgraph_index].tensors.size();
      if (reader_.VectorField(table, signature_field::kInputs, 4,
                              what + " input list", &signature.inputs)) {
        signature.input_maps =
            ReadTensorMaps(signature.inputs, num_tensors, what + " input");
      }
      Vector outputs;
      if (reader_.VectorField(table, signature_field::kOutputs, 4,
                              what + " output list", &outputs)) {
        signature.output_maps =
            ReadTensorMaps(outputs, num_tensors, what + " output");
      }
    }
  }

  std::vector<TensorMapView> ReadTensorMaps(const Vector& vector,
                                            size_t num_tensors,
                                            const std::string& what) {
    std::vector<TensorMapView> maps(vector.length);
    for (size_t i = 0; i < vector.length; ++i) {
      const std::string item = what + " " + std::to_string(i);
      const Table table = reader_.TableAt(vector, i, item);
      maps[i].table_pos = table.pos;
      maps[i].tensor_index = reader_.FieldU32(
          table, tensor_map_field::kTensorIndex, 0, item + " tensor index");
      if (maps[i].tensor_index >= num_tensors) {
        reader_.Fail(item + " refers to tensor " +
                     std::to_string(maps[i].tensor_index) + " of " +
                     std::to_string(num_tensors));
      }
      reader_.StringField(table, tensor_map_field::kName, item + " name",
                          &maps[i].name);
    }
    return maps;
  }

  void CheckMetadata(const Table& model) {
    Vector metadata;
    if (!reader_.VectorField(model, model_field::kMetadata, 4, "metadata list",
                             &metadata)) {
      return;
    }
    for (size_t i = 0; i < metadata.length; ++i) {
      const std::string what = Describe("metadata entry", i);
      const Table table = reader_.TableAt(metadata, i, what);
      std::string name;
      // LiteRT reads every metadata name without checking it exists.
      if (!reader_.StringField(table, metadata_field::kName, what + " name",
                               &name)) {
        reader_.Fail(what + " has no name");
      }
      CheckBuffer(reader_.FieldU32(table, metadata_field::kBuffer, 0,
                                   what + " buffer"),
                  what);
    }
  }

  // Subgraphs a caller can run directly: the signature targets, or the main
  // subgraph when there are no signatures. Only their inputs may be dropped;
  // a control-flow subgraph's inputs are matched by position by its caller.
  std::set<size_t> EntrySubgraphs() const {
    std::set<size_t> entries;
    for (const SignatureView& signature : signatures_) {
      entries.insert(signature.subgraph_index);
    }
    if (entries.empty()) entries.insert(0);
    return entries;
  }

  void PlanNeutralization() {
    const std::set<size_t> entries = EntrySubgraphs();
    for (size_t s = 0; s < subgraphs_.size(); ++s) {
      SubgraphView& subgraph = subgraphs_[s];
      const bool is_entry = entries.count(s) != 0;
      std::set<int32_t> dropped;
      for (size_t t = 0; t < subgraph.tensors.size(); ++t) {
        const TensorView& tensor = subgraph.tensors[t];
        if (tensor.type != static_cast<uint8_t>(TfliteTensorType::kString) ||
            subgraph.referenced[t] || tensor.has_constant_data) {
          continue;  // not ours to touch; LiteRT decides
        }
        const int32_t index = static_cast<int32_t>(t);
        const bool is_input =
            std::find(subgraph.input_indices.begin(),
                      subgraph.input_indices.end(),
                      index) != subgraph.input_indices.end();
        if (is_input && !is_entry) continue;
        if (is_input) dropped.insert(index);
        retype_positions_.push_back(tensor.type_pos);
        std::string name;
        reader_.StringField(tensor.table, tensor_field::kName,
                            "tensor name", &name);
        neutralized_names_.push_back(name.empty() ? Describe("tensor", t)
                                                  : name);
      }
      if (dropped.empty()) continue;

      // New subgraph input list.
      std::vector<int32_t> kept;
      for (int32_t index : subgraph.input_indices) {
        if (dropped.count(index) == 0) kept.push_back(index);
      }
      subgraph.input_indices = kept;
      int_vector_rewrites_.push_back({subgraph.inputs, std::move(kept)});

      // The same tensors leave every signature of this subgraph.
      for (SignatureView& signature : signatures_) {
        if (signature.subgraph_index != s) continue;
        std::vector<TensorMapView> kept_maps;
        for (const TensorMapView& map : signature.input_maps) {
          if (dropped.count(static_cast<int32_t>(map.tensor_index)) == 0) {
            kept_maps.push_back(map);
          }
        }
        if (kept_maps.size() == signature.input_maps.size()) continue;
        signature.input_maps = kept_maps;
        offset_vector_rewrites_.push_back({signature.inputs, kept_maps});
      }
    }

    // LiteRT requires each signature to list as many inputs and outputs as
    // its subgraph has.
    for (size_t i = 0; i < signatures_.size(); ++i) {
      const SignatureView& signature = signatures_[i];
      const SubgraphView& subgraph = subgraphs_[signature.subgraph_index];
      if (signature.input_maps.size() != subgraph.input_indices.size() ||
          signature.output_maps.size() != subgraph.output_indices.size()) {
        reader_.Fail(Describe("signature", i) +
                     " lists a different number of inputs or outputs than "
                     "its subgraph");
      }
    }
  }

  TfliteTensorInfo DescribeTensor(size_t subgraph_index, size_t tensor_index,
                                   const std::string& name) {
    const TensorView& tensor =
        subgraphs_[subgraph_index].tensors[tensor_index];
    TfliteTensorInfo info;
    info.type = tensor.type;
    const std::string what = Describe("tensor", tensor_index);
    if (name.empty()) {
      reader_.StringField(tensor.table, tensor_field::kName, what + " name",
                          &info.name);
    } else {
      info.name = name;
    }
    Vector dims;
    if (reader_.VectorField(tensor.table, tensor_field::kShape, 4,
                            what + " shape", &dims)) {
      for (size_t i = 0; i < dims.length; ++i) {
        info.shape.push_back(reader_.I32At(dims, i, what + " shape"));
      }
    }
    return info;
  }

  // The entry point as it will look once the patch is applied.
  TflitePatchResult DescribeEntryPoint() {
    TflitePatchResult result;
    if (!signatures_.empty()) {
      const SignatureView& signature = signatures_[0];
      for (const TensorMapView& map : signature.input_maps) {
        result.inputs.push_back(DescribeTensor(signature.subgraph_index,
                                               map.tensor_index, map.name));
      }
      for (const TensorMapView& map : signature.output_maps) {
        result.outputs.push_back(DescribeTensor(signature.subgraph_index,
                                                map.tensor_index, map.name));
      }
      return result;
    }
    const SubgraphView& main = subgraphs_[0];
    for (int32_t index : main.input_indices) {
      result.inputs.push_back(
          DescribeTensor(0, static_cast<size_t>(index), std::string()));
    }
    for (int32_t index : main.output_indices) {
      result.outputs.push_back(
          DescribeTensor(0, static_cast<size_t>(index), std::string()));
    }
    return result;
  }

  // Only writes inside ranges that were already read and checked.
  void ApplyPatch() {
    for (size_t pos : retype_positions_) {
      // A string tensor always stores its (non-default) type byte.
      reader_.PutU8(pos, static_cast<uint8_t>(TfliteTensorType::kFloat32));
    }
    for (const auto& rewrite : int_vector_rewrites_) {
      const Vector& vector = rewrite.first;
      const std::vector<int32_t>& values = rewrite.second;
      for (size_t i = 0; i < values.size(); ++i) {
        reader_.PutU32(vector.first + 4 * i, static_cast<uint32_t>(values[i]));
      }
      reader_.PutU32(vector.length_pos, static_cast<uint32_t>(values.size()));
    }
    for (const auto& rewrite : offset_vector_rewrites_) {
      const Vector& vector = rewrite.first;
      const std::vector<TensorMapView>& maps = rewrite.second;
      for (size_t i = 0; i < maps.size(); ++i) {
        // A uoffset is relative to its own slot; tables always follow the
        // slots pointing at them, and the file is < 2 GiB.
        const size_t slot = vector.first + 4 * i;
        reader_.PutU32(slot, static_cast<uint32_t>(maps[i].table_pos - slot));
      }
      reader_.PutU32(vector.length_pos, static_cast<uint32_t>(maps.size()));
    }
  }

  FlatbufferReader reader_;
  Vector buffers_;
  std::vector<int32_t> builtin_codes_;  // by operator code index
  std::vector<SubgraphView> subgraphs_;
  std::vector<SignatureView> signatures_;

  std::vector<size_t> retype_positions_;
  std::vector<std::pair<Vector, std::vector<int32_t>>> int_vector_rewrites_;
  std::vector<std::pair<Vector, std::vector<TensorMapView>>>
      offset_vector_rewrites_;
  std::vector<std::string> neutralized_names_;
};

}  // namespace

TflitePatchResult PatchTfliteModel(uint8_t* data, size_t size,
                                   const std::string& display_name) {
  if (data == nullptr && size != 0) {
    throw Error(ErrorCode::kInvalidArgument,
                display_name + ": model data is null");
  }
  return TflitePatcher(data, size, display_name).Run();
}

}  // namespace internal
}  // namespace attention_jxl
