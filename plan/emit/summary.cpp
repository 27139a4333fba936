#include <fmt/format.h>

#include <algorithm>

#include "plan/emit/emit.h"

namespace ynet::emit {

std::string memory_svg(const plan::Plan& plan) {
  const ir::Graph& g = plan.graph;
  const double width = 900, height = 420, left = 70, bottom = 40, top = 30;
  const double steps = static_cast<double>(std::max<size_t>(g.nodes.size(), 1));
  const double region = static_cast<double>(std::max<int64_t>(plan.memory.transient_bytes, 1));
  const double plot_w = width - left - 20, plot_h = height - bottom - top;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"Helvetica\" font-size=\"11\">\n"
      "<text x=\"{}\" y=\"18\">{} ({}, batch {}): transient buffers over steps, {} region</text>\n",
      width, height, left, plan.meta.model, plan::to_string(plan.meta.mode), plan.meta.batch,
      bytes(plan.memory.transient_bytes));
  for (const ir::Value& v : g.values) {
    if (v.persistent()) continue;
    const int64_t off = plan.memory.offset[static_cast<size_t>(v.id)];
    const auto& life = plan.memory.lifetime[static_cast<size_t>(v.id)];
    if (off < 0 || life.first < 0) continue;
    const double rel = static_cast<double>(off - plan.memory.persistent_bytes);
    const double x = left + plot_w * life.first / steps;
    const double w = std::max(1.0, plot_w * (life.last - life.first + 1) / steps);
    const double y = top + plot_h - plot_h * (rel + static_cast<double>(v.bytes())) / region;
    const double h = std::max(0.5, plot_h * static_cast<double>(v.bytes()) / region);
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"#555\" "
                       "stroke-width=\"0.3\"><title>{} {} {}</title></rect>\n",
                       x, y, w, h, v.kind == ir::BufferKind::Activation ? "#9ecae1"
                                   : v.kind == ir::BufferKind::Saved    ? "#fdae6b"
                                                                        : "#a1d99b",
                       v.name, ir::format_shape(v.shape), bytes(v.bytes()));
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n", left, top + plot_h,
                     left + plot_w);
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>\n", left, top, top + plot_h);
  out += fmt::format("<text x=\"{}\" y=\"{}\">step</text>\n", left + plot_w / 2, height - 8);
  out += fmt::format("<text x=\"4\" y=\"{}\">{}</text>\n<text x=\"4\" y=\"{}\">0</text>\n", top + 10,
                     bytes(plan.memory.transient_bytes), top + plot_h);
  out += "<text x=\"600\" y=\"18\" fill=\"#3182bd\">activation</text><text x=\"680\" y=\"18\" fill=\"#e6550d\">saved</text>"
         "<text x=\"730\" y=\"18\" fill=\"#31a354\">gradient</text>\n</svg>\n";
  return out;
}

std::string summary(const plan::Plan& plan, const std::vector<plan::Plan>& by_batch) {
  const double batch = static_cast<double>(std::max<int64_t>(plan.meta.batch, 1));
  std::string out = fmt::format("{} ({} plan, batch {})\n", plan.meta.model, plan::to_string(plan.meta.mode), plan.meta.batch);
  out += fmt::format("  parameters         {} trainable, {} in all ({})\n", plan.parameter_count(true),
                     plan.parameter_count(false), bytes(plan.memory.bytes_by_kind.count(ir::BufferKind::Param)
                                                             ? plan.memory.bytes_by_kind.at(ir::BufferKind::Param)
                                                             : 0));
  out += fmt::format("  forward per sample  {}\n", flops(static_cast<int64_t>(
                                                        (plan.flops(ir::Phase::Forward) + plan.flops(ir::Phase::Loss)) / batch)));
  out += fmt::format("  backward per sample {}\n", flops(static_cast<int64_t>(plan.flops(ir::Phase::Backward) / batch)));
  out += fmt::format("  optimizer per step  {}\n", flops(plan.flops(ir::Phase::Optimizer)));
  out += "\n  batch      arena       transient   workspace   naive sum   saved by planning\n";
  for (const plan::Plan& p : by_batch) {
    const auto& m = p.memory;
    out += fmt::format("  {:<9}  {:<10}  {:<10}  {:<10}  {:<10}  {:.1f}%\n", p.meta.batch, bytes(m.arena_bytes),
                       bytes(m.transient_bytes), bytes(m.workspace_bytes), bytes(m.naive_bytes),
                       m.naive_bytes ? 100.0 * (1.0 - double(m.arena_bytes) / double(m.naive_bytes)) : 0.0);
  }
  return out;
}

}  // namespace ynet::emit
