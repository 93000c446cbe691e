// The Python module attention_jxl._core: converts types, releases the GIL
// around the core's work and maps core errors to Python exceptions.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attention_jxl/attention_jxl.hpp"
#include "image/exif.h"

namespace py = pybind11;
namespace aj = attention_jxl;

namespace {

aj::SampleType sample_type_of(const py::array& array) {
  if (py::isinstance<py::array_t<uint8_t>>(array)) return aj::SampleType::kUint8;
  if (py::isinstance<py::array_t<uint16_t>>(array)) return aj::SampleType::kUint16;
  if (py::isinstance<py::array_t<float>>(array)) return aj::SampleType::kFloat32;
  throw py::type_error("image dtype must be uint8, uint16 or float32, got " +
                       std::string(py::str(array.dtype())));
}

// Holds the (possibly copied) array alive while the core reads its view.
struct ImageArg {
  py::array array;
  aj::ImageView view;
};

ImageArg image_arg(py::array array) {
  const aj::SampleType type = sample_type_of(array);
  if (array.ndim() != 2 && array.ndim() != 3) {
    throw py::value_error("image must have shape (H, W) or (H, W, C), got " +
                          std::to_string(array.ndim()) + " dimensions");
  }
  const size_t channels = array.ndim() == 3 ? static_cast<size_t>(array.shape(2)) : 1;
  // Before a copy of a huge array is made below.
  aj::check_image_pixels(static_cast<uint64_t>(array.shape(1)),
                         static_cast<uint64_t>(array.shape(0)), "image");
  const auto itemsize = static_cast<py::ssize_t>(array.itemsize());
  const auto pixel_bytes = itemsize * static_cast<py::ssize_t>(channels);
  // The core reads rows of packed pixels (row padding allowed, e.g. a crop);
  // any other layout is copied once.
  const bool packed_samples = array.ndim() == 2 || channels == 1 || array.strides(2) == itemsize;
  const bool aligned = reinterpret_cast<uintptr_t>(array.data()) % itemsize == 0 &&
                       array.strides(0) % itemsize == 0;
  const bool packed_rows = packed_samples && aligned && array.strides(1) == pixel_bytes &&
                           array.strides(0) >= pixel_bytes * array.shape(1);
  if (!packed_rows) array = py::array::ensure(array, py::array::c_style);
  ImageArg arg{array, {}};
  arg.view.data = arg.array.data();
  arg.view.height = static_cast<size_t>(arg.array.shape(0));
  arg.view.width = static_cast<size_t>(arg.array.shape(1));
  arg.view.channels = channels;
  arg.view.type = type;
  // A copied array is C-contiguous; numpy may report any stride for a single row.
  const bool padded_rows = packed_rows && arg.array.shape(0) > 1;
  arg.view.row_stride = static_cast<size_t>(padded_rows ? arg.array.strides(0)
                                                        : pixel_bytes * arg.array.shape(1));
  return arg;
}

// A bytes-like argument (bytes, bytearray, contiguous memoryview), read in
// place; the buffer stays valid while this lives.
struct ByteArg {
  explicit ByteArg(const py::buffer& buffer)
      : info(buffer.request()),
        data(static_cast<const uint8_t*>(info.ptr)),
        size(static_cast<size_t>(info.size * info.itemsize)) {}
  py::buffer_info info;
  const uint8_t* data;
  size_t size;
};

py::tuple point_tuple(aj::Point point) { return py::make_tuple(point.x, point.y); }

py::array decoded_array(aj::DecodedImage&& image) {
  std::vector<py::ssize_t> shape = {static_cast<py::ssize_t>(image.height),
                                    static_cast<py::ssize_t>(image.width)};
  if (image.channels > 1) shape.push_back(static_cast<py::ssize_t>(image.channels));
  py::dtype dtype = image.type == aj::SampleType::kUint8    ? py::dtype::of<uint8_t>()
                    : image.type == aj::SampleType::kUint16 ? py::dtype::of<uint16_t>()
                                                            : py::dtype::of<float>();
  // Hand the decoded buffer to numpy without copying it.
  auto* owner = new std::vector<uint8_t>(std::move(image.pixels));
  py::capsule free_owner(owner, [](void* p) { delete static_cast<std::vector<uint8_t>*>(p); });
  return py::array(dtype, shape, owner->data(), free_owner);
}

py::bytes as_bytes(const std::vector<uint8_t>& data) {
  return py::bytes(reinterpret_cast<const char*>(data.data()), data.size());
}

py::array_t<float> map_array(const aj::SaliencyMap& map) {
  py::array_t<float> out({static_cast<py::ssize_t>(map.height), static_cast<py::ssize_t>(map.width)});
  std::copy(map.values.begin(), map.values.end(), out.mutable_data());
  return out;
}

size_t non_negative(long long value, const char* what) {
  if (value < 0) {
    throw py::value_error(std::string(what) + " must be positive, got " + std::to_string(value));
  }
  return static_cast<size_t>(value);
}

// A map from Python (any 2-D float32 array) with the center it goes with.
aj::SaliencyMap map_arg(const py::array_t<float, py::array::c_style | py::array::forcecast>& values,
                        long cx, long cy) {
  if (values.ndim() != 2) {
    throw py::value_error("saliency map must have shape (H, W), got " +
                          std::to_string(values.ndim()) + " dimensions");
  }
  aj::SaliencyMap map;
  map.height = static_cast<size_t>(values.shape(0));
  map.width = static_cast<size_t>(values.shape(1));
  map.values.assign(values.data(), values.data() + values.size());
  map.center = {cx, cy};
  return map;
}

py::tuple box_tuple(aj::Box box) { return py::make_tuple(box.x, box.y, box.width, box.height); }

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "Native core of attention_jxl (use the attention_jxl package instead).";
  m.attr("__version__") = ATTENTION_JXL_VERSION_STRING;

