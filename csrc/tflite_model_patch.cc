// TFLite model checks and in-memory patcher; see tflite_model_patch.h for
// why it exists. The flatbuffer reader is in tflite_flatbuffer.h, the checks
// of what operators compute in tflite_operator_check.cc.

#include "tflite_model_patch.h"

#include <algorithm>
#include <set>
#include <utility>

#include "attention_jxl/error.h"
#include "tflite_flatbuffer.h"
#include "tflite_operator_check.h"

namespace attention_jxl {
namespace internal {
namespace {

// Field slots of the other tables we read (order of fields in TFLite's
// schema.fbs; operator_field is in tflite_flatbuffer.h).
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
// BuiltinOperator value of DEQUANTIZE.
constexpr int32_t kDequantizeOperator = 6;

// Highest TensorType value in the TFLite schema that LiteRT 1.4.0 was built
// with (BFLOAT16), and the highest BuiltinOptions / BuiltinOptions2 union
// types.
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
// Flatbuffers address at most 2 GiB.
constexpr size_t kMaxFlatbufferSize = 0x7fffffff;

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

struct SubgraphView : SubgraphTensors {
  Vector inputs;
  Vector outputs;
  std::vector<int32_t> input_indices;
  std::vector<int32_t> output_indices;
  std::vector<bool> referenced;  // by an operator or as a subgraph output
  std::vector<bool> has_value;   // while walking the operators in order
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
      CheckOperatorVersion(reader_, builtin, version, what);
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
      subgraph->values[t] = ConstantValues(reader_, subgraph->tensors[t]);
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
    CheckOperatorShapes(&reader_,
                        {builtin_codes_[opcode], table, input_indices, output_indices, what},
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
