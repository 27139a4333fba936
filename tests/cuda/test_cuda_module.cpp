// The CUDA backend is a module that the ynet binary opens only when a command asks for cuda
// (runtime/backend/cuda_module_loader.h): the binary links none of the CUDA libraries, the module
// exports its entry point alone, and a missing, broken or foreign module gives a message naming the
// paths tried. These run the built binary (and copies of it) the way a user would: without the
// YNET_CUDA_MODULE override that ctest gives the CUDA tests.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_run.h"

using namespace ynet;

namespace {

namespace fs = std::filesystem;

const std::string kBinary = YNET_BINARY_DIR "/cli/ynet";
const std::string kVerifyCuda = " verify specs/bof_4096.ynet --set fc=8 --batch 3 --frames 3 --backend cuda";

// A shell command's exit status and output (stdout and stderr), with the module override removed.
test::CliRun shell(const std::string& command) {
  const std::string line = "env -u YNET_CUDA_MODULE " + command + " 2>&1";
  test::CliRun r;
  FILE* pipe = popen(line.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

// The libraries a file names in its dynamic section (readelf -d: "(NEEDED) Shared library: [x]").
std::vector<std::string> needed_libraries(const std::string& file) {
  const test::CliRun run = shell("readelf -d '" + file + "'");
  REQUIRE(run.status == 0);
  std::vector<std::string> libraries;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    const size_t open = line.find("Shared library: [");
    if (line.find("(NEEDED)") == std::string::npos || open == std::string::npos) continue;
    const size_t start = open + 17;
    libraries.push_back(line.substr(start, line.find(']', start) - start));
  }
  return libraries;
}

bool is_cuda_library(const std::string& name) {
  for (const char* prefix : {"libcuda.", "libcudart", "libcublas", "libcublasLt", "libcudnn", "libnvrtc", "libnvJitLink"})
    if (name.find(prefix) != std::string::npos) return true;
  return false;
}

// A fresh folder holding bin/ynet, a copy of the built binary (a copy, not a link: the loader
// looks beside the file the process runs, /proc/self/exe), and an empty lib/.
struct CopiedBinary {
  fs::path root = test::scratch_dir("cuda_module");
  fs::path bin = root / "bin";
  fs::path lib = root / "lib";
  std::string ynet = (bin / "ynet").string();
  CopiedBinary() {
    REQUIRE(!root.empty());
    fs::create_directories(bin);
    fs::create_directories(lib);
    fs::copy_file(kBinary, ynet, fs::copy_options::overwrite_existing);
  }
};

}  // namespace

TEST_CASE("the ynet binary links none of the CUDA libraries, directly or through another library") {
  const std::vector<std::string> needed = needed_libraries(kBinary);
  CHECK(!needed.empty());
  for (const std::string& library : needed) {
    CAPTURE(library);
    CHECK(!is_cuda_library(library));
  }
  const test::CliRun ldd = shell("ldd '" + kBinary + "'");
  INFO(ldd.output);
  REQUIRE(ldd.status == 0);
  for (const char* name : {"libcuda.", "libcudart", "libcublas", "libcudnn"}) CHECK(!ldd.has(name));
  CHECK(shell(kBinary + " help").status == 0);
}

#ifdef YNET_CUDA_MODULE_PATH

TEST_CASE("the CUDA backend module exports its entry point alone, and links the CUDA libraries but no protobuf") {
  const test::CliRun exported = shell("nm -D --defined-only '" YNET_CUDA_MODULE_PATH "'");
  INFO(exported.output);
  REQUIRE(exported.status == 0);
  std::istringstream lines(exported.output);
  std::vector<std::string> symbols;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) symbols.push_back(line.substr(line.rfind(' ') + 1));
  CHECK(symbols == std::vector<std::string>{"ynet_cuda_backend_v1"});

  const std::vector<std::string> needed = needed_libraries(YNET_CUDA_MODULE_PATH);
  std::string all;
  for (const std::string& library : needed) all += library + " ";
  INFO(all);
  CHECK(all.find("libcublasLt") != std::string::npos);
  CHECK(all.find("libcudnn") != std::string::npos);
  // The plan crosses as the C++ structure: a second copy of plan.proto's descriptors would abort
  // the process when the module is opened.
  CHECK(all.find("libprotobuf") == std::string::npos);
  const test::CliRun protobuf = shell("nm -C '" YNET_CUDA_MODULE_PATH "' | grep -c 'google::protobuf'");
  CHECK(protobuf.output == "0\n");
}

