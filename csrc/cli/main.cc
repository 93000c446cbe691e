// attention-jxl-native: the command line for pipelines without Python.
//
//   attention-jxl-native encode INPUT... -o OUTDIR [-d D] [-e E] [--lossless]
//                        [--center X,Y | --no-center] [-r] [--overwrite] [--json]
//   attention-jxl-native center INPUT... [--json]
//   attention-jxl-native reorder FILE.jxl... -o OUTDIR [--center X,Y] [-r] [--overwrite] [--json]
//
// Every command takes --model PATH (default: the prepared model installed with
// the library, or $ATTENTION_JXL_PREPARED_MODEL). Outputs and records match
// `attention-jxl` for the same inputs and settings.
#include <attention_jxl/attention_jxl.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/files.h"

namespace aj = attention_jxl;
namespace cli = attention_jxl::cli;
namespace fs = std::filesystem;

namespace {

const char kUsage[] =
    "usage: attention-jxl-native encode INPUT... -o OUTDIR [-d DISTANCE] [-e EFFORT] [--lossless]\n"
    "                            [--center X,Y | --no-center] [-r] [--overwrite] [--json]\n"
    "       attention-jxl-native center INPUT... [--json]\n"
    "       attention-jxl-native reorder FILE.jxl... -o OUTDIR [--center X,Y] [-r] [--overwrite]\n"
    "                            [--json]\n"
    "       attention-jxl-native --version\n"
    "every command takes --model PATH (a prepared model; default: the installed one)\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Arguments {
  std::string command;
  std::vector<std::string> inputs;
  std::optional<fs::path> output;
  std::optional<std::string> model;
  cli::EncodeOptions encode;
  bool center_given = false;
  bool recursive = false;
  bool overwrite = false;
  bool json = false;
};

aj::Point parse_center(const std::string& text) {
  long x = -1, y = -1;
  char comma = 0, extra = 0;
  std::istringstream in(text);
  if (!(in >> x >> comma >> y) || comma != ',' || (in >> extra) || x < 0 || y < 0) {
    throw UsageError("--center expects X,Y with non-negative integers, got '" + text + "'");
  }
  return {x, y};
}

template <typename Number>
Number parse_number(const std::string& option, const std::string& text) {
  std::istringstream in(text);
  Number value{};
  char extra = 0;
  if (!(in >> value) || (in >> extra)) throw UsageError(option + " expects a number, got '" + text + "'");
  return value;
}

Arguments parse(int argc, char** argv) {
  if (argc < 2) throw UsageError("no command");
  Arguments args;
  args.command = argv[1];
  if (args.command != "encode" && args.command != "center" && args.command != "reorder") {
    throw UsageError("unknown command '" + args.command + "'");
  }
  bool no_center = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    const bool writes = args.command != "center";
    if (arg == "-o" || arg == "--output") {
      args.output = value();
    } else if (arg == "--model") {
      args.model = value();
    } else if (arg == "--json") {
      args.json = true;
    } else if (writes && (arg == "-r" || arg == "--recursive")) {
      args.recursive = true;
    } else if (writes && arg == "--overwrite") {
      args.overwrite = true;
    } else if (writes && arg == "--center") {
      args.encode.given = parse_center(value());
      args.center_given = true;
    } else if (args.command == "encode" && (arg == "-d" || arg == "--distance")) {
      args.encode.distance = parse_number<float>(arg, value());
    } else if (args.command == "encode" && (arg == "-e" || arg == "--effort")) {
      args.encode.effort = parse_number<int>(arg, value());
    } else if (args.command == "encode" && arg == "--lossless") {
      args.encode.lossless = true;
    } else if (args.command == "encode" && arg == "--no-center") {
      no_center = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      throw UsageError("unknown option '" + arg + "' for " + args.command);
    } else {
      args.inputs.push_back(arg);
    }
  }
  if (args.inputs.empty()) throw UsageError(args.command + " needs at least one INPUT");
  if (args.command != "center" && !args.output) throw UsageError(args.command + " needs -o OUTDIR");
  if (no_center && args.center_given) throw UsageError("--center and --no-center exclude each other");
  using Center = cli::EncodeOptions::Center;
  args.encode.center = no_center ? Center::kNone : args.center_given ? Center::kGiven : Center::kPredict;
  return args;
}

// JSON string escaping for paths and messages.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", c);
      out += escape;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

struct Record {
  std::string input, output, status, error;
  std::optional<aj::Point> center;
  size_t bytes_in = 0, bytes_out = 0;
  double seconds = 0;
  std::vector<std::string> warnings;
};

