#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "plan/plan.h"
#include "plan/plan.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace ynet::plan {
namespace {

// Files start with this so that a wrong file is named as such instead of failing to parse somewhere.
constexpr char kMagic[] = "YNETPLAN";
constexpr size_t kMagicSize = 8;

const std::vector<std::pair<ir::BufferKind, std::string>>& kind_names() {
  static const std::vector<std::pair<ir::BufferKind, std::string>> names = [] {
    std::vector<std::pair<ir::BufferKind, std::string>> n;
    for (auto k : {ir::BufferKind::Input, ir::BufferKind::Param, ir::BufferKind::ParamGrad,
                   ir::BufferKind::OptimizerState, ir::BufferKind::ModelState, ir::BufferKind::Activation,
                   ir::BufferKind::Gradient, ir::BufferKind::Saved, ir::BufferKind::Scalar})
      n.emplace_back(k, ir::to_string(k));
    return n;
  }();
  return names;
}

ir::BufferKind parse_kind(const std::string& s) {
  for (const auto& [k, name] : kind_names())
    if (name == s) return k;
  throw PlanFormatError(fmt::format("unknown buffer kind '{}'", s));
}

ir::Phase parse_phase(const std::string& s) {
  for (auto p : {ir::Phase::Prologue, ir::Phase::Forward, ir::Phase::Loss, ir::Phase::Backward, ir::Phase::Optimizer})
    if (s == ir::to_string(p)) return p;
  throw PlanFormatError(fmt::format("unknown step phase '{}'", s));
}

planpb::Attr to_proto(const ir::AttrValue& value) {
  planpb::Attr a;
  if (auto* i = std::get_if<int64_t>(&value)) a.set_i(*i);
  else if (auto* f = std::get_if<double>(&value)) a.set_f(*f);
  else if (auto* b = std::get_if<bool>(&value)) a.set_b(*b);
  else if (auto* s = std::get_if<std::string>(&value)) a.set_s(*s);
  else if (auto* is = std::get_if<std::vector<int64_t>>(&value)) for (int64_t v : *is) a.mutable_ints()->add_v(v);
  else if (auto* fs = std::get_if<std::vector<double>>(&value)) for (double v : *fs) a.mutable_floats()->add_v(v);
  return a;
}

ir::AttrValue from_proto(const planpb::Attr& a) {
  switch (a.value_case()) {
    case planpb::Attr::kI: return a.i();
    case planpb::Attr::kF: return a.f();
    case planpb::Attr::kB: return a.b();
    case planpb::Attr::kS: return a.s();
    case planpb::Attr::kInts: return std::vector<int64_t>(a.ints().v().begin(), a.ints().v().end());
    case planpb::Attr::kFloats: return std::vector<double>(a.floats().v().begin(), a.floats().v().end());
    default: throw PlanFormatError("an attribute has no value");
  }
}

void check_id(int id, size_t count, const char* what) {
  if (id < -1 || id >= static_cast<int>(count))
    throw PlanFormatError(fmt::format("{} refers to buffer {} but the plan has {} buffers", what, id, count));
}

}  // namespace

const char* to_string(Mode mode) { return mode == Mode::Train ? "train" : "infer"; }

int64_t Plan::flops(ir::Phase phase) const {
  int64_t total = 0;
  for (const ir::Node& n : graph.nodes)
    if (n.phase == phase) total += n.flops;
  return total;
}

int64_t Plan::parameter_count(bool trainable_only) const {
  int64_t total = 0;
  for (const ir::ParamEntry& p : graph.params)
    if (p.trainable || !trainable_only) total += graph.value(p.value).elements();
  return total;
}

