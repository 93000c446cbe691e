// Writes a center-first JPEG XL from a binary PPM/PGM using the attention_jxl
// core from C++: predict the attention center, then encode around it.
//
//   center_first_encode MODEL.tflite INPUT.ppm OUTPUT.jxl [DISTANCE]
#include <attention_jxl/attention_jxl.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Pnm {
  attention_jxl::ImageView view;
  std::vector<uint8_t> pixels;
};

// Binary PGM (P5) or PPM (P6), maxval 255 or 65535, no comments.
Pnm read_pnm(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::string magic;
  size_t width = 0, height = 0, maxval = 0;
  file >> magic >> width >> height >> maxval;
  file.get();  // the single whitespace before the raster
  if ((magic != "P5" && magic != "P6") || (maxval != 255 && maxval != 65535) || !file) {
    throw std::runtime_error(path + " is not a binary PGM/PPM with maxval 255 or 65535");
  }
  Pnm pnm;
  pnm.pixels.assign(std::istreambuf_iterator<char>(file), {});
  auto& view = pnm.view;
  view.width = width;
  view.height = height;
  view.channels = magic == "P5" ? 1 : 3;
  view.type = maxval == 255 ? attention_jxl::SampleType::kUint8 : attention_jxl::SampleType::kUint16;
  view.row_stride = width * view.channels * attention_jxl::sample_size(view.type);
  if (pnm.pixels.size() < view.row_stride * height) throw std::runtime_error(path + " is truncated");
  if (view.type == attention_jxl::SampleType::kUint16) {
    // PNM samples are big-endian; this example assumes a little-endian machine.
    for (size_t i = 0; i + 1 < pnm.pixels.size(); i += 2) std::swap(pnm.pixels[i], pnm.pixels[i + 1]);
  }
  view.data = pnm.pixels.data();
  return pnm;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: " << argv[0] << " MODEL.tflite INPUT.ppm OUTPUT.jxl [DISTANCE]\n";
    return 2;
  }
  try {
    const attention_jxl::Model model(argv[1]);
    const Pnm input = read_pnm(argv[2]);
    const attention_jxl::Point center = attention_jxl::predict_center(model, input.view);

    attention_jxl::EncodeSettings settings;
    if (argc == 5) settings.distance = std::strtof(argv[4], nullptr);
    settings.center_first = true;
    settings.center_x = center.x;
    settings.center_y = center.y;
    const std::vector<uint8_t> encoded = attention_jxl::encode(input.view, settings);

    std::ofstream(argv[3], std::ios::binary)
        .write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
    std::printf("center %ld %ld\nwrote %zu bytes to %s\n", center.x, center.y, encoded.size(), argv[3]);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
