// The model zoo through the built `ynet` binary: every spec in specs/ and examples/ checks without
// warnings and compiles for training and inference; the paper's and the starter code's
// configurations are all there under their names; their sizes shrink with --set; and the small
// examples learn on synthetic data.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Run {
  int status = -1;
  std::string output;  // stdout and stderr together
};

Run ynet(const std::string& arguments) {
  const std::string command = std::string(YNET_BINARY_DIR) + "/cli/ynet " + arguments + " 2>&1";
  Run run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer;
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The top-level .ynet files of a folder, relative to the source root (the tests' working
// directory). Files in subfolders (common/) are fragments for `include`, not whole specs.
std::vector<std::string> specs_in(const std::string& folder) {
  std::vector<std::string> specs;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".ynet") specs.push_back(folder + "/" + entry.path().filename().string());
  }
  std::sort(specs.begin(), specs.end());
  return specs;
}

// A directory under the system temp dir, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ynet-zoo-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// The "loss" values of the "train" lines of a run's metrics.jsonl, in step order.
std::vector<double> training_losses(const std::string& metrics_file) {
  std::ifstream in(metrics_file);
  REQUIRE(in.good());
  std::vector<double> losses;
  const std::string key = "\"loss\": ";
  std::string line;
  while (std::getline(in, line)) {
    if (!contains(line, "\"kind\": \"train\"")) continue;
    const size_t at = line.find(key);
    REQUIRE(at != std::string::npos);
    losses.push_back(std::stod(line.substr(at + key.size())));
  }
  return losses;
}

double mean(std::vector<double>::const_iterator begin, std::vector<double>::const_iterator end) {
  double sum = 0;
  for (auto it = begin; it != end; ++it) sum += *it;
  return sum / static_cast<double>(end - begin);
}

}  // namespace

TEST_CASE("specs/ holds every configuration of the paper's Tables 1 and 3, the starter baselines and the winners' models") {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"bof_4096", "BoF_4096"},
      {"simple_lstm_residual", "Simple_LSTM_residual"},
      {"simple_lstm_2048", "Simple_LSTM_2048"},
      {"simple_lstm_3_2048", "Simple_LSTM_3_2048"},
      {"lstm_moe_512", "LSTM_MoE_512"},
      {"simple_lstm_3_2048_bal", "Simple_LSTM_3_2048_bal"},
      {"simple_lstm_2048_bal", "Simple_LSTM_2048_bal"},
      {"lstm_moe_512_bal", "LSTM_MoE_512_bal"},
      {"logistic", "Logistic"},
      {"moe", "MoE"},
      {"frame_level_logistic", "FrameLevelLogistic"},
      {"dbof", "DBoF"},
      {"lstm_model", "LstmModel"},
      // The YouTube-8M winners after the paper (docs/REPRODUCTION.md section 1).
      {"willow_gated_netvlad", "Gated_NetVLAD"},
      {"nextvlad", "NeXtVLAD_2018"},
  };
  for (const auto& [file, model] : expected) {
    const std::string path = "specs/" + file + ".ynet";
    CAPTURE(path);
    Run run = ynet("check " + path);
    CHECK(run.status == 0);
    CHECK(contains(run.output, "model " + model + " (" + path + ")"));
  }
}

TEST_CASE("every spec and example checks without warnings and compiles for training and inference") {
  std::vector<std::string> all = specs_in("specs");
  const std::vector<std::string> examples = specs_in("examples");
  CHECK(all.size() >= 13);
  CHECK(examples.size() >= 7);
  all.insert(all.end(), examples.begin(), examples.end());
  for (const std::string& spec : all) {
    CAPTURE(spec);
    Run check = ynet("check " + spec);
    CHECK(check.status == 0);
    CHECK_FALSE(contains(check.output, "warning"));
    CHECK(contains(check.output, "trainable parameters:"));
    for (const std::string mode : {"train", "infer"}) {
      CAPTURE(mode);
      Run compile = ynet("compile " + spec + " --mode " + mode + " --emit summary");
      CHECK(compile.status == 0);
      CHECK(contains(compile.output, "(" + mode + " plan, batch "));
      CHECK(contains(compile.output, "forward per sample"));
    }
  }
}

