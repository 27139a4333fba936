"""Training parity: the same spec trained by ynet and by an independent PyTorch model, GAP per seed.

For examples/audioset_lstm.ynet, examples/audioset_bof.ynet and examples/lstm_small.ynet this
script builds the model in plain PyTorch from the spec's semantics (docs/language.md), reads the
same tfrecords (tfrecord.py, no TensorFlow), trains with the spec's train block (batch, Adam,
StepDecay, per-tensor gradient clipping, steps) and evaluates GAP on the held-out data; it runs
`ynet train` on the same data with the same seeds; and it prints GAP per seed, the means and their
difference with a 95% interval. The seeds are not shared between the frameworks (their random
numbers differ), so only means over seeds compare.

What the PyTorch side does, as the spec language defines it:
- frames dequantized as the starter code does (q * 4/255 - 1.9921875), frames past a video's
  length are exact zeros; `skip_frames` then `max_frames` as ynet reads them (docs/data.md);
- BatchNorm: training statistics over the batch and, for sequences, over the valid frames only
  (`--bn-stats all` takes padded frames too); the moving averages (momentum 0.99, biased batch
  variance) are used for evaluation; epsilon 1e-3;
- LSTM: gates i, f, g, o; one trainable bias per gate and forget bias 1 added to f; Glorot-uniform
  input kernels, orthogonal recurrent blocks per gate, zero biases; dropout (a new mask per frame
  and unit) on every layer's output, the last one's included, not on the recurrent state;
  outputs past a video's length are zero;
- TimeWeightedSum(linear): sum over the valid frames of (t / max_frames) h_t, t = 1..T;
- FramePooling(max) over the valid frames; Dropout as inverted dropout; Dense kernels
  Glorot-uniform, biases zero;
- loss: sigmoid cross-entropy summed over classes, averaged over the batch;
- per-tensor clipping (`clip_norm`, default 1): each parameter's gradient (LSTM: the input kernel
  [4H, F], the recurrent kernel [4H, H] and the bias [4H] of each layer, the four gates together,
  as ynet groups them) scaled to norm clip_norm when larger;
- Adam as ynet computes it (TensorFlow's form: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
  w -= lr_t m / (sqrt(v) + eps)); StepDecay: lr * factor^floor(samples before the step / every);
- data order: a uniform permutation of the training records per epoch, batches running across
  epoch boundaries (ynet's Dataset with ShuffleMode::kPermutation and drop_remainder).

GAP is computed here (top 20 per video, pooled, recall over every (video, label) pair;
docs/metrics.md) and checked on the hand-checked example of docs/metrics.md at start.

    /usr/bin/python3 bench/pytorch/parity.py audioset_lstm --seeds 1,2,3 --ynet build/cli/ynet
    /usr/bin/python3 bench/pytorch/parity.py lstm_small --seeds 1,2,3 --data-dir /tmp/synthetic
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfrecord  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AUDIOSET = os.path.join(os.path.dirname(ROOT), "shared", "data", "audioset_v1")

# Each experiment: the spec, its input (feature lists, id key, classes, max_frames, skip_frames),
# the model (built below from these), and where its data are. The train block (batch, lr,
# schedule, steps, clip_norm) is read from the spec through `ynet compile --emit json`.
EXPERIMENTS = {
    "audioset_lstm": dict(spec="examples/audioset_lstm.ynet", features=[("audio_embedding", 128)], id_key="video_id",
                          classes=527, max_frames=10, skip_frames=0,
                          model=dict(kind="lstm", hidden=256, layers=2, dropout=0.4), data="audioset"),
    "audioset_bof": dict(spec="examples/audioset_bof.ynet", features=[("audio_embedding", 128)], id_key="video_id",
                         classes=527, max_frames=10, skip_frames=0, model=dict(kind="bof", fc=512, dropout=0.3),
                         data="audioset"),
    "lstm_small": dict(spec="examples/lstm_small.ynet", features=[("rgb", 1024), ("audio", 128)], id_key="id",
                       classes=50, max_frames=30, skip_frames=20,
                       model=dict(kind="lstm", hidden=64, layers=2, dropout=0.4), data="synthetic"),
}

BN_EPSILON = 1e-3
BN_MOMENTUM = 0.99


# ----------------------------------------------------------------------------------------------
# Metrics

def gap(scores, labels, top_k=20):
    """Global average precision (docs/metrics.md): scores [N, C], labels a list of label lists."""
    k = min(top_k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    top_scores = np.take_along_axis(scores, top, axis=1)
    truth = np.zeros_like(top_scores, dtype=bool)
    for n, video_labels in enumerate(labels):
        if video_labels:
            truth[n] = np.isin(top[n], video_labels)
    positives = sum(len(set(v)) for v in labels)
    order = np.argsort(-top_scores.ravel(), kind="stable")
    hits = truth.ravel()[order]
    precision = np.cumsum(hits) / np.arange(1, hits.size + 1)
    return float(np.sum(precision * hits) / max(positives, 1))


def check_gap():
    scores = np.array([[.9, .8, .1, .05], [.2, .7, .6, .3], [.4, .1, .3, .95]])
    value = gap(scores, [[0, 2], [2], [1]], top_k=2)
    assert abs(value - 0.225) < 1e-12, value


# ----------------------------------------------------------------------------------------------
# The model

class MaskedBatchNorm(nn.Module):
    """BatchNorm of the last axis; training statistics over the rows `valid` selects (all rows when
    None); moving averages with momentum 0.99 of the biased batch variance, as ynet keeps them."""

    def __init__(self, features):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(features))
        self.beta = nn.Parameter(torch.zeros(features))
        self.register_buffer("moving_mean", torch.zeros(features))
        self.register_buffer("moving_variance", torch.ones(features))

    def forward(self, x, valid=None):
        if self.training:
            rows = x.reshape(-1, x.shape[-1]) if valid is None else x[valid]
            mean = rows.mean(0)
            variance = ((rows - mean) ** 2).mean(0)
            with torch.no_grad():
                self.moving_mean.mul_(BN_MOMENTUM).add_((1 - BN_MOMENTUM) * mean)
                self.moving_variance.mul_(BN_MOMENTUM).add_((1 - BN_MOMENTUM) * variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return self.gamma * (x - mean) / torch.sqrt(variance + BN_EPSILON) + self.beta


def glorot(weight):
    nn.init.xavier_uniform_(weight)
    return weight


class LSTMModel(nn.Module):
    """BatchNorm(frames) -> LSTM(hidden, layers, dropout) -> TimeWeightedSum(linear) -> Dense."""

    def __init__(self, features, classes, max_frames, hidden, layers, dropout, bn_stats):
        super().__init__()
        self.max_frames, self.bn_stats = max_frames, bn_stats
        self.norm = MaskedBatchNorm(features)
        self.cells = nn.ModuleList()
        for layer in range(layers):
            cell = nn.LSTM(features if layer == 0 else hidden, hidden, batch_first=True)
            glorot(cell.weight_ih_l0)
            for gate in range(4):
                nn.init.orthogonal_(cell.weight_hh_l0.data[gate * hidden:(gate + 1) * hidden])
            nn.init.zeros_(cell.bias_ih_l0)
            with torch.no_grad():
                cell.bias_hh_l0.zero_()
                cell.bias_hh_l0[hidden:2 * hidden] = 1.0  # the forget bias, a constant
            cell.bias_hh_l0.requires_grad_(False)
            self.cells.append(cell)
        self.dropout = nn.Dropout(dropout)
        self.logits = nn.Linear(hidden, classes)
        glorot(self.logits.weight)
        nn.init.zeros_(self.logits.bias)

    def forward(self, x, valid):
        h = self.norm(x, valid if self.bn_stats == "valid" else None)
        mask = valid[..., None].to(h.dtype)
        for cell in self.cells:
            out, _ = cell(h)
            h = self.dropout(out) * mask
        weights = torch.arange(1, h.shape[1] + 1, dtype=h.dtype) / self.max_frames
        return self.logits(torch.einsum("bth,t->bh", h, weights))


class BoFModel(nn.Module):
    """BatchNorm -> Dropout -> FramePooling(max) -> 2 x (Dense no bias -> BatchNorm -> Relu), the
    first followed by Dropout -> Dense."""

    def __init__(self, features, classes, fc, dropout, bn_stats):
        super().__init__()
        self.bn_stats = bn_stats
        self.norm0 = MaskedBatchNorm(features)
        self.dropout = nn.Dropout(dropout)
        self.fc1 = glorot(nn.Linear(features, fc, bias=False).weight)
        self.norm1 = MaskedBatchNorm(fc)
        self.fc2 = glorot(nn.Linear(fc, fc, bias=False).weight)
        self.norm2 = MaskedBatchNorm(fc)
        self.logits = nn.Linear(fc, classes)
        glorot(self.logits.weight)
        nn.init.zeros_(self.logits.bias)

    def forward(self, x, valid):
        h = self.dropout(self.norm0(x, valid if self.bn_stats == "valid" else None))
        pooled = h.masked_fill(~valid[..., None], float("-inf")).amax(dim=1)
        h = self.dropout(torch.relu(self.norm1(pooled @ self.fc1.t())))
        h = torch.relu(self.norm2(h @ self.fc2.t()))
        return self.logits(h)


def build_model(experiment, bn_stats):
    m = experiment["model"]
    features = sum(size for _, size in experiment["features"])
    if m["kind"] == "lstm":
        return LSTMModel(features, experiment["classes"], experiment["max_frames"], m["hidden"], m["layers"],
                         m["dropout"], bn_stats)
    return BoFModel(features, experiment["classes"], m["fc"], m["dropout"], bn_stats)


# ----------------------------------------------------------------------------------------------
# Training and evaluation in PyTorch

def batch_tensors(data, rows):
    q = data.frames[rows]
    valid = np.arange(q.shape[1])[None, :] < data.lengths[rows][:, None]
    x = tfrecord.dequantize(q) * valid[..., None]
    return torch.from_numpy(x), torch.from_numpy(valid), torch.from_numpy(data.dense_labels(rows))


class Adam:
    """Adam as ynet's kernel computes it (ops/optim/adam): TensorFlow's form of the bias correction."""

    def __init__(self, params, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.params = list(params)
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    @torch.no_grad()
    def step(self, lr):
        self.t += 1
        lr_t = lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m.mul_(self.beta1).add_(g, alpha=1 - self.beta1)
            v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            p.sub_(lr_t * m / (v.sqrt() + self.epsilon))


def train_torch(experiment, train, valid, settings, seed, bn_stats, threads):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    model = build_model(experiment, bn_stats)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = Adam(params, **settings["adam"])
    batch, steps = settings["batch"], settings["steps"]
    order, cursor = rng.permutation(len(train)), 0
    clip = settings["clip_norm"]
    start = time.time()
    model.train()
    for step in range(steps):
        rows = []
        while len(rows) < batch:  # batches run across epoch boundaries
            take = min(batch - len(rows), len(order) - cursor)
            rows.extend(order[cursor:cursor + take])
            cursor += take
            if cursor == len(order):
                order, cursor = rng.permutation(len(train)), 0
        x, mask, y = batch_tensors(train, np.asarray(rows))
        logits = model(x, mask)
        loss = nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="sum") / batch
        for p in params:
            p.grad = None
        loss.backward()
        if clip > 0:
            with torch.no_grad():
                for p in params:  # per tensor, as the starter code and ynet's default clip
                    norm = p.grad.norm()
                    if norm > clip:
                        p.grad.mul_(clip / norm)
        samples = step * batch
        lr = settings["lr"] * settings["factor"] ** math.floor(samples / settings["every"]) if settings["every"] else \
            settings["lr"]
        optimizer.step(lr)
    seconds = time.time() - start
    model.eval()
    scores = []
    with torch.no_grad():
        for begin in range(0, len(valid), 512):
            x, mask, _ = batch_tensors(valid, np.arange(begin, min(begin + 512, len(valid))))
            scores.append(torch.sigmoid(model(x, mask)).numpy())
    return gap(np.concatenate(scores), valid.labels), seconds, float(loss)


# ----------------------------------------------------------------------------------------------
# ynet

def train_block(ynet, spec):
    """batch, steps, Adam's settings, the schedule and clip_norm, from the compiled plan."""
    out = subprocess.run([ynet, "compile", spec, "--emit", "json"], capture_output=True, text=True, check=True).stdout
    plan = json.loads(out)
    optimizer, schedule = plan["optimizer"], plan["schedule"]
    if optimizer["name"] != "Adam":
        raise SystemExit(f"{spec}: the parity model implements Adam only, the spec uses {optimizer['name']}")
    if schedule["name"] not in ("StepDecay", "Constant"):
        raise SystemExit(f"{spec}: the parity model has the schedules StepDecay and Constant, the spec uses {schedule['name']}")
    if optimizer.get("clip", "per_tensor") != "per_tensor":
        raise SystemExit(f"{spec}: the parity model clips per tensor only, the spec asks for {optimizer['clip']}")
    a, s = optimizer["args"], schedule.get("args", {})
    return dict(batch=int(plan["batch"]), steps=int(plan["train_steps"]), lr=float(a["lr"]),
                adam=dict(beta1=float(a["beta1"]), beta2=float(a["beta2"]), epsilon=float(a["epsilon"])),
                every=float(s.get("every", 0)), factor=float(s.get("factor", 1.0)),
                clip_norm=float(optimizer.get("clip_norm", 0)))


