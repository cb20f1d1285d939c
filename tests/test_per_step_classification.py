"""Per-step classification (lecture 004 §6, the ECG beats): scores (N, T, K) and labels (N, T)."""

import numpy as np
import pytest

import engine
from engine.gradcheck import check_model_gradients
from engine.losses import CrossEntropy, accuracy


def test_per_step_cross_entropy_is_the_mean_over_every_step(rng):
    logits = rng.standard_normal((3, 4, 5))
    labels = rng.integers(0, 5, (3, 4))
    value, grad = CrossEntropy.from_logits(logits, labels)
    flat_value, flat_grad = CrossEntropy.from_logits(logits.reshape(12, 5), labels.reshape(12))
    assert value == pytest.approx(flat_value, rel=1e-12)
    np.testing.assert_allclose(grad, flat_grad.reshape(3, 4, 5), rtol=1e-12)
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    onehot = np.eye(5)[labels]
    assert CrossEntropy()(probabilities, onehot)[0] == pytest.approx(value, rel=1e-10)
    predicted = probabilities.argmax(-1)
    assert accuracy(probabilities, labels, CrossEntropy()) == pytest.approx(np.mean(predicted == labels))
    assert accuracy(probabilities, onehot, CrossEntropy()) == pytest.approx(np.mean(predicted == labels))


def test_per_step_labels_of_the_wrong_shape_are_refused(rng):
    with pytest.raises(ValueError, match=r"must have shape \(3, 4\)"):
        CrossEntropy.from_logits(rng.standard_normal((3, 4, 5)), rng.integers(0, 5, (3, 5)))


def test_sequence_tagger_gradients(rng):
    model = engine.Sequential([engine.SimpleRNN(4, return_sequences=True),
                               engine.TimeDistributedDense(3, activation="softmax")],
                              input_shape=(5, 2), dtype=np.float64, seed=int(rng.integers(1000)))
    x, labels = rng.standard_normal((2, 5, 2)), rng.integers(0, 3, (2, 5))
    result = check_model_gradients(model, x, labels, "cross_entropy", seed=int(rng.integers(1000)))
    assert result.passed, str(result)
