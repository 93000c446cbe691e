#include "model/model_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "attention_jxl/error.h"

namespace attention_jxl {
namespace internal {
namespace {

std::string SystemMessage(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

}  // namespace

AlignedBuffer ReadModelFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    const int error_number = errno;
    if (error_number == ENOENT || error_number == ENOTDIR) {
      throw Error(ErrorCode::kNotFound, "model file not found: " + path);
    }
    throw Error(ErrorCode::kInvalidArgument,
                "cannot access model file " + path + ": " + SystemMessage(error_number));
  }
  if (S_ISDIR(info.st_mode)) {
    throw Error(ErrorCode::kInvalidArgument, "model path is a directory, not a file: " + path);
  }
  if (!S_ISREG(info.st_mode)) {
    throw Error(ErrorCode::kInvalidArgument, "model path is not a regular file: " + path);
  }
  if (static_cast<uint64_t>(info.st_size) > kMaxModelBytes) {
    throw Error(ErrorCode::kUnsupported,
                path + " is not a TFLite model: it is larger than 2 GiB, the flatbuffer limit");
  }

  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error_number = errno;
    throw Error(ErrorCode::kInvalidArgument,
                "cannot read model file " + path + ": " + SystemMessage(error_number));
  }
  const size_t expected = static_cast<size_t>(info.st_size);
  AlignedBuffer bytes(expected);
  const size_t got = expected == 0 ? 0 : std::fread(bytes.data(), 1, expected, file);
  const bool read_error = std::ferror(file) != 0;
  // A file that grew while we read it is not the file we measured.
  const bool longer = std::fgetc(file) != EOF;
  std::fclose(file);
  if (read_error || got != expected || longer) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot read model file " + path +
                    ": it changed size or could not be read completely");
  }
  return bytes;
}

}  // namespace internal
}  // namespace attention_jxl
