"""``make bench``: the CPU engine against PyTorch on the CPU, measured in the same run.

Both use the same two threads. Every case is timed by repeating it and taking
the median; the spread is the interquartile range. The ratio is engine time /
PyTorch time (below 1: the engine is faster). Convolutions also report GFLOP/s
against this machine's single-precision matrix-product peak measured at the
start. Finally, the time from a fresh process to the end of the first LeNet
training step, with an empty Numba cache (cold) and a filled one (warm).

    python benchmarks/bench.py [--repeats 15] [--json bench-output/results.json]
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
from threadpoolctl import threadpool_limits

THREADS = 2
TARGETS = {  # case -> maximum ratio engine / PyTorch
    "lenet step, batch 64": 0.5,
    "lenet step, batch 256": 0.5,
    "conv (64,28,28,1)->6 3x3": 1.2,
    "conv (64,13,13,6)->16 3x3": 1.2,
    "conv (64,32,32,64)->64 3x3 pad 1": 1.2,
}
COLD_LIMIT_S, WARM_LIMIT_S = 90.0, 2.0


def _summary(samples):
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    return median, q3 - q1


def timeit(function, repeats):
    """(median, interquartile range) of ``repeats`` timed calls, after one warm-up call."""
    return timeit_pair(function, None, repeats)[0]


def timeit_pair(first, second, repeats):
    """Time two functions alternately, so that both see the same machine noise;
    returns a (median, interquartile range) pair for each."""
    functions = [f for f in (first, second) if f is not None]
    samples = [[] for _ in functions]
    for f in functions:
        f()  # warm-up (and compilation)
    for _ in range(repeats):
        for f, times in zip(functions, samples):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
    return [_summary(times) for times in samples]


def sgemm_peak():
    """GFLOP/s of a large float32 matrix product with the benchmark's threads."""
    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    with threadpool_limits(limits=THREADS, user_api="blas"):
        seconds, _ = timeit(lambda: a @ a, 5)
    return 2 * 2048**3 / seconds / 1e9


# -- the cases --------------------------------------------------------------------------------------
def conv_cases(torch, F, rng):
    cases = []
    for n, h, w, c, f, pad in [(64, 28, 28, 1, 6, 0), (64, 13, 13, 6, 16, 0), (64, 32, 32, 64, 64, 1)]:
        x = rng.standard_normal((n, h, w, c)).astype(np.float32)
        k = (rng.standard_normal((3, 3, c, f)) * 0.1).astype(np.float32)
        b = np.zeros(f, np.float32)
        dy = rng.standard_normal(F.conv2d_forward(x, k, b, 1, pad).shape).astype(np.float32)

        def engine_step(x=x, k=k, b=b, dy=dy, pad=pad):
            F.conv2d_forward(x, k, b, 1, pad)
            F.conv2d_backward(dy, x, k, 1, pad)

        xt = torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
        kt = torch.tensor(k).permute(3, 2, 0, 1).contiguous().requires_grad_()
        bt = torch.tensor(b).requires_grad_()
        dyt = torch.tensor(dy).permute(0, 3, 1, 2)

        def torch_step(xt=xt, kt=kt, bt=bt, dyt=dyt, pad=pad):
            xt.grad = kt.grad = bt.grad = None
            torch.nn.functional.conv2d(xt, kt, bt, padding=pad).backward(dyt)

        out_pixels = dy.shape[0] * dy.shape[1] * dy.shape[2]
        flops = 3 * 2 * out_pixels * 9 * c * f  # forward, input gradient, weight gradient
        name = f"conv ({n},{h},{w},{c})->{f} 3x3" + (f" pad {pad}" if pad else "")
        cases.append((name, engine_step, torch_step, flops))
    return cases


def pooling_cases(torch, F, rng):
    x = rng.standard_normal((64, 26, 26, 32)).astype(np.float32)
    dy = rng.standard_normal((64, 13, 13, 32)).astype(np.float32)
    xt = torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
    dyt = torch.tensor(dy).permute(0, 3, 1, 2)
    cases = []
    for kind, forward, backward, peer in [
        ("max", F.max_pool2d_forward, F.max_pool2d_backward, torch.nn.functional.max_pool2d),
        ("average", F.avg_pool2d_forward, F.avg_pool2d_backward, torch.nn.functional.avg_pool2d),
    ]:
        def engine_step(forward=forward, backward=backward):
            forward(x, 2)
            backward(dy, x, 2)

        def torch_step(peer=peer):
            xt.grad = None
            peer(xt, 2).backward(dyt)

        cases.append((f"{kind} pool 2x2 (64,26,26,32)", engine_step, torch_step, None))
    return cases


def torch_lenet(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 3), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


def lenet_cases(torch, engine, rng):
    cases = []
    for batch in (64, 256):
        x = rng.random((batch, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, batch)
        model, optimizer = engine.lenet(seed=0), engine.Adam(1e-3)

        def engine_step(model=model, optimizer=optimizer, x=x, y=y):
            model.loss_and_backward(x, y, "cross_entropy")
            optimizer.step(model.parameters())

        net = torch_lenet(torch)
        torch_optimizer = torch.optim.Adam(net.parameters(), 1e-3)
        xt, yt = torch.tensor(x).permute(0, 3, 1, 2).contiguous(), torch.tensor(y)

        def torch_step(net=net, opt=torch_optimizer, xt=xt, yt=yt):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt), yt).backward()
            opt.step()

        cases.append((f"lenet step, batch {batch}", engine_step, torch_step, None))
    return cases


