"""Set 004 §6's adapters: the orthogonal reference is the engine's initialiser fed the case's Gaussian, and
backpropagation through time is the cell's backward repeated from the last step to the first."""

import numpy as np

import engine
import engine.functional as F
from autograder.specs import set_004_6


def test_the_orthogonal_reference_is_the_engine_fed_the_same_gaussian():
    for seed, shape in [(0, (6, 6)), (1, (7, 3)), (2, (5, 1)), (3, (1, 1))]:
        gaussian = np.random.default_rng(seed).normal(size=shape)
        (q,) = set_004_6._orthogonal_reference(gaussian)
        engine_q = engine.init.orthogonal(shape, rng=np.random.default_rng(seed), dtype=np.float64)
        np.testing.assert_array_equal(q, engine_q)
        np.testing.assert_allclose(q.T @ q, np.eye(shape[1]), atol=1e-12)
        r = q.T @ gaussian                                   # G = QR with R's diagonal positive
        assert np.all(np.diag(r) > 0)
        np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-12)


def test_bptt_reference_is_the_cell_backward_from_the_last_step(rng):
    n, steps, d, h = 3, 5, 2, 4
    x, h0 = rng.standard_normal((n, steps, d)), rng.standard_normal((n, h))
    W_xh, W_hh, b = rng.standard_normal((d, h)), rng.standard_normal((h, h)) / 2, rng.standard_normal(h)
    states = F.rnn_forward(x, W_xh, W_hh, b, h0)
    dh = rng.standard_normal(states.shape)
    unrolled = set_004_6._bptt_with()(dh, x, states, W_xh, W_hh, h0)
    for got, want in zip(unrolled, set_004_6._bptt_reference(dh, x, states, W_xh, W_hh, h0)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