EVAL_LINE = re.compile(r"^eval at step (\d+): .*GAP ([0-9.]+)")
TRAINED_LINE = re.compile(r"^trained .* in ([0-9.]+) s")


def train_ynet(ynet, spec, train_glob, valid_glob, seed, steps, threads, out_dir, extra):
    command = [ynet, "train", spec, "--train", train_glob, "--valid", valid_glob, "--out", out_dir, "--force",
               "--seed", str(seed), "--eval-every", str(steps), "--threads", str(threads)] + extra
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    gap_value = seconds = None
    for line in result.stdout.splitlines():
        if m := EVAL_LINE.match(line):
            gap_value = float(m.group(2))
        if m := TRAINED_LINE.match(line):
            seconds = float(m.group(1))
    if gap_value is None:
        raise SystemExit(f"no evaluation in the output of {' '.join(command)}:\n{result.stdout}")
    return gap_value, seconds


# ----------------------------------------------------------------------------------------------

def data_paths(experiment, args):
    if experiment["data"] == "audioset":
        base = args.data_dir or AUDIOSET
        return (os.path.join(base, "bal_train-0000[0-2]-of-00004.tfrecord"),
                os.path.join(base, "bal_train-00003-of-00004.tfrecord"))
    base = args.data_dir or os.path.join(tempfile.gettempdir(), "ynet-parity-synthetic")
    if not os.path.exists(os.path.join(base, "train0000.tfrecord")):
        # The demo's data set (scripts/demo.sh).
        subprocess.run([args.ynet, "make-data", "--out", base, "--videos", "20000", "--classes", "50", "--frames",
                        "40:90", "--shards", "4", "--seed", "7"], check=True)
    return os.path.join(base, "train*.tfrecord"), os.path.join(base, "valid*.tfrecord")


