"""On a real GPU: the lecture's LeNet trained on the shipped digits reaches the CPU run's accuracy.

Too slow for the simulator (a real training run), so it runs only where a GPU is present:
``python -m pytest tests/cuda`` on a machine with one. The CPU run is the same model, seed,
data and optimiser; the two runs differ only in float32 rounding (sums in other orders), so
their held-out accuracies must agree to within a point.
"""

import numpy as np
import pytest

import engine
from engine.backends.cuda_device import simulated
from engine.datasets import load_digits

EPOCHS = 4


def _held_out_accuracy(backend):
    data = load_digits(validation=0.0, test=0.2, seed=0)
    model = engine.lenet(seed=0, backend=backend)
    model.fit(data.x_train, data.y_train, "cross_entropy", engine.Adam(0.002), epochs=EPOCHS, batch_size=64,
              seed=0, verbose=False)
    return model.evaluate(data.x_test, data.y_test, "cross_entropy")[1]


@pytest.mark.slow
def test_lenet_on_the_gpu_reaches_the_cpu_accuracy(cuda):
    if simulated():
        pytest.skip("a real training run: on a GPU only, not in the simulator")
    on_gpu, on_cpu = _held_out_accuracy("cuda"), _held_out_accuracy("cpu")
    assert on_gpu >= 0.95 and on_gpu >= on_cpu - 0.01, (on_gpu, on_cpu)
    assert np.isfinite(on_gpu)
