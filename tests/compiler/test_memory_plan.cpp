// The memory planner must never let two buffers that are live at the same step share bytes.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <random>

#include "compiler/passes/memory_plan.h"

using namespace ynet;

namespace {

ir::Graph chain(int steps, int64_t size) {
  ir::Graph g;
  int prev = g.add_value("x", {size}, ir::BufferKind::Input);
  for (int i = 0; i < steps; ++i) {
    const int next = g.add_value(fmt::format("a{}", i), {size}, ir::BufferKind::Activation);
    g.add_node({"Op", ir::Phase::Forward, {}, {prev}, {next}, 0, ""});
    prev = next;
  }
  g.live_out = {prev};
  return g;
}

ir::Graph random_graph(std::mt19937& rng) {
  ir::Graph g;
  std::uniform_int_distribution<int> n_values(5, 60), size(1, 5000), kind(0, 9);
  const int values = n_values(rng);
  for (int i = 0; i < values; ++i) {
    const int k = kind(rng);
    const ir::BufferKind bk = k == 0 ? ir::BufferKind::Param : k == 1 ? ir::BufferKind::Input
                              : k < 6 ? ir::BufferKind::Activation : ir::BufferKind::Gradient;
    g.add_value(fmt::format("v{}", i), {size(rng)}, bk);
  }
  std::uniform_int_distribution<int> pick(0, values - 1), arity(0, 3), n_steps(1, 80);
  const int steps = n_steps(rng);
  for (int s = 0; s < steps; ++s) {
    ir::Node n;
    n.op = "Op";
    for (int a = arity(rng); a >= 0; --a) n.inputs.push_back(pick(rng));
    for (int a = arity(rng); a >= 0; --a) n.outputs.push_back(pick(rng));
    g.add_node(std::move(n));
  }
  g.live_out = {pick(rng)};
  return g;
}

}  // namespace

TEST_CASE("a chain reuses memory: two buffers are live at a time") {
  const ir::Graph g = chain(10, 1000);
  const plan::MemoryLayout m = passes::plan_memory(g, g.live_out);
  CHECK(plan::layout_is_valid(g, m));
  CHECK(m.persistent_bytes == 4032);                 // the input, 4000 bytes aligned to 64
  CHECK(m.transient_bytes == 2 * 4032);             // producer and consumer of each step
  CHECK(m.naive_bytes == 11 * 4032);
  CHECK(m.peak_live_bytes == 2 * 4032);
}

TEST_CASE("lifetimes span first to last use; live-out values last to the end") {
  const ir::Graph g = chain(3, 10);
  const auto life = passes::compute_lifetimes(g, g.live_out);
  CHECK(life[1].first == 0);
  CHECK(life[1].last == 1);
  CHECK(life[3].first == 2);
  CHECK(life[3].last == 3);  // the graph has 3 steps; live-out extends to index 3
}

TEST_CASE("random graphs: simultaneously live buffers never overlap") {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 300; ++trial) {
    const ir::Graph g = random_graph(rng);
    const plan::MemoryLayout m = passes::plan_memory(g, g.live_out);
    REQUIRE(plan::layout_is_valid(g, m));
    CHECK(m.transient_bytes >= m.peak_live_bytes);
    CHECK(m.arena_bytes <= m.naive_bytes);
  }
}

TEST_CASE("the validity check catches an overlap") {
  const ir::Graph g = chain(3, 100);
  plan::MemoryLayout m = passes::plan_memory(g, g.live_out);
  REQUIRE(plan::layout_is_valid(g, m));
  m.offset[2] = m.offset[1];  // a1 and a0 are both live at step 1
  CHECK_FALSE(plan::layout_is_valid(g, m));
}
