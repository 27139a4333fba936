"""Metrics recomputed from `ynet predict` files, how predictions spread over the classes, and
paired bootstrap intervals for the difference between two models on the same videos.

Definitions follow docs/metrics.md (the YouTube-8M starter code): Hit@1, GAP over the pooled
per-video top-k, and the starter's mAP (per class, over that class's entries among the top-k
lists). Tied scores count with their expected precision over every order of the tie, as ynet
does; the prediction files round scores to 6 decimals, which makes more ties than ynet's floats
had, so the recomputed GAP can differ from ynet's in the last digits.
"""

import random


def read_predictions(path):
    """{video id: [(label, score), ...] best first} from a Kaggle-format predictions file."""
    rows = {}
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().strip()
        if header != "VideoId,LabelConfidencePairs":
            raise ValueError(f"{path}: unexpected header {header!r}")
        for line in handle:
            video_id, _, pairs = line.rstrip("\r\n").partition(",")
            fields = pairs.split()
            rows[video_id] = [(int(fields[i]), float(fields[i + 1])) for i in range(0, len(fields), 2)]
    return rows


def read_counts(path):
    """Label counts of the training files (`ynet stats --counts`): a list indexed by class."""
    counts = []
    with open(path, encoding="utf-8") as handle:
        if handle.readline().strip() != "class,count":
            raise ValueError(f"{path}: expected the header 'class,count'")
        for line in handle:
            label, count = line.strip().split(",")
            if int(label) != len(counts):
                raise ValueError(f"{path}: classes out of order at {label}")
            counts.append(int(count))
    return counts


class Scored:
    """One model's predictions joined with the ground truth, in the order of `video_ids`."""

    def __init__(self, predictions, truth, video_ids):
        missing = [v for v in video_ids if v not in predictions]
        if missing:
            raise ValueError(f"{len(missing)} videos have no prediction (first: {missing[0]})")
        self.top = [predictions[v] for v in video_ids]
        self.truth = [set(truth[v]) for v in video_ids]
        # (score, video, label, is_true), best first; the order inside a tie does not matter.
        self.entries = sorted(
            ((score, index, label, label in self.truth[index])
             for index, row in enumerate(self.top) for label, score in row),
            key=lambda entry: -entry[0])

    def hits(self):
        return [1 if row and row[0][0] in labels else 0 for row, labels in zip(self.top, self.truth)]

    def hit_at_1(self, weights=None):
        weights = weights or [1] * len(self.top)
        return sum(w * h for w, h in zip(weights, self.hits())) / sum(weights)

    def gap(self, weights=None):
        weights = weights or [1] * len(self.top)
        positives = sum(w * len(labels) for w, labels in zip(weights, self.truth))
        return _tie_averaged_ap(((e[0], weights[e[1]], e[3]) for e in self.entries), positives)

    def class_map(self, classes=None):
        """The starter's mAP, averaged over the classes (of `classes`, when given) with positives."""
        positives = {}
        for labels in self.truth:
            for label in labels:
                positives[label] = positives.get(label, 0) + 1
        wanted = [c for c in sorted(positives) if classes is None or c in classes]
        if not wanted:
            return None
        per_class = {c: [] for c in wanted}
        for score, _, label, is_true in self.entries:
            if label in per_class:
                per_class[label].append((score, 1, is_true))
        return sum(_tie_averaged_ap(per_class[c], positives[c]) for c in wanted) / len(wanted)

    def top1_spread(self, frequent):
        """Distinct classes among the top-1 predictions, and the share of them in `frequent`."""
        top1 = [row[0][0] for row in self.top if row]
        return len(set(top1)), sum(1 for label in top1 if label in frequent) / max(len(top1), 1)


def _tie_averaged_ap(entries, positives):
    """AP of (score, weight, is_true) entries sorted by score, descending; `weight` copies each.

    A group of n tied entries holding p positives, after `before` entries of which `hits` were
    positive, adds (p/n) * sum_{q=1..n} (hits + 1 + (q-1)(p-1)/(n-1)) / (before + q).
    """
    total = 0.0
    before = hits = 0
    group_score = None
    n = p = 0

    def close_group():
        if p == 0:
            return 0.0
        spread = (p - 1) / (n - 1) if n > 1 else 0.0
        return p / n * sum((hits + 1 + (q - 1) * spread) / (before + q) for q in range(1, n + 1))

    for score, weight, is_true in entries:
        if weight == 0:
            continue
        if score != group_score:
            total += close_group()
            before += n
            hits += p
            group_score, n, p = score, 0, 0
        n += weight
        p += weight if is_true else 0
    total += close_group()
    return total / positives if positives else 0.0


def paired_bootstrap(first, second, metric, resamples=200, seed=7):
    """95% interval of metric(second) - metric(first) over videos drawn with replacement.

    Both models see the same draws, so the interval measures the difference, not each model's own
    spread. `metric` is "hit_at_1" or "gap".
    """
    rng = random.Random(seed)
    count = len(first.top)
    differences = []
    for _ in range(resamples):
        weights = [0] * count
        for _ in range(count):
            weights[rng.randrange(count)] += 1
        differences.append(getattr(second, metric)(weights) - getattr(first, metric)(weights))
    differences.sort()
    return differences[int(0.025 * resamples)], differences[int(0.975 * resamples) - 1]