TEST_CASE("the paper specs' sizes are params that shrink them") {
  Run moe = ynet(
      "check specs/lstm_moe_512_bal.ynet --set hidden=8 --set experts=3 --set top_k=2 --set expert_units=16"
      " --set max_frames=5 --set classes=7");
  CHECK(moe.status == 0);
  CHECK(contains(moe.output, "[B, T=5, 1152]"));
  CHECK(contains(moe.output, "[B, T=5, 16]"));
  CHECK(contains(moe.output, "expert: (x3, parameters stacked)"));
  CHECK(contains(moe.output, "[B, 7]"));

  Run lstm = ynet("check specs/simple_lstm_3_2048_bal.ynet --set hidden=16 --set layers=1 --set max_frames=4");
  CHECK(lstm.status == 0);
  CHECK(contains(lstm.output, "[B, T=4, 16]"));

  Run dbof = ynet("check specs/dbof.ynet --set cluster_size=32 --set hidden_size=8 --set classes=3862 --set id_key=id");
  CHECK(dbof.status == 0);
  CHECK(contains(dbof.output, "[B, T=300, 32]"));
  CHECK(contains(dbof.output, "[B, 3862]"));

  Run misspelt = ynet("check specs/bof_4096.ynet --set fcc=16");
  CHECK(misspelt.status == 2);
}

TEST_CASE("the small BoF and LSTM examples lower their training loss on synthetic data") {
  TempDir dir;
  Run data = ynet("make-data --out " + dir.file("data") + " --videos 240 --classes 50 --frames 30:50 --shards 1 --threads 1");
  REQUIRE(data.status == 0);
  for (const std::string example : {"bof_small", "lstm_small"}) {
    CAPTURE(example);
    const std::string run_dir = dir.file(example);
    Run train = ynet("train examples/" + example + ".ynet --train '" + dir.file("data/train*.tfrecord") + "' --out " +
                     run_dir + " --steps 40 --batch 16 --threads 1 --eval-every 5");
    REQUIRE(train.status == 0);
    const std::vector<double> losses = training_losses(run_dir + "/metrics.jsonl");
    REQUIRE(losses.size() == 8);  // one line per --eval-every 5 steps
    // Single steps are noisy; the mean of the last third must be clearly below that of the first.
    const auto third = static_cast<std::ptrdiff_t>(losses.size() / 3);
    const double early = mean(losses.begin(), losses.begin() + third);
    const double late = mean(losses.end() - third, losses.end());
    CAPTURE(early);
    CAPTURE(late);
    CHECK(late < 0.9 * early);
  }
}

TEST_CASE("ynet verify passes on every spec and example, shrunk with --set") {
  // Small values for every size param the zoo declares; a spec gets those it declares.
  const std::vector<std::pair<std::string, std::string>> small = {
      {"hidden", "8"},      {"fc", "8"},           {"cluster_size", "16"}, {"hidden_size", "8"}, {"expert_units", "8"},
      {"experts", "3"},     {"top_k", "2"},        {"classes", "5"},       {"layers", "2"},      {"lstm_layers", "2"},
      {"lstm_cells", "8"},  {"mixtures", "2"},     {"skip_frames", "1"},   {"clusters", "4"},    {"audio_clusters", "2"},
      {"groups", "2"},      {"audio_groups", "1"}, {"gate_size", "4"}};
  std::vector<std::string> all = specs_in("specs");
  const std::vector<std::string> examples = specs_in("examples");
  all.insert(all.end(), examples.begin(), examples.end());
  for (const std::string& spec : all) {
    CAPTURE(spec);
    // An unknown --set lists the params the spec declares.
    const Run probe = ynet("check " + spec + " --set no_such_param=1");
    REQUIRE(probe.status == 2);
    const size_t at = probe.output.find("(params: ");
    const std::string declared = at == std::string::npos ? "" : probe.output.substr(at + 9, probe.output.find(')', at) - at - 9);
    std::string sets;
    for (const auto& [name, value] : small) {
      const std::string padded = ", " + declared + ",";
      if (contains(padded, ", " + name + ",")) sets += " --set " + name + "=" + value;
    }
    const Run verify = ynet("verify " + spec + " --batch 2 --frames 3" + sets);
    CHECK_MESSAGE(verify.status == 0, verify.output);
    CHECK(contains(verify.output, " 0 failed"));
  }
}
