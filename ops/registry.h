#pragma once
// The op registry: one declaration per layer (and per optimizer and schedule) with its signature,
// defaults, documentation, shape rule and parameter rule. The compiler checks specs against it,
// `ynet help layers` prints it, and docs/language.md is generated from it, so the three cannot drift.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ynet::ops {

// A symbolic dimension: the batch `B`, the time axis `T` (value = max_frames, its upper bound) or a
// constant size.
struct Dim {
  enum class Kind { Batch, Time, Const };
  Kind kind = Kind::Const;
  int64_t value = 0;

  static Dim batch() { return {Kind::Batch, 0}; }
  static Dim time(int64_t max_frames) { return {Kind::Time, max_frames}; }
  static Dim constant(int64_t n) { return {Kind::Const, n}; }
  bool operator==(const Dim&) const = default;
};

// Ranks used by the language: a scalar [], a vector [B, F] and a sequence [B, T, F].
using Shape = std::vector<Dim>;

bool is_vector(const Shape& s);
bool is_sequence(const Shape& s);
bool is_scalar(const Shape& s);
int64_t feature_size(const Shape& s);  // the last (constant) dimension
std::string shape_to_string(const Shape& s);  // "[B, T=90, 1152]"
std::string rank_name(const Shape& s);        // "a vector", "a sequence", "a scalar"

// Argument values after evaluation; quantities with a unit (e.g. `10M samples`) are stored as int64.
using AttrValue = std::variant<int64_t, double, bool, std::string>;
std::string attr_to_string(const AttrValue& v);

enum class ArgType {
  Int,      // an integer (suffixes allowed: 4k)
  Float,    // a real number
  Bool,     // true | false
  Choice,   // one word out of `choices`
  Samples,  // a count of training samples: `10M samples`, or `N steps` (multiplied by the batch)
  Network,  // a sub-network: `{ Dense(1024, relu) -> Dense(1024) }`
};
std::string arg_type_name(ArgType t);

struct Range {
  std::optional<double> min, max;
  bool min_inclusive = true, max_inclusive = true;
  bool contains(double v) const;
  std::string to_string() const;  // "[0, 1)", "> 0", ...
};

struct ArgDef {
  std::string name;
  ArgType type = ArgType::Int;
  std::optional<AttrValue> default_value;  // none: the argument is required
  Range range;
  std::vector<std::string> choices;
  std::string doc;
};

// A tensor input of a layer.
struct InputDef {
  std::string name;
  std::string doc;
};

// What a layer's rules see: evaluated inputs and arguments (defaults filled in).
struct LayerContext {
  std::vector<Shape> inputs;
  std::vector<std::string> input_ops;       // producing op of each input (e.g. "Input", "Labels")
  std::vector<std::pair<std::string, AttrValue>> attrs;
  std::optional<Shape> subnetwork_output;  // for layers with a Network argument

  const AttrValue& attr(const std::string& name) const;
  int64_t int_attr(const std::string& name) const;
  double float_attr(const std::string& name) const;
  bool bool_attr(const std::string& name) const;
  const std::string& string_attr(const std::string& name) const;
};

// A rule violation: a message about the layer call, an optional hint, and which argument it concerns
// ("" for the call itself, "input0" for the first input) so the compiler can point at it.
struct RuleError {
  std::string message;
  std::string hint;
  std::string at;
};

struct ShapeResult {
  std::optional<Shape> shape;
  std::vector<RuleError> errors;
  std::vector<RuleError> warnings;
};

struct ParamDef {
  std::string name;
  std::vector<int64_t> shape;
  std::string init;  // glorot_uniform, orthogonal, zeros, ones
  bool trainable = true;
};

using ShapeRule = std::function<ShapeResult(const LayerContext&)>;
using ParamRule = std::function<std::vector<ParamDef>(const LayerContext&)>;
// Shape seen by a Network argument's first layer, given the layer's inputs (MoE: one time step).
using SubnetworkInputRule = std::function<Shape(const LayerContext&)>;

// An optimizer's slots: (slot name, initialiser) per trainable parameter, for its arguments.
using OptimizerSlots = std::vector<std::pair<std::string, std::string>>;
using SlotRule = std::function<OptimizerSlots(const std::map<std::string, double>& args)>;

struct OpDef {
  std::string name;
  std::string category;  // "layer", "loss", "optimizer", "schedule"
  std::string doc;
  std::vector<InputDef> inputs;
  std::vector<ArgDef> args;
  ShapeRule shape_rule;
  ParamRule param_rule;  // empty: no parameters
  SubnetworkInputRule subnetwork_input;
  std::string subnetwork_replicas_arg;  // sub-network parameters are stacked this many times
  std::string shape_doc;                // one line: "[B, F] -> [B, units]"
  SlotRule optimizer_slots;             // optimizers only
};

int64_t param_count(const ParamDef& p);

// All layers, losses, optimizers and schedules, in documentation order.
const std::vector<OpDef>& all_ops();
const OpDef* find_op(const std::string& name);
std::vector<const OpDef*> ops_in_category(const std::string& category);

}  // namespace ynet::ops
