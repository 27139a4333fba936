#!/usr/bin/python3
"""ynet against PyTorch on the paper's three models and WILLOW's Gated NetVLAD: same shapes, same random-input recipe, same
thread count, one framework after the other; prints training and inference samples/s and their
ratio (ynet / PyTorch: above 1, ynet is faster).

  /usr/bin/python3 bench/pytorch/compare.py [--models BoF_4096 ...] [--batch N] [--frames N]
      [--lstm-frames N] [--steps N] [--warmup N] [--threads N] [--device cpu|cuda] [--backend cpu|cuda]
      [--precision fp32|tf32] [--sequences packed|padded] [--rounds N] [--ynet PATH] [--json FILE] [--smoke]

Needs Debian's python3-torch and libopenblas0-pthread (with the reference BLAS PyTorch's CPU
matmuls are about 35 times slower). See docs/runtime.md, "Compared with PyTorch".
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time
from pathlib import Path

import ynet_runner

ROOT = Path(__file__).resolve().parents[2]
MODEL_NAMES = ["BoF_4096", "Simple_LSTM_2048", "LSTM_MoE_512", "Gated_NetVLAD"]
SEQUENCE_MODELS = {"Simple_LSTM_2048", "LSTM_MoE_512"}
# A step of Simple_LSTM_2048 at the paper's 90 frames and batch 256 takes minutes on a small CPU:
# the LSTM models run 20 frames there unless told otherwise.
CPU_LSTM_FRAMES = 20
LEARNING_RATE = 1e-6  # as `ynet bench`: small, so that the timing does not depend on the weights drifting
INSTALL_HINT = ("PyTorch is missing: apt-get install -y python3-torch libopenblas0-pthread, "
                "then run this script with /usr/bin/python3 (Debian's Python).")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", nargs="+", choices=MODEL_NAMES, default=MODEL_NAMES)
    p.add_argument("--batch", type=int, help="batch size for every model (default: the paper's: 512, 256, 128)")
    p.add_argument("--frames", type=int, help="max_frames for every model (default: the spec's)")
    p.add_argument("--lstm-frames", type=int,
                   help=f"max_frames for the LSTM models (default: --frames, else {CPU_LSTM_FRAMES} with --device cpu"
                   " and the spec's with cuda)")
    p.add_argument("--steps", type=int, help="timed steps (median reported; default: 2 on cpu, 10 on cuda)")
    p.add_argument("--warmup", type=int, help="untimed steps first (default: 1 on cpu, 3 on cuda)")
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                   help="threads for both frameworks (default: every core)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="PyTorch's device")
    p.add_argument("--backend", choices=["cpu", "cuda"], help="ynet's backend (default: --device)")
    p.add_argument("--precision", choices=["fp32", "tf32"],
                   help="CUDA matmul precision for both (default tf32, ynet's; PyTorch's allow_tf32 flags follow)")
    p.add_argument("--sequences", choices=["packed", "padded"],
                   help="PyTorch's LSTM input: packed (no work on padded frames) or padded (every frame, as ynet"
                   " does); default: the faster, padded on cpu, packed on cuda")
    p.add_argument("--rounds", type=int, default=1, help="alternate ynet and PyTorch this many times per model")
    p.add_argument("--ynet", default=str(ROOT / "build" / "cli" / "ynet"), help="the ynet binary")
    p.add_argument("--json", help="write the results to this file")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="batch 2, frames 5, 2 steps: checks that everything runs")
    args = p.parse_args(argv)
    if args.smoke:
        args.batch, args.frames, args.lstm_frames, args.steps, args.warmup = 2, 5, 5, 2, 1
    on_gpu = args.device == "cuda"
    args.steps = args.steps if args.steps is not None else (10 if on_gpu else 2)
    args.warmup = args.warmup if args.warmup is not None else (3 if on_gpu else 1)
    for flag in ("batch", "frames", "lstm_frames", "steps", "threads", "rounds"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            p.error(f"--{flag.replace('_', '-')} must be at least 1, got {value}")
    if args.warmup < 0:
        p.error(f"--warmup must not be negative, got {args.warmup}")
    args.backend = args.backend or args.device
    # PyTorch 1.13's CPU LSTM trains faster padded than packed (its packed backward runs batches that
    # shrink step by step: measured 11.7 against 7.1 samples/s on Simple_LSTM_2048), while cuDNN
    # skips padded frames at little cost: each device gets PyTorch's faster choice.
    args.sequences = args.sequences or ("packed" if on_gpu else "padded")
    if args.precision and "cuda" not in (args.device, args.backend):
        p.error("--precision applies to --device cuda or --backend cuda only")
    if "cuda" in (args.device, args.backend):
        args.precision = args.precision or "tf32"
    if not Path(args.ynet).is_file():
        p.error(f"--ynet: no ynet binary at {args.ynet} (build it with `make build`)")
    if args.lstm_frames is None:
        args.lstm_frames = args.frames or (CPU_LSTM_FRAMES if args.device == "cpu" else None)
    return args


def import_torch(threads, precision):
    # OpenBLAS sizes its pool when it loads, before torch.set_num_threads can reach it.
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    # oneDNN picks its kernels from the CPU's instruction sets; OpenBLAS must run on the best ones
    # too. A core type forced by the environment (some set Haswell: AVX2) would hold it back, and
    # its own detection does not know every new CPU (Debian's 0.3.21 takes a Xeon of model 207 for
    # a Prescott: SSE3 kernels, 65 GFLOP/s), so the kernel set follows the instruction sets.
    core = openblas_core_for_cpu()
    if core:
        os.environ["OPENBLAS_CORETYPE"] = core
    else:
        os.environ.pop("OPENBLAS_CORETYPE", None)
    try:
        import torch
    except ImportError:
        sys.exit(INSTALL_HINT)
    torch.set_num_threads(threads)
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    torch.backends.cudnn.allow_tf32 = precision == "tf32"
    return torch


def openblas_core_for_cpu():
    """OpenBLAS's best kernel set for this CPU's instruction sets; None: let OpenBLAS detect it."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return None
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= set(flags):
        return "SkylakeX"
    if {"avx2", "fma"} <= set(flags):
        return "Haswell"
    return None


