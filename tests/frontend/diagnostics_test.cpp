// One golden test per kind of diagnostic: spec text -> the exact message, line, column and caret.
#include <doctest/doctest.h>

#include "tests/frontend/check_helpers.h"

using ynet::test::diagnostics_of;
using ynet::test::model_with;

TEST_CASE("misspelt layer: did you mean, at the layer name") {
  CHECK(diagnostics_of(model_with("  h = LTSM(video, hidden: 8)\n  loss SigmoidCrossEntropy(Dense(FramePooling(h), units: 5), target)\n")) ==
        "t.ynet:4:7: error: unknown layer `LTSM`\n"
        " 4 |   h = LTSM(video, hidden: 8)\n"
        "   |       ^~~~\n"
        "hint: did you mean `LSTM`?\n");
}

TEST_CASE("Dense on a sequence explains pooling") {
  CHECK(diagnostics_of(model_with("  y = Dense(video, units: 5)\n  output Sigmoid(y)\n")) ==
        "t.ynet:4:13: error: Dense needs a vector [B, F]; its input is a sequence [B, T=10, 12]\n"
        " 4 |   y = Dense(video, units: 5)\n"
        "   |             ^~~~~\n"
        "hint: pool the frames first (FramePooling, TimeWeightedSum), or pass `per_frame: true` to apply Dense "
        "to every frame\n");
}

TEST_CASE("misspelt argument name") {
  CHECK(diagnostics_of(model_with("  y = Dense(FramePooling(video), unit: 5)\n  output Sigmoid(y)\n")) ==
        "t.ynet:4:34: error: `Dense` has no argument `unit`\n"
        " 4 |   y = Dense(FramePooling(video), unit: 5)\n"
        "   |                                  ^~~~\n"
        "hint: did you mean `units`?\n");
}

TEST_CASE("misspelt tensor name") {
  CHECK(diagnostics_of(model_with("  y = Dense(FramePooling(vidoe), units: 5)\n  output Sigmoid(y)\n")) ==
        "t.ynet:4:26: error: unknown tensor `vidoe`\n"
        " 4 |   y = Dense(FramePooling(vidoe), units: 5)\n"
        "   |                          ^~~~~\n"
        "hint: did you mean `video`?\n");
}

TEST_CASE("misspelt param name") {
  CHECK(diagnostics_of("param hidden = 8\n" +
                       model_with("  y = Dense(FramePooling(video), units: hiden)\n  output Sigmoid(y)\n")) ==
        "t.ynet:5:41: error: unknown name `hiden`\n"
        " 5 |   y = Dense(FramePooling(video), units: hiden)\n"
        "   |                                         ^~~~~\n"
        "hint: did you mean `hidden`?\n");
}

TEST_CASE("value out of range") {
  CHECK(diagnostics_of(model_with("  y = Dropout(FramePooling(video), rate: 1)\n  output Sigmoid(y)\n")) ==
        "t.ynet:4:42: error: `rate` must be in [0, 1), got 1\n"
        " 4 |   y = Dropout(FramePooling(video), rate: 1)\n"
        "   |                                          ^\n");
}

TEST_CASE("out of range through a --set override names the override") {
  CHECK(diagnostics_of("param p = 0.5\n" + model_with("  y = Dropout(FramePooling(video), rate: p)\n  output Sigmoid(y)\n"),
                       {{"p", "1.5"}}) ==
        "t.ynet:5:42: error: `rate` must be in [0, 1), got 1.5 (from --set p=1.5)\n"
        " 5 |   y = Dropout(FramePooling(video), rate: p)\n"
        "   |                                          ^\n");
}

TEST_CASE("top_k larger than experts") {
  CHECK(diagnostics_of(model_with("  m = MoE(video, experts: 4, top_k: 5, expert: { Dense(6) })\n  output Sigmoid(Dense(FramePooling(m), units: 5))\n")) ==
        "t.ynet:4:37: error: top_k (5) exceeds the number of experts (4)\n"
        " 4 |   m = MoE(video, experts: 4, top_k: 5, expert: { Dense(6) })\n"
        "   |                                     ^\n"
        "hint: top_k must be between 1 and `experts`\n");
}

