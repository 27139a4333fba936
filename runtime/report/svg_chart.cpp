#include "runtime/report/svg_chart.h"

#include "runtime/io/output_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace ynet::report {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
constexpr double kLeft = 78, kRight = 24, kTop = 44, kBottom = 60;

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string tick_label(double value) {
  if (value == 0.0) return "0";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return fmt::format("{:.3g}", value);
  return fmt::format("{}", std::round(value * 1e6) / 1e6);
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
  void widen_if_flat() {
    if (!(low < high)) {
      const double pad = low == 0.0 ? 1.0 : std::fabs(low) * 0.1;
      low -= pad;
      high += pad;
    }
  }
};

}  // namespace

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!(high > low) || target < 1) return {low};
  const double raw = (high - low) / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * power;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double v = std::ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step) {
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::string render_svg(const LineChart& chart) {
  const auto transform_y = [&](double y) { return chart.log_y ? std::log10(y) : y; };
  Range xs;
  Range ys;
  for (const Series& s : chart.series) {
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (chart.log_y && !(s.y[i] > 0)) continue;
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xs.add(s.x[i]);
      ys.add(transform_y(s.y[i]));
    }
  }
  if (!std::isfinite(xs.low)) xs = Range{0.0, 1.0};
  if (!std::isfinite(ys.low)) ys = Range{0.0, 1.0};
  if (chart.x_min) xs.low = *chart.x_min;
  if (chart.x_max) xs.high = *chart.x_max;
  if (chart.y_min) ys.low = transform_y(*chart.y_min);
  if (chart.y_max) ys.high = transform_y(*chart.y_max);
  xs.widen_if_flat();
  ys.widen_if_flat();

  const double plot_w = chart.width - kLeft - kRight;
  const double plot_h = chart.height - kTop - kBottom;
  const auto px = [&](double x) { return kLeft + (x - xs.low) / (xs.high - xs.low) * plot_w; };
  const auto py = [&](double y) { return kTop + plot_h - (transform_y(y) - ys.low) / (ys.high - ys.low) * plot_h; };
  const auto py_raw = [&](double t) { return kTop + plot_h - (t - ys.low) / (ys.high - ys.low) * plot_h; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      chart.width, chart.height);
  svg += fmt::format("<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n", chart.width / 2.0,
                     escape(chart.title));

  for (const double t : nice_ticks(xs.low, xs.high, 8)) {
    const double x = px(t);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e5e5e5\"/>\n", x, kTop,
                       kTop + plot_h);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x, kTop + plot_h + 16,
                       tick_label(t));
  }
  const std::vector<double> y_ticks = chart.log_y ? nice_ticks(std::floor(ys.low), std::ceil(ys.high), 6)
                                                  : nice_ticks(ys.low, ys.high, 6);
  for (const double t : y_ticks) {
    if (t < ys.low - 1e-9 || t > ys.high + 1e-9) continue;
    const double y = py_raw(t);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#e5e5e5\"/>\n", kLeft, y,
                       kLeft + plot_w);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLeft - 6, y + 4,
                       tick_label(chart.log_y ? std::pow(10.0, t) : t));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", kLeft, kTop,
                     plot_w, plot_h);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", kLeft + plot_w / 2,
                     chart.height - 14.0, escape(chart.x_label));
  svg += fmt::format(
      "<text x=\"16\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0:.1f})\">{1}</text>\n",
      kTop + plot_h / 2, escape(chart.y_label));

  svg += fmt::format("<clipPath id=\"plot\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n", kLeft,
                     kTop, plot_w, plot_h);
  for (const ReferenceLine& ref : chart.references) {
    const bool vertical = ref.vertical;
    const double x1 = vertical ? px(ref.value) : kLeft;
    const double x2 = vertical ? x1 : kLeft + plot_w;
    const double y1 = vertical ? kTop : py(ref.value);
    const double y2 = vertical ? kTop + plot_h : y1;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#777\" stroke-dasharray=\"5,4\" "
        "clip-path=\"url(#plot)\"/>\n",
        x1, y1, x2, y2);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#555\">{}</text>\n", vertical ? x1 + 4 : kLeft + 4,
                       vertical ? kTop + 14 : y1 - 4, escape(ref.label));
  }

  size_t palette_index = 0;
  double legend_y = kTop + 16;
  for (const Series& s : chart.series) {
    const std::string color = s.color.empty() ? kPalette[palette_index++ % std::size(kPalette)] : s.color;
    std::string points;
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (chart.log_y && !(s.y[i] > 0)) continue;
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      points += fmt::format("{:.2f},{:.2f} ", px(s.x[i]), py(s.y[i]));
    }
    svg += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" clip-path=\"url(#plot)\" points=\"{}\"/>\n", color,
        points);
    if (!s.name.empty()) {
      const double lx = kLeft + plot_w - 170;
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"3\"/>\n",
                         lx, legend_y - 4, lx + 22, legend_y - 4, color);
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", lx + 28, legend_y, escape(s.name));
      legend_y += 16;
    }
  }
  svg += "</svg>\n";
  return svg;
}

void write_svg(const LineChart& chart, const std::string& path) { io::write_output(path, render_svg(chart)); }

}  // namespace ynet::report
