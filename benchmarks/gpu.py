"""The GPU benchmark: the engine on its "cuda" backend against PyTorch on the same GPU, in the same run.

One process holds both frameworks (they share the GPU, the driver and the host
thread) and they take turns: for each case, several short rounds of a few calls,
engine and PyTorch alternating (and alternating which goes first), so that both
see the same clock speeds and the same neighbours. Each call is timed between
two device synchronisations (``numba.cuda.synchronize()`` and
``torch.cuda.synchronize()``: a kernel launch returns before the kernel has run).
Each case is called three times before it is timed (compilation, buffers,
optimiser state: a training run's steady state). Every case reports the median
over all rounds and its interquartile range; the ratio is engine time / PyTorch
time (below 1: the engine is faster). Everything is float32; PyTorch's TF32
shortcut for convolutions is switched off (``--allow-tf32`` switches it back
on), so that both compute in full single precision.

The cases: the CPU benchmark's three convolutions (forward and backward) at
batch 256 against cuDNN, with their GFLOP/s; one LeNet training step with Adam
at batch 256 (both sides upload the batch from host memory and bring the loss
down, as a training loop does); the CPU benchmark's LSTM at batch 256, forward
and backward. Then the bytes that cross the bus in one LeNet step (only the
batch may go up, only scalars come down), and the time from a fresh process to
the end of the first LeNet step with an empty Numba cache (cold: every kernel is
compiled) and with a filled one (warm).

    python benchmarks/gpu.py [--rounds 6] [--repeats 10] [--json bench-output/gpu.json] [--markdown PATH]
    NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu.py --smoke   # the script itself, tiny cases, no GPU

``--smoke`` runs every case once at tiny sizes (batch 2) and judges only the
copy check: in Numba's CUDA simulator the kernels run as Python threads and
PyTorch runs on the CPU, so the times say nothing about a GPU. Without PyTorch
its column is left empty. Exit status: 0 when every target is met, 1 when one
is missed (as ``benchmarks/bench.py``), 2 when the "cuda" backend cannot run here.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from bench import conv_flops, conv_name  # the CPU benchmark's case names and operation counts

# Tiny launches (an optimiser step on a bias of 6 values) would warn about an idle GPU at every call.
os.environ.setdefault("NUMBA_DISABLE_PERFORMANCE_WARNINGS", "1")

BATCH = 256
TARGETS = {"conv": 3.0, "lenet": 1.5, "lstm": None}  # kind -> maximum ratio engine / PyTorch (None: measured only)
WARM_UP_CALLS = 3
MAX_SCALARS_DOWN = 4  # copies down per LeNet step, each at most 16 bytes: the loss, nothing array-sized


@dataclass(frozen=True)
class Sizes:
    """The shapes of one run: the real ones, or the smoke test's tiny ones."""

    convs: tuple  # (n, h, w, c, filters, pad) with 3×3 kernels
    lenet: tuple  # (batch, image side, conv1 filters, conv2 filters, dense1, dense2, classes)
    lstm: tuple  # (n, steps, features, units)


FULL = Sizes(convs=((BATCH, 28, 28, 1, 6, 0), (BATCH, 13, 13, 6, 16, 0), (BATCH, 32, 32, 64, 64, 1)),
             lenet=(BATCH, 28, 6, 16, 120, 84, 10), lstm=(BATCH, 50, 16, 64))
SMOKE = Sizes(convs=((2, 6, 6, 1, 2, 0), (2, 5, 5, 2, 3, 0), (2, 4, 4, 3, 3, 1)),
              lenet=(2, 10, 2, 3, 5, 4, 3), lstm=(2, 3, 2, 3))


@dataclass
class Case:
    name: str
    kind: str  # "conv", "lenet" or "lstm"
    engine: Callable
    torch: Callable | None = None
    flops: float | None = None
    samples: dict = field(default_factory=lambda: {"engine": [], "torch": []})


def lenet_name(sizes):
    batch, image = sizes.lenet[:2]
    return f"lenet step, batch {batch}" + ("" if sizes is FULL else f" ({image}x{image}, narrow)")


def lstm_name(sizes):
    n, steps, features, units = sizes.lstm
    return f"lstm T{steps} N{n} D{features} H{units}"


def simulated():
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


