"""results.md: the tables of report.py's results as Markdown."""


def _bytes(value):
    return f"{value / 2**30:.2f} GiB" if value >= 2**30 else f"{value / 2**20:.1f} MiB"


def _flops(value):
    for unit, scale in (("TFLOP", 1e12), ("GFLOP", 1e9), ("MFLOP", 1e6)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.0f} FLOP"


def _memory(row):
    if not row["workspace_bytes"]:
        return _bytes(row["arena_bytes"])
    return f"{_bytes(row['peak_train_bytes'])} ({_bytes(row['arena_bytes'])} + {_bytes(row['workspace_bytes'])})"


def _num(value, digits=4):
    return "—" if value is None else f"{value:.{digits}f}"


def _paper(row):
    info = row.get("paper")
    if not info:
        return "not in the paper"
    gap = "" if info["gap"] is None else f", GAP {info['gap']}"
    return f"{info['row']} ({info['table']}: Hit@1 {info['hit_at_1']}{gap})"


def _spec_table(specs, out):
    out.write("## Specs: size, cost and speed\n\n")
    out.write("Training plans at the spec's batch (the paper's, or the starter code's 1024). FLOPs per "
              "sample: forward + loss + backward, optimizer excluded. Peak training memory: the planned "
              "arena plus the kernels' workspace estimate. The paper gives no parameter counts.\n\n")
    out.write("| spec | paper row | batch | frames | parameters | FLOPs/sample | optimizer/step | "
              "peak train memory | CPU train samples/s (bench batch × frames) | train GFLOP/s | "
              "est. samples/s at the spec's frames |\n")
    out.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
    for row in specs:
        bench = row.get("bench")
        if bench:
            measured = f"{bench['train_samples_per_s']:.1f} ({bench['batch']} × {bench['frames']})"
            rate = f"{bench['train_gflops']:.1f}"
            estimate = (f"{bench['estimated_train_samples_per_s_at_spec_frames']:.2f}"
                        if bench["frames"] != row["max_frames"] else "(measured)")
        else:
            measured = f"failed: {row['bench_error']}" if "bench_error" in row else "not run"
            rate = estimate = "—"
        out.write(f"| `{row['spec']}` | {_paper(row)} | {row['batch']} | {row['max_frames']} | "
                  f"{row['parameters']:,} | {_flops(row['train_flops_per_sample'])} | "
                  f"{_flops(row['optimizer_flops_per_step'])} | {_memory(row)} | {measured} | {rate} | {estimate} |\n")
    out.write("\n")


def _experiment_table(title, rows, out):
    if not rows:
        return
    out.write(f"## {title}\n\n")
    out.write("| experiment | spec, settings | stands in for | Hit@1 | PERR | GAP | mAP | distinct top-1 classes | "
              "top-1 in 10 most frequent | order-pair accuracy | train samples/s | train s |\n")
    out.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for row in rows:
        pairs = row.get("order_pair_accuracy")
        pair_text = "—" if pairs is None else f"{pairs:.3f} ({row['order_pair_videos']} videos)"
        out.write(f"| {row['name']} | `{row['spec']}` {row['settings']} | {_paper(row)} | {_num(row['hit_at_1'])} | "
                  f"{_num(row['perr'])} | {_num(row['gap'])} | {_num(row['map'])} | {row['top1_distinct_classes']} | "
                  f"{row['top1_share_10_most_frequent']:.3f} | {pair_text} | {row['train_samples_per_s']:.1f} | "
                  f"{row['train_seconds']:.0f} |\n")
    out.write("\n")
    groups = sorted({(row["train"], row["eval"], row["eval_videos"]) for row in rows})
    for train, evaluation, videos in groups:
        out.write(f"- trained on `{train}`, evaluated on `{evaluation}` ({videos} videos)\n")
    out.write("\n")


def _cross_check(rows, out):
    if not rows:
        return
    worst = {metric: max(abs(row["recomputed"][metric] - row[metric]) for row in rows)
             for metric in ("hit_at_1", "gap", "map")}
    out.write("Cross-check: Hit@1, GAP and mAP recomputed from the `ynet predict` files and the records' labels "
              "by independent Python code (`bench/reproduce/predictions.py`) differ from `ynet eval` by at most "
              + ", ".join(f"{metric} {value:.1e}" for metric, value in worst.items())
              + " (the files round scores to 6 decimals).\n\n")


def _comparison_table(comparisons, out):
    out.write("| base → other | Hit@1 | Δ Hit@1 [95%] | GAP | Δ GAP [95%] | mAP | distinct top-1 | "
              "top-1 in 10 most frequent | order-pair accuracy |\n")
    out.write("|---|---|---|---|---|---|---|---|---|\n")
    for c in comparisons:
        cells = [f"{c['base']} → {c['other']}"]
        for metric in ("hit_at_1", "gap"):
            m = c[metric]
            low, high = m["interval_95"]
            cells.append(f"{m['base']:.4f} → {m['other']:.4f}")
            cells.append(f"{m['difference']:+.4f} [{low:+.4f}, {high:+.4f}] {m['verdict']}")
        for key, digits in (("map", 4), ("top1_distinct_classes", 0), ("top1_share_10_most_frequent", 3),
                            ("order_pair_accuracy", 3)):
            if key in c:
                cells.append(f"{c[key]['base']:.{digits}f} → {c[key]['other']:.{digits}f}")
            else:
                cells.append("—")
        out.write("| " + " | ".join(cells) + " |\n")
    out.write("\n")


def _claims(claims, out):
    out.write("## The paper's qualitative claims\n\n")
    for check in claims:
        out.write(f"### {check['paper']}: **{check['verdict']}**\n\nRule: {check['rule']}.\n\n")
        if not check["comparisons"]:
            out.write("No comparison was run.\n\n")
            continue
        _comparison_table(check["comparisons"], out)


def _learnable_pooling(check, out):
    if not check or not check["comparisons"]:
        return
    out.write("## Learnable pooling against BoF and the LSTM (beyond the paper)\n\n")
    out.write(f"Rule: {check['rule']}.\n\n")
    _comparison_table(check["comparisons"], out)


def write_markdown(results, out):
    out.write("# Reproduction results (bench/reproduce/run.sh)\n\n")
    if results["specs"]:
        _spec_table(results["specs"], out)
    synthetic = [row for row in results["experiments"] if row["group"] == "synthetic"]
    real = [row for row in results["experiments"] if row["group"] == "real"]
    _experiment_table("Synthetic data (ynet make-data)", synthetic, out)
    _experiment_table("Real data (../shared/data)", real, out)
    _cross_check(results["experiments"], out)
    _claims(results["claims"], out)
    _learnable_pooling(results.get("learnable_pooling"), out)
