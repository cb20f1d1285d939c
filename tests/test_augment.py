"""Data augmentation (lecture 003): each transform's defining property, seeding, dtypes, errors."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from engine.augment import (
    TRANSFORMS,
    Augmentation,
    Compose,
    color_shift,
    contrast,
    erase,
    flip_horizontal,
    gaussian_noise,
    random_crop,
    rotate,
)

DTYPES = [np.float32, np.float64]


def images(rng, shape=(6, 7, 9, 3), dtype=np.float64):
    """Distinct values in [1, 2): never equal to a fill of 0 or -1."""
    return (1.0 + rng.random(shape)).astype(dtype)


def seed_of(rng):
    return int(rng.integers(2**31))


# ---------------------------------------------------------------- flip


@pytest.mark.parametrize("dtype", DTYPES)
def test_flip_mirrors_exactly_the_images_drawn(rng, dtype):
    x = images(rng, dtype=dtype)
    seed, p = seed_of(rng), float(rng.uniform(0.2, 0.8))
    y = flip_horizontal(x, seed, p=p)
    drawn = np.random.default_rng(seed).random(x.shape[0]) < p
    for n in range(x.shape[0]):
        expected = x[n, :, ::-1] if drawn[n] else x[n]
        np.testing.assert_array_equal(y[n], expected)
    # flipping the flipped images again (same draw) gives the input back
    np.testing.assert_array_equal(flip_horizontal(y, seed, p=p), x)


def test_flip_probability_extremes_and_rate(rng):
    x = images(rng, shape=(1000, 2, 3, 1))
    np.testing.assert_array_equal(flip_horizontal(x, rng, p=0.0), x)
    np.testing.assert_array_equal(flip_horizontal(x, rng, p=1.0), x[:, :, ::-1])
    flipped = np.any(flip_horizontal(x, rng, p=0.3) != x, axis=(1, 2, 3))
    assert abs(flipped.mean() - 0.3) < 0.1


# ---------------------------------------------------------------- rotation


@pytest.mark.parametrize("dtype", DTYPES)
def test_rotation_by_zero_is_identity(rng, dtype):
    x = images(rng, dtype=dtype)
    np.testing.assert_array_equal(rotate(x, rng, max_degrees=0.0), x)


@pytest.mark.parametrize("k", [1, 2, 3, -1])
@pytest.mark.parametrize("size", [6, 7])
def test_rotation_by_multiples_of_90_degrees_is_rot90(rng, k, size):
    x = images(rng, shape=(3, size, size, 2))
    y = rotate(x, rng, max_degrees=(90.0 * k, 90.0 * k), fill=-1.0)
    np.testing.assert_allclose(y, np.rot90(x, k, axes=(1, 2)), rtol=0, atol=1e-12)


def test_rotation_of_a_non_square_image_by_180_degrees(rng):
    x = images(rng, shape=(2, 5, 8, 1))
    y = rotate(x, rng, max_degrees=(180.0, 180.0))
    np.testing.assert_allclose(y, x[:, ::-1, ::-1], rtol=0, atol=1e-12)


def test_rotation_is_bilinear_about_the_centre(rng):
    """An image that is a linear function of position, a·row + b·col + c, stays linear: the centre of
    rotation keeps its value and inner pixels read the rotated coordinates (bilinear is exact there)."""
    size, degrees = 9, float(rng.choice([-1, 1]) * rng.uniform(20, 30))
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    a, b = rng.uniform(0.5, 1.5, size=2)
    c = rng.uniform(30, 40)  # positive on and around the image, so a blend with fill 0 is below it
    x = (a * rows + b * cols + c)[None, :, :, None]
    y = rotate(x, rng, max_degrees=(degrees, degrees), fill=0.0)[0, :, :, 0]
    t, centre = np.deg2rad(degrees), (size - 1) / 2
    src_col = centre + np.cos(t) * (cols - centre) - np.sin(t) * (rows - centre)
    src_row = centre + np.sin(t) * (cols - centre) + np.cos(t) * (rows - centre)
    inside = (src_row >= 0) & (src_row <= size - 1) & (src_col >= 0) & (src_col <= size - 1)
    np.testing.assert_allclose(y[inside], (a * src_row + b * src_col + c)[inside], rtol=1e-12)
    assert y[size // 2, size // 2] == pytest.approx(x[0, size // 2, size // 2, 0])
    # sources a pixel or more outside the image read only the fill; between, a blend of fill and image
    far = (src_row <= -1) | (src_row >= size) | (src_col <= -1) | (src_col >= size)
    assert far.any() and np.all(y[far] == 0.0)
    near = ~inside & ~far
    assert np.all((y[near] > 0) & (y[near] < (a * src_row + b * src_col + c)[near] + 1e-12))


@pytest.mark.parametrize("dtype", DTYPES)
def test_rotation_values_stay_between_the_extremes_and_fill(rng, dtype):
    x = images(rng, dtype=dtype)
    fill = -0.5
    y = rotate(x, rng, max_degrees=45, fill=fill)
    assert y.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert y.min() >= fill - tol and y.max() <= x.max() + tol
    assert not np.array_equal(y, x)


# ---------------------------------------------------------------- random crop


@pytest.mark.parametrize("padding", [1, 2, (1, 3)])
def test_crop_is_a_window_of_the_padded_image(rng, padding):
    x = images(rng, shape=(60, 5, 6, 2))
    fill = -1.0
    pad_h, pad_w = (padding, padding) if isinstance(padding, int) else padding
    y = random_crop(x, rng, padding=padding, fill=fill)
    padded = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)), constant_values=fill)
    seen = set()
    for n in range(x.shape[0]):
        matches = [
            (dy, dx) for dy in range(2 * pad_h + 1) for dx in range(2 * pad_w + 1)
            if np.array_equal(y[n], padded[n, dy:dy + 5, dx:dx + 6])
        ]
        assert len(matches) == 1, f"image {n} is not one window of the padded image"
        seen.add(matches[0])
    assert len(seen) > 1  # the offset is random, not fixed


def test_crop_draws_every_offset(rng):
    x = images(rng, shape=(300, 4, 4, 1))
    y = random_crop(x, rng, padding=1)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    offsets = {
        (dy, dx) for n in range(x.shape[0]) for dy in range(3) for dx in range(3)
        if np.array_equal(y[n], padded[n, dy:dy + 4, dx:dx + 4])
    }
    assert offsets == {(dy, dx) for dy in range(3) for dx in range(3)}


def test_crop_with_zero_padding_is_identity(rng):
    x = images(rng)
    np.testing.assert_array_equal(random_crop(x, rng, padding=0), x)


# ---------------------------------------------------------------- colour shift, noise, contrast


@pytest.mark.parametrize("dtype", DTYPES)
def test_color_shift_is_one_offset_per_image_and_channel(rng, dtype):
    x = images(rng, dtype=dtype)
    y = color_shift(x, rng, max_shift=0.2)
    shift = (y - x).astype(np.float64)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(shift, np.broadcast_to(shift[:, :1, :1, :], shift.shape), atol=tol)
    assert np.all(np.abs(shift) <= 0.2 + tol)
    assert np.unique(np.round(shift[:, 0, 0, :], 6)).size == x.shape[0] * x.shape[3]


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_noise_statistics(rng, dtype):
    x = images(rng, shape=(20, 30, 30, 3), dtype=dtype)
    std = float(rng.uniform(0.02, 0.2))
    noise = (gaussian_noise(x, rng, std=std) - x).astype(np.float64)
    count = noise.size
    assert abs(noise.mean()) < 5 * std / np.sqrt(count)
    assert noise.std() == pytest.approx(std, rel=0.03)
    np.testing.assert_array_equal(gaussian_noise(x, rng, std=0.0), x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_contrast_scales_around_the_per_image_channel_mean(rng, dtype):
    x = images(rng, dtype=dtype)
    low, high = 0.5, 1.5
    y = contrast(x, rng, low=low, high=high)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    mean_x, mean_y = x64.mean(axis=(1, 2)), y64.mean(axis=(1, 2))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(mean_y, mean_x, atol=tol)
    centred_x = x64 - mean_x[:, None, None, :]
    centred_y = y64 - mean_x[:, None, None, :]
    factor = (centred_y * centred_x).sum(axis=(1, 2, 3)) / (centred_x**2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(centred_y, factor[:, None, None, None] * centred_x, atol=10 * tol)
    assert np.all((factor >= low - tol) & (factor <= high + tol))
    assert np.ptp(factor) > 0  # one factor per image


def test_contrast_with_factor_one_is_identity(rng):
    x = images(rng)
    np.testing.assert_allclose(contrast(x, rng, low=1.0, high=1.0), x, rtol=0, atol=1e-14)


# ---------------------------------------------------------------- erase


@pytest.mark.parametrize("dtype", DTYPES)
def test_erase_fills_exactly_one_rectangle_in_every_channel(rng, dtype):
    x = images(rng, shape=(30, 10, 12, 2), dtype=dtype)
    low, high = 0.2, 0.6
    y = erase(x, rng, p=1.0, size=(low, high), fill=-1.0)
    for n in range(x.shape[0]):
        erased = y[n] == -1.0
        assert np.array_equal(erased[..., 0], erased[..., 1]), "every channel of an erased pixel is erased"
        rows, cols = np.nonzero(erased[..., 0])
        assert rows.size > 0
        r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        assert erased[r0:r1, c0:c1].all(), "the erased pixels fill their bounding box"
        assert round(low * 10) <= r1 - r0 <= round(high * 10) and round(low * 12) <= c1 - c0 <= round(high * 12)
        np.testing.assert_array_equal(y[n][~erased], x[n][~erased])


def test_erase_probability_and_several_patches(rng):
    x = images(rng, shape=(1000, 8, 8, 1))
    np.testing.assert_array_equal(erase(x, rng, p=0.0), x)
    touched = np.any(erase(x, rng, p=0.4) != x, axis=(1, 2, 3))
    assert abs(touched.mean() - 0.4) < 0.1
    y = erase(x, rng, p=1.0, size=0.25, patches=3, fill=0.0)  # three 2x2 patches (maybe overlapping)
    erased = (y == 0.0).sum(axis=(1, 2, 3))
    assert erased.min() >= 4 and erased.max() <= 12
    assert np.any(erased > 4)


# ---------------------------------------------------------------- common properties


def _call(name, x, rng):
    return TRANSFORMS[name][0](x, rng)


@pytest.mark.parametrize("name", list(TRANSFORMS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_seeded_dtype_preserved_input_untouched(rng, name, dtype):
    x = images(rng, shape=(32, 9, 9, 3), dtype=dtype)  # 32 images: two seeds flip the same ones w.p. 2^-32
    before = x.copy()
    seed = seed_of(rng)
    y = _call(name, x, seed)
    assert y.dtype == dtype and y.shape == x.shape
    assert not np.shares_memory(x, y)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(_call(name, x, seed), y)  # same seed, same result
    np.testing.assert_array_equal(_call(name, x, np.random.default_rng(seed)), y)  # int seed = Generator(seed)
    assert not np.array_equal(_call(name, x, seed + 1), y)  # another seed, another result


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_non_contiguous_input(rng, name):
    big = images(rng, shape=(8, 9, 9, 6))
    x = big[:, :, :, ::2]
    seed = seed_of(rng)
    np.testing.assert_array_equal(_call(name, x, seed), _call(name, np.ascontiguousarray(x), seed))


# ---------------------------------------------------------------- Augmentation


def test_augmentation_applies_steps_in_order_with_one_generator(rng):
    x = images(rng, dtype=np.float32)
    seed = seed_of(rng)
    aug = Augmentation([
        "flip_horizontal",
        ("rotate", {"max_degrees": 10}),
        functools.partial(gaussian_noise, std=0.02),
        lambda batch, g: color_shift(batch, g, max_shift=0.05),
    ])
    g = np.random.default_rng(seed)
    expected = color_shift(gaussian_noise(rotate(flip_horizontal(x, g), g, max_degrees=10), g, std=0.02), g, 0.05)
    y = aug(x, seed)
    np.testing.assert_array_equal(y, expected)
    assert y.dtype == np.float32 and len(aug) == 4
    assert "rotate(max_degrees=10)" in repr(aug)
    assert Compose is Augmentation


def test_empty_augmentation_returns_a_copy(rng):
    x = images(rng)
    y = Augmentation([])(x, rng)
    np.testing.assert_array_equal(y, x)
    assert not np.shares_memory(x, y)


def test_augmentation_errors():
    with pytest.raises(ValueError, match="unknown transform 'mirror'"):
        Augmentation(["mirror"])
    with pytest.raises(TypeError, match="unknown parameter"):
        Augmentation([("rotate", {"angle": 3})])
    with pytest.raises(ValueError, match="std"):
        Augmentation([("gaussian_noise", {"std": -1})])
    with pytest.raises(ValueError, match="p must be in"):
        Augmentation([functools.partial(flip_horizontal, p=2.0)])
    with pytest.raises(TypeError, match="steps\\[1\\]"):
        Augmentation(["rotate", 3])
    with pytest.raises(TypeError, match="steps must be a list"):
        Augmentation({"rotate": {}})
    bad = Augmentation([lambda batch, g: batch[:, :2]])
    with pytest.raises(TypeError, match="must return an array of shape"):
        bad(np.ones((2, 4, 4, 1)), 0)


# ---------------------------------------------------------------- argument errors


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_bad_images_are_refused(name):
    with pytest.raises(ValueError, match="4 dimensions"):
        _call(name, np.ones((4, 4, 3)), 0)
    with pytest.raises(TypeError, match="float32 or float64"):
        _call(name, np.ones((2, 4, 4, 1), dtype=np.int64), 0)
    with pytest.raises(TypeError, match="numpy array"):
        _call(name, [[[[1.0]]]], 0)
    with pytest.raises(ValueError, match="empty batch"):
        _call(name, np.ones((0, 4, 4, 1)), 0)
    with pytest.raises(TypeError, match="rng must be"):
        _call(name, np.ones((2, 4, 4, 1)), "seed")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: flip_horizontal(x, 0, p=1.5), ValueError, "p must be in"),
        (lambda x: flip_horizontal(x, 0, p=-0.1), ValueError, "p must be in"),
        (lambda x: rotate(x, 0, max_degrees=-5), ValueError, "max_degrees"),
        (lambda x: rotate(x, 0, max_degrees=(10, 5)), ValueError, "low <= high"),
        (lambda x: rotate(x, 0, fill=float("nan")), TypeError, "fill"),
        (lambda x: random_crop(x, 0, padding=4), ValueError, "padding must be smaller"),
        (lambda x: random_crop(x, 0, padding=(1, 5)), ValueError, "padding must be smaller"),
        (lambda x: random_crop(x, 0, padding=-1), ValueError, "padding"),
        (lambda x: random_crop(x, 0, padding=1.5), TypeError, "padding"),
        (lambda x: color_shift(x, 0, max_shift=-0.1), ValueError, "max_shift"),
        (lambda x: gaussian_noise(x, 0, std=-0.01), ValueError, "std"),
        (lambda x: gaussian_noise(x, 0, std="big"), TypeError, "std"),
        (lambda x: erase(x, 0, size=(0.5, 0.2)), ValueError, "low <= high"),
        (lambda x: erase(x, 0, size=0.0), ValueError, "size"),
        (lambda x: erase(x, 0, size=1.5), ValueError, "size"),
        (lambda x: erase(x, 0, patches=0), ValueError, "patches"),
        (lambda x: erase(x, 0, p=2), ValueError, "p must be in"),
        (lambda x: contrast(x, 0, low=1.3, high=1.2), ValueError, "low must not exceed high"),
        (lambda x: contrast(x, 0, low=-0.1), ValueError, "low"),
    ],
)
def test_bad_parameters_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call(np.ones((2, 4, 4, 1)))