  static py::exception<aj::Error> too_large(m, "ImageTooLargeError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const aj::Error& e) {
      switch (e.code()) {
        case aj::ErrorCode::kInvalidArgument:
        case aj::ErrorCode::kUnsupported:
        case aj::ErrorCode::kCorruptData:
          PyErr_SetString(PyExc_ValueError, e.what());
          return;
        case aj::ErrorCode::kTooLarge:
          PyErr_SetString(too_large.ptr(), e.what());
          return;
        case aj::ErrorCode::kNotFound:
          PyErr_SetString(PyExc_FileNotFoundError, e.what());
          return;
        case aj::ErrorCode::kInternal:
          PyErr_SetString(PyExc_RuntimeError, e.what());
          return;
      }
    }
  });

  py::class_<aj::Model>(m, "Model")
      .def(py::init<const std::string&, int>(), py::arg("path"), py::arg("threads"),
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("path", &aj::Model::path)
      .def_property_readonly("threads", &aj::Model::threads)
      .def("infer",
           [](const aj::Model& model,
              py::array_t<float, py::array::c_style | py::array::forcecast> input) {
             if (input.ndim() < 3 || input.size() != static_cast<py::ssize_t>(
                                                         aj::Model::kInputHeight *
                                                         aj::Model::kInputWidth * 3)) {
               throw py::value_error("model input must be a 480x640x3 float32 array");
             }
             aj::ModelPoint point;
             {
               py::gil_scoped_release release;
               point = model.infer(input.data());
             }
             return py::make_tuple(point.x, point.y);
           })
      .def("center", [](const aj::Model& model, py::array image, int orientation) {
        ImageArg arg = image_arg(std::move(image));
        aj::Point center;
        {
          py::gil_scoped_release release;
          center = aj::predict_center(model, arg.view, orientation);
        }
        return point_tuple(center);
      }, py::arg("image"), py::arg("orientation") = 1)
      .def("saliency", [](const aj::Model& model, py::array image, int orientation) {
        ImageArg arg = image_arg(std::move(image));
        aj::SaliencyMap map;
        {
          py::gil_scoped_release release;
          map = aj::predict_saliency(model, arg.view, orientation);
        }
        return py::make_tuple(map_array(map), point_tuple(map.center));
      }, py::arg("image"), py::arg("orientation") = 1);

  m.def(
      "crop_box",
      [](const py::array_t<float, py::array::c_style | py::array::forcecast>& values, long cx,
         long cy, long long image_width, long long image_height, long long width,
         long long height) {
        const aj::SaliencyMap map = map_arg(values, cx, cy);
        const size_t iw = non_negative(image_width, "image width");
        const size_t ih = non_negative(image_height, "image height");
        const size_t w = non_negative(width, "crop width");
        const size_t h = non_negative(height, "crop height");
        aj::Box box;
        {
          py::gil_scoped_release release;
          box = aj::crop_box(map, iw, ih, w, h);
        }
        return box_tuple(box);
      },
      py::arg("saliency"), py::arg("center_x"), py::arg("center_y"), py::arg("image_width"),
      py::arg("image_height"), py::arg("width"), py::arg("height"));

  m.def(
      "crop_box_for_aspect",
      [](const py::array_t<float, py::array::c_style | py::array::forcecast>& values, long cx,
         long cy, long long image_width, long long image_height, double aspect) {
        const aj::SaliencyMap map = map_arg(values, cx, cy);
        const size_t iw = non_negative(image_width, "image width");
        const size_t ih = non_negative(image_height, "image height");
        aj::Box box;
        {
          py::gil_scoped_release release;
          box = aj::crop_box_for_aspect(map, iw, ih, aspect);
        }
        return box_tuple(box);
      },
      py::arg("saliency"), py::arg("center_x"), py::arg("center_y"), py::arg("image_width"),
      py::arg("image_height"), py::arg("aspect"));

  m.def(
      "thumbnail",
      [](const aj::Model* model, py::array image, long long width, long long height,
         const std::string& fit, int orientation) {
        ImageArg arg = image_arg(std::move(image));
        const size_t w = non_negative(width, "size");
        const size_t h = non_negative(height, "size");
        if (fit != "cover" && fit != "contain") {
          throw py::value_error("fit must be \"cover\" or \"contain\", got '" + fit + "'");
        }
        const aj::Fit how = fit == "cover" ? aj::Fit::kCover : aj::Fit::kContain;
        aj::DecodedImage out;
        {
          py::gil_scoped_release release;
          out = aj::thumbnail(model, arg.view, w, h, how, orientation);
        }
        return decoded_array(std::move(out));
      },
      py::arg("model").none(true), py::arg("image"), py::arg("width"), py::arg("height"),
      py::arg("fit"), py::arg("orientation"));

  m.def(
      "resample",
      [](py::array image, long long width, long long height) {
        ImageArg arg = image_arg(std::move(image));
        const size_t w = non_negative(width, "width");
        const size_t h = non_negative(height, "height");
        aj::DecodedImage out;
        {
          py::gil_scoped_release release;
          out = aj::resample(arg.view, w, h);
        }
        return decoded_array(std::move(out));
      },
      py::arg("image"), py::arg("width"), py::arg("height"));

  m.def("exif_orientation", [](const py::bytes& exif) {
    const std::string_view data = exif;
    const aj::ExifOrientation orientation = aj::read_exif_orientation(
        reinterpret_cast<const uint8_t*>(data.data()), data.size());
    return py::make_tuple(orientation.value, orientation.problem);
  });

  m.def("resize_with_pad", [](py::array image, size_t width, size_t height) {
    ImageArg arg = image_arg(std::move(image));
    py::array_t<float> out({static_cast<py::ssize_t>(height), static_cast<py::ssize_t>(width),
                            py::ssize_t{3}});
    float* out_data = out.mutable_data();
    {
      py::gil_scoped_release release;
      aj::resize_with_pad(arg.view, width, height, out_data);  // validates the view
    }
    return out;
  });

  m.def("resize_simd_target", &aj::resize_simd_target);

  m.def("model_point_to_image", [](float x, float y, size_t width, size_t height) {
    return point_tuple(aj::model_point_to_image({x, y}, width, height));
  });

  m.def("frame_setting_names", &aj::frame_setting_names);
  m.def("libjxl_version", [] {
    const aj::LibjxlVersion version = aj::libjxl_version();
    return py::make_tuple(version.major, version.minor, version.patch);
  });

  m.def(
      "encode",
      [](py::array image, float distance, int effort, bool lossless, bool center_first,
         long center_x, long center_y, int threads,
         std::vector<std::pair<std::string, double>> frame_settings,
         const std::string& icc_profile, int orientation, const aj::Model* model,
         const std::string& exif, const std::string& xmp) {
        ImageArg arg = image_arg(std::move(image));
        aj::EncodeSettings settings;
        settings.distance = distance;
        settings.effort = effort;
        settings.lossless = lossless;
        settings.center_first = center_first;
        settings.center_x = center_x;
        settings.center_y = center_y;
        settings.threads = threads;
        settings.frame_settings = std::move(frame_settings);
        settings.icc_profile.assign(icc_profile.begin(), icc_profile.end());
        settings.orientation = orientation;
        settings.exif.assign(exif.begin(), exif.end());
        settings.xmp.assign(xmp.begin(), xmp.end());
        std::vector<uint8_t> encoded;
        {
          py::gil_scoped_release release;
          encoded = model != nullptr ? aj::encode_center_first(*model, arg.view, settings)
                                     : aj::encode(arg.view, settings);
        }
        return as_bytes(encoded);
      },
      py::arg("image"), py::arg("distance"), py::arg("effort"), py::arg("lossless"),
      py::arg("center_first"), py::arg("center_x"), py::arg("center_y"), py::arg("threads"),
      py::arg("frame_settings"), py::arg("icc_profile"), py::arg("orientation"),
      py::arg("model").none(true), py::arg("exif") = std::string(),
      py::arg("xmp") = std::string());

  m.def(
      "decode",
      [](py::buffer data, int threads, bool partial) {
        const ByteArg input(data);
        aj::DecodedImage image;
        {
          py::gil_scoped_release release;
          image = aj::decode(input.data, input.size, threads, partial);
        }
        return decoded_array(std::move(image));
      },
      py::arg("data"), py::arg("threads"), py::arg("partial") = false);

  m.def(
      "probe",
      [](py::buffer data) {
        const ByteArg input(data);
        aj::ImageInfo info;
        {
          py::gil_scoped_release release;
          info = aj::probe(input.data, input.size);
        }
        py::dict result;
        result["width"] = info.width;
        result["height"] = info.height;
        result["channels"] = info.channels;
        result["bits_per_sample"] = info.bits_per_sample;
        result["float_samples"] = info.float_samples;
        result["has_alpha"] = info.has_alpha;
        result["orientation"] = info.orientation;
        result["frames"] = info.frames;
        result["animated"] = info.animated;
        result["has_preview"] = info.has_preview;
        result["has_icc"] = info.has_icc;
        result["jpeg_reconstruction"] = info.jpeg_reconstruction;
        result["has_exif"] = info.has_exif;
        result["has_xmp"] = info.has_xmp;
        result["container"] = info.container;
        result["center_first"] = info.center_first;
        result["first_group"] = py::make_tuple(info.first_group_x, info.first_group_y);
        result["groups"] = info.groups;
        return result;
      },
      py::arg("data"));

  m.def(
      "reconstruct_jpeg",
      [](py::buffer data, int threads) {
        const ByteArg input(data);
        std::vector<uint8_t> jpeg;
        {
          py::gil_scoped_release release;
          jpeg = aj::reconstruct_jpeg(input.data, input.size, threads);
        }
        return as_bytes(jpeg);
      },
      py::arg("data"), py::arg("threads"));

  m.def(
      "read_metadata",
      [](py::buffer data) {
        const ByteArg input(data);
        aj::FileMetadata metadata;
        {
          py::gil_scoped_release release;
          metadata = aj::read_metadata(input.data, input.size);
        }
        const auto bytes_or_none = [](const std::vector<uint8_t>& v) {
          return v.empty() ? py::object(py::none()) : py::object(as_bytes(v));
        };
        py::dict result;
        result["icc"] = bytes_or_none(metadata.icc);
        result["exif"] = bytes_or_none(metadata.exif);
        result["xmp"] = bytes_or_none(metadata.xmp);
        return result;
      },
      py::arg("data"));

  m.def(
      "group_order",
      [](py::buffer data, int dc_level) {
        const ByteArg input(data);
        std::vector<aj::GroupOrigin> order;
        {
          py::gil_scoped_release release;
          order = aj::group_order(input.data, input.size, dc_level);
        }
        py::list result;
        for (const aj::GroupOrigin& origin : order) {
          result.append(py::make_tuple(origin.x, origin.y));
        }
        return result;
      },
      py::arg("data"), py::arg("dc_level") = 0);

  m.def(
      "reorder",
      [](py::buffer data, std::optional<std::pair<long, long>> center) {
        const ByteArg input(data);
        std::vector<uint8_t> reordered;
        {
          py::gil_scoped_release release;
          reordered = center ? aj::reorder(input.data, input.size, {center->first, center->second})
                             : aj::reorder_scanline(input.data, input.size);
        }
        return as_bytes(reordered);
      },
      py::arg("data"), py::arg("center").none(true));

  m.def(
      "jxl_center",
      [](py::buffer data, const aj::Model& model, bool dc_only) {
        const ByteArg input(data);
        aj::Point center;
        {
          py::gil_scoped_release release;
          center = aj::predict_jxl_center(model, input.data, input.size, dc_only);
        }
        return point_tuple(center);
      },
      py::arg("data"), py::arg("model"), py::arg("dc_only") = false);

  m.def(
      "lf_prefix",
      [](py::buffer data) {
        const ByteArg input(data);
        std::vector<uint8_t> prefix;
        {
          py::gil_scoped_release release;
          prefix = aj::lf_prefix(input.data, input.size);
        }
        return as_bytes(prefix);
      },
      py::arg("data"));

  m.def(
      "transcode_jpeg",
      [](py::buffer data, int effort, bool center_first, long center_x, long center_y,
         int threads, const aj::Model* model) {
        const ByteArg input(data);
        aj::TranscodeSettings settings;
        settings.effort = effort;
        settings.center_first = center_first;
        settings.center_x = center_x;
        settings.center_y = center_y;
        settings.threads = threads;
        std::vector<uint8_t> encoded;
        std::vector<std::string> warnings;
        {
          py::gil_scoped_release release;
          encoded = model != nullptr
                        ? aj::transcode_jpeg_center_first(*model, input.data, input.size, settings, &warnings)
                        : aj::transcode_jpeg(input.data, input.size, settings);
        }
        return py::make_tuple(as_bytes(encoded), warnings);
      },
      py::arg("data"), py::arg("effort"), py::arg("center_first"), py::arg("center_x"),
      py::arg("center_y"), py::arg("threads"), py::arg("model").none(true));

  m.def(
      "jpeg_center",
      [](py::buffer data, const aj::Model& model) {
        const ByteArg input(data);
        aj::JpegCenter center;
        {
          py::gil_scoped_release release;
          center = aj::predict_jpeg_center(model, input.data, input.size);
        }
        return py::make_tuple(point_tuple(center.center), center.orientation, center.warnings);
      },
      py::arg("data"), py::arg("model"));

  m.def(
      "png_encode",
      [](py::array image, const py::bytes& icc_profile) {
        const ImageArg arg = image_arg(image);
        const std::string icc = icc_profile;
        std::vector<uint8_t> encoded;
        {
          py::gil_scoped_release release;
          encoded = aj::png_encode(arg.view, std::vector<uint8_t>(icc.begin(), icc.end()));
        }
        return as_bytes(encoded);
      },
      py::arg("image"), py::arg("icc_profile"));

  m.def(
      "pnm_decode",
      [](py::buffer data) {
        const ByteArg input(data);
        aj::DecodedImage image;
        {
          py::gil_scoped_release release;
          image = aj::pnm_decode(input.data, input.size);
        }
        return decoded_array(std::move(image));
      },
      py::arg("data"));

  m.def(
      "png_decode",
      [](py::buffer data) {
        const ByteArg input(data);
        aj::DecodedPng png;
        {
          py::gil_scoped_release release;
          png = aj::png_decode(input.data, input.size);
        }
        py::dict result;
        result["pixels"] = decoded_array(std::move(png.image));
        result["icc"] = png.icc.empty() ? py::object(py::none()) : as_bytes(png.icc);
        result["exif"] = png.exif.empty() ? py::object(py::none()) : as_bytes(png.exif);
        result["orientation"] = png.orientation;
        result["orientation_problem"] = png.orientation_problem;
        result["bit_depth"] = png.bit_depth;
        result["significant_bits"] = png.significant_bits;
        result["srgb"] = png.has_srgb;
        result["gama"] = png.has_gama;
        result["chrm"] = png.has_chrm;
        result["cicp"] = png.has_cicp;
        return result;
      },
      py::arg("data"));

  m.def("max_image_pixels", &aj::max_image_pixels);
  m.def("set_max_image_pixels", &aj::set_max_image_pixels, py::arg("pixels"));
  m.def("check_image_pixels", [](uint64_t width, uint64_t height, const std::string& what) {
    aj::check_image_pixels(width, height, what);
  });
}