std::string to_bytes(const Plan& plan) {
  planpb::Plan pb;
  pb.set_format_version(kPlanFormatVersion);
  pb.set_producer("ynet");
  planpb::Meta& m = *pb.mutable_meta();
  const PlanMeta& meta = plan.meta;
  m.set_model(meta.model);
  m.set_mode(to_string(meta.mode));
  m.set_batch(meta.batch);
  m.set_max_frames(meta.max_frames);
  m.set_skip_frames(meta.skip_frames);
  m.set_level(meta.level);
  for (const Feature& f : meta.features) {
    planpb::Feature* pf = m.add_features();
    pf->set_name(f.name);
    pf->set_size(f.size);
  }
  m.set_normalize(meta.normalize);
  m.set_id_key(meta.id_key);
  m.set_labels_key(meta.labels_key);
  m.set_classes(meta.classes);
  m.set_optimizer(meta.optimizer.name);
  for (const auto& [k, v] : meta.optimizer.args) (*m.mutable_optimizer_args())[k] = v;
  m.set_clip_norm(meta.optimizer.clip_norm);
  m.set_clip(meta.optimizer.clip);
  m.set_schedule(meta.schedule);
  for (const auto& [k, v] : meta.schedule_args) (*m.mutable_schedule_args())[k] = v;
  m.set_steps(meta.steps);
  m.set_eval_every(meta.eval_every);
  m.set_seed(meta.seed);
  m.set_source(meta.source);

  for (const ir::Value& v : plan.graph.values) {
    planpb::Value* pv = pb.add_values();
    pv->set_id(v.id);
    pv->set_name(v.name);
    for (int64_t d : v.shape) pv->add_shape(d);
    pv->set_dtype(ir::to_string(v.dtype));
    pv->set_kind(ir::to_string(v.kind));
    pv->set_offset(plan.memory.offset.at(static_cast<size_t>(v.id)));
    pv->set_first_step(plan.memory.lifetime.at(static_cast<size_t>(v.id)).first);
    pv->set_last_step(plan.memory.lifetime.at(static_cast<size_t>(v.id)).last);
  }
  for (const ir::Node& n : plan.graph.nodes) {
    planpb::Step* s = pb.add_steps();
    s->set_op(n.op);
    s->set_phase(ir::to_string(n.phase));
    for (const auto& [k, v] : n.attrs) (*s->mutable_attrs())[k] = to_proto(v);
    for (int v : n.inputs) s->add_inputs(v);
    for (int v : n.outputs) s->add_outputs(v);
    s->set_flops(n.flops);
    s->set_layer(n.layer);
  }
  for (const ir::ParamEntry& p : plan.graph.params) {
    planpb::Param* pp = pb.add_params();
    pp->set_name(p.name);
    pp->set_value(p.value);
    pp->set_grad(p.grad);
    for (int s : p.state) pp->add_state(s);
    pp->set_init(p.init);
    pp->set_fan_in(p.fan_in);
    pp->set_fan_out(p.fan_out);
    pp->set_trainable(p.trainable);
  }
  for (const ir::StateEntry& s : plan.graph.state) {
    planpb::State* ps = pb.add_state();
    ps->set_name(s.name);
    ps->set_value(s.value);
    ps->set_init(s.init);
  }
  for (int v : plan.graph.live_out) pb.add_live_out(v);
  pb.set_loss(plan.graph.loss);
  planpb::Memory& mem = *pb.mutable_memory();
  mem.set_persistent_bytes(plan.memory.persistent_bytes);
  mem.set_transient_bytes(plan.memory.transient_bytes);
  mem.set_arena_bytes(plan.memory.arena_bytes);
  mem.set_naive_bytes(plan.memory.naive_bytes);
  mem.set_peak_live_bytes(plan.memory.peak_live_bytes);
  mem.set_peak_step(plan.memory.peak_step);
  mem.set_workspace_bytes(plan.memory.workspace_bytes);

  // Deterministic: map fields (attributes) in key order, so the same plan always gives the same bytes.
  std::string out(kMagic, kMagicSize);
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    pb.SerializeToCodedStream(&coded);
  }
  return out;
}

