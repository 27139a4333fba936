"""Collects what bench/reproduce/run.sh wrote into OUT_DIR and writes OUT_DIR/results.json and
OUT_DIR/results.md: the per-spec table (parameters, FLOPs, memory, samples/s), the reduced-scale
experiments beside the paper's numbers, and the paper's qualitative claims checked against them.

Usage (from the repository root, where the experiments' data globs resolve):
    python3 bench/reproduce/report.py OUT_DIR
"""

import glob
import json
import os
import re
import sys

import paper
import predictions
import records
from results_markdown import write_markdown

# docs/data.md: the generator's classes 20k+6 and 20k+7 show the same two events in opposite
# orders, so only a model that keeps time can tell them apart.
ORDER_PERIOD, ORDER_FIRST = 20, 6
MANIFEST_COLUMNS = ("name", "spec", "settings", "train", "eval", "counts", "train_log", "eval_json",
                    "predictions", "seconds")


def spec_rows(out_dir):
    rows = []
    for path in sorted(glob.glob(os.path.join(out_dir, "specs", "*.json"))):
        stem = os.path.basename(path)[:-len(".json")]
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
        batch = plan["batch"]
        flops = plan["flops"]
        memory = plan["memory"]
        row = {
            "spec": f"specs/{stem}.ynet",
            "model": plan["model"],
            "batch": batch,
            "max_frames": plan["max_frames"],
            "parameters": plan["parameters"]["trainable"],
            "forward_flops_per_sample": (flops["forward"] + flops["loss"]) / batch,
            "backward_flops_per_sample": flops["backward"] / batch,
            "optimizer_flops_per_step": flops["optimizer"],
            "arena_bytes": memory["arena_bytes"],
            "workspace_bytes": memory.get("workspace_bytes", 0),
            "has_lstm": any(step["op"] == "LSTM" for step in plan["steps"]),
        }
        row["train_flops_per_sample"] = row["forward_flops_per_sample"] + row["backward_flops_per_sample"]
        row["peak_train_bytes"] = row["arena_bytes"] + row["workspace_bytes"]
        if stem in paper.SPEC_ROWS:
            name, table, hit, gap, steps, paper_batch = paper.SPEC_ROWS[stem]
            row["paper"] = {"row": name, "table": table, "hit_at_1": hit, "gap": gap, "steps": steps,
                            "batch": paper_batch}
        bench = parse_bench(os.path.join(out_dir, "bench", stem + ".txt"))
        if bench and "error" not in bench:
            row["bench"] = bench
            # The bench may run fewer frames than the spec (LSTM specs); the FLOP rate it reached
            # over the spec's own FLOPs per sample estimates the full-length rate.
            row["bench"]["estimated_train_samples_per_s_at_spec_frames"] = (
                bench["train_gflops"] * 1e9 / (row["train_flops_per_sample"]
                                               + row["optimizer_flops_per_step"] / batch))
        elif bench:
            row["bench_error"] = bench["error"]
        rows.append(row)
    return rows


