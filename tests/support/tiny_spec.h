#pragma once
// The small frame-level Bag-of-Frames spec the end-to-end training tests share, and reading a
// file whole for their checks.
#include <fstream>
#include <sstream>
#include <string>

namespace ynet::test {

// 1024 rgb + 128 audio features, 16 frames, 20 classes, batch 16, RMSProp.
inline std::string tiny_bof_spec(int steps, int eval_every) {
  return R"(model Tiny_BoF {
  input  video  = frames(rgb: 1024, audio: 128, max_frames: 16, skip_frames: 2)
  labels target = multilabel(20)
  x = BatchNorm(video)
  p = FramePooling(x, mode: max)
  h = Dense(p, units: 64, activation: relu)
  logits = Dense(h, units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train {
  batch = 16
  optimizer = RMSProp(lr: 2e-3, decay: 0.9)
  steps = )" + std::to_string(steps) + R"(
  eval_every = )" + std::to_string(eval_every) + R"(
}
)";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace ynet::test
