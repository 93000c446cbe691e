// Writes a center-first JPEG XL from a PGM/PPM/PAM file with the C++ API of
// an installed attention_jxl: predict the attention center, encode around it.
//
//   center_first_encode INPUT.ppm OUTPUT.jxl [DISTANCE]
//
// The model is the one installed with the library (or
// $ATTENTION_JXL_PREPARED_MODEL).
#include <attention_jxl/attention_jxl.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: " << argv[0] << " INPUT.ppm OUTPUT.jxl [DISTANCE]\n";
    return 2;
  }
  try {
    std::ifstream file(argv[1], std::ios::binary);
    if (!file) {
      std::cerr << "error: cannot open " << argv[1] << "\n";
      return 1;
    }
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(file)), {});
    const attention_jxl::DecodedImage image = attention_jxl::pnm_decode(data.data(), data.size());

    const attention_jxl::Model model(attention_jxl::installed_model_path());
    const attention_jxl::Point center = attention_jxl::predict_center(model, image.view());
    attention_jxl::EncodeSettings settings;
    if (argc == 4) settings.distance = std::strtof(argv[3], nullptr);
    settings.center_first = true;
    settings.center_x = center.x;
    settings.center_y = center.y;
    const std::vector<uint8_t> encoded = attention_jxl::encode(image.view(), settings);

    std::ofstream(argv[2], std::ios::binary)
        .write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
    std::printf("center %ld %ld\nwrote %zu bytes to %s\n", center.x, center.y, encoded.size(), argv[2]);
  } catch (const attention_jxl::Error& error) {  // the library's errors cross the .so boundary
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
