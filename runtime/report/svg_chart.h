#pragma once
// Line charts as standalone SVG files: axes with "nice" ticks, axis labels, a legend, several
// series and optional reference lines. Used for the label statistics plot and training curves.
#include <optional>
#include <string>
#include <vector>

namespace ynet::report {

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::string color;  // CSS colour; empty picks the next colour of the palette
};

struct ReferenceLine {
  bool vertical = true;  // at x = value, else at y = value
  double value = 0.0;
  std::string label;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  std::vector<ReferenceLine> references;
  bool log_y = false;  // logarithmic y axis (non-positive values are left out)
  int width = 760;
  int height = 460;
  // Axis ranges; unset means the data's range.
  std::optional<double> x_min, x_max, y_min, y_max;
};

// The SVG document.
std::string render_svg(const LineChart& chart);
// Writes render_svg(chart) to `path`; throws std::runtime_error when the file cannot be written.
void write_svg(const LineChart& chart, const std::string& path);

// About `target` round tick values (1, 2 or 5 times a power of ten apart) covering [low, high].
std::vector<double> nice_ticks(double low, double high, int target);

}  // namespace ynet::report