Plan from_bytes(const std::string& bytes) {
  if (bytes.size() < kMagicSize || bytes.compare(0, kMagicSize, kMagic) != 0)
    throw PlanFormatError("not a ynet plan file (it does not start with the plan signature)");
  planpb::Plan pb;
  if (!pb.ParseFromArray(bytes.data() + kMagicSize, static_cast<int>(bytes.size() - kMagicSize)))
    throw PlanFormatError("the plan file is corrupt: its contents do not decode");
  if (pb.format_version() == 0) throw PlanFormatError("the plan file has no format version");
  if (pb.format_version() > kPlanFormatVersion)
    throw PlanFormatError(fmt::format("the plan has format version {}, newer than this ynet understands ({}); "
                                      "recompile the spec or update ynet", pb.format_version(), kPlanFormatVersion));
  Plan plan;
  const planpb::Meta& m = pb.meta();
  PlanMeta& meta = plan.meta;
  meta.model = m.model();
  if (m.mode() != "train" && m.mode() != "infer") throw PlanFormatError(fmt::format("unknown plan mode '{}'", m.mode()));
  meta.mode = m.mode() == "train" ? Mode::Train : Mode::Infer;
  meta.batch = m.batch();
  meta.max_frames = m.max_frames();
  meta.skip_frames = m.skip_frames();
  meta.level = m.level();
  for (const auto& f : m.features()) meta.features.push_back({f.name(), f.size()});
  meta.normalize = m.normalize();
  meta.id_key = m.id_key();
  meta.labels_key = m.labels_key();
  meta.classes = m.classes();
  meta.optimizer.name = m.optimizer();
  meta.optimizer.args = {m.optimizer_args().begin(), m.optimizer_args().end()};
  meta.optimizer.clip_norm = m.clip_norm();
  meta.optimizer.clip = m.clip();
  meta.schedule = m.schedule();
  meta.schedule_args = {m.schedule_args().begin(), m.schedule_args().end()};
  meta.steps = m.steps();
  meta.eval_every = m.eval_every();
  meta.seed = m.seed();
  meta.source = m.source();

  const size_t count = static_cast<size_t>(pb.values_size());
  plan.memory.offset.resize(count);
  plan.memory.lifetime.resize(count);
  for (int i = 0; i < pb.values_size(); ++i) {
    const planpb::Value& pv = pb.values(i);
    if (pv.id() != i) throw PlanFormatError(fmt::format("buffer {} is stored with id {}", i, pv.id()));
    ir::Value v;
    v.id = i;
    v.name = pv.name();
    for (int64_t d : pv.shape()) {
      if (d < 0) throw PlanFormatError(fmt::format("buffer '{}' has a negative dimension", v.name));
      v.shape.push_back(d);
    }
    if (pv.dtype() == "f32") v.dtype = ir::DType::F32;
    else if (pv.dtype() == "i32") v.dtype = ir::DType::I32;
    else if (pv.dtype() == "u8") v.dtype = ir::DType::U8;
    else throw PlanFormatError(fmt::format("buffer '{}' has unknown dtype '{}'", v.name, pv.dtype()));
    v.kind = parse_kind(pv.kind());
    plan.graph.values.push_back(std::move(v));
    plan.memory.offset[static_cast<size_t>(i)] = pv.offset();
    plan.memory.lifetime[static_cast<size_t>(i)] = {pv.first_step(), pv.last_step()};
  }
  for (const planpb::Step& s : pb.steps()) {
    ir::Node n;
    n.op = s.op();
    n.phase = parse_phase(s.phase());
    for (const auto& [k, v] : s.attrs()) n.attrs[k] = from_proto(v);
    for (int v : s.inputs()) { check_id(v, count, "a step input"); n.inputs.push_back(v); }
    for (int v : s.outputs()) { check_id(v, count, "a step output"); n.outputs.push_back(v); }
    n.flops = s.flops();
    n.layer = s.layer();
    plan.graph.nodes.push_back(std::move(n));
  }
  for (const planpb::Param& pp : pb.params()) {
    ir::ParamEntry p;
    p.name = pp.name();
    check_id(pp.value(), count, "a parameter");
    check_id(pp.grad(), count, "a parameter gradient");
    if (pp.value() < 0) throw PlanFormatError(fmt::format("parameter '{}' has no buffer", p.name));
    p.value = pp.value();
    p.grad = pp.grad();
    for (int s : pp.state()) { check_id(s, count, "an optimizer slot"); p.state.push_back(s); }
    p.init = pp.init();
    p.fan_in = pp.fan_in();
    p.fan_out = pp.fan_out();
    p.trainable = pp.trainable();
    plan.graph.params.push_back(std::move(p));
  }
  for (const planpb::State& ps : pb.state()) {
    check_id(ps.value(), count, "a state entry");
    plan.graph.state.push_back({ps.name(), ps.value(), ps.init()});
  }
  for (int v : pb.live_out()) { check_id(v, count, "a live-out value"); plan.graph.live_out.push_back(v); }
  check_id(pb.loss(), count, "the loss");
  plan.graph.loss = pb.loss();
  const planpb::Memory& mem = pb.memory();
  plan.memory.persistent_bytes = mem.persistent_bytes();
  plan.memory.transient_bytes = mem.transient_bytes();
  plan.memory.arena_bytes = mem.arena_bytes();
  plan.memory.naive_bytes = mem.naive_bytes();
  plan.memory.peak_live_bytes = mem.peak_live_bytes();
  plan.memory.peak_step = mem.peak_step();
  plan.memory.workspace_bytes = mem.workspace_bytes();
  // Recount what can be recomputed, so that the reports of a loaded plan match the compiled one.
  for (const ir::Value& v : plan.graph.values) {
    plan.memory.bytes_by_kind[v.kind] += v.bytes();
    const Lifetime& l = plan.memory.lifetime[static_cast<size_t>(v.id)];
    if (!v.persistent() && l.first >= 0 && l.first <= plan.memory.peak_step && plan.memory.peak_step <= l.last)
      plan.memory.peak_by_kind[v.kind] += align_to_arena(v.bytes());
  }
  if (!layout_is_valid(plan.graph, plan.memory))
    throw PlanFormatError("the plan's memory layout is inconsistent (buffers overlap or fall outside the arena)");
  return plan;
}

void save(const Plan& plan, const std::string& path) {
  const std::string bytes = to_bytes(plan);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(err)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(err)));
  }
}

Plan load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  try {
    return from_bytes(buffer.str());
  } catch (const PlanFormatError& e) {
    throw PlanFormatError(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace ynet::plan