# -- the engine's side -------------------------------------------------------------------------------
def engine_lenet(sizes):
    import engine

    _, image, conv1, conv2, dense1, dense2, classes = sizes.lenet
    if sizes is FULL:
        return engine.lenet(seed=0, backend="cuda")
    return engine.Sequential(
        [engine.Conv2D(conv1, 3, activation="relu"), engine.AveragePooling2D(),
         engine.Conv2D(conv2, 3, activation="relu"), engine.AveragePooling2D(), engine.Flatten(),
         engine.Dense(dense1, activation="relu"), engine.Dense(dense2, activation="relu"),
         engine.Dense(classes, activation="softmax")],
        input_shape=(image, image, 1), seed=0, dtype="float32", backend="cuda")


def lenet_batch(sizes, rng):
    batch, image, *_, classes = sizes.lenet
    return rng.random((batch, image, image, 1), dtype=np.float32), rng.integers(0, classes, batch)


def engine_cases(sizes, rng):
    import engine
    import engine.functional as F
    from engine.backends import get_backend
    from engine.functional.recurrent import lstm_backward, lstm_forward

    be = get_backend("cuda")
    cases = []
    for shape in sizes.convs:
        n, h, w, c, f, pad = shape
        x = be.to_device(rng.standard_normal((n, h, w, c)).astype(np.float32))
        k = be.to_device((rng.standard_normal((3, 3, c, f)) * 0.1).astype(np.float32))
        b = be.zeros((f,), np.float32)
        dy = be.to_device(rng.standard_normal((n, h + 2 * pad - 2, w + 2 * pad - 2, f)).astype(np.float32))

        def conv(x=x, k=k, b=b, dy=dy, pad=pad):
            F.conv2d_forward(x, k, b, 1, pad)
            F.conv2d_backward(dy, x, k, 1, pad)

        cases.append(Case(conv_name(*shape), "conv", conv, flops=conv_flops(*shape)))
    model, optimizer = engine_lenet(sizes), engine.Adam(1e-3)
    x, y = lenet_batch(sizes, rng)

    def step():
        model.loss_and_backward(x, y, "cross_entropy")  # the batch goes up, the loss comes down
        optimizer.step(model.parameters())

    step.batch = (x, y)
    cases.append(Case(lenet_name(sizes), "lenet", step))
    n, steps, features, units = sizes.lstm
    sequences = be.to_device(rng.standard_normal((n, steps, features)).astype(np.float32))
    kernel = be.to_device((rng.standard_normal((features, 4 * units)) * 0.2).astype(np.float32))
    recurrent = be.to_device((rng.standard_normal((units, 4 * units)) * 0.1).astype(np.float32))
    bias = be.zeros((4 * units,), np.float32)
    dh = be.to_device(rng.standard_normal((n, steps, units)).astype(np.float32))

    def lstm():
        h, c, gates = lstm_forward(sequences, kernel, recurrent, bias)
        lstm_backward(dh, sequences, h, c, gates, kernel, recurrent)

    cases.append(Case(lstm_name(sizes), "lstm", lstm))
    return cases


