#include "runtime/train/data_parallel.h"

#include <fmt/format.h>

#include <stdexcept>

namespace ynet::train {

runtime::BatchSlice DataParallel::slice(int64_t local_batch) const {
  if (!distributed()) return {};
  return {local_batch * ranks(), local_batch * rank(), collectives_};
}

void DataParallel::share_state(const plan::Plan& plan, runtime::Backend& backend) const {
  if (!distributed()) return;
  auto share_value = [&](int value, const std::string& name) {
    float* data = backend.host_floats(value);
    if (data == nullptr)
      throw std::runtime_error(fmt::format("data-parallel training runs on the cpu backend; the {} backend keeps '{}' "
                                           "outside host memory",
                                           backend.name(), name));
    collectives_->broadcast(data, static_cast<size_t>(plan.graph.value(value).elements()) * sizeof(float), 0);
  };
  for (const ir::ParamEntry& p : plan.graph.params) {
    share_value(p.value, p.name);
    for (int s : p.state) share_value(s, plan.graph.value(s).name);
  }
  for (const ir::StateEntry& s : plan.graph.state)
    if (s.init != "derived") share_value(s.value, s.name);
}

void DataParallel::share(int64_t* values, size_t count) const {
  if (distributed()) collectives_->broadcast(values, count * sizeof(int64_t), 0);
}

void DataParallel::share(std::string& text) const {
  if (!distributed()) return;
  int64_t size = static_cast<int64_t>(text.size());
  share(&size, 1);
  text.resize(static_cast<size_t>(size));
  collectives_->broadcast(text.data(), text.size(), 0);
}

bool DataParallel::agree_to_stop(bool stop) const {
  if (!distributed()) return stop;
  double any = stop ? 1.0 : 0.0;
  collectives_->sum(&any, 1);
  return any > 0;
}

double DataParallel::mean(double value) const {
  if (!distributed()) return value;
  collectives_->sum(&value, 1);
  return value / ranks();
}

}  // namespace ynet::train
