"""Runs `ynet bench` and `ynet compile --emit summary` and reads their text output."""
import re
import subprocess

PHASE_ROW = re.compile(r"^\s+(forward|loss|backward|update|train step|inference)\s+([0-9.]+) ms\s+\[([0-9.]+)\]")
RATE_ROW = re.compile(r"^\s+(training|inference)\s+([0-9.]+) samples/s\s+([0-9.]+) GFLOP/s")
HEADER = re.compile(r"^(\S+) on (\S+), batch (\d+), max_frames (\d+)")
PARAMETERS = re.compile(r"^\s*parameters\s+(\d+) trainable")


class YnetError(RuntimeError):
    pass


def run_ynet(command):
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise YnetError(f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr.strip()}")
    return result.stdout


def parse_bench(text):
    """The numbers of `ynet bench`'s report: phase medians in ms, samples/s and GFLOP/s."""
    phases, rates, header = {}, {}, None
    for line in text.splitlines():
        if match := HEADER.match(line):
            header = match
        elif match := PHASE_ROW.match(line):
            phases[match.group(1)] = float(match.group(2))
        elif match := RATE_ROW.match(line):
            rates[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    expected = {"forward", "loss", "backward", "update", "train step", "inference"}
    if header is None or set(phases) != expected or set(rates) != {"training", "inference"}:
        raise YnetError(f"unexpected `ynet bench` output:\n{text}")
    return {
        "model": header.group(1),
        "batch": int(header.group(3)),
        "frames": int(header.group(4)),
        "phases_ms": phases,
        "train_samples_per_s": rates["training"][0],
        "train_gflops": rates["training"][1],
        "infer_samples_per_s": rates["inference"][0],
        "infer_gflops": rates["inference"][1],
    }


def bench(ynet, spec, batch, frames, steps, warmup, threads, backend, precision):
    command = [ynet, "bench", spec, "--batch", str(batch), "--steps", str(steps), "--warmup", str(warmup),
               "--threads", str(threads), "--backend", backend]
    if backend == "cuda":
        command += ["--precision", precision]
    if frames is not None:
        command += ["--frames", str(frames)]
    return parse_bench(run_ynet(command))


def parameter_count(ynet, spec):
    for line in run_ynet([ynet, "compile", spec, "--emit", "summary"]).splitlines():
        if match := PARAMETERS.match(line):
            return int(match.group(1))
    raise YnetError(f"`ynet compile {spec} --emit summary` printed no parameter count")
