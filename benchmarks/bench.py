"""``make bench``: the CPU engine against PyTorch on the CPU, measured in the same run.

Each framework runs in a worker process of its own, as a user runs it (the
engine tunes the process's allocator and BLAS threads at import; PyTorch must
neither profit nor suffer from that), with the same two threads. Both workers
stay alive for the whole run and take turns: for each case, several short
rounds of a few calls, engine and PyTorch alternating (and alternating which
goes first), so that both see the same machine noise even on a shared
machine whose speed drifts from minute to minute. Each case is called three
times before it is timed (compilation, buffers, optimiser state: a training
run's steady state). Every case reports the median time over all rounds and
its interquartile range; the ratio is engine time / PyTorch time (below 1:
the engine is faster). Convolutions also report GFLOP/s against this
machine's single-precision matrix-product peak, measured at the start.
Finally: page faults per LeNet step, and the time from a fresh process to the
end of the first LeNet training step with an empty Numba cache (cold) and a
filled one (warm).

    python benchmarks/bench.py [--rounds 6] [--repeats 5] [--json bench-output/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

THREADS = 2
TARGETS = {  # case -> maximum ratio engine / PyTorch
    "lenet step, batch 64": 0.5,
    "lenet step, batch 256": 0.5,
    "conv (64,28,28,1)->6 3x3": 1.2,
    "conv (64,13,13,6)->16 3x3": 1.2,
    "conv (64,32,32,64)->64 3x3 pad 1": 1.2,
    "lstm T50 N32 D16 H64": 1.5,
    "batchnorm+dropout (64,32,32,64)": 1.0,
}
CONV_SHAPES = [(64, 28, 28, 1, 6, 0), (64, 13, 13, 6, 16, 0), (64, 32, 32, 64, 64, 1)]
COLD_LIMIT_S, WARM_LIMIT_S = 90.0, 2.0
WARM_UP_CALLS = 3


def conv_name(n, h, w, c, f, pad):
    return f"conv ({n},{h},{w},{c})->{f} 3x3" + (f" pad {pad}" if pad else "")


def conv_flops(n, h, w, c, f, pad):
    """Multiply-adds ×2 of the forward pass, the input gradient and the weight gradient."""
    out_pixels = n * (h + 2 * pad - 2) * (w + 2 * pad - 2)
    return 3 * 2 * out_pixels * 9 * c * f


# -- the engine's side ---------------------------------------------------------------------------
def engine_cases(rng):
    import engine
    import engine.functional as F
    from engine.datasets import load_digits

    cases = {}
    for batch in (64, 256):
        x, y = rng.random((batch, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, batch)
        model, optimizer = engine.lenet(seed=0), engine.Adam(1e-3)

        def step(model=model, optimizer=optimizer, x=x, y=y):
            model.loss_and_backward(x, y, "cross_entropy")
            optimizer.step(model.parameters())

        cases[f"lenet step, batch {batch}"] = step
    for shape in CONV_SHAPES:
        n, h, w, c, f, pad = shape
        x = rng.standard_normal((n, h, w, c)).astype(np.float32)
        k = (rng.standard_normal((3, 3, c, f)) * 0.1).astype(np.float32)
        b = np.zeros(f, np.float32)
        dy = rng.standard_normal(F.conv2d_forward(x, k, b, 1, pad).shape).astype(np.float32)

        def conv(x=x, k=k, b=b, dy=dy, pad=pad):
            F.conv2d_forward(x, k, b, 1, pad)
            F.conv2d_backward(dy, x, k, 1, pad)

        cases[conv_name(*shape)] = conv
    x = rng.standard_normal((64, 26, 26, 32)).astype(np.float32)
    dy = rng.standard_normal((64, 13, 13, 32)).astype(np.float32)
    for kind, forward, backward in [("max", F.max_pool2d_forward, F.max_pool2d_backward),
                                    ("average", F.avg_pool2d_forward, F.avg_pool2d_backward)]:
        def pool(forward=forward, backward=backward, x=x, dy=dy):
            forward(x, 2)
            backward(dy, x, 2)

        cases[f"{kind} pool 2x2 (64,26,26,32)"] = pool
    from engine.layers.fused import BatchNormDropout
    from engine.layers.regularization import BatchNormalization, Dropout

    norm, drop = BatchNormalization(), Dropout(0.5, seed=0)  # training mode: batch statistics, a new mask per call
    for layer in (norm, drop):
        layer.build((32, 32, 64), rng, np.float32)
    norm_then_drop = BatchNormDropout(norm, drop)  # the pair as Sequential runs it: one fused pass
    activations = rng.standard_normal((64, 32, 32, 64)).astype(np.float32)
    upstream = rng.standard_normal(activations.shape).astype(np.float32)

    def norm_drop():
        norm_then_drop.forward(activations)
        norm_then_drop.backward(upstream)

    cases["batchnorm+dropout (64,32,32,64)"] = norm_drop
    data = load_digits(test=0.2, seed=0)
    model = engine.lenet(seed=0)

    def epoch():
        model.fit(data.x_train, data.y_train, "cross_entropy", engine.Adam(1e-3), epochs=1, batch_size=64,
                  verbose=False)

    cases[f"fit, one epoch of {len(data.x_train)} digits, batch 64"] = epoch
    from engine.functional.recurrent import lstm_backward, lstm_forward

    sequences = rng.standard_normal((32, 50, 16)).astype(np.float32)
    kernel = (rng.standard_normal((16, 256)) * 0.2).astype(np.float32)
    recurrent = (rng.standard_normal((64, 256)) * 0.1).astype(np.float32)
    bias, dh = np.zeros(256, np.float32), rng.standard_normal((32, 50, 64)).astype(np.float32)

    def lstm():  # (its own names: the pooling cases above read x and dy when called)
        h, c, gates = lstm_forward(sequences, kernel, recurrent, bias)
        lstm_backward(dh, sequences, h, c, gates, kernel, recurrent)

    cases["lstm T50 N32 D16 H64"] = lstm
    return cases


# -- PyTorch's side ----------------------------------------------------------------------------------
def torch_cases(rng):
    import torch

    torch.set_num_threads(THREADS)
    nn = torch.nn

    def lenet():
        return nn.Sequential(
            nn.Conv2d(1, 6, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 3), nn.ReLU(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )

    cases = {}
    for batch in (64, 256):
        x = torch.tensor(rng.random((batch, 1, 28, 28), dtype=np.float32))
        y = torch.tensor(rng.integers(0, 10, batch))
        net = lenet()
        optimizer = torch.optim.Adam(net.parameters(), 1e-3)

        def step(net=net, optimizer=optimizer, x=x, y=y):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()

        cases[f"lenet step, batch {batch}"] = step
    for shape in CONV_SHAPES:
        n, h, w, c, f, pad = shape
        x = torch.tensor(rng.standard_normal((n, c, h, w)).astype(np.float32), requires_grad=True)
        k = torch.tensor((rng.standard_normal((f, c, 3, 3)) * 0.1).astype(np.float32), requires_grad=True)
        b = torch.zeros(f, requires_grad=True)
        dy = torch.randn(n, f, h + 2 * pad - 2, w + 2 * pad - 2)

        def conv(x=x, k=k, b=b, dy=dy, pad=pad):
            x.grad = k.grad = b.grad = None
            torch.nn.functional.conv2d(x, k, b, padding=pad).backward(dy)

        cases[conv_name(*shape)] = conv
    x = torch.randn(64, 32, 26, 26, requires_grad=True)
    dy = torch.randn(64, 32, 13, 13)
    for kind, peer in [("max", torch.nn.functional.max_pool2d), ("average", torch.nn.functional.avg_pool2d)]:
        def pool(peer=peer):
            x.grad = None
            peer(x, 2).backward(dy)

        cases[f"{kind} pool 2x2 (64,26,26,32)"] = pool
    norm_drop_net = nn.Sequential(nn.BatchNorm2d(64), nn.Dropout(0.5))  # training mode, as the engine's case
    activations = torch.randn(64, 64, 32, 32, requires_grad=True)
    upstream = torch.randn(64, 64, 32, 32)

    def norm_drop():
        activations.grad = None
        norm_drop_net.zero_grad()
        norm_drop_net(activations).backward(upstream)

    cases["batchnorm+dropout (64,32,32,64)"] = norm_drop
    # The shipped digits, read without importing the engine (whose import tunes the process).
    with np.load(Path(__file__).resolve().parents[1] / "engine" / "data" / "mnist_5k.npz") as digits:
        keep = rng.permutation(len(digits["labels"]))[:4000]
        xs = torch.tensor(digits["images"][keep, None].astype(np.float32) / 255)
        ys = torch.tensor(digits["labels"][keep].astype(np.int64))
    net = lenet()

    def epoch():
        optimizer = torch.optim.Adam(net.parameters(), 1e-3)
        order = torch.randperm(len(xs))
        for start in range(0, len(xs), 64):
            batch = order[start : start + 64]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(xs[batch]), ys[batch]).backward()
            optimizer.step()

    cases[f"fit, one epoch of {len(xs)} digits, batch 64"] = epoch
    lstm_net = nn.LSTM(16, 64, batch_first=True)
    lstm_x = torch.randn(32, 50, 16, requires_grad=True)
    lstm_dh = torch.randn(32, 50, 64)

    def lstm():
        lstm_x.grad = None
        lstm_net.zero_grad()
        lstm_net(lstm_x)[0].backward(lstm_dh)

    cases["lstm T50 N32 D16 H64"] = lstm
    return cases


def minor_page_faults(step, repeats=10):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(repeats):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / repeats


def worker(peer):
    """Serve timing requests for one framework: each stdin line names a case and a number
    of calls; the answer is one JSON line with the seconds of each call. A case is called
    WARM_UP_CALLS times (once for an epoch) before its first timed call."""
    rng = np.random.default_rng(0)
    cases = engine_cases(rng) if peer == "engine" else torch_cases(rng)
    if peer == "engine":
        import numba

        numba.set_num_threads(THREADS)
    print(json.dumps({"cases": list(cases)}), flush=True)
    warmed = set()
    for line in sys.stdin:
        request = json.loads(line)
        name, function = request["case"], cases.get(request["case"])
        if request["case"] == "page faults":
            answer = {"page_faults_per_lenet_step": minor_page_faults(cases["lenet step, batch 256"])}
        else:
            if name not in warmed:
                for _ in range(1 if name.startswith("fit") else WARM_UP_CALLS):
                    function()
                warmed.add(name)
            answer = {"seconds": [_timed(function) for _ in range(request["calls"])]}
        print(json.dumps(answer), flush=True)


class Worker:
    """A worker process of one framework, kept alive for the whole benchmark."""

    def __init__(self, peer):
        env = dict(os.environ, NUMBA_NUM_THREADS=str(THREADS), OMP_NUM_THREADS=str(THREADS))
        self.process = subprocess.Popen([sys.executable, __file__, "--worker", peer], env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.cases = self._read()["cases"]

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker exited with status {self.process.wait()}")
        return json.loads(line)

    def ask(self, case, calls=0):
        self.process.stdin.write(json.dumps({"case": case, "calls": calls}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self):
        self.process.stdin.close()
        self.process.wait()


# -- the machine and start-up ----------------------------------------------------------------------
def sgemm_peak():
    """GFLOP/s of a large float32 matrix product with the benchmark's threads."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    with threadpool_limits(limits=THREADS, user_api="blas"):
        a @ a
        seconds = min(_timed(lambda: a @ a) for _ in range(5))
    return 2 * 2048**3 / seconds / 1e9


