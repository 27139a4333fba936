#pragma once
// Turns expressions into layer nodes: tensor names, nested calls, pipelines, `repeat` blocks and
// sub-networks, with argument binding and the registry's shape and parameter rules.
#include <map>
#include <string>
#include <vector>

#include "compiler/sema/checked_model.h"
#include "compiler/sema/values.h"
#include "compiler/syntax/ast.h"

namespace ynet::sema {

struct TensorEntry {
  int node = -1;  // -1: its definition failed; uses are silently skipped
  syntax::SourceLoc loc;
  bool used = false;
};

// One node list with its names: the model, or a sub-network nested in a layer argument.
struct Graph {
  std::vector<LayerNode>* nodes = nullptr;
  const Graph* outer = nullptr;
  std::map<std::string, TensorEntry> scope;
  std::map<std::string, int> generated;  // per-name counters for generated names
};

// Bounds on what a spec may expand to (`repeat` multiplies), so that hostile specs end in an error
// rather than exhausting memory, and parameter totals stay far from int64 overflow.
inline constexpr size_t kMaxLayers = 100000;
inline constexpr double kMaxParameters = 1e15;

class GraphBuilder {
 public:
  GraphBuilder(ValueEnv& env, syntax::DiagnosticSink& diags) : env_(env), diags_(diags) {}

  // Evaluates `e` to a tensor; node names start with `prefix` ("h/Dense"). Returns -1 on error.
  int tensor(const syntax::Expr& e, Graph& g, const std::string& prefix);

  int add_node(Graph& g, LayerNode node);

 private:
  int stage(const syntax::Expr& e, int input, Graph& g, const std::string& prefix);
  // `video.rgb`: the Slice of the input holding one of its features, made once per model.
  int feature(const syntax::Expr& e, Graph& g);
  int body(const syntax::Expr& e, int input, Graph& g, const std::string& prefix);
  int layer(const syntax::Expr& e, int implicit_input, Graph& g, const std::string& prefix);
  int repeat(const syntax::Expr& e, int input, Graph& g, const std::string& prefix);
  bool subnetwork(const syntax::Expr& e, const ops::OpDef& op, const std::string& arg, int64_t replicas,
                  const Shape& input, const std::string& prefix, const Graph& outer, SubNetwork& out);
  const ops::OpDef* find_layer(const syntax::SourceLoc& loc, const std::string& name, const Graph& g);
  std::string generated_name(Graph& g, const std::string& prefix, const std::string& op);

  // False (reported once) when the model has grown past kMaxLayers or kMaxParameters.
  bool within_budget(const syntax::SourceLoc& loc);

  ValueEnv& env_;
  syntax::DiagnosticSink& diags_;
  size_t layers_ = 0;
  double parameters_ = 0;
  bool over_budget_ = false;
};

}  // namespace ynet::sema