void print(const Record& r, bool json) {
  if (json) {
    std::ostringstream line;
    line << "{\"input\": " << quoted(r.input) << ", \"output\": " << quoted(r.output)
         << ", \"status\": " << quoted(r.status) << ", \"center\": ";
    if (r.center) line << "[" << r.center->x << ", " << r.center->y << "]";
    else line << "null";
    if (r.status == "ok") {
      line << ", \"bytes_in\": " << r.bytes_in << ", \"bytes_out\": " << r.bytes_out
           << ", \"seconds\": " << r.seconds;
    } else {
      line << ", \"bytes_in\": null, \"bytes_out\": null, \"seconds\": null";
    }
    line << ", \"error\": " << (r.error.empty() ? "null" : quoted(r.error)) << ", \"warnings\": [";
    for (size_t i = 0; i < r.warnings.size(); ++i) line << (i ? ", " : "") << quoted(r.warnings[i]);
    std::cout << line.str() << "]}\n";
    return;
  }
  for (const std::string& warning : r.warnings) std::cerr << "warning: " << warning << "\n";
  if (r.status != "ok") {
    std::cerr << r.input << ": " << r.status << ": " << r.error << "\n";
    return;
  }
  std::printf("%s -> %s", r.input.c_str(), r.output.c_str());
  if (r.center) std::printf(" center %ld,%ld", r.center->x, r.center->y);
  std::printf(" (%zu -> %zu bytes, %.2fs)\n", r.bytes_in, r.bytes_out, r.seconds);
}

std::unique_ptr<aj::Model> load_model(const Arguments& args, bool needed) {
  if (!needed) return nullptr;
  return std::make_unique<aj::Model>(args.model ? *args.model : aj::installed_model_path());
}

int run_files(const Arguments& args) {
  const bool reorder = args.command == "reorder";
  const bool predicts = reorder ? !args.center_given
                                : args.encode.center == cli::EncodeOptions::Center::kPredict;
  const std::unique_ptr<aj::Model> model = load_model(args, predicts);
  const std::set<std::string> suffixes =
      reorder ? std::set<std::string>{".jxl"}
              : std::set<std::string>{".png", ".apng", ".jpg", ".jpeg", ".jpe", ".jfif",
                                          ".ppm", ".pgm", ".pam", ".pnm"};
  int failures = 0;
  for (const cli::Job& job : cli::plan_jobs(args.inputs, *args.output, args.recursive, suffixes)) {
    Record record{job.source.string(), job.target.string(), "ok", "", std::nullopt, 0, 0, 0, {}};
    const auto start = std::chrono::steady_clock::now();
    try {
      if (!job.collides_with.empty()) {
        throw std::runtime_error(job.collides_with + " has the same output name");
      }
      if (fs::exists(job.target) && !args.overwrite) {
        record.status = "skipped";
        record.error = "output exists (use --overwrite)";
      } else {
        const std::vector<uint8_t> data = cli::read_file(job.source);
        const std::optional<aj::Point> given =
            args.center_given ? std::optional<aj::Point>(args.encode.given) : std::nullopt;
        cli::Converted converted =
            reorder ? cli::reorder_file(model.get(), data, given)
                    : cli::encode_file(model.get(), data, job.source.filename().string(), args.encode);
        cli::write_file_atomically(job.target, converted.bytes);
        record.center = converted.center;
        record.warnings = std::move(converted.warnings);
        record.bytes_in = data.size();
        record.bytes_out = converted.bytes.size();
      }
    } catch (const std::exception& error) {
      record.status = "error";
      record.error = error.what();
      ++failures;
    }
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print(record, args.json);
  }
  return failures ? 1 : 0;
}

int run_center(const Arguments& args) {
  const std::unique_ptr<aj::Model> model = load_model(args, true);
  int failures = 0;
  for (const std::string& input : args.inputs) {
    try {
      const cli::Converted found = cli::center_of_file(*model, cli::read_file(input), input);
      for (const std::string& warning : found.warnings) std::cerr << "warning: " << warning << "\n";
      if (args.json) {
        std::cout << "{\"input\": " << quoted(input) << ", \"center\": [" << found.center->x
                  << ", " << found.center->y << "]}\n";
      } else {
        std::cout << input << "\t" << found.center->x << "\t" << found.center->y << "\n";
      }
    } catch (const std::exception& error) {
      ++failures;
      if (args.json) {
        std::cout << "{\"input\": " << quoted(input) << ", \"center\": null, \"error\": "
                  << quoted(error.what()) << "}\n";
      } else {
        std::cerr << input << ": error: " << error.what() << "\n";
      }
    }
  }
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "--version")) {
    std::printf("attention-jxl-native %s (libjxl %d.%d.%d)\n", ATTENTION_JXL_VERSION_STRING,
                aj::libjxl_version().major, aj::libjxl_version().minor, aj::libjxl_version().patch);
    return 0;
  }
  if (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    const Arguments args = parse(argc, argv);
    return args.command == "center" ? run_center(args) : run_files(args);
  } catch (const UsageError& error) {
    std::fprintf(stderr, "%sattention-jxl-native: %s\n", kUsage, error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "attention-jxl-native: %s\n", error.what());
    return 1;
  }
}
