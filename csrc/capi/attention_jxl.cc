// The C ABI: a thin layer over the C++ API that turns exceptions into
// statuses and messages, and vectors into buffers the caller frees.
#include "attention_jxl/attention_jxl.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "attention_jxl/attention_jxl.hpp"

namespace aj = attention_jxl;

namespace {

// A handle's last error. Handles may be shared between threads, so it is
// written under a lock and read out as a copy.
class ErrorSlot {
 public:
  void set(const char* message) {
    std::lock_guard<std::mutex> hold(lock_);
    message_ = message;
  }
  std::string get() const {
    std::lock_guard<std::mutex> hold(lock_);
    return message_;
  }

 private:
  mutable std::mutex lock_;
  std::string message_;
};

}  // namespace

struct ajxl_model {
  std::unique_ptr<aj::Model> model;
  std::string path;
  ErrorSlot last_error;
};

struct ajxl_pool {
  explicit ajxl_pool(int threads) : pool(threads) {}
  aj::ThreadPool pool;
};

struct ajxl_encoder_settings {
  aj::EncodeSettings settings;
  ajxl_center_mode center_mode = AJXL_CENTER_PREDICT;
  ErrorSlot last_error;
};

namespace {

thread_local std::string last_error;
thread_local std::string handle_error_copy;  // what *_last_error(handle) returned last

ajxl_status status_of(aj::ErrorCode code) {
  switch (code) {
    case aj::ErrorCode::kInvalidArgument:
      return AJXL_INVALID_ARGUMENT;
    case aj::ErrorCode::kNotFound:
      return AJXL_NOT_FOUND;
    case aj::ErrorCode::kUnsupported:
      return AJXL_UNSUPPORTED;
    case aj::ErrorCode::kCorruptData:
      return AJXL_CORRUPT_DATA;
    case aj::ErrorCode::kTooLarge:
      return AJXL_TOO_LARGE;
    case aj::ErrorCode::kInternal:
      return AJXL_INTERNAL;
  }
  return AJXL_INTERNAL;
}

ajxl_status fail(ajxl_status status, const char* message, ErrorSlot* handle_error) {
  try {
    last_error = message;
    if (handle_error != nullptr) handle_error->set(message);
  } catch (...) {  // no memory for the message: the status still says what happened
  }
  return status;
}

// Runs `body`, mapping whatever it throws to a status and a message recorded
// for this thread and, when given, on the handle.
template <typename Body>
ajxl_status guarded(ErrorSlot* handle_error, Body&& body) {
  try {
    body();
    return AJXL_OK;
  } catch (const aj::Error& error) {
    return fail(status_of(error.code()), error.what(), handle_error);
  } catch (const std::bad_alloc&) {
    return fail(AJXL_OUT_OF_MEMORY, "out of memory", handle_error);
  } catch (const std::exception& error) {
    return fail(AJXL_INTERNAL, error.what(), handle_error);
  } catch (...) {
    return fail(AJXL_INTERNAL, "unknown internal error", handle_error);
  }
}

[[noreturn]] void invalid(const std::string& message) {
  throw aj::Error(aj::ErrorCode::kInvalidArgument, message);
}

template <typename T>
void require(const T* pointer, const char* name) {
  if (pointer == nullptr) invalid(std::string(name) + " is NULL");
}

ErrorSlot* error_slot(ajxl_model* model) { return model ? &model->last_error : nullptr; }

const char* copy_of(const ErrorSlot& slot) {
  try {
    handle_error_copy = slot.get();
  } catch (...) {
    return "";
  }
  return handle_error_copy.c_str();
}

const aj::Model& model_of(ajxl_model* model) {
  require(model, "model");
  return *model->model;
}

aj::SampleType sample_type_of(ajxl_sample_type type) {
  switch (type) {
    case AJXL_UINT8:
      return aj::SampleType::kUint8;
    case AJXL_UINT16:
      return aj::SampleType::kUint16;
    case AJXL_FLOAT32:
      return aj::SampleType::kFloat32;
  }
  invalid("sample_type must be AJXL_UINT8, AJXL_UINT16 or AJXL_FLOAT32, got " +
          std::to_string(static_cast<int>(type)));
}

ajxl_sample_type sample_type_of(aj::SampleType type) {
  switch (type) {
    case aj::SampleType::kUint8:
      return AJXL_UINT8;
    case aj::SampleType::kUint16:
      return AJXL_UINT16;
    case aj::SampleType::kFloat32:
      return AJXL_FLOAT32;
  }
  return AJXL_UINT8;
}

// The caller's image as a view the core validates (sizes, stride, limit).
aj::ImageView view_of(const ajxl_image* image) {
  require(image, "image");
  require(image->pixels, "image->pixels");
  aj::ImageView view;
  view.data = image->pixels;
  view.width = image->width;
  view.height = image->height;
  view.channels = image->channels;
  view.type = sample_type_of(image->sample_type);
  view.row_stride = image->row_stride;
  if (view.row_stride == 0) view.row_stride = view.width * view.channels * aj::sample_size(view.type);
  aj::validate_image(view);
  return view;
}

void require_input(const uint8_t* data, const char* name) { require(data, name); }

template <typename T>
T* copy_out(const T* values, size_t count) {
  if (count == 0) return nullptr;
  void* memory = std::malloc(count * sizeof(T));
  if (memory == nullptr) throw std::bad_alloc();
  std::memcpy(memory, values, count * sizeof(T));
  return static_cast<T*>(memory);
}

// Output pointers are checked, then zeroed, before any work.
void prepare_bytes_out(uint8_t** data, size_t* size) {
  require(data, "data");
  require(size, "size");
  *data = nullptr;
  *size = 0;
}

void give_bytes(const std::vector<uint8_t>& bytes, uint8_t** data, size_t* size) {
  *data = copy_out(bytes.data(), bytes.size());
  *size = bytes.size();
}

ajxl_point point_of(aj::Point point) { return {point.x, point.y}; }

aj::SaliencyMap map_of(const ajxl_saliency_map* map) {
  require(map, "map");
  if (map->values == nullptr && map->width * map->height != 0) invalid("map->values is NULL");
  aj::SaliencyMap copy;
  copy.width = map->width;
  copy.height = map->height;
  copy.values.assign(map->values, map->values + map->width * map->height);
  copy.center = {map->center.x, map->center.y};
  return copy;
}

ajxl_box box_of(aj::Box box) { return {box.x, box.y, box.width, box.height}; }

const ajxl_encoder_settings& settings_or_defaults(const ajxl_encoder_settings* settings) {
  static const ajxl_encoder_settings defaults;
  return settings ? *settings : defaults;
}

ErrorSlot* error_slot(ajxl_encoder_settings* settings) {
  return settings ? &settings->last_error : nullptr;
}

template <typename Change>
ajxl_status change_settings(ajxl_encoder_settings* settings, Change&& change) {
  return guarded(error_slot(settings), [&] {
    require(settings, "settings");
    change(settings->settings);
  });
}

uint32_t version_number(int major, int minor, int patch) {
  return static_cast<uint32_t>(major * 1000000 + minor * 1000 + patch);
}

}  // namespace

