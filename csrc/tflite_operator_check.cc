// Operator checks; see tflite_operator_check.h for why they exist.

#include "tflite_operator_check.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

namespace attention_jxl {
namespace internal {
namespace {

// The newest version of each builtin operator (by BuiltinOperator value) that
// LiteRT 1.4.0's operator resolver has, 0 for operators it lacks (measured
// with its interpreter). All start at version 1 except BROADCAST_TO (2).
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

// The shape checks behind CheckOperatorShapes.
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
class ShapeChecker {
 public:
  explicit ShapeChecker(FlatbufferReader* reader) : reader_(*reader) {}

  void CheckShapes(const OperatorView& op, SubgraphTensors* g) {
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

 private:
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

  Dims In(const OperatorView& op, size_t i, const SubgraphTensors& g) {
    return DeclaredShape(g.tensors[static_cast<size_t>(op.inputs[i])]);
  }

  void Expect(const OperatorView& op, const Dims& computed, const SubgraphTensors& g) {
    const Dims declared = DeclaredShape(g.tensors[static_cast<size_t>(op.outputs[0])]);
    if (declared != computed) {
      ShapeFail(op, "declares output shape " + DimsText(declared) +
                        " but its inputs and options give " + DimsText(computed));
    }
  }

  // Known values of input i (an omitted input has none).
  const KnownValues& Values(const OperatorView& op, size_t i, const SubgraphTensors& g) {
    static const KnownValues kUnknown;
    if (i >= op.inputs.size() || op.inputs[i] == kOptionalTensor) return kUnknown;
    return g.values[static_cast<size_t>(op.inputs[i])];
  }

  void SetValues(const OperatorView& op, Dims values, SubgraphTensors* g) {
    KnownValues& known = g->values[static_cast<size_t>(op.outputs[0])];
    known.known = true;
    known.values = std::move(values);
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

  void Reduce(const OperatorView& op, SubgraphTensors* g) {
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

  void BroadcastArgs(const OperatorView& op, SubgraphTensors* g) {
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

  void BroadcastTo(const OperatorView& op, SubgraphTensors* g) {
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

  void Reshape(const OperatorView& op, SubgraphTensors* g) {
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

  void Convolution(const OperatorView& op, SubgraphTensors* g) {
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

  void Pool(const OperatorView& op, SubgraphTensors* g) {
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

  void Concatenation(const OperatorView& op, SubgraphTensors* g) {
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

  void Pack(const OperatorView& op, SubgraphTensors* g) {
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

  void Resize(const OperatorView& op, SubgraphTensors* g) {
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

  void Slice(const OperatorView& op, SubgraphTensors* g) {
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

  void StridedSlice(const OperatorView& op, SubgraphTensors* g) {
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

  void FullyConnected(const OperatorView& op, SubgraphTensors* g) {
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

  void BatchMatmul(const OperatorView& op, SubgraphTensors* g) {
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

  FlatbufferReader& reader_;
};

}  // namespace

void CheckOperatorVersion(const FlatbufferReader& reader, int32_t builtin,
                          int32_t version, const std::string& what) {
  const int32_t oldest = builtin == builtin_op::kBroadcastTo ? 2 : 1;
  if (builtin != kCustomOperator &&
      (version < oldest || version > kMaxOperatorVersion[builtin])) {
    reader.Fail(what + " asks for version " + std::to_string(version) +
                " of " + OperatorName(builtin) +
                (kMaxOperatorVersion[builtin] == 0
                     ? ", which LiteRT lacks"
                     : ", LiteRT has versions " + std::to_string(oldest) + " to " +
                           std::to_string(kMaxOperatorVersion[builtin])));
  }
}

KnownValues ConstantValues(const FlatbufferReader& reader,
                           const TensorView& tensor) {
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
    const int64_t value = width == 4 ? static_cast<int64_t>(reader.I32(pos, "constant"))
                                     : static_cast<int64_t>(reader.U64(pos, "constant"));
    result.values.push_back(std::min(std::max(value, -kLimit), kLimit));
  }
  result.known = true;
  return result;
}

void CheckOperatorShapes(FlatbufferReader* reader, const OperatorView& op,
                         SubgraphTensors* graph) {
  ShapeChecker(reader).CheckShapes(op, graph);
}

}  // namespace internal
}  // namespace attention_jxl
