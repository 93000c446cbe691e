// Files for attention-jxl-native: which inputs become which outputs, reading
// and writing them (atomically, never over an input).
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace attention_jxl::cli {

struct Job {
  std::filesystem::path source;
  std::filesystem::path target;
  std::string collides_with;  // an earlier input with the same target, if any
};

// As the Python CLI plans them: a file named directly lands in `outdir` as
// stem + suffix; files found in a folder (with one of `suffixes`, recursing
// with `recursive`) keep their path relative to it.
std::vector<Job> plan_jobs(const std::vector<std::string>& inputs,
                           const std::filesystem::path& outdir, bool recursive,
                           const std::set<std::string>& suffixes);

std::vector<uint8_t> read_file(const std::filesystem::path& path);

// Writes to a temporary file beside `target`, then renames it over `target`:
// a crash or a full disk never leaves a partial output.
void write_file_atomically(const std::filesystem::path& target, const std::vector<uint8_t>& data);

}  // namespace attention_jxl::cli
