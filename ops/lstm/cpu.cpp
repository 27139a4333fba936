#include "ops/lstm/cpu.h"

#include <algorithm>
#include <cstring>

namespace ynet::ops::lstm::cpu {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

constexpr memory::data_type f32 = memory::data_type::f32;

memory::desc data_desc(const LstmShape& s, int64_t channels) {
  // RNN data dims are always (t, n, c); the ntc tag stores them batch-major, as the plan does.
  return memory::desc({s.time, s.batch, channels}, f32, tag::ntc);
}

void zero(const memory& m) { std::memset(m.get_data_handle(), 0, m.get_desc().get_size()); }

float* data_of(const memory& m) { return static_cast<float*>(m.get_data_handle()); }

// The host loops between primitives read their results; dnnl::stream::wait() is not const.
void wait(const dnnl::stream& stream) {
  dnnl::error::wrap_c_api(dnnl_stream_wait(stream.get()), "could not wait on a stream");
}

}  // namespace

Kernel::Kernel(const LstmShape& shape, const dnnl::engine& engine) : shape_(shape), engine_(engine) {
  shape_.validate();
  const int64_t rows = shape_.rows();
  layers_.resize(static_cast<size_t>(shape_.layers));
  valid_.resize(static_cast<size_t>(rows));
  d_output_.resize(static_cast<size_t>(rows * shape_.hidden));
  d_lstm_.resize(static_cast<size_t>(rows * shape_.hidden));
  d_input_.resize(static_cast<size_t>(rows * shape_.hidden));
  for (int64_t l = 0; l < shape_.layers; ++l) build_layer(l);
}