def parse_bench(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    header = re.search(r"on (\w+), batch (\d+), max_frames (\d+)", text)
    train = re.search(r"^\s*training\s+([\d.]+) samples/s\s+([\d.]+) GFLOP/s", text, re.M)
    infer = re.search(r"^\s*inference\s+([\d.]+) samples/s\s+([\d.]+) GFLOP/s", text, re.M)
    if not (header and train and infer):
        # A failed bench (e.g. an arena larger than the machine's memory) leaves its message.
        return {"error": text.strip().splitlines()[-1] if text.strip() else "no output"}
    return {"backend": header.group(1), "batch": int(header.group(2)), "frames": int(header.group(3)),
            "train_samples_per_s": float(train.group(1)), "train_gflops": float(train.group(2)),
            "infer_samples_per_s": float(infer.group(1)), "infer_gflops": float(infer.group(2))}


def read_manifest(out_dir, group):
    path = os.path.join(out_dir, group, "experiments.tsv")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [dict(zip(MANIFEST_COLUMNS, line.rstrip("\n").split("\t"))) for line in handle if line.strip()]


def order_pair_accuracy(scored, classes):
    """Over videos holding exactly one class of an order pair: how often it outscores its twin."""
    correct = total = 0
    pairs = [(c, c + 1) for c in range(ORDER_FIRST, classes - 1, ORDER_PERIOD)]
    for row, labels in zip(scored.top, scored.truth):
        scores = dict(row)
        for first, second in pairs:
            if (first in labels) != (second in labels):
                true, twin = (first, second) if first in labels else (second, first)
                total += 1
                correct += scores.get(true, 0.0) > scores.get(twin, 0.0)
    return (correct / total, total) if total else (None, 0)


def train_rate(log_path):
    with open(log_path, encoding="utf-8") as handle:
        match = re.search(r"^trained .* in ([\d.]+) s: ([\d.]+) samples/s", handle.read(), re.M)
    if not match:
        raise ValueError(f"{log_path}: no 'trained ...' line (did training finish?)")
    return float(match.group(1)), float(match.group(2))


def experiment_rows(out_dir, group, scored_by_name):
    rows = []
    truth_cache = {}
    for entry in read_manifest(out_dir, group):
        with open(os.path.join(out_dir, entry["eval_json"]), encoding="utf-8") as handle:
            metrics = json.load(handle)
        if entry["eval"] not in truth_cache:
            truth_cache[entry["eval"]] = records.read_labels(entry["eval"])
        truth = truth_cache[entry["eval"]]
        scored = predictions.Scored(predictions.read_predictions(os.path.join(out_dir, entry["predictions"])),
                                    truth, sorted(truth))
        scored_by_name[entry["name"]] = scored
        counts = predictions.read_counts(os.path.join(out_dir, entry["counts"]))
        frequent = set(sorted(range(len(counts)), key=lambda c: (-counts[c], c))[:10])
        distinct, top10_share = scored.top1_spread(frequent)
        seconds, rate = train_rate(os.path.join(out_dir, entry["train_log"]))
        row = {
            "group": group, "name": entry["name"], "spec": entry["spec"], "settings": entry["settings"],
            "train": entry["train"], "eval": entry["eval"], "eval_videos": metrics["videos"],
            "hit_at_1": metrics["hit_at_1"], "perr": metrics["perr"], "gap": metrics["gap"], "map": metrics["map"],
            "train_seconds": seconds, "train_samples_per_s": rate, "wall_seconds": float(entry["seconds"]),
            "top1_distinct_classes": distinct, "top1_share_10_most_frequent": top10_share,
            "recomputed": {"hit_at_1": scored.hit_at_1(), "gap": scored.gap(), "map": scored.class_map()},
        }
        if group == "synthetic":
            accuracy, pairs = order_pair_accuracy(scored, len(counts))
            row["order_pair_accuracy"] = accuracy
            row["order_pair_videos"] = pairs
        if entry["name"] in paper.EXPERIMENT_ROWS:
            stem = paper.EXPERIMENT_ROWS[entry["name"]]
            name, table, hit, gap, _, _ = paper.SPEC_ROWS[stem]
            row["paper"] = {"row": name, "table": table, "hit_at_1": hit, "gap": gap}
        rows.append(row)
    return rows


def compare(scored, experiments, base, other):
    """other - base on the same videos, with paired bootstrap intervals; None if either is missing."""
    if base not in scored or other not in scored:
        return None
    by_name = {row["name"]: row for row in experiments}
    result = {"base": base, "other": other}
    for metric in ("hit_at_1", "gap"):
        low, high = predictions.paired_bootstrap(scored[base], scored[other], metric)
        result[metric] = {"base": by_name[base][metric], "other": by_name[other][metric],
                          "difference": by_name[other][metric] - by_name[base][metric], "interval_95": [low, high],
                          "verdict": "higher" if low > 0 else "lower" if high < 0 else "no clear difference"}
    for key in ("map", "top1_distinct_classes", "top1_share_10_most_frequent", "order_pair_accuracy"):
        if by_name[base].get(key) is not None and by_name[other].get(key) is not None:
            result[key] = {"base": by_name[base][key], "other": by_name[other][key]}
    return result


def comparisons(scored, experiments, *names):
    """compare() of each (base, other) pair that was run."""
    return [c for c in (compare(scored, experiments, b, o) for b, o in names) if c]


# Learnable pooling (the YouTube-8M winners' NetVLAD and NeXtVLAD, beyond the paper) against the
# paper's frame pooling and LSTM at the same training budget, on the same videos.
POOLING_PAIRS = [
    ("bof_small", "netvlad_small"), ("lstm_small", "netvlad_small"),
    ("bof_small", "nextvlad_small"), ("lstm_small", "nextvlad_small"),
    ("audioset_bof", "audioset_netvlad"), ("audioset_lstm", "audioset_netvlad"),
    ("audioset_bof", "audioset_nextvlad"), ("audioset_lstm", "audioset_nextvlad"),
]


def pooling_checks(scored, experiments):
    """Whether learnable pooling beats BoF and the LSTM, by the rule of the claims."""
    found = comparisons(scored, experiments, *POOLING_PAIRS)
    return {"comparisons": found,
            "rule": "beats where its GAP is higher with a 95% interval above 0, loses where lower with an "
                    "interval below 0",
            "verdicts": {f"{c['other']} vs {c['base']}": c["gap"]["verdict"] for c in found}}


def claim_checks(scored, experiments):
    """Each claim's comparisons and a verdict by a fixed rule (stated in `rule`)."""
    def pairs(*names):
        return comparisons(scored, experiments, *names)

    checks = []
    lstm = pairs(("bof_small", "lstm_small"), ("bof_small", "lstm_moe_small"), ("audioset_bof", "audioset_lstm"))
    checks.append({"claim": "lstm_beats_pooling", "comparisons": lstm,
                   "rule": "holds where the LSTM's GAP is higher with a 95% interval above 0",
                   "verdict": verdict([c["gap"]["verdict"] == "higher" for c in lstm])})
    skip = pairs(("lstm_small_skip0", "lstm_small"), ("bof_small_skip0", "bof_small"))
    checks.append({"claim": "skip_frames_helps", "comparisons": skip,
                   "rule": "holds where skipping 20 frames gives a higher GAP with a 95% interval above 0",
                   "verdict": verdict([c["gap"]["verdict"] == "higher" for c in skip])})
    balanced = pairs(("lstm_small", "lstm_small_bal"))
    spread = [c["top1_distinct_classes"]["other"] > c["top1_distinct_classes"]["base"]
              and c["top1_share_10_most_frequent"]["other"] < c["top1_share_10_most_frequent"]["base"]
              for c in balanced]
    cost = ["lower" in (c["hit_at_1"]["verdict"], c["gap"]["verdict"]) for c in balanced]
    checks.append({"claim": "balanced_spreads", "comparisons": balanced,
                   "rule": "holds where the balanced loss gives more distinct top-1 classes, a smaller share "
                           "of top-1 predictions in the 10 most frequent classes, and a lower Hit@1 or GAP "
                           "(95% interval below 0)",
                   "verdict": verdict([s and c for s, c in zip(spread, cost)])})
    for check in checks:
        check["paper"] = paper.CLAIMS[check["claim"]]
    return checks


def verdict(outcomes):
    if not outcomes:
        return "not run"
    if all(outcomes):
        return "holds"
    return "does not hold" if not any(outcomes) else "holds in part"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py OUT_DIR")
    out_dir = sys.argv[1]
    scored = {}
    results = {"specs": spec_rows(out_dir), "experiments": []}
    for group in ("synthetic", "real"):
        results["experiments"] += experiment_rows(out_dir, group, scored)
    results["claims"] = claim_checks(scored, results["experiments"])
    results["learnable_pooling"] = pooling_checks(scored, results["experiments"])
    with open(os.path.join(out_dir, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
        handle.write("\n")
    with open(os.path.join(out_dir, "results.md"), "w", encoding="utf-8") as handle:
        write_markdown(results, handle)


if __name__ == "__main__":
    main()