# Two-sided 95% quantiles of Student's t by degrees of freedom.
T_975 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
         2.042]


def interval(a, b):
    """Mean difference b - a and the half width of its 95% interval: Welch's standard error with the
    t quantile of the smaller group's n - 1 degrees of freedom (conservative; no scipy here)."""
    if len(a) < 2 or len(b) < 2:
        return statistics.mean(b) - statistics.mean(a), float("nan")
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    df = min(len(a), len(b)) - 1
    return statistics.mean(b) - statistics.mean(a), (T_975[df] if df < len(T_975) else 1.96) * se


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("experiment", choices=sorted(EXPERIMENTS))
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--ynet", default=os.path.join(ROOT, "build", "cli", "ynet"))
    parser.add_argument("--frameworks", default="ynet,torch", help="ynet, torch or both (comma-separated)")
    parser.add_argument("--data-dir", help="AudioSet shards or the synthetic set (made when missing)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="ynet's compute threads")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="PyTorch's threads (1: on a busy machine its OpenMP team waits for cores)")
    parser.add_argument("--bn-stats", choices=["valid", "all"], default="valid",
                        help="PyTorch BatchNorm statistics over the valid frames (the spec) or all frames")
    parser.add_argument("--ynet-arg", action="append", default=[], help="an extra argument for `ynet train`")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "ynet-parity-runs"))
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    check_gap()
    experiment = EXPERIMENTS[args.experiment]
    spec = os.path.join(ROOT, experiment["spec"])
    seeds = [int(s) for s in args.seeds.split(",")]
    frameworks = args.frameworks.split(",")
    settings = train_block(args.ynet, spec)
    train_glob, valid_glob = data_paths(experiment, args)
    print(f"{args.experiment}: batch {settings['batch']}, {settings['steps']} steps, Adam lr {settings['lr']}, "
          f"StepDecay every {settings['every']:.0f} samples x{settings['factor']}, clip_norm {settings['clip_norm']}; "
          f"train {train_glob}, evaluate {valid_glob}", flush=True)
    results = {"experiment": args.experiment, "settings": settings, "seeds": seeds, "ynet": {}, "torch": {}}
    if "torch" in frameworks:
        kw = dict(feature_lists=experiment["features"], classes=experiment["classes"],
                  max_frames=experiment["max_frames"], skip_frames=experiment["skip_frames"],
                  id_key=experiment["id_key"])
        t0 = time.time()
        train = tfrecord.FrameData(train_glob, **kw)
        valid = tfrecord.FrameData(valid_glob, **kw)
        print(f"read {len(train)} training and {len(valid)} evaluation videos in {time.time() - t0:.1f} s", flush=True)
    for seed in seeds:
        if "ynet" in frameworks:
            g, s = train_ynet(args.ynet, spec, train_glob, valid_glob, seed, settings["steps"], args.threads,
                              os.path.join(args.out, f"{args.experiment}-{seed}"), args.ynet_arg)
            results["ynet"][seed] = {"gap": g, "train_seconds": s}
            print(f"seed {seed}: ynet    GAP {g:.4f}  ({s:.1f} s training)", flush=True)
        if "torch" in frameworks:
            g, s, last_loss = train_torch(experiment, train, valid, settings, seed, args.bn_stats, args.torch_threads)
            results["torch"][seed] = {"gap": g, "train_seconds": s, "last_loss": last_loss}
            print(f"seed {seed}: PyTorch GAP {g:.4f}  ({s:.1f} s training, last loss {last_loss:.3f})", flush=True)
    print(f"\n{args.experiment}, GAP on {valid_glob}")
    print(f"{'seed':>6} {'ynet':>8} {'PyTorch':>8}")
    for seed in seeds:
        y = results["ynet"].get(seed, {}).get("gap")
        t = results["torch"].get(seed, {}).get("gap")
        print(f"{seed:>6} {y if y is not None else float('nan'):8.4f} {t if t is not None else float('nan'):8.4f}")
    ys = [r["gap"] for r in results["ynet"].values()]
    ts = [r["gap"] for r in results["torch"].values()]
    if ys and ts:
        print(f"{'mean':>6} {statistics.mean(ys):8.4f} {statistics.mean(ts):8.4f}")
        diff, half = interval(ts, ys)
        print(f"ynet - PyTorch: {diff:+.4f} (95% interval +-{half:.4f}, Welch, t with {min(len(ys), len(ts)) - 1} df)")
        results["difference"] = {"ynet_minus_torch": diff, "half_width_95": half}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
