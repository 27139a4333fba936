#include "runtime/train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>

#include "runtime/data/crc32c.h"
#include "runtime/train/checkpoint.pb.h"

namespace ynet::train {
namespace {

uint32_t tensor_crc(const checkpointpb::Tensor& t) {
  uint32_t crc = data::crc32c(t.name().data(), t.name().size());
  for (const int64_t d : t.shape()) crc = data::crc32c_extend(crc, &d, sizeof d);
  return data::crc32c_extend(crc, t.values().data(), static_cast<size_t>(t.values_size()) * sizeof(float));
}

uint32_t header_crc(const checkpointpb::Checkpoint& c) {
  std::string fields = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{} {}\n", c.format_version(), c.model(), c.step(),
                                   c.samples(), c.seed(), c.data_position(), c.backend(), c.params_size(), c.state_size());
  for (const auto& t : c.params()) fields += fmt::format("{:08x}", t.crc32c());
  for (const auto& t : c.state()) fields += fmt::format("{:08x}", t.crc32c());
  return data::crc32c(fields.data(), fields.size());
}

// Every bit of the file is covered: each tensor by its own CRC, the rest and those CRCs by the header's.
void verify_checksums(const std::string& path, const checkpointpb::Checkpoint& c) {
  auto check = [&](const checkpointpb::Tensor& t) {
    const uint32_t computed = tensor_crc(t);
    if (computed != t.crc32c())
      throw CheckpointDamaged(fmt::format("checkpoint '{}' is damaged: tensor '{}' fails its checksum (stored 0x{:08x}, "
                                          "computed 0x{:08x})", path, t.name(), t.crc32c(), computed));
  };
  for (const auto& t : c.params()) check(t);
  for (const auto& t : c.state()) check(t);
  if (const uint32_t computed = header_crc(c); computed != c.crc32c())
    throw CheckpointDamaged(fmt::format("checkpoint '{}' is damaged: its header fails its checksum (stored 0x{:08x}, "
                                        "computed 0x{:08x})", path, c.crc32c(), computed));
}

std::vector<float> read_tensor(const runtime::Backend& backend, int value) {
  std::vector<float> data(static_cast<size_t>(backend.plan().graph.value(value).elements()));
  backend.read(value, data);
  return data;
}

// A diverged run must not replace its last good checkpoint with infinities.
void add_tensor(google::protobuf::RepeatedPtrField<checkpointpb::Tensor>* out, const std::string& name,
                const ir::Value& v, const std::vector<float>& data) {
  const auto bad = std::find_if(data.begin(), data.end(), [](float x) { return !std::isfinite(x); });
  if (bad != data.end())
    throw NonFiniteTensor(fmt::format("'{}' holds {} at element {}", name, *bad, bad - data.begin()));
  checkpointpb::Tensor* t = out->Add();
  t->set_name(name);
  for (int64_t d : v.shape) t->add_shape(d);
  t->mutable_values()->Add(data.begin(), data.end());
  t->set_crc32c(tensor_crc(*t));
}

void fsync_directory(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write '{}': {}", tmp, std::strerror(errno)));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(fmt::format("cannot write '{}': {}", tmp, std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(err)));
  }
  fsync_directory(path);
}

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const plan::Plan& plan,
                     const runtime::Backend& backend) {
  checkpointpb::Checkpoint ckpt;
  ckpt.set_format_version(kCheckpointFormatVersion);
  ckpt.set_model(meta.model);
  ckpt.set_step(meta.step);
  ckpt.set_samples(meta.samples);
  ckpt.set_seed(meta.seed);
  ckpt.set_data_position(meta.data_position);
  ckpt.set_backend(meta.backend);
  for (const ir::ParamEntry& p : plan.graph.params)
    add_tensor(ckpt.mutable_params(), p.name, plan.graph.value(p.value), read_tensor(backend, p.value));
  for (const ir::StateEntry& s : plan.graph.state)
    add_tensor(ckpt.mutable_state(), s.name, plan.graph.value(s.value), read_tensor(backend, s.value));
  ckpt.set_crc32c(header_crc(ckpt));
  std::string bytes;
  if (!ckpt.SerializeToString(&bytes)) throw std::runtime_error("cannot serialise the checkpoint");
  write_file_atomically(path, bytes);
}

namespace {

// Reads and verifies a checkpoint file: it parses, its format is known, and every checksum holds.
checkpointpb::Checkpoint read_verified(const std::string& path) {
  // Parsed straight from the file: a checkpoint of a large model is hundreds of MB, not to be held
  // twice more in memory on the way.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CheckpointDamaged(fmt::format("cannot read checkpoint '{}': {}", path, std::strerror(errno)));
  checkpointpb::Checkpoint ckpt;
  const bool parsed = ckpt.ParseFromFileDescriptor(fd);
  ::close(fd);
  if (!parsed || ckpt.format_version() == 0)
    throw CheckpointDamaged(fmt::format("'{}' is not a ynet checkpoint, or it is damaged (it does not parse)", path));
  if (ckpt.format_version() > kCheckpointFormatVersion)
    throw CheckpointDamaged(fmt::format("'{}' has checkpoint format {}, newer than this ynet ({})", path,
                                        ckpt.format_version(), kCheckpointFormatVersion));
  if (ckpt.format_version() < 2) {
    // Written before checkpoints carried checksums: still the user's trained weights, so they load
    // as they are, and the user is told; a run resumed from it writes checksummed checkpoints.
    fmt::print(stderr, "ynet: warning: checkpoint '{}' has format {}, from before checksums: loaded unverified\n",
               path, ckpt.format_version());
    return ckpt;
  }
  verify_checksums(path, ckpt);
  return ckpt;
}

}  // namespace

