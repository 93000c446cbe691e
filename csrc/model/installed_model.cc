#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "attention_jxl/attention_jxl.h"  // AJXL_MODEL_ENV
#include "attention_jxl/error.h"
#include "attention_jxl/model.h"

namespace attention_jxl {
namespace {

bool is_file(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode);
}

// share/attention_jxl/ relative to the folder of the binary holding this
// code (libattention_jxl.so in an installed prefix), so a moved prefix works.
std::string beside_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&installed_model_path), &info) == 0 ||
      info.dli_fname == nullptr) {
    return "";
  }
  const std::string binary = info.dli_fname;
  const size_t slash = binary.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : binary.substr(0, slash);
  return folder + "/../share/attention_jxl/" ATTENTION_JXL_INSTALLED_MODEL;
}

}  // namespace

std::string installed_model_path() {
  if (const char* from_env = std::getenv(AJXL_MODEL_ENV); from_env != nullptr && *from_env) {
    if (!is_file(from_env)) {
      throw Error(ErrorCode::kNotFound, std::string("model file not found: ") + from_env +
                                            " (from $" AJXL_MODEL_ENV ")");
    }
    return from_env;
  }
  const std::string installed = beside_library();
  if (!installed.empty() && is_file(installed)) return installed;
  throw Error(ErrorCode::kNotFound,
              "no prepared model: $" AJXL_MODEL_ENV " is not set and " +
                  (installed.empty() ? std::string("the library's folder is unknown")
                                     : installed + " does not exist") +
                  "; install one with the library (cmake --install, with center.tflite "
                  "present at build time) or set $" AJXL_MODEL_ENV
                  " to a file made by `attention-jxl prepare-model`");
}

}  // namespace attention_jxl
