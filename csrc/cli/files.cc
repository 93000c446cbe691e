#include "cli/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

namespace attention_jxl::cli {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

[[noreturn]] void system_error(const std::string& what, const fs::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

std::vector<Job> plan_jobs(const std::vector<std::string>& inputs, const fs::path& outdir,
                           bool recursive, const std::set<std::string>& suffixes) {
  std::vector<Job> jobs;
  for (const std::string& input : inputs) {
    const fs::path item(input);
    if (fs::is_directory(item)) {
      std::vector<fs::path> found;
      auto take = [&](const fs::directory_entry& entry) {
        if (entry.is_regular_file() && suffixes.count(lower(entry.path().extension().string()))) {
          found.push_back(entry.path());
        }
      };
      if (recursive) {
        for (const auto& entry : fs::recursive_directory_iterator(item)) take(entry);
      } else {
        for (const auto& entry : fs::directory_iterator(item)) take(entry);
      }
      std::sort(found.begin(), found.end());
      for (const fs::path& source : found) {
        jobs.push_back({source, outdir / fs::relative(source, item).replace_extension(".jxl"), ""});
      }
    } else {
      jobs.push_back({item, outdir / item.stem().concat(".jxl"), ""});
    }
  }
  std::map<fs::path, fs::path> first_with_target;
  for (Job& job : jobs) {
    const auto [first, inserted] = first_with_target.emplace(job.target, job.source);
    if (!inserted && first->second != job.source) job.collides_with = first->second.string();
  }
  return jobs;
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) system_error("cannot open", path);
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) system_error("cannot read", path);
  return data;
}

void write_file_atomically(const fs::path& target, const std::vector<uint8_t>& data) {
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path());
  std::string temporary =
      (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(temporary.data());
  if (fd < 0) system_error("cannot create a file beside", target);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      close(fd);
      unlink(temporary.c_str());
      errno = saved;
      system_error("cannot write", temporary);
    }
    written += static_cast<size_t>(n);
  }
  // mkstemp makes the file 0600; outputs get the usual permissions.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  const bool synced = fsync(fd) == 0;
  const bool closed = close(fd) == 0;
  if (!synced || !closed || rename(temporary.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    unlink(temporary.c_str());
    errno = saved;
    system_error("cannot write", target);
  }
}

}  // namespace attention_jxl::cli
