#include "plan/graph.h"

#include <fmt/format.h>

#include <stdexcept>

namespace ynet::ir {

int64_t Value::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t Value::bytes() const { return elements() * (dtype == DType::U8 ? 1 : 4); }

bool Value::persistent() const {
  switch (kind) {
    case BufferKind::Input:
    case BufferKind::Param:
    case BufferKind::OptimizerState:
    case BufferKind::ModelState:
      return true;
    default:
      return false;
  }
}

int Graph::add_value(std::string name, std::vector<int64_t> shape, BufferKind kind, DType dtype) {
  Value v;
  v.id = static_cast<int>(values.size());
  v.name = std::move(name);
  v.shape = std::move(shape);
  v.kind = kind;
  v.dtype = dtype;
  values.push_back(std::move(v));
  return values.back().id;
}

Node& Graph::add_node(Node node) {
  nodes.push_back(std::move(node));
  return nodes.back();
}

int Graph::find_value(const std::string& name) const {
  for (const Value& v : values)
    if (v.name == name) return v.id;
  return -1;
}

const char* to_string(BufferKind kind) {
  switch (kind) {
    case BufferKind::Input: return "input";
    case BufferKind::Param: return "param";
    case BufferKind::ParamGrad: return "param_grad";
    case BufferKind::OptimizerState: return "optimizer_state";
    case BufferKind::ModelState: return "model_state";
    case BufferKind::Activation: return "activation";
    case BufferKind::Gradient: return "gradient";
    case BufferKind::Saved: return "saved";
    case BufferKind::Scalar: return "scalar";
  }
  return "?";
}

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::Prologue: return "prologue";
    case Phase::Forward: return "forward";
    case Phase::Loss: return "loss";
    case Phase::Backward: return "backward";
    case Phase::Optimizer: return "optimizer";
  }
  return "?";
}

const char* to_string(DType dtype) {
  switch (dtype) {
    case DType::F32: return "f32";
    case DType::I32: return "i32";
    case DType::U8: return "u8";
  }
  return "?";
}

std::string format_shape(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

std::string format_attr(const AttrValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{:g}", v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const std::vector<int64_t>& v) const { return fmt::format("[{}]", fmt::join(v, ",")); }
    std::string operator()(const std::vector<double>& v) const { return fmt::format("[{:g}]", fmt::join(v, ",")); }
  };
  return std::visit(Visitor{}, value);
}

namespace {
template <typename T>
T attr_or(const Attrs& attrs, const std::string& key, T fallback) {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  throw std::logic_error(fmt::format("attribute '{}' has an unexpected type", key));
}
}  // namespace

int64_t attr_int(const Attrs& attrs, const std::string& key, int64_t fallback) {
  return attr_or<int64_t>(attrs, key, fallback);
}
double attr_double(const Attrs& attrs, const std::string& key, double fallback) {
  auto it = attrs.find(key);
  if (it != attrs.end())
    if (const int64_t* v = std::get_if<int64_t>(&it->second)) return static_cast<double>(*v);
  return attr_or<double>(attrs, key, fallback);
}
bool attr_bool(const Attrs& attrs, const std::string& key, bool fallback) {
  return attr_or<bool>(attrs, key, fallback);
}
std::string attr_string(const Attrs& attrs, const std::string& key, const std::string& fallback) {
  return attr_or<std::string>(attrs, key, fallback);
}

}  // namespace ynet::ir
