#pragma once
// A checked layer: what the front end (compiler/sema) hands to an op's lowering rule, with every
// default filled in and every shape and parameter concrete.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ops/registry.h"
#include "plan/source_loc.h"

namespace ynet::ops {

struct ParamInfo {
  std::string name;             // local to its layer: "weights", "bias", "layer0/input_weights", ...
  std::vector<int64_t> shape;   // concrete; expert parameters of a MoE are stacked: [experts, ...]
  std::string init;             // glorot_uniform, orthogonal, zeros, ones
  bool trainable = true;        // false for state such as BatchNorm moving averages
};

struct LayerNode;

// A layer argument that is itself a network (MoE experts). Node 0 is its input (op "SubnetInput"),
// the last node its output; node ids in `inputs` index this list.
struct SubNetwork {
  std::string arg;          // the argument's name: "expert"
  int64_t replicas = 1;     // independent copies (MoE: experts); their parameters are stacked
  std::vector<LayerNode> nodes;
};

struct LayerNode {
  int id = 0;
  std::string name;  // the tensor's name, or a generated one: "h/BatchNorm", "logits/TimeWeightedSum"
  std::string op;    // registry name ("Dense", "LSTM"...), or "Input", "Labels", "SubnetInput"
  std::map<std::string, AttrValue> attrs;  // every argument of the op, defaults filled in
  std::vector<int> inputs;                 // node ids, always smaller than id
  Shape shape;
  std::vector<ParamInfo> params;
  std::vector<SubNetwork> subnetworks;
  SourceLoc loc;
};

}  // namespace ynet::ops