TEST_CASE("misspelt choice") {
  CHECK(diagnostics_of(model_with("  v = TimeWeightedSum(video, weights: linaer)\n  output Sigmoid(Dense(v, units: 5))\n")) ==
        "t.ynet:4:39: error: `linaer` is not a valid `weights`\n"
        " 4 |   v = TimeWeightedSum(video, weights: linaer)\n"
        "   |                                       ^~~~~~\n"
        "hint: did you mean `linear`? (choices: linear, uniform)\n");
}

TEST_CASE("wrong value type") {
  CHECK(diagnostics_of(model_with("  y = Dense(FramePooling(video), units: true)\n  output Sigmoid(y)\n")) ==
        "t.ynet:4:41: error: `units` needs an integer, found a bool\n"
        " 4 |   y = Dense(FramePooling(video), units: true)\n"
        "   |                                         ^~~~\n");
}

TEST_CASE("too many positional arguments") {
  CHECK(diagnostics_of(model_with("  y = Dropout(FramePooling(video), 0.1, 2)\n  output Sigmoid(y)\n")) ==
        "t.ynet:4:41: error: too many arguments for `Dropout`\n"
        " 4 |   y = Dropout(FramePooling(video), 0.1, 2)\n"
        "   |                                         ^\n"
        "hint: it takes Dropout(x, rate: number = 0.5)\n");
}

TEST_CASE("a tensor defined twice") {
  CHECK(diagnostics_of(model_with("  y = FramePooling(video)\n  y = Relu(y)\n  output Sigmoid(Dense(y, units: 5))\n")) ==
        "t.ynet:5:3: error: `y` is already defined\n"
        " 5 |   y = Relu(y)\n"
        "   |   ^\n"
        "hint: first defined on line 4; tensors are named once\n");
}

TEST_CASE("unused tensor is a warning") {
  CHECK(diagnostics_of(model_with("  unused = FramePooling(video)\n  output Sigmoid(Dense(FramePooling(video), units: 5))\n")) ==
        "t.ynet:3:10: warning: tensor `target` is never used\n"
        " 3 |   labels target = multilabel(5)\n"
        "   |          ^~~~~~\n"
        "hint: use it, or remove it; only what feeds a `loss` or an `output` is computed\n"
        "t.ynet:4:3: warning: tensor `unused` is never used\n"
        " 4 |   unused = FramePooling(video)\n"
        "   |   ^~~~~~\n"
        "hint: use it, or remove it; only what feeds a `loss` or an `output` is computed\n");
}

TEST_CASE("a trained model needs a loss") {
  CHECK(diagnostics_of(model_with("  output Sigmoid(Dense(FramePooling(video), units: 5))\n  t = target\n") + "train { steps = 10 }\n") ==
        "t.ynet:1:7: error: model `M` is trained but has no `loss`\n"
        " 1 | model M {\n"
        "   |       ^\n"
        "hint: add one, e.g. `loss SigmoidCrossEntropy(logits, target)`\n");
}

TEST_CASE("loss against the wrong number of classes") {
  CHECK(diagnostics_of(model_with("  l = Dense(FramePooling(video), units: 7)\n  loss SigmoidCrossEntropy(l, target)\n  output Sigmoid(l)\n")) ==
        "t.ynet:5:28: error: 7 logits per video but 5 label classes\n"
        " 5 |   loss SigmoidCrossEntropy(l, target)\n"
        "   |                            ^\n"
        "hint: size the classifier with `units: <labels>.classes`\n");
}

TEST_CASE("unknown optimizer and train setting") {
  CHECK(diagnostics_of(model_with("  l = Dense(FramePooling(video), units: 5)\n  loss SigmoidCrossEntropy(l, target)\n  output Sigmoid(l)\n") +
                       "train {\n  optimizer = RMSprop(lr: 1e-3)\n  stepz = 10\n}\n") ==
        "t.ynet:9:15: error: unknown optimizer `RMSprop`\n"
        " 9 |   optimizer = RMSprop(lr: 1e-3)\n"
        "   |               ^~~~~~~\n"
        "hint: did you mean `RMSProp`?\n"
        "t.ynet:10:3: error: unknown train setting `stepz`\n"
        " 10 |   stepz = 10\n"
        "    |   ^~~~~\n"
        "hint: did you mean `steps`?\n");
}