TEST_CASE("--backend cuda opens the module beside the binary: without a GPU it says there is no CUDA device") {
  const test::CliRun run = shell(kBinary + kVerifyCuda);
  INFO(run.output);
  CHECK(!run.has("CUDA backend module"));
  if (run.status == 0) {
    CHECK(run.has("0 failed"));  // a GPU
  } else {
    CHECK(run.status == 1);
    CHECK(run.has("no CUDA device"));
  }
}

TEST_CASE("a ynet without its module says where it looked; a broken or foreign module is named with the loader's error") {
  const CopiedBinary copy;
  const std::string beside = (copy.bin / YNET_CUDA_MODULE_FILE).string();

  // Commands that do not ask for CUDA never look for it.
  CHECK(shell(copy.ynet + " help").status == 0);

  test::CliRun run = shell(copy.ynet + kVerifyCuda);
  INFO(run.output);
  CHECK(run.status == 1);
  CHECK(run.has("cannot find the CUDA backend module"));
  CHECK(run.has(beside));
  CHECK(run.has((copy.lib / YNET_CUDA_MODULE_FILE).string()));
  CHECK(!run.has("verifying"));

  // In ../lib, as installed beside bin/: found and opened.
  fs::create_symlink(YNET_CUDA_MODULE_PATH, copy.lib / YNET_CUDA_MODULE_FILE);
  run = shell(copy.ynet + kVerifyCuda);
  CHECK(!run.has("CUDA backend module"));
  CHECK((run.status == 0 || run.has("no CUDA device")));

  // Named by the override.
  fs::remove(copy.lib / YNET_CUDA_MODULE_FILE);
  run = shell("YNET_CUDA_MODULE='" YNET_CUDA_MODULE_PATH "' " + copy.ynet + kVerifyCuda);
  CHECK(!run.has("CUDA backend module"));
  CHECK((run.status == 0 || run.has("no CUDA device")));

  // Not a shared library at all.
  std::ofstream(beside) << "not a shared library\n";
  run = shell(copy.ynet + kVerifyCuda);
  CHECK(run.status == 1);
  CHECK(run.has("cannot load the CUDA backend module " + beside + ": "));

  // A shared library, but not the module: the C library's math library stands in.
  fs::remove(beside);
  const test::CliRun ldd = shell("ldd '" + kBinary + "'");
  const size_t arrow = ldd.output.find("libm.so.6 => ");
  REQUIRE(arrow != std::string::npos);
  const size_t start = arrow + 13;
  const std::string libm = ldd.output.substr(start, ldd.output.find(' ', start) - start);
  fs::create_symlink(libm, beside);
  run = shell(copy.ynet + kVerifyCuda);
  CHECK(run.status == 1);
  CHECK(run.has(beside + " is not a ynet CUDA backend module"));
  CHECK(run.has("ynet_cuda_backend_v1"));

  // From another ynet: refused before any of its functions is called.
  run = shell("YNET_CUDA_MODULE='" YNET_FOREIGN_INTERFACE_MODULE "' " + copy.ynet + kVerifyCuda);
  CHECK(run.status == 1);
  CHECK(run.has(YNET_FOREIGN_INTERFACE_MODULE " speaks interface version 2, this ynet version 1"));
  run = shell("YNET_CUDA_MODULE='" YNET_FOREIGN_LAYOUT_MODULE "' " + copy.ynet + kVerifyCuda);
  CHECK(run.status == 1);
  CHECK(run.has(YNET_FOREIGN_LAYOUT_MODULE " was built from other sources than this ynet"));
}

#else

TEST_CASE("a build without CUDA says so when asked for the cuda backend") {
  const test::CliRun run = shell(kBinary + kVerifyCuda);
  INFO(run.output);
  CHECK(run.status == 1);
  CHECK(run.has("this ynet was built without the CUDA backend"));
}

#endif
