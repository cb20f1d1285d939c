"""``make demo``: train the lecture's LeNet on the shipped digits and plot what it learned.

    python -m engine.demo [--epochs 12] [--output demo-output] [--quiet] [--backend cuda]

Trains on 3 500 digits, watches 500 validation digits per epoch, and reports
the accuracy on 1 000 held-out digits that training never saw (the split is
stratified and seeded). Writes learning curves, first-layer filters, feature
maps and weight/gradient histograms as PNG files. Exits with status 1 if the
held-out accuracy is below 95 %. ``--backend cuda`` trains on an NVIDIA GPU.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from . import Adam, CudaUnavailableError, lenet, plots
from .datasets import load_digits

TARGET_ACCURACY = 0.95


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=Path("demo-output"))
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--backend", choices=("cpu", "cuda"), default="cpu", help="where to train (default: cpu)")
    args = parser.parse_args(argv)

    data = load_digits(validation=0.1, test=0.2, seed=args.seed)
    print(f"digits: {len(data.x_train)} train, {len(data.x_val)} validation, {len(data.x_test)} held out")
    try:
        model = lenet(seed=args.seed, backend=args.backend)
    except CudaUnavailableError as error:
        print(f"cannot train on the GPU: {error}", file=sys.stderr)
        return 2
    model.summary()

    started = time.perf_counter()
    history = model.fit(
        data.x_train, data.y_train, "cross_entropy", Adam(args.lr),
        epochs=args.epochs, batch_size=args.batch_size, validation_data=(data.x_val, data.y_val),
        seed=args.seed, verbose=not args.quiet,
    )
    seconds = time.perf_counter() - started
    test_loss, test_accuracy = model.evaluate(data.x_test, data.y_test, "cross_entropy")
    print(f"trained {args.epochs} epochs in {seconds:.1f} s on the {args.backend.upper()}")
    print(f"held-out accuracy: {test_accuracy:.2%} (loss {test_loss:.4f}) on {len(data.x_test)} unseen digits")

    args.output.mkdir(parents=True, exist_ok=True)
    sample = data.x_test[int(np.argmax(data.y_test == 3))]
    written = [
        plots.plot_learning_curves(history, path=args.output / "learning_curves.png"),
        plots.plot_filters(model, path=args.output / "filters.png"),
        plots.plot_feature_maps(model, sample, path=args.output / "feature_maps.png"),
        plots.plot_weight_histograms(model, path=args.output / "weight_histograms.png"),
        plots.plot_gradient_histograms(
            model, data.x_train[:256], data.y_train[:256], "cross_entropy",
            path=args.output / "gradient_histograms.png",
        ),
    ]
    model.save(args.output / "lenet_weights.npz")
    print(f"wrote {len(written)} plots and the weights to {args.output}/")
    if test_accuracy < TARGET_ACCURACY:
        print(f"held-out accuracy is below the {TARGET_ACCURACY:.0%} target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