CheckpointMeta verify_checkpoint(const std::string& path) {
  const checkpointpb::Checkpoint ckpt = read_verified(path);
  return {ckpt.model(), ckpt.step(), ckpt.samples(), ckpt.seed(), ckpt.data_position(), ckpt.backend()};
}

CheckpointMeta load_checkpoint(const std::string& path, const plan::Plan& plan, runtime::Backend& backend,
                               bool parameters_only) {
  const checkpointpb::Checkpoint ckpt = read_verified(path);
  std::map<std::string, const checkpointpb::Tensor*> stored;
  for (const auto& t : ckpt.params()) stored[t.name()] = &t;
  for (const auto& t : ckpt.state()) stored[t.name()] = &t;

  std::vector<std::string> problems;
  std::vector<std::pair<int, const checkpointpb::Tensor*>> writes;  // made once everything fits
  auto load = [&](const std::string& name, int value, bool required) {
    auto it = stored.find(name);
    const ir::Value& v = plan.graph.value(value);
    if (it == stored.end()) {
      if (required) problems.push_back(fmt::format("{} {}: missing from the checkpoint", name, ir::format_shape(v.shape)));
      return;
    }
    const std::vector<int64_t> shape(it->second->shape().begin(), it->second->shape().end());
    if (shape != v.shape || it->second->values_size() != v.elements()) {
      problems.push_back(fmt::format("{}: the checkpoint has {}, the model {}", name, ir::format_shape(shape),
                                     ir::format_shape(v.shape)));
      return;
    }
    writes.emplace_back(value, it->second);
  };
  for (const ir::ParamEntry& p : plan.graph.params) load(p.name, p.value, true);
  for (const ir::StateEntry& s : plan.graph.state)
    if (s.init != "derived") load(s.name, s.value, true);
  if (!parameters_only) {
    std::map<std::string, bool> known;
    for (const ir::ParamEntry& p : plan.graph.params) known[p.name] = true;
    for (const ir::StateEntry& s : plan.graph.state) known[s.name] = true;
    for (const auto& [name, t] : stored)
      if (!known.count(name)) problems.push_back(fmt::format("{}: in the checkpoint but not in the model", name));
  }
  if (!problems.empty()) {
    std::string msg = fmt::format("checkpoint '{}' (model {}) does not fit model {}:", path, ckpt.model(), plan.meta.model);
    for (size_t i = 0; i < problems.size() && i < 12; ++i) msg += "\n  " + problems[i];
    if (problems.size() > 12) msg += fmt::format("\n  ... and {} more", problems.size() - 12);
    throw CheckpointMismatch(msg);
  }
  for (const auto& [value, tensor] : writes)
    backend.write(value, std::span<const float>(tensor->values().data(), static_cast<size_t>(tensor->values_size())));
  return {ckpt.model(), ckpt.step(), ckpt.samples(), ckpt.seed(), ckpt.data_position(), ckpt.backend()};
}

LoadedCheckpoint load_newest_intact(const std::vector<std::string>& newest_first, const plan::Plan& plan,
                                    runtime::Backend& backend, bool parameters_only, std::FILE* notes) {
  if (newest_first.empty()) throw std::invalid_argument("load_newest_intact: no checkpoint to load");
  std::vector<std::string> damaged;
  std::string first_problem;
  for (const std::string& path : newest_first) {
    try {
      LoadedCheckpoint loaded{path, load_checkpoint(path, plan, backend, parameters_only)};
      if (!damaged.empty() && notes != nullptr)
        fmt::print(notes, "ynet: using the newest intact checkpoint, {} (step {}), instead\n", path, loaded.meta.step);
      return loaded;
    } catch (const CheckpointDamaged& e) {
      // A warning where an older checkpoint is tried next; the last one's problem is the error.
      if (notes != nullptr && &path != &newest_first.back()) fmt::print(notes, "ynet: warning: {}\n", e.what());
      if (first_problem.empty()) first_problem = e.what();
      damaged.push_back(path);
    }
  }
  if (damaged.size() == 1) throw CheckpointDamaged(first_problem);
  throw CheckpointDamaged(fmt::format("none of the {} checkpoints is intact; the newest: {}", damaged.size(), first_problem));
}

std::string checkpoint_path(const std::string& dir, int64_t step) {
  return (std::filesystem::path(dir) / fmt::format("ckpt-{:09d}.pb", step)).string();
}

std::vector<std::pair<int64_t, std::string>> list_checkpoints(const std::string& dir) {
  std::vector<std::pair<int64_t, std::string>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ckpt-", 0) != 0 || name.size() < 9 || name.substr(name.size() - 3) != ".pb") continue;
    try {
      out.emplace_back(std::stoll(name.substr(5, name.size() - 8)), entry.path().string());
    } catch (const std::exception&) {
      continue;  // not one of ours
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void prune_checkpoints(const std::string& dir, int keep) {
  auto all = list_checkpoints(dir);
  for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) std::filesystem::remove(all[i].second);
}

}  // namespace ynet::train
