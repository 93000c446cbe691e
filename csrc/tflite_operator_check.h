// Internal: checks of what a TFLite model's operators compute, run by the
// model patcher (tflite_model_patch.h) as it walks each subgraph.
//
// TFLite recomputes every output shape when it prepares the graph, and some
// kernels trust the result (BROADCAST_ARGS aborts the process on shapes that
// do not broadcast). For the operators it knows (those of center.tflite and
// their close relatives) this checks that the declared output shape is the
// one the operator computes from its inputs, options and constant
// parameters, evaluating the shape vectors the graph builds (SHAPE,
// BROADCAST_ARGS, PACK, STRIDED_SLICE), and that no required input is
// omitted. It also checks that LiteRT has the operator versions a model asks
// for. A changed option, parameter or wiring then becomes an error here
// instead of a crash in LiteRT.
//
// It does not prove that a graph is sound: operators it does not know keep
// their declared shapes unchecked, and kernels may still fail on values.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tflite_flatbuffer.h"

namespace attention_jxl {
namespace internal {

// BuiltinOperator values: CUSTOM, and the highest one in the TFLite schema
// that LiteRT 1.4.0 was built with.
constexpr int32_t kCustomOperator = 32;
constexpr int32_t kMaxBuiltinOperator = 209;
// Operators use -1 for an omitted optional input.
constexpr int32_t kOptionalTensor = -1;

// Integer values of a tensor known before the graph runs: constants, and
// shape vectors the graph computes from declared shapes (see
// CheckOperatorShapes).
struct KnownValues {
  bool known = false;
  std::vector<int64_t> values;
};

// A subgraph's tensors, and their values known so far while its operators
// are checked in execution order.
struct SubgraphTensors {
  std::vector<TensorView> tensors;
  std::vector<KnownValues> values;
};

// One operator as the shape checks see it.
struct OperatorView {
  int32_t builtin;
  Table table;
  const std::vector<int32_t>& inputs;   // -1: an omitted optional input
  const std::vector<int32_t>& outputs;
  const std::string& what;
};

// Fails (through `reader`) unless LiteRT 1.4.0 has `version` of builtin
// operator `builtin` (0..kMaxBuiltinOperator). An operator code it cannot
// resolve makes TFLite's builder fail, and LiteRT 1.4.0 then crashes.
void CheckOperatorVersion(const FlatbufferReader& reader, int32_t builtin,
                          int32_t version, const std::string& what);

// The values of an integer constant short enough to be a shape or axes.
KnownValues ConstantValues(const FlatbufferReader& reader,
                           const TensorView& tensor);

// Checks operator `op`, whose inputs `graph` already has values for, and
// records the values of its outputs that become known. The operator's
// tensor indices must have been checked against `graph`.
void CheckOperatorShapes(FlatbufferReader* reader, const OperatorView& op,
                         SubgraphTensors* graph);

}  // namespace internal
}  // namespace attention_jxl