void Kernel::build_layer(int64_t l) {
  Layer& layer = layers_[static_cast<size_t>(l)];
  const int64_t in = shape_.layer_input(l);
  const int64_t hidden = shape_.hidden;
  const memory::desc src_md = data_desc(shape_, in);
  const memory::desc dst_md = data_desc(shape_, hidden);
  const memory::desc w_any({1, 1, in, 4, hidden}, f32, tag::any);
  const memory::desc u_any({1, 1, hidden, 4, hidden}, f32, tag::any);
  const memory::desc bias_md({1, 1, 4, hidden}, f32, tag::ldgo);
  const memory::desc state_md({1, 1, shape_.batch, hidden}, f32, tag::ldnc);
  const memory::desc none;  // final states are not needed

  // The zero initial state is passed explicitly: with it left out, oneDNN 2.6's backward pass gives
  // wrong recurrent-weight gradients for a batch of one video of one step.
  const dnnl::lstm_forward::desc fwd_desc(dnnl::prop_kind::forward_training,
                                          dnnl::rnn_direction::unidirectional_left2right, src_md, state_md, state_md,
                                          w_any, u_any, bias_md, dst_md, none, none);
  const dnnl::lstm_forward::primitive_desc fwd_pd(fwd_desc, engine_);
  const dnnl::lstm_backward::desc bwd_desc(dnnl::prop_kind::backward, dnnl::rnn_direction::unidirectional_left2right,
                                           src_md, state_md, state_md, w_any, u_any, bias_md, dst_md, none, none,
                                           src_md, state_md, state_md, w_any, u_any, bias_md, dst_md, none, none);
  const dnnl::lstm_backward::primitive_desc bwd_pd(bwd_desc, engine_, fwd_pd);

  const memory::desc w_canonical({1, 1, in, 4, hidden}, f32, tag::ldigo);
  const memory::desc u_canonical({1, 1, hidden, 4, hidden}, f32, tag::ldigo);
  const auto make_weights = [&](const memory::desc& canonical_md, const memory::desc& chosen_md, bool into_chosen) {
    Weights w;
    w.canonical = dnnl_call::unbound_memory(canonical_md, engine_);
    if (chosen_md == canonical_md) {
      w.chosen = w.canonical;
      return w;
    }
    w.chosen = memory(chosen_md, engine_);
    w.needs_reorder = true;
    const memory& from = into_chosen ? w.canonical : w.chosen;
    const memory& to = into_chosen ? w.chosen : w.canonical;
    w.reorder = dnnl_call::Call(dnnl::reorder(from, to), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
    return w;
  };
  layer.w_fwd = make_weights(w_canonical, fwd_pd.weights_layer_desc(), true);
  layer.u_fwd = make_weights(u_canonical, fwd_pd.weights_iter_desc(), true);
  layer.w_bwd = make_weights(w_canonical, bwd_pd.weights_layer_desc(), true);
  layer.u_bwd = make_weights(u_canonical, bwd_pd.weights_iter_desc(), true);
  layer.dw = make_weights(w_canonical, bwd_pd.diff_weights_layer_desc(), false);
  layer.du = make_weights(u_canonical, bwd_pd.diff_weights_iter_desc(), false);

  layer.bias_with_forget.resize(static_cast<size_t>(4 * hidden));
  layer.bias = dnnl_call::unbound_memory(bias_md, engine_);
  dnnl_call::bind(layer.bias, layer.bias_with_forget.data());
  layer.diff_bias = dnnl_call::unbound_memory(bias_md, engine_);

  layer.zero_state = memory(state_md, engine_);
  zero(layer.zero_state);
  layer.diff_state = memory(state_md, engine_);
  layer.diff_state_c = memory(state_md, engine_);
  layer.src = dnnl_call::unbound_memory(src_md, engine_);
  if (l > 0) dnnl_call::bind(layer.src, layers_[static_cast<size_t>(l - 1)].output.data());
  if (l + 1 < shape_.layers) layer.output.resize(static_cast<size_t>(shape_.rows() * hidden));
  layer.dst = memory(dst_md, engine_);
  layer.workspace = memory(fwd_pd.workspace_desc(), engine_);
  layer.diff_dst = dnnl_call::unbound_memory(dst_md, engine_);
  dnnl_call::bind(layer.diff_dst, d_lstm_.data());
  layer.diff_src = dnnl_call::unbound_memory(src_md, engine_);
  if (l > 0) dnnl_call::bind(layer.diff_src, d_input_.data());

  layer.forward = dnnl_call::Call(dnnl::lstm_forward(fwd_pd), {{DNNL_ARG_SRC_LAYER, layer.src},
                                                               {DNNL_ARG_SRC_ITER, layer.zero_state},
                                                               {DNNL_ARG_SRC_ITER_C, layer.zero_state},
                                                               {DNNL_ARG_WEIGHTS_LAYER, layer.w_fwd.chosen},
                                                               {DNNL_ARG_WEIGHTS_ITER, layer.u_fwd.chosen},
                                                               {DNNL_ARG_BIAS, layer.bias},
                                                               {DNNL_ARG_DST_LAYER, layer.dst},
                                                               {DNNL_ARG_WORKSPACE, layer.workspace}});
  layer.backward = dnnl_call::Call(dnnl::lstm_backward(bwd_pd), {{DNNL_ARG_SRC_LAYER, layer.src},
                                                                 {DNNL_ARG_SRC_ITER, layer.zero_state},
                                                                 {DNNL_ARG_SRC_ITER_C, layer.zero_state},
                                                                 {DNNL_ARG_DIFF_SRC_ITER, layer.diff_state},
                                                                 {DNNL_ARG_DIFF_SRC_ITER_C, layer.diff_state_c},
                                                                 {DNNL_ARG_WEIGHTS_LAYER, layer.w_bwd.chosen},
                                                                 {DNNL_ARG_WEIGHTS_ITER, layer.u_bwd.chosen},
                                                                 {DNNL_ARG_BIAS, layer.bias},
                                                                 {DNNL_ARG_DST_LAYER, layer.dst},
                                                                 {DNNL_ARG_WORKSPACE, layer.workspace},
                                                                 {DNNL_ARG_DIFF_DST_LAYER, layer.diff_dst},
                                                                 {DNNL_ARG_DIFF_SRC_LAYER, layer.diff_src},
                                                                 {DNNL_ARG_DIFF_WEIGHTS_LAYER, layer.dw.chosen},
                                                                 {DNNL_ARG_DIFF_WEIGHTS_ITER, layer.du.chosen},
                                                                 {DNNL_ARG_DIFF_BIAS, layer.diff_bias}});
}

void Kernel::sync_params(std::span<const LayerParams<float>> params, const dnnl::stream& stream) {
  const int64_t hidden = shape_.hidden;
  for (int64_t l = 0; l < shape_.layers; ++l) {
    Layer& layer = layers_[static_cast<size_t>(l)];
    const LayerParams<float>& p = params[static_cast<size_t>(l)];
    std::copy(p.b, p.b + 4 * hidden, layer.bias_with_forget.begin());
    const auto forget_bias = static_cast<float>(shape_.forget_bias);
    for (int64_t j = hidden; j < 2 * hidden; ++j) layer.bias_with_forget[static_cast<size_t>(j)] += forget_bias;
    for (Weights* w : {&layer.w_fwd, &layer.w_bwd}) dnnl_call::bind(w->canonical, p.w);
    for (Weights* w : {&layer.u_fwd, &layer.u_bwd}) dnnl_call::bind(w->canonical, p.u);
    for (Weights* w : {&layer.w_fwd, &layer.u_fwd, &layer.w_bwd, &layer.u_bwd}) {
      if (w->needs_reorder) w->reorder.execute(stream);
    }
  }
  wait(stream);
}

void Kernel::apply_mask(int64_t l, const float* keep, const float* input, float* out) const {
  const int64_t hidden = shape_.hidden;
  const float* lstm_out = data_of(layers_[static_cast<size_t>(l)].dst);
  const float* keep_l = keep != nullptr ? keep + l * shape_.rows() * hidden : nullptr;
  const bool residual = shape_.residual_at(l);
#pragma omp parallel for
  for (int64_t row = 0; row < shape_.rows(); ++row) {
    float* o = out + row * hidden;
    if (valid_[static_cast<size_t>(row)] == 0) {
      std::fill(o, o + hidden, 0.0f);
      continue;
    }
    const float* a = lstm_out + row * hidden;
    for (int64_t j = 0; j < hidden; ++j) o[j] = keep_l != nullptr ? a[j] * keep_l[row * hidden + j] : a[j];
    if (residual) {
      const float* u = input + row * hidden;
      for (int64_t j = 0; j < hidden; ++j) o[j] += u[j];
    }
  }
}

void Kernel::forward(const float* x, const int32_t* lengths, const float* keep, float* y,
                      const dnnl::stream& stream) {
  for (int64_t b = 0; b < shape_.batch; ++b) {
    const int64_t length = std::clamp<int64_t>(lengths[b], 0, shape_.time);
    for (int64_t t = 0; t < shape_.time; ++t) valid_[static_cast<size_t>(b * shape_.time + t)] = t < length;
  }
  keep_ = keep;
  dnnl_call::bind(layers_[0].src, x);
  for (int64_t l = 0; l < shape_.layers; ++l) {
    Layer& layer = layers_[static_cast<size_t>(l)];
    layer.forward.execute(stream);
    wait(stream);
    const float* input = l == 0 ? x : layers_[static_cast<size_t>(l - 1)].output.data();
    apply_mask(l, keep, input, l + 1 < shape_.layers ? layer.output.data() : y);
  }
}

void Kernel::backward(const float* dy, float* dx, std::span<const LayerGrads<float>> grads,
                       const dnnl::stream& stream) {
  const int64_t hidden = shape_.hidden;
  const int64_t rows = shape_.rows();
  std::copy(dy, dy + rows * hidden, d_output_.begin());
  dnnl_call::bind(layers_[0].diff_src, dx);
  for (int64_t l = shape_.layers - 1; l >= 0; --l) {
    Layer& layer = layers_[static_cast<size_t>(l)];
    const LayerGrads<float>& g = grads[static_cast<size_t>(l)];
    const float* keep_l = keep_ != nullptr ? keep_ + l * rows * hidden : nullptr;
#pragma omp parallel for
    for (int64_t k = 0; k < rows * hidden; ++k) {
      const float d_r = valid_[static_cast<size_t>(k / hidden)] != 0 ? d_output_[static_cast<size_t>(k)] : 0.0f;
      d_lstm_[static_cast<size_t>(k)] = keep_l != nullptr ? d_r * keep_l[k] : d_r;
    }
    dnnl_call::bind(layer.dw.canonical, g.w);
    dnnl_call::bind(layer.du.canonical, g.u);
    dnnl_call::bind(layer.diff_bias, g.b);
    // oneDNN 2.x accumulates into the weight gradients instead of overwriting them.
    zero(layer.dw.chosen);
    zero(layer.du.chosen);
    zero(layer.diff_bias);
    layer.backward.execute(stream);
    if (layer.dw.needs_reorder) layer.dw.reorder.execute(stream);
    if (layer.du.needs_reorder) layer.du.reorder.execute(stream);
    wait(stream);
    float* d_in = data_of(layer.diff_src);
    if (shape_.residual_at(l)) {
#pragma omp parallel for
      for (int64_t k = 0; k < rows * hidden; ++k) {
        if (valid_[static_cast<size_t>(k / hidden)] != 0) d_in[k] += d_output_[static_cast<size_t>(k)];
      }
    }
    if (l > 0) std::copy(d_in, d_in + rows * hidden, d_output_.begin());
  }
}

}  // namespace ynet::ops::lstm::cpu