def openblas_core():
    """The OpenBLAS kernel set PyTorch's CPU matmuls run on; None when the BLAS is not OpenBLAS."""
    try:
        corename = ctypes.CDLL("libblas.so.3").openblas_get_corename
    except (OSError, AttributeError):
        return None
    corename.restype = ctypes.c_char_p
    return corename().decode()


class Torch:
    """PyTorch's side: random inputs as `ynet bench` draws them and the timed steps."""

    def __init__(self, torch, device, seed):
        import models
        self.torch, self.models, self.device, self.seed = torch, models, torch.device(device), seed
        if device == "cuda" and not torch.cuda.is_available():
            sys.exit("--device cuda: this PyTorch has no CUDA device (torch.cuda.is_available() is False)")

    def synchronize(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def matmul_gflops(self, n=2048, repeats=5):
        """Matmul rate: shows whether PyTorch found an optimized BLAS."""
        a = self.torch.randn(n, n, device=self.device)
        b = self.torch.randn(n, n, device=self.device)
        a @ b
        self.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            a @ b
        self.synchronize()
        return 2 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9

    def random_batch(self, batch, frames, classes):
        """Features uniform in [-2, 2), lengths uniform in 1..frames with the first video full and the
        second one frame long, padded frames exactly 0, three random positive labels per video."""
        torch = self.torch
        g = torch.Generator().manual_seed(self.seed)
        video = torch.rand(batch, frames, self.models.FEATURES, generator=g) * 4 - 2
        lengths = 1 + (torch.rand(batch, generator=g) * frames).long().clamp(max=frames - 1)
        lengths[0] = frames
        if batch > 1:
            lengths[1] = 1
        video *= (torch.arange(frames)[None, :] < lengths[:, None])[..., None]
        labels = torch.zeros(batch, classes)
        labels.scatter_(1, torch.randint(classes, (batch, 3), generator=g), 1.0)
        return video.to(self.device), lengths, labels.to(self.device)

    def timed(self, fn):
        start = time.perf_counter()
        result = fn()
        self.synchronize()
        return result, (time.perf_counter() - start) * 1e3

    def train_step(self, model, optimizer, video, lengths, labels):
        """One training step; returns the ms of forward+loss, backward and update."""
        def forward():
            optimizer.zero_grad(set_to_none=True)
            outputs, aux = model(video, lengths)
            return self.models.training_loss(model, outputs, labels, aux)
        loss, forward_ms = self.timed(forward)
        _, backward_ms = self.timed(loss.backward)
        _, update_ms = self.timed(optimizer.step)
        return forward_ms, backward_ms, update_ms

    def time_training(self, model, optimizer_kind, inputs, steps, warmup):
        model.train()
        optimizer = self.models.optimizer(optimizer_kind, model, LEARNING_RATE)
        times = {"forward+loss": [], "backward": [], "update": [], "train step": []}
        for step in range(warmup + steps):
            phases = self.train_step(model, optimizer, *inputs)
            if step >= warmup:
                for key, ms in zip(times, phases + (sum(phases),)):
                    times[key].append(ms)
        return times

    def time_inference(self, model, inputs, steps, warmup):
        model.eval()
        video, lengths, _ = inputs
        times = []
        # What the spec's `output` is: probabilities as the model returns them, or sigmoid(logits).
        finish = (lambda x: x) if getattr(model, "outputs_probabilities", False) else self.torch.sigmoid
        with self.torch.no_grad():
            for step in range(warmup + steps):
                _, ms = self.timed(lambda: finish(model(video, lengths)[0]))
                if step >= warmup:
                    times.append(ms)
        return times

    def run(self, model, optimizer_kind, batch, frames, steps, warmup):
        inputs = self.random_batch(batch, frames, self.models.CLASSES)
        times = self.time_training(model, optimizer_kind, inputs, steps, warmup)
        times["inference"] = self.time_inference(model, inputs, steps, warmup)
        medians = {key: statistics.median(values) for key, values in times.items()}
        return {
            "phases_ms": medians,
            "train_samples_per_s": batch / (medians["train step"] / 1e3),
            "infer_samples_per_s": batch / (medians["inference"] / 1e3),
        }


def compare_model(name, args, side):
    spec, model_class, paper_batch, optimizer_kind = side.models.MODELS[name]
    spec = str(ROOT / spec)
    batch = args.batch or paper_batch
    frames = args.lstm_frames if name in SEQUENCE_MODELS else args.frames
    ynet_params = ynet_runner.parameter_count(args.ynet, spec)
    model = model_class(packed=args.sequences == "packed").to(side.device)
    torch_params = side.models.parameter_count(model)
    print(f"{name}: parameters ynet {ynet_params}, PyTorch {torch_params}", flush=True)
    if ynet_params != torch_params:
        sys.exit(f"{name}: the PyTorch model has {torch_params} trainable parameters, the spec {ynet_params}")
    rounds, loads = [], []
    for _ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        ynet = ynet_runner.bench(args.ynet, spec, batch, frames, args.steps, args.warmup, args.threads, args.backend,
                                 args.precision)
        loads.append(os.getloadavg()[0])
        torch_result = side.run(model, optimizer_kind, batch, ynet["frames"], args.steps, args.warmup)
        rounds.append((ynet, torch_result))
    loads.append(os.getloadavg()[0])
    del model

    def median_of(which, key):
        return statistics.median(r[which][key] for r in rounds)

    def phases(which):
        return {k: statistics.median(r[which]["phases_ms"][k] for r in rounds) for k in rounds[0][which]["phases_ms"]}

    result = {"model": name, "batch": batch, "frames": rounds[0][0]["frames"], "parameters": ynet_params,
              "load_average_1min": loads, "ynet": {"phases_ms": phases(0)}, "torch": {"phases_ms": phases(1)}}
    for key in ("train_samples_per_s", "infer_samples_per_s", "train_gflops", "infer_gflops"):
        result["ynet"][key] = median_of(0, key)
    for key in ("train_samples_per_s", "infer_samples_per_s"):
        result["torch"][key] = median_of(1, key)
    # The ratio of each round's pair, ynet and PyTorch having run back to back under the same load.
    for phase, key in (("train", "train_samples_per_s"), ("infer", "infer_samples_per_s")):
        ratios = [y[key] / t[key] for y, t in rounds]
        result[f"{phase}_ratios"] = ratios
        result[f"{phase}_ratio"] = statistics.median(ratios)
    return result


def print_tables(results):
    print()
    print(f"{'model':<18}{'batch':>6}{'frames':>7} | {'train samples/s: ynet':>22}{'torch':>9}{'ratio':>7} |"
          f" {'infer samples/s: ynet':>22}{'torch':>9}{'ratio':>7}")
    for r in results:
        y, t = r["ynet"], r["torch"]
        print(f"{r['model']:<18}{r['batch']:>6}{r['frames']:>7} | {y['train_samples_per_s']:>22.1f}"
              f"{t['train_samples_per_s']:>9.1f}{r['train_ratio']:>7.2f} | {y['infer_samples_per_s']:>22.1f}"
              f"{t['infer_samples_per_s']:>9.1f}{r['infer_ratio']:>7.2f}")
    print("\nmedian ms per phase (ynet: forward, loss, backward, update | PyTorch: forward+loss, backward, update)"
          " and ynet's GFLOP/s")
    for r in results:
        y, t = r["ynet"]["phases_ms"], r["torch"]["phases_ms"]
        print(f"{r['model']:<18} ynet {y['forward']:9.1f} {y['loss']:7.1f} {y['backward']:9.1f} {y['update']:7.1f}"
              f" | torch {t['forward+loss']:9.1f} {t['backward']:9.1f} {t['update']:7.1f}"
              f" | ynet train {r['ynet']['train_gflops']:6.1f} infer {r['ynet']['infer_gflops']:6.1f} GFLOP/s")


def main(argv):
    args = parse_args(argv)
    torch = import_torch(args.threads, args.precision)
    side = Torch(torch, args.device, args.seed)
    torch.manual_seed(args.seed)
    matmul = side.matmul_gflops()
    blas = openblas_core() or "not OpenBLAS"
    gpu = f", {args.precision}" if "cuda" in (args.device, args.backend) else ""
    print(f"PyTorch {torch.__version__} on {args.device} ({args.sequences} sequences), ynet backend"
          f" {args.backend}{gpu}, {args.threads} threads; PyTorch matmul 2048^3: {matmul:.0f} GFLOP/s"
          f" (BLAS: {blas})", flush=True)
    try:
        results = [compare_model(name, args, side) for name in args.models]
    except ynet_runner.YnetError as e:
        sys.exit(f"ynet failed: {e}")
    print_tables(results)
    if args.json:
        setup = {"torch": torch.__version__, "device": args.device, "backend": args.backend, "threads": args.threads,
                 "precision": args.precision, "sequences": args.sequences, "steps": args.steps,
                 "warmup": args.warmup, "rounds": args.rounds, "torch_matmul_gflops": matmul, "blas": blas,
                 "cpus": os.cpu_count()}
        Path(args.json).write_text(json.dumps({"setup": setup, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