def fit_epoch_case(torch, engine):
    from engine.datasets import load_digits

    data = load_digits(test=0.2, seed=0)
    model = engine.lenet(seed=0)

    def engine_epoch():
        model.fit(data.x_train, data.y_train, "cross_entropy", engine.Adam(1e-3), epochs=1, batch_size=64,
                  verbose=False)

    net = torch_lenet(torch)
    xt = torch.tensor(data.x_train).permute(0, 3, 1, 2).contiguous()
    yt = torch.tensor(data.y_train)

    def torch_epoch():
        opt = torch.optim.Adam(net.parameters(), 1e-3)
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), 64):
            batch = order[start : start + 64]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt[batch]), yt[batch]).backward()
            opt.step()

    return [(f"fit, one epoch of {len(xt)} digits, batch 64", engine_epoch, torch_epoch, None)]


def minor_page_faults(step, repeats=10):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(repeats):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / repeats


# -- start-up ------------------------------------------------------------------------------------
FIRST_STEP = """
import time, numpy as np
start = time.perf_counter()
import engine
model, optimizer = engine.lenet(seed=0), engine.Adam(1e-3)
x = np.random.default_rng(0).random((64, 28, 28, 1), dtype=np.float32)
model.loss_and_backward(x, np.arange(64) % 10, "cross_entropy")
optimizer.step(model.parameters())
print(time.perf_counter() - start)
"""


def first_step_seconds(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), NUMBA_NUM_THREADS=str(THREADS))
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", FIRST_STEP], env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description="engine vs PyTorch on the CPU")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path, default=Path("bench-output/results.json"))
    args = parser.parse_args(argv)

    os.environ.setdefault("NUMBA_NUM_THREADS", str(THREADS))
    peak = sgemm_peak()
    import numba
    import torch

    import engine
    import engine.functional as F

    numba.set_num_threads(THREADS)
    torch.set_num_threads(THREADS)
    rng = np.random.default_rng(0)
    print(f"threads: numba {numba.get_num_threads()}, torch {torch.get_num_threads()}; "
          f"float32 sgemm peak {peak:.1f} GFLOP/s; torch {torch.__version__}, numba {numba.__version__}")
    print(f"{'case':44s} {'engine ms':>12s} {'torch ms':>12s} {'ratio':>6s} {'target':>7s}  GFLOP/s (% peak)")

    cases = lenet_cases(torch, engine, rng) + conv_cases(torch, F, rng) + pooling_cases(torch, F, rng)
    cases += fit_epoch_case(torch, engine)
    results, failures = [], []
    for name, engine_step, torch_step, flops in cases:
        repeats = 3 if name.startswith("fit") else args.repeats
        (ours, our_spread), (theirs, their_spread) = timeit_pair(engine_step, torch_step, repeats)
        ratio = ours / theirs
        target = TARGETS.get(name)
        verdict = "" if target is None else (f"<= {target:.1f}" if ratio <= target else "MISSED")
        if target is not None and ratio > target:
            failures.append(name)
        gflops = "" if flops is None else f"{flops / ours / 1e9:6.1f} ({100 * flops / ours / 1e9 / peak:.0f} %)"
        print(f"{name:44s} {ours * 1e3:7.2f}±{our_spread * 1e3:<4.2f} {theirs * 1e3:7.2f}±{their_spread * 1e3:<4.2f}"
              f" {ratio:6.2f} {verdict:>7s}  {gflops}")
        results.append(dict(case=name, engine_s=ours, engine_iqr_s=our_spread, torch_s=theirs,
                            torch_iqr_s=their_spread, ratio=ratio, target=target,
                            gflops=None if flops is None else flops / ours / 1e9))

    lenet_step = next(engine_step for name, engine_step, _, _ in cases if name == "lenet step, batch 256")
    faults = minor_page_faults(lenet_step)
    print(f"minor page faults per LeNet step at batch 256: {faults:.0f} (freed memory is reused, not re-faulted)")

    with tempfile.TemporaryDirectory() as cache:
        cold_total, _ = first_step_seconds(cache)
        warm_total = float(np.median([first_step_seconds(cache)[0] for _ in range(3)]))
    print(f"fresh process to the end of the first LeNet step: cold {cold_total:.1f} s (limit {COLD_LIMIT_S:.0f}),"
          f" warm {warm_total:.2f} s (median of 3; limit {WARM_LIMIT_S:.0f})")
    if cold_total > COLD_LIMIT_S:
        failures.append("cold start")
    if warm_total > WARM_LIMIT_S:
        failures.append("warm start")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(dict(sgemm_peak_gflops=peak, threads=THREADS, cases=results,
                                         cold_start_s=cold_total, warm_start_s=warm_total,
                                         page_faults_per_lenet_step=faults,
                                         missed=failures), indent=2))
    print("all targets met" if not failures else f"targets missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
