"""Lecture 004 §6's bidirectional net labelling the beats of an ECG, step by step."""

import numpy as np
import pytest

import engine
from engine import synthetic


@pytest.mark.slow
def test_a_bidirectional_rnn_labels_beats_better_than_a_causal_one():
    x, labels = synthetic.ecg_beats(256, length=200, rng=0)
    x_val, labels_val = synthetic.ecg_beats(128, length=200, rng=1)
    majority = np.mean(labels_val == np.bincount(labels.ravel()).argmax())
    accuracy = {}
    for kind, first in [("bidirectional", engine.Bidirectional(engine.SimpleRNN(16, return_sequences=True))),
                        ("causal", engine.SimpleRNN(32, return_sequences=True))]:  # the same number of states
        model = engine.Sequential([first, engine.TimeDistributedDense(3, activation="softmax")],
                                  input_shape=x.shape[1:], seed=0)
        history = model.fit(x, labels, "cross_entropy", engine.Adam(3e-3), epochs=20, batch_size=32,
                            validation_data=(x_val, labels_val), verbose=False)
        accuracy[kind] = max(history["val_accuracy"][-3:])
    assert accuracy["bidirectional"] > majority + 0.25
    assert accuracy["bidirectional"] > accuracy["causal"] + 0.015, accuracy
