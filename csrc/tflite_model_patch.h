// Internal: a small, bounds-checked reader/patcher for TFLite flatbuffers.
//
// LiteRT 1.4.0 refuses to load any model that contains a string tensor, even
// one no operator touches. center.tflite has exactly that: an unused
// `filename:0` string input. Before handing the bytes to LiteRT we drop such
// tensors from the graph inputs (subgraph inputs and signature inputs) and
// retype them to float32, in memory. Nothing the graph computes changes.
//
// LiteRT's own loader runs the flatbuffers verifier but then trusts many
// indices and optional fields, and LiteRT 1.4.0 crashes (a null interpreter)
// whenever TFLite's interpreter builder rejects a model. So the patcher also
// checks, cheaply, what those two rely on: every index (tensors, buffers,
// operator codes, subgraphs), required lists and names, ranks (<= 8),
// dimensions (>= 0, < 2^32 elements), constant data covering its shape,
// external buffer ranges, the schema version, known builtin operators and
// tensor types in options, and that the operators form a graph in execution
// order (each tensor written once, never read before it has a value). For
// each operator it also runs the checks of tflite_operator_check.h: operator
// versions LiteRT has, required inputs, and declared output shapes.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attention_jxl {
namespace internal {

// TFLite schema TensorType values we name (schema numbering, which differs
// from TfLiteType's).
enum class TfliteTensorType : uint8_t {
  kFloat32 = 0,
  kString = 5,
};

struct TfliteTensorInfo {
  std::string name;  // the signature's name when the model has signatures
  uint8_t type = 0;  // schema TensorType value
  std::vector<int32_t> shape;
};

struct TflitePatchResult {
  // Inputs/outputs of the entry point LiteRT runs as signature 0: the first
  // signature def, or subgraph 0 when the model has none. As after patching.
  std::vector<TfliteTensorInfo> inputs;
  std::vector<TfliteTensorInfo> outputs;
  // Names of the string tensors that were neutralized.
  std::vector<std::string> neutralized;
};

// Validates the TFLite flatbuffer `data[0, size)` and neutralizes its unused
// string tensors, rewriting it in place (the size does not change; only bytes
// inside existing tables and vectors are rewritten). `display_name` (a path,
// or a description of the buffer) starts every error message.
//
// Every read is bounds-checked and the total work is bounded by the size of
// the buffer. Throws Error(kUnsupported, "<display_name> is not a compatible
// TFLite model: <reason>") for anything that is not a TFLite model LiteRT can
// safely load as far as this reader looks. All checks run before the first
// write, so on error `data` is unchanged.
TflitePatchResult PatchTfliteModel(uint8_t* data, size_t size,
                                   const std::string& display_name);

}  // namespace internal
}  // namespace attention_jxl