def _timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


FIRST_STEP = """
import numpy as np
import engine
model, optimizer = engine.lenet(seed=0), engine.Adam(1e-3)
x = np.random.default_rng(0).random((64, 28, 28, 1), dtype=np.float32)
model.loss_and_backward(x, np.arange(64) % 10, "cross_entropy")
optimizer.step(model.parameters())
"""


def first_step_seconds(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), NUMBA_NUM_THREADS=str(THREADS))
    return _timed(lambda: subprocess.run([sys.executable, "-c", FIRST_STEP], env=env, check=True))


def main(argv=None):
    parser = argparse.ArgumentParser(description="engine vs PyTorch on the CPU")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=Path("bench-output/results.json"))
    parser.add_argument("--worker", choices=["engine", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker)

    import numba
    import torch

    peak = sgemm_peak()
    print(f"threads: {THREADS} for numba and torch, each in its own process; float32 sgemm peak {peak:.1f} GFLOP/s;"
          f" torch {torch.__version__}, numba {numba.__version__}; {args.rounds} alternating rounds"
          f" of {args.repeats} calls per case")
    workers = {peer: Worker(peer) for peer in ("engine", "torch")}
    samples = {peer: {name: [] for name in workers["engine"].cases} for peer in workers}
    for name in workers["engine"].cases:
        calls = 2 if name.startswith("fit") else args.repeats
        for round_ in range(args.rounds):
            order = ("engine", "torch") if round_ % 2 == 0 else ("torch", "engine")
            for peer in order:
                samples[peer][name] += workers[peer].ask(name, calls)["seconds"]
    faults = {peer: workers[peer].ask("page faults")["page_faults_per_lenet_step"] for peer in workers}
    for worker_process in workers.values():
        worker_process.close()

    def pooled(peer, name):
        times = np.array(samples[peer][name])
        q1, median, q3 = np.percentile(times, [25, 50, 75])
        return median, q3 - q1

    flops = {conv_name(*shape): conv_flops(*shape) for shape in CONV_SHAPES}
    print(f"{'case':44s} {'engine ms':>13s} {'torch ms':>13s} {'ratio':>6s} {'target':>7s}  GFLOP/s (% of peak)")
    results, failures = [], []
    for name in samples["engine"]:
        (ours, our_spread), (theirs, their_spread) = pooled("engine", name), pooled("torch", name)
        ratio, target = ours / theirs, TARGETS.get(name)
        verdict = "" if target is None else (f"<= {target:.1f}" if ratio <= target else "MISSED")
        if target is not None and ratio > target:
            failures.append(name)
        rate = None if name not in flops else flops[name] / ours / 1e9
        shown = "" if rate is None else f"{rate:6.1f} ({100 * rate / peak:.0f} %)"
        print(f"{name:44s} {ours * 1e3:8.2f}±{our_spread * 1e3:<4.2f} {theirs * 1e3:8.2f}±{their_spread * 1e3:<4.2f}"
              f" {ratio:6.2f} {verdict:>7s}  {shown}")
        results.append(dict(case=name, engine_s=ours, engine_iqr_s=our_spread, torch_s=theirs,
                            torch_iqr_s=their_spread, ratio=ratio, target=target, gflops=rate))
    print(f"minor page faults per LeNet step at batch 256: engine {faults['engine']:.0f}, torch {faults['torch']:.0f}")

    with tempfile.TemporaryDirectory() as cache:
        cold = first_step_seconds(cache)
        warm = float(np.median([first_step_seconds(cache) for _ in range(3)]))
    print(f"fresh process to the end of the first LeNet step: cold {cold:.1f} s (limit {COLD_LIMIT_S:.0f}),"
          f" warm {warm:.2f} s (median of 3; limit {WARM_LIMIT_S:.0f})")
    if cold > COLD_LIMIT_S:
        failures.append("cold start")
    if warm > WARM_LIMIT_S:
        failures.append("warm start")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(dict(sgemm_peak_gflops=peak, threads=THREADS, rounds=args.rounds, cases=results,
                                         page_faults_per_lenet_step=faults, cold_start_s=cold, warm_start_s=warm,
                                         missed=failures), indent=2))
    print("all targets met" if not failures else f"targets missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