extern "C" {

const char* ajxl_version(void) { return ATTENTION_JXL_VERSION_STRING; }

uint32_t ajxl_version_number(void) { return ATTENTION_JXL_VERSION_NUMBER; }

uint32_t ajxl_libjxl_version_number(void) {
  const aj::LibjxlVersion version = aj::libjxl_version();
  return version_number(version.major, version.minor, version.patch);
}

const char* ajxl_status_name(ajxl_status status) {
  switch (status) {
    case AJXL_OK:
      return "AJXL_OK";
    case AJXL_INVALID_ARGUMENT:
      return "AJXL_INVALID_ARGUMENT";
    case AJXL_NOT_FOUND:
      return "AJXL_NOT_FOUND";
    case AJXL_UNSUPPORTED:
      return "AJXL_UNSUPPORTED";
    case AJXL_CORRUPT_DATA:
      return "AJXL_CORRUPT_DATA";
    case AJXL_TOO_LARGE:
      return "AJXL_TOO_LARGE";
    case AJXL_OUT_OF_MEMORY:
      return "AJXL_OUT_OF_MEMORY";
    case AJXL_INTERNAL:
      return "AJXL_INTERNAL";
  }
  return "unknown status";
}

const char* ajxl_last_error_message(void) { return last_error.c_str(); }

void ajxl_free(void* memory) { std::free(memory); }

uint64_t ajxl_max_image_pixels(void) { return aj::max_image_pixels(); }

void ajxl_set_max_image_pixels(uint64_t pixels) { aj::set_max_image_pixels(pixels); }

ajxl_status ajxl_model_open(const char* path, int threads, ajxl_model** model) {
  return guarded(nullptr, [&] {
    require(model, "model");
    *model = nullptr;
    if (threads < 1) invalid("threads must be >= 1, got " + std::to_string(threads));
    auto opened = std::make_unique<ajxl_model>();
    opened->path = path != nullptr ? std::string(path) : aj::installed_model_path();
    opened->model = std::make_unique<aj::Model>(opened->path, threads);
    *model = opened.release();
  });
}

void ajxl_model_free(ajxl_model* model) { delete model; }

const char* ajxl_model_path(const ajxl_model* model) { return model ? model->path.c_str() : ""; }

const char* ajxl_model_last_error(const ajxl_model* model) {
  return model ? copy_of(model->last_error) : "";
}

ajxl_status ajxl_pool_create(int threads, ajxl_pool** pool) {
  return guarded(nullptr, [&] {
    require(pool, "pool");
    *pool = nullptr;
    *pool = new ajxl_pool(threads);
  });
}

void ajxl_pool_free(ajxl_pool* pool) { delete pool; }

ajxl_status ajxl_encoder_settings_create(ajxl_encoder_settings** settings) {
  return guarded(nullptr, [&] {
    require(settings, "settings");
    *settings = nullptr;
    *settings = new ajxl_encoder_settings();
  });
}

void ajxl_encoder_settings_free(ajxl_encoder_settings* settings) { delete settings; }

const char* ajxl_encoder_settings_last_error(const ajxl_encoder_settings* settings) {
  return settings ? copy_of(settings->last_error) : "";
}

// Settings are checked where the core checks them, when encoding, except
// what only this layer knows (enum values, NULL pointers).
ajxl_status ajxl_encoder_settings_set_distance(ajxl_encoder_settings* settings, float distance) {
  return change_settings(settings, [&](aj::EncodeSettings& s) { s.distance = distance; });
}

ajxl_status ajxl_encoder_settings_set_effort(ajxl_encoder_settings* settings, int effort) {
  return change_settings(settings, [&](aj::EncodeSettings& s) { s.effort = effort; });
}

ajxl_status ajxl_encoder_settings_set_lossless(ajxl_encoder_settings* settings, int lossless) {
  return change_settings(settings, [&](aj::EncodeSettings& s) { s.lossless = lossless != 0; });
}

ajxl_status ajxl_encoder_settings_set_center(ajxl_encoder_settings* settings,
                                             ajxl_center_mode mode, long x, long y) {
  return change_settings(settings, [&](aj::EncodeSettings& s) {
    if (mode != AJXL_CENTER_PREDICT && mode != AJXL_CENTER_GIVEN && mode != AJXL_CENTER_NONE) {
      invalid("center mode must be AJXL_CENTER_PREDICT, AJXL_CENTER_GIVEN or AJXL_CENTER_NONE, "
              "got " + std::to_string(static_cast<int>(mode)));
    }
    if (mode == AJXL_CENTER_GIVEN && (x < 0 || y < 0)) {
      invalid("a given center must be >= 0, got (" + std::to_string(x) + ", " +
              std::to_string(y) + ")");
    }
    settings->center_mode = mode;
    s.center_first = mode == AJXL_CENTER_GIVEN;
    s.center_x = mode == AJXL_CENTER_GIVEN ? x : -1;
    s.center_y = mode == AJXL_CENTER_GIVEN ? y : -1;
  });
}

ajxl_status ajxl_encoder_settings_set_threads(ajxl_encoder_settings* settings, int threads) {
  return change_settings(settings, [&](aj::EncodeSettings& s) {
    if (threads < 0) invalid("threads must be >= 0 (0 = all cores), got " + std::to_string(threads));
    s.threads = threads;
  });
}

ajxl_status ajxl_encoder_settings_set_pool(ajxl_encoder_settings* settings,
                                           const ajxl_pool* pool) {
  return change_settings(settings,
                         [&](aj::EncodeSettings& s) { s.pool = pool ? &pool->pool : nullptr; });
}

ajxl_status ajxl_encoder_settings_set_icc_profile(ajxl_encoder_settings* settings,
                                                  const uint8_t* icc, size_t size) {
  return change_settings(settings, [&](aj::EncodeSettings& s) {
    if (icc == nullptr && size != 0) invalid("icc is NULL with size " + std::to_string(size));
    s.icc_profile.assign(icc, icc + size);
  });
}

ajxl_status ajxl_encoder_settings_set_orientation(ajxl_encoder_settings* settings,
                                                  int orientation) {
  return change_settings(settings, [&](aj::EncodeSettings& s) {
    if (orientation < 1 || orientation > 8) {
      invalid("orientation must be 1..8, got " + std::to_string(orientation));
    }
    s.orientation = orientation;
  });
}

ajxl_status ajxl_encoder_settings_set_frame_setting(ajxl_encoder_settings* settings,
                                                    const char* name, double value) {
  return change_settings(settings, [&](aj::EncodeSettings& s) {
    require(name, "name");
    const std::vector<std::string> names = aj::frame_setting_names();
    bool known = false;
    for (const std::string& known_name : names) known = known || known_name == name;
    if (!known) invalid(std::string("unknown frame setting '") + name + "'");
    s.frame_settings.emplace_back(name, value);
  });
}

ajxl_status ajxl_center(ajxl_model* model, const ajxl_image* image, int orientation,
                        ajxl_point* center) {
  return guarded(error_slot(model), [&] {
    require(center, "center");
    *center = {0, 0};
    *center = point_of(aj::predict_center(model_of(model), view_of(image), orientation));
  });
}

ajxl_status ajxl_jpeg_center(ajxl_model* model, const uint8_t* jpeg, size_t size,
                             ajxl_point* center) {
  return guarded(error_slot(model), [&] {
    require(center, "center");
    *center = {0, 0};
    require_input(jpeg, "jpeg");
    *center = point_of(aj::predict_jpeg_center(model_of(model), jpeg, size).center);
  });
}

ajxl_status ajxl_saliency(ajxl_model* model, const ajxl_image* image, int orientation,
                          ajxl_saliency_map* map) {
  return guarded(error_slot(model), [&] {
    require(map, "map");
    *map = {};
    const aj::SaliencyMap result =
        aj::predict_saliency(model_of(model), view_of(image), orientation);
    map->values = copy_out(result.values.data(), result.values.size());
    map->width = result.width;
    map->height = result.height;
    map->center = point_of(result.center);
  });
}

ajxl_status ajxl_crop_box(const ajxl_saliency_map* map, size_t image_width, size_t image_height,
                          size_t crop_width, size_t crop_height, ajxl_box* box) {
  return guarded(nullptr, [&] {
    require(box, "box");
    *box = {0, 0, 0, 0};
    *box = box_of(aj::crop_box(map_of(map), image_width, image_height, crop_width, crop_height));
  });
}

ajxl_status ajxl_crop_box_for_aspect(const ajxl_saliency_map* map, size_t image_width,
                                     size_t image_height, double aspect, ajxl_box* box) {
  return guarded(nullptr, [&] {
    require(box, "box");
    *box = {0, 0, 0, 0};
    *box = box_of(aj::crop_box_for_aspect(map_of(map), image_width, image_height, aspect));
  });
}

ajxl_status ajxl_encode(ajxl_model* model, const ajxl_encoder_settings* settings,
                        const ajxl_image* image, uint8_t** data, size_t* size) {
  return guarded(error_slot(model), [&] {
    prepare_bytes_out(data, size);
    const ajxl_encoder_settings& chosen = settings_or_defaults(settings);
    const aj::ImageView view = view_of(image);
    if (chosen.center_mode == AJXL_CENTER_PREDICT) {
      give_bytes(aj::encode_center_first(model_of(model), view, chosen.settings), data, size);
    } else {
      give_bytes(aj::encode(view, chosen.settings), data, size);
    }
  });
}

ajxl_status ajxl_transcode_jpeg(ajxl_model* model, const ajxl_encoder_settings* settings,
                                const uint8_t* jpeg, size_t jpeg_size, uint8_t** data,
                                size_t* size) {
  return guarded(error_slot(model), [&] {
    prepare_bytes_out(data, size);
    require_input(jpeg, "jpeg");
    const ajxl_encoder_settings& chosen = settings_or_defaults(settings);
    aj::TranscodeSettings transcode;
    transcode.effort = chosen.settings.effort;
    transcode.threads = chosen.settings.threads;
    transcode.pool = chosen.settings.pool;
    transcode.center_first = chosen.settings.center_first;
    transcode.center_x = chosen.settings.center_x;
    transcode.center_y = chosen.settings.center_y;
    if (chosen.center_mode == AJXL_CENTER_PREDICT) {
      give_bytes(aj::transcode_jpeg_center_first(model_of(model), jpeg, jpeg_size, transcode),
                 data, size);
    } else {
      give_bytes(aj::transcode_jpeg(jpeg, jpeg_size, transcode), data, size);
    }
  });
}

ajxl_status ajxl_reorder(ajxl_model* model, const uint8_t* jxl, size_t jxl_size,
                         const ajxl_point* center, uint8_t** data, size_t* size) {
  return guarded(error_slot(model), [&] {
    prepare_bytes_out(data, size);
    require_input(jxl, "jxl");
    const aj::Point point = center != nullptr
                                ? aj::Point{center->x, center->y}
                                : aj::predict_jxl_center(model_of(model), jxl, jxl_size);
    if (point.x < 0 || point.y < 0) {
      invalid("center must be >= 0, got (" + std::to_string(point.x) + ", " +
              std::to_string(point.y) + ")");
    }
    give_bytes(aj::reorder(jxl, jxl_size, point), data, size);
  });
}

ajxl_status ajxl_reorder_scanline(const uint8_t* jxl, size_t jxl_size, uint8_t** data,
                                  size_t* size) {
  return guarded(nullptr, [&] {
    prepare_bytes_out(data, size);
    require_input(jxl, "jxl");
    give_bytes(aj::reorder_scanline(jxl, jxl_size), data, size);
  });
}

ajxl_status ajxl_decode(const uint8_t* jxl, size_t jxl_size, ajxl_decode_mode mode,
                        const ajxl_pool* pool, ajxl_decoded_image* image) {
  return guarded(nullptr, [&] {
    require(image, "image");
    *image = {};
    require_input(jxl, "jxl");
    if (mode != AJXL_DECODE_FULL && mode != AJXL_DECODE_PARTIAL) {
      invalid("mode must be AJXL_DECODE_FULL or AJXL_DECODE_PARTIAL, got " +
              std::to_string(static_cast<int>(mode)));
    }
    const aj::DecodedImage decoded = aj::decode(jxl, jxl_size, /*threads=*/0,
                                                mode == AJXL_DECODE_PARTIAL,
                                                pool ? &pool->pool : nullptr);
    image->pixels = copy_out(decoded.pixels.data(), decoded.pixels.size());
    image->width = decoded.width;
    image->height = decoded.height;
    image->channels = decoded.channels;
    image->sample_type = sample_type_of(decoded.type);
    image->row_stride = decoded.width * decoded.channels * aj::sample_size(decoded.type);
  });
}

ajxl_status ajxl_group_order(const uint8_t* jxl, size_t jxl_size, int dc_level,
                             ajxl_group_origin** origins, size_t* count) {
  return guarded(nullptr, [&] {
    require(origins, "origins");
    require(count, "count");
    *origins = nullptr;
    *count = 0;
    require_input(jxl, "jxl");
    const std::vector<aj::GroupOrigin> order = aj::group_order(jxl, jxl_size, dc_level);
    std::vector<ajxl_group_origin> out;
    out.reserve(order.size());
    for (const aj::GroupOrigin& origin : order) out.push_back({origin.x, origin.y});
    *origins = copy_out(out.data(), out.size());
    *count = out.size();
  });
}

}  // extern "C"