# -- PyTorch's side ------------------------------------------------------------------------------------
def torch_cases(sizes, rng, device):
    """PyTorch's peer of each case, by name, on ``device`` ("cuda", or "cpu" beside the simulator)."""
    import torch

    nn = torch.nn
    cases = {}
    for shape in sizes.convs:
        n, h, w, c, f, pad = shape
        x = torch.tensor(rng.standard_normal((n, c, h, w)).astype(np.float32), device=device, requires_grad=True)
        k = torch.tensor((rng.standard_normal((f, c, 3, 3)) * 0.1).astype(np.float32), device=device,
                         requires_grad=True)
        b = torch.zeros(f, device=device, requires_grad=True)
        dy = torch.randn(n, f, h + 2 * pad - 2, w + 2 * pad - 2, device=device)

        def conv(x=x, k=k, b=b, dy=dy, pad=pad):
            x.grad = k.grad = b.grad = None
            torch.nn.functional.conv2d(x, k, b, padding=pad).backward(dy)

        cases[conv_name(*shape)] = conv
    batch, image, conv1, conv2, dense1, dense2, classes = sizes.lenet
    side = ((image - 2) // 2 - 2) // 2
    net = nn.Sequential(
        nn.Conv2d(1, conv1, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(conv1, conv2, 3), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(conv2 * side * side, dense1), nn.ReLU(), nn.Linear(dense1, dense2), nn.ReLU(),
        nn.Linear(dense2, classes),
    ).to(device)
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    x_host, y_host = lenet_batch(sizes, rng)
    x_host, y_host = torch.tensor(x_host.transpose(0, 3, 1, 2).copy()), torch.tensor(y_host)

    def step():
        x, y = x_host.to(device), y_host.to(device)  # the batch goes up ...
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        loss.item()  # ... and the loss comes down, as in the engine's step

    cases[lenet_name(sizes)] = step
    n, steps, features, units = sizes.lstm
    lstm_net = nn.LSTM(features, units, batch_first=True).to(device)
    lstm_x = torch.randn(n, steps, features, device=device, requires_grad=True)
    lstm_dh = torch.randn(n, steps, units, device=device)

    def lstm():
        lstm_x.grad = None
        lstm_net.zero_grad()
        lstm_net(lstm_x)[0].backward(lstm_dh)

    cases[lstm_name(sizes)] = lstm
    return cases


def torch_peer():
    """(torch module or None, device for it, why it is missing): PyTorch on the same GPU, or on the CPU
    beside the simulator; None where it is not installed or (on a real GPU) cannot reach the GPU."""
    if importlib.util.find_spec("torch") is None:
        return None, None, "PyTorch not installed"
    import torch

    if simulated():
        return torch, "cpu", None
    if not torch.cuda.is_available():
        return None, None, f"PyTorch {torch.__version__} cannot use the GPU (a CPU build?)"
    return torch, "cuda", None


# -- timing ------------------------------------------------------------------------------------------------
def make_synchronize(torch, device):
    from numba import cuda

    def synchronize():
        cuda.synchronize()
        if device == "cuda":
            torch.cuda.synchronize()

    return synchronize


def timed(function, synchronize):
    synchronize()
    start = time.perf_counter()
    function()
    synchronize()
    return time.perf_counter() - start


def measure(cases, synchronize, rounds, repeats, warm_up):
    """Warm each side up, then alternate rounds of ``repeats`` timed calls, switching who goes first."""
    for case in cases:
        peers = {"engine": case.engine, "torch": case.torch}
        peers = {peer: function for peer, function in peers.items() if function is not None}
        for function in peers.values():
            for _ in range(warm_up):
                function()
        for round_ in range(rounds):
            order = list(peers) if round_ % 2 == 0 else list(reversed(peers))
            for peer in order:
                case.samples[peer] += [timed(peers[peer], synchronize) for _ in range(repeats)]


def median_and_spread(samples):
    if not samples:
        return None, None
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    return float(median), float(q3 - q1)


# -- what crosses the bus -----------------------------------------------------------------------------
class Transfers:
    """Counts the bytes copied between host and device while it is active (``with Transfers() as t``).

    On a GPU, every copy numba makes between host and device ends in one of the driver's four calls
    ``cuMemcpyHtoD``/``cuMemcpyDtoH`` (and their ``Async`` forms), whatever asked for it:
    ``cuda.to_device``, ``copy_to_device`` from the host, ``copy_to_host``, reading one element of a
    device array, or a numpy array handed to a kernel (numba copies it up before the launch and back
    after it). Those four are counted, so nothing numba copies can slip past (and nothing is counted
    twice, as it would be by wrapping both ``cuda.to_device`` and ``copy_to_device``, which it calls).
    The simulator has no driver: there its ``cuda.to_device``, ``FakeCUDAArray.copy_to_device`` (host
    sources), ``copy_to_host`` and one-element reads are counted, and a numpy array handed to a kernel
    counts both ways, as on a GPU.
    """

    UP = ("cuMemcpyHtoD", "cuMemcpyHtoDAsync")
    DOWN = ("cuMemcpyDtoH", "cuMemcpyDtoHAsync")

    def __init__(self):
        self.up, self.down, self._undo = [], [], []
        self._launching = False  # inside a simulated launch, whose copies the launch itself counts

    def _wrap(self, owner, name, wrapper):
        original = getattr(owner, name)
        setattr(owner, name, wrapper(original))
        self._undo.append((owner, name, original))

    def __enter__(self):
        if simulated():
            self._count_simulator()
        else:
            from numba.cuda.cudadrv import driver

            def counting(sizes):
                def wrapper(original):
                    def counted(destination, source, size, *args):
                        sizes.append(int(size))
                        return original(destination, source, size, *args)
                    return counted
                return wrapper

            for name in self.UP:
                self._wrap(driver.driver, name, counting(self.up))
            for name in self.DOWN:
                self._wrap(driver.driver, name, counting(self.down))
        return self

    def _count_simulator(self):
        from numba import cuda
        from numba.cuda.simulator import kernel
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

        def counting():
            return not self._launching and kernel._kernel_context is None

        def to_device(original):
            def counted(array, *args, **kwargs):
                if counting() and not hasattr(array, "copy_to_host"):
                    self.up.append(np.asarray(array).nbytes)
                return original(array, *args, **kwargs)
            return counted

        def copy_to_device(original):
            def counted(target, source, *args, **kwargs):
                if counting() and not hasattr(source, "copy_to_host"):
                    self.up.append(np.asarray(source).nbytes)
                return original(target, source, *args, **kwargs)
            return counted

        def copy_to_host(original):
            def counted(source, *args, **kwargs):
                result = original(source, *args, **kwargs)
                if counting():
                    self.down.append(result.nbytes)
                return result
            return counted

        def getitem(original):
            def counted(array, index):
                result = original(array, index)
                if counting() and not isinstance(result, FakeCUDAArray):
                    self.down.append(np.asarray(result).nbytes)
                return result
            return counted

        def launch(original):
            def counted(kernel_, *args):
                if kernel_._device or not counting():
                    return original(kernel_, *args)
                host = [a.nbytes for a in args if isinstance(a, np.ndarray) and a.ndim > 0]
                self.up += host
                self._launching = True
                try:
                    return original(kernel_, *args)
                finally:
                    self._launching = False
                    self.down += host
            return counted

        self._wrap(cuda, "to_device", to_device)
        self._wrap(FakeCUDAArray, "copy_to_device", copy_to_device)
        self._wrap(FakeCUDAArray, "copy_to_host", copy_to_host)
        self._wrap(FakeCUDAArray, "__getitem__", getitem)
        self._wrap(kernel.FakeCUDAKernel, "__call__", launch)

    def __exit__(self, *exc):
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


def copy_check(step):
    """One more LeNet step, its copies counted: up exactly the batch (images and labels), down scalars only."""
    x, y = step.batch
    with Transfers() as transfers:
        step()
    batch_bytes = x.nbytes + y.nbytes
    passed = (sum(transfers.up) == batch_bytes and len(transfers.down) <= MAX_SCALARS_DOWN
              and all(size <= 16 for size in transfers.down))
    return dict(bytes_up=sum(transfers.up), copies_up=transfers.up, batch_bytes=batch_bytes,
                bytes_down=sum(transfers.down), copies_down=transfers.down, passed=passed)


# -- start-up ----------------------------------------------------------------------------------------------
def first_step(smoke):
    """In a fresh process (``--first-step``): build the LeNet on "cuda" and run one training step."""
    from numba import cuda

    import engine

    sizes = SMOKE if smoke else FULL
    model, optimizer = engine_lenet(sizes), engine.Adam(1e-3)
    x, y = lenet_batch(sizes, np.random.default_rng(0))
    model.loss_and_backward(x, y, "cross_entropy")
    optimizer.step(model.parameters())
    cuda.synchronize()
    return 0


def first_step_seconds(cache_dir, smoke):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    command = [sys.executable, __file__, "--first-step"] + (["--smoke"] if smoke else [])
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    return time.perf_counter() - start


# -- the machine ---------------------------------------------------------------------------------------------
def _try(function, default=None):
    try:
        return function()
    except Exception:  # a version the driver or the simulator cannot tell is reported as unknown
        return default


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def machine(torch, torch_device):
    import numba
    from numba import cuda

    gpu = cuda.get_current_device()
    info = dict(
        gpu=_text(getattr(gpu, "name", None)) or ("Numba CUDA simulator (on the CPU)" if simulated() else None),
        compute_capability=_try(lambda: list(gpu.compute_capability)),
        simulator=simulated(),
        driver=_try(lambda: subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                           capture_output=True, text=True, check=True).stdout.split()[0]),
        driver_cuda=_try(lambda: ".".join(map(str, cuda.cudadrv.driver.driver.get_version()))),
        runtime_cuda=None if simulated() else _try(lambda: ".".join(map(str, cuda.runtime.get_version()))),
        numba=numba.__version__,
        numba_cuda=_try(lambda: importlib.metadata.version("numba-cuda")),
        python=sys.version.split()[0],
        torch=None, torch_device=torch_device, torch_gpu=None, torch_cuda=None, cudnn=None,
    )
    if torch is not None:
        info.update(torch=torch.__version__, torch_cuda=torch.version.cuda,
                    cudnn=_try(lambda: torch.backends.cudnn.version()))
        if torch_device == "cuda":
            info["torch_gpu"] = torch.cuda.get_device_name()
    return info


def describe_machine(info):
    lines = [f"GPU: {info['gpu']} (compute capability {info['compute_capability']}) for numba"
             + (f"; {info['torch_gpu']} for torch" if info["torch_gpu"] else ""),
             f"driver {info['driver']} (CUDA {info['driver_cuda']}), CUDA runtime {info['runtime_cuda']};"
             f" numba {info['numba']}, numba-cuda {info['numba_cuda']}"]
    if info["torch"] is None:
        lines.append("torch: none")
    else:
        lines.append(f"torch {info['torch']} (CUDA {info['torch_cuda']}, cuDNN {info['cudnn']}) on"
                     f" {info['torch_device']}")
    return "\n".join(lines)


# -- the report ----------------------------------------------------------------------------------------------
def results_of(cases, smoke):
    results, missed = [], []
    for case in cases:
        ours, our_spread = median_and_spread(case.samples["engine"])
        theirs, their_spread = median_and_spread(case.samples["torch"])
        ratio = None if theirs is None else ours / theirs
        target = TARGETS[case.kind]
        judged = not smoke and target is not None and ratio is not None
        passed = (ratio <= target) if judged else None
        if passed is False:
            missed.append(case.name)
        results.append(dict(case=case.name, kind=case.kind, engine_s=ours, engine_iqr_s=our_spread, torch_s=theirs,
                            torch_iqr_s=their_spread, ratio=ratio, target=target, passed=passed,
                            calls=len(case.samples["engine"]),
                            engine_gflops=None if case.flops is None else case.flops / ours / 1e9,
                            torch_gflops=None if case.flops is None or theirs is None else case.flops / theirs / 1e9))
    return results, missed


def _ms(seconds, spread):
    return f"{'-':>15s}" if seconds is None else f"{seconds * 1e3:9.3f}±{spread * 1e3:<5.3f}"


def verdict(result):
    if result["passed"] is None:
        return "-" if result["target"] is None else "n/a"
    return "pass" if result["passed"] else "FAIL"


def print_table(results):
    print(f"{'case':40s} {'engine ms (IQR)':>15s} {'torch ms (IQR)':>15s} {'ratio':>6s} {'target':>7s} {'':4s}"
          f"  GFLOP/s engine / torch")
    for r in results:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = "-" if r["target"] is None else f"<= {r['target']:.1f}"
        rates = "" if r["engine_gflops"] is None else f"{r['engine_gflops']:8.1f}"
        if r["torch_gflops"] is not None:
            rates += f" / {r['torch_gflops']:.1f}"
        print(f"{r['case']:40s} {_ms(r['engine_s'], r['engine_iqr_s'])} {_ms(r['torch_s'], r['torch_iqr_s'])}"
              f" {ratio:>6s} {target:>7s} {verdict(r):4s}  {rates}")


def markdown(report):
    info = report["machine"]
    if info["torch"] is None:
        peer = "no PyTorch"
    else:
        where = "the same GPU" if info["torch_device"] == "cuda" else "the CPU"
        peer = f"PyTorch {info['torch']} (cuDNN {info['cudnn']}) on {where}"
    lines = [f"GPU: {info['gpu']}, driver {info['driver']} (CUDA {info['driver_cuda']}), numba-cuda"
             f" {info['numba_cuda']}; {peer}; float32, TF32 {'allowed' if report['tf32'] else 'off'}, median of"
             f" {report['calls_per_case']} calls ({report['date'][:10]})."
             + (" Smoke test at tiny sizes: not a measurement." if report["smoke"] else ""), "",
             "| case | engine ms | PyTorch ms | engine / PyTorch | target |", "|---|---:|---:|---:|---|"]
    for r in report["cases"]:
        theirs = "–" if r["torch_s"] is None else f"{r['torch_s'] * 1e3:.2f}"
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = "measured" if r["target"] is None else f"≤ {r['target']:g} ({verdict(r)})"
        lines.append(f"| {r['case']} | {r['engine_s'] * 1e3:.2f} | {theirs} | {ratio} | {target} |")
    copies = report["transfers_per_lenet_step"]
    lines += ["", f"One LeNet step copies {copies['bytes_up']} bytes up (the batch: {copies['batch_bytes']}) and"
              f" {copies['bytes_down']} bytes down; first step in a fresh process: {report['cold_start_s']:.1f} s"
              f" with an empty Numba cache, {report['warm_start_s']:.1f} s with a filled one."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="the engine's GPU backend against PyTorch on the same GPU")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", type=Path, default=Path("bench-output/gpu.json"))
    parser.add_argument("--markdown", type=Path, help="also write a markdown table (device, date) to this file")
    parser.add_argument("--smoke", action="store_true", help="every case once at tiny sizes (no GPU needed)")
    parser.add_argument("--allow-tf32", action="store_true", help="let PyTorch's convolutions use TF32")
    parser.add_argument("--first-step", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    import engine
    from engine.backends import get_backend

    try:
        get_backend("cuda")
    except engine.CudaUnavailableError as error:
        print(f"GPU benchmark: {error}", file=sys.stderr)
        return 2
    if args.first_step:
        return first_step(args.smoke)
    sizes = SMOKE if args.smoke else FULL
    rounds, repeats, warm_up = (1, 1, 0) if args.smoke else (args.rounds, args.repeats, WARM_UP_CALLS)

    torch, torch_device, missing = torch_peer()
    if torch is not None:
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = args.allow_tf32
    info = machine(torch, torch_device)
    print(describe_machine(info))
    if missing:
        print(f"{missing}: the torch column is skipped")
    print("smoke test: tiny sizes, every case called once, only the copy check is judged" if args.smoke else
           f"float32, TF32 {'allowed' if args.allow_tf32 else 'off'} for torch; {rounds} alternating rounds of"
           f" {repeats} calls per case after {warm_up} warm-up calls")

    rng = np.random.default_rng(0)
    cases = engine_cases(sizes, rng)
    if torch is not None:
        torch.manual_seed(0)
        peers = torch_cases(sizes, rng, torch_device)
        for case in cases:
            case.torch = peers[case.name]
    measure(cases, make_synchronize(torch, torch_device), rounds, repeats, warm_up)
    results, missed = results_of(cases, args.smoke)
    print_table(results)

    copies = copy_check(next(case.engine for case in cases if case.kind == "lenet"))
    print(f"copies in one LeNet step: {copies['bytes_up']} bytes up {copies['copies_up']} (the batch:"
          f" {copies['batch_bytes']}), {copies['bytes_down']} bytes down {copies['copies_down']} (scalars only)"
          f" {'pass' if copies['passed'] else 'FAIL'}")
    if not copies["passed"]:
        missed.append("host-device copies in a LeNet step")

    with tempfile.TemporaryDirectory() as cache:
        cold = first_step_seconds(cache, args.smoke)
        warm_runs = [first_step_seconds(cache, args.smoke) for _ in range(1 if args.smoke else 3)]
    warm = float(np.median(warm_runs))
    print(f"fresh process to the end of the first LeNet step: cold {cold:.1f} s (empty Numba cache),"
          f" warm {warm:.2f} s (median of {len(warm_runs)}; filled cache)")

    report = dict(date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), smoke=args.smoke,
                  machine=info, torch_missing=missing, tf32=args.allow_tf32, rounds=rounds, repeats=repeats,
                  warm_up_calls=warm_up, calls_per_case=rounds * repeats, cases=results,
                  transfers_per_lenet_step=copies, cold_start_s=cold, warm_start_s=warm, missed=missed)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(report))
    print("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
