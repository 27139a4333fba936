#pragma once
// BatchCollectives for tests: the ranks of a data-parallel batch as threads of one process. Every
// rank's sum() meets the others at a barrier, adds every rank's values in rank order (so every rank
// gets the same bits) and meets them again before anyone writes its result back.
#include <barrier>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <vector>

#include "ops/support/batch_collectives.h"

namespace ynet::test {

class ThreadCollectives {
 public:
  explicit ThreadCollectives(int ranks) : meeting_(ranks), published_(static_cast<size_t>(ranks)) {
    for (int r = 0; r < ranks; ++r) ranks_.push_back(std::make_unique<Rank>(*this, r));
  }

  // The collectives that rank r's steps call (from rank r's thread).
  runtime::BatchCollectives& rank(int r) { return *ranks_.at(static_cast<size_t>(r)); }
  // How many sums each rank has taken part in.
  int sums() const { return sums_; }

 private:
  struct Published {
    const double* values = nullptr;
    size_t count = 0;
  };

  class Rank final : public runtime::BatchCollectives {
   public:
    Rank(ThreadCollectives& all, int index) : all_(all), index_(index) {}
    void sum(double* values, size_t count) override {
      all_.published_[static_cast<size_t>(index_)] = {values, count};
      all_.meeting_.arrive_and_wait();
      total_.assign(count, 0.0);
      bool agreed = true;
      for (const Published& p : all_.published_) {
        agreed = agreed && p.count == count;
        for (size_t i = 0; agreed && i < count; ++i) total_[i] += p.values[i];
      }
      all_.meeting_.arrive_and_wait();
      if (!agreed) throw std::logic_error("ranks summed different counts of values");
      for (size_t i = 0; i < count; ++i) values[i] = total_[i];
      if (index_ == 0) ++all_.sums_;
    }

   private:
    ThreadCollectives& all_;
    int index_;
    std::vector<double> total_;
  };

  std::barrier<> meeting_;
  std::vector<Published> published_;
  std::vector<std::unique_ptr<Rank>> ranks_;
  int sums_ = 0;
};

}  // namespace ynet::test