TEST_CASE("syntax error: keyword argument written with =") {
  CHECK(diagnostics_of("model M {\n  y = Dense(x, units = 5)\n}\n") ==
        "t.ynet:2:22: error: unexpected `=`; expected `)` or `,`\n"
        " 2 |   y = Dense(x, units = 5)\n"
        "   |                      ^\n"
        "hint: keyword arguments are written `name: value`; `=` assigns a tensor or a setting\n");
}

TEST_CASE("syntax error: missing value") {
  CHECK(diagnostics_of("model M {\n  y = Dense(x, units: )\n}\n") ==
        "t.ynet:2:23: error: unexpected `)`; expected a value\n"
        " 2 |   y = Dense(x, units: )\n"
        "   |                       ^\n");
}

TEST_CASE("unexpected character") {
  CHECK(diagnostics_of("model M {\n  y = $x\n}\n") ==
        "t.ynet:2:7: error: unexpected character `$`\n"
        " 2 |   y = $x\n"
        "   |       ^\n"
        "hint: names are letters, digits and `_`; comments start with `#` or `//`\n");
}

TEST_CASE("unterminated string") {
  CHECK(diagnostics_of("include \"common.ynet\nmodel M {}\n") ==
        "t.ynet:1:9: error: unterminated string\n"
        " 1 | include \"common.ynet\n"
        "   |         ^\n"
        "hint: a string ends with `\"` on the same line\n");
}

TEST_CASE("model items outside a model") {
  CHECK(diagnostics_of("input video = frames(rgb: 8)\nmodel M {}\n") ==
        "t.ynet:1:1: error: `input` is only allowed inside a model block\n"
        " 1 | input video = frames(rgb: 8)\n"
        "   | ^~~~~\n"
        "hint: write it between `model Name {` and `}`\n");
}

TEST_CASE("several errors in one run, in source order") {
  std::string out = diagnostics_of(model_with("  a = LTSM(video, hidden: 8)\n  b = Dropout(video, rate: 2)\n  c = Dense(vidoe, units: 5)\n"));
  CHECK(out.find("t.ynet:4:7: error: unknown layer `LTSM`") < out.find("t.ynet:5:28: error: `rate` must be"));
  CHECK(out.find("t.ynet:5:28: error: `rate` must be") < out.find("t.ynet:6:13: error: unknown tensor `vidoe`"));
}

TEST_CASE("empty file") {
  CHECK(diagnostics_of("") == "t.ynet:1:1: error: the spec declares no model\nhint: a spec holds `model Name { ... }`\n");
}

TEST_CASE("a literal too large for a double is an error, not an infinite learning rate") {
  const std::string model = model_with("  logits = Dense(FramePooling(video), units: 5)\n"
                                       "  loss SigmoidCrossEntropy(logits, target)\n  output Sigmoid(logits)\n");
  CHECK(diagnostics_of(model + "train { optimizer = SGD(lr: 1e400) }\n") ==
        "t.ynet:8:29: error: `1e400` is too large for a number (the largest is about 1.8e308)\n"
        " 8 | train { optimizer = SGD(lr: 1e400) }\n"
        "   |                             ^~~~~\n");
  CHECK(diagnostics_of("param lr = 1e999\n" + model) ==
        "t.ynet:1:12: error: `1e999` is too large for a number (the largest is about 1.8e308)\n"
        " 1 | param lr = 1e999\n"
        "   |            ^~~~~\n");
}

TEST_CASE("sizes past 64-bit arithmetic are reported at the layer that dominates") {
  const std::string text = "model M {\n"
                           "  input video = frames(rgb: 16777216, max_frames: 100000)\n"
                           "  labels target = multilabel(5)\n"
                           "  logits = Dense(FramePooling(video), units: 5)\n"
                           "  loss SigmoidCrossEntropy(logits, target)\n"
                           "  output Sigmoid(logits)\n"
                           "}\n"
                           "train { batch = 10000000 }\n";
  const std::string diagnostics = diagnostics_of(text);
  CHECK_MESSAGE(diagnostics.rfind("t.ynet:2:9: error: at batch 10000000 a training step needs about 175 EiB of memory, "
                                  "more than the 64 PiB limit of 64-bit size arithmetic; `video` alone needs",
                                  0) == 0,
                diagnostics);
  CHECK(diagnostics_of(text.substr(0, text.find("train {")) + "train { batch = 1 }\n").empty());
}
