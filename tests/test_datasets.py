"""Tests for engine.datasets. None of them touches the network."""

import gzip
import hashlib
import shutil
import struct

import numpy as np
import pytest

from engine import datasets
from engine.datasets import (
    MNIST_FILES,
    download_mnist,
    load_digits,
    load_digits_arrays,
    load_mnist,
    read_idx,
    write_idx,
)

# ---------------------------------------------------------------------------
# load_digits_arrays / load_digits
# ---------------------------------------------------------------------------


def test_digits_arrays_as_stored():
    images, labels = load_digits_arrays()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.uint8
    assert np.array_equal(np.bincount(labels), np.full(10, 500))
    assert np.all(np.diff(labels.astype(int)) >= 0), "file is documented as sorted by class"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_load_digits_shapes_dtypes_and_range(dtype):
    split = load_digits(dtype=dtype, validation=0.1, test=0.2)
    expected_sizes = {"train": 3500, "val": 500, "test": 1000}
    for part, size in expected_sizes.items():
        x = getattr(split, f"x_{part}")
        y = getattr(split, f"y_{part}")
        assert x.shape == (size, 28, 28, 1)
        assert x.dtype == np.dtype(dtype)
        assert y.shape == (size,) and y.dtype == np.int64
        assert x.min() >= 0.0 and x.max() <= 1.0
        assert set(np.unique(y)) == set(range(10))
    # 255 maps to exactly 1.0, so real strokes reach the top of the range
    assert split.x_train.max() == 1.0


def test_load_digits_values_are_scaled_raw_pixels():
    images, labels = load_digits_arrays()
    split = load_digits(dtype=np.float64, test=0.0)
    # With test=0 all 5000 images are in train; sorting by the raw pixels recovers the file.
    x = np.rint(split.x_train[..., 0] * 255).astype(np.uint8)
    assert np.array_equal(
        np.sort(x.reshape(5000, -1), axis=0), np.sort(images.reshape(5000, -1), axis=0)
    )
    assert np.array_equal(np.sort(split.y_train), labels.astype(np.int64))


def test_load_digits_default_is_80_20_without_validation():
    split = load_digits()
    assert len(split.x_train) == 4000 and len(split.x_test) == 1000
    assert split.x_val.shape == (0, 28, 28, 1) and split.x_val.dtype == np.float32
    assert split.y_val.shape == (0,) and split.y_val.dtype == np.int64


def test_load_digits_zero_test_gives_empty_test_part():
    split = load_digits(validation=0.3, test=0.0)
    assert split.x_test.shape == (0, 28, 28, 1)
    assert split.y_test.shape == (0,)
    assert len(split.x_train) == 3500 and len(split.x_val) == 1500


def test_load_digits_is_stratified():
    split = load_digits(validation=0.1, test=0.3, seed=3)
    assert np.array_equal(np.bincount(split.y_train, minlength=10), np.full(10, 300))
    assert np.array_equal(np.bincount(split.y_val, minlength=10), np.full(10, 50))
    assert np.array_equal(np.bincount(split.y_test, minlength=10), np.full(10, 150))


def test_load_digits_parts_are_shuffled():
    split = load_digits(validation=0.1)
    for y in (split.y_train, split.y_val, split.y_test):
        assert not np.all(np.diff(y) >= 0), "labels still sorted by class"


def test_load_digits_is_deterministic_per_seed():
    a = load_digits(validation=0.1, seed=7)
    b = load_digits(validation=0.1, seed=7)
    c = load_digits(validation=0.1, seed=8)
    for left, right in zip(a, b, strict=True):
        assert np.array_equal(left, right)
    assert not np.array_equal(a.y_train, c.y_train)
    assert not np.array_equal(a.x_test, c.x_test)


def _sorted_rows(images_uint8):
    return sorted(row.tobytes() for row in images_uint8.reshape(len(images_uint8), -1))


def test_load_digits_parts_do_not_overlap():
    split = load_digits(dtype=np.float64, validation=0.15, test=0.25)
    parts = [split.x_train, split.x_val, split.x_test]
    together = np.rint(np.concatenate(parts)[..., 0] * 255).astype(np.uint8)
    images, _ = load_digits_arrays()
    # Every image of the file appears exactly once across the three parts
    # (the same multiset of images; a repeated index would break the equality).
    assert len(together) == 5000
    assert _sorted_rows(together) == _sorted_rows(images)


@pytest.mark.parametrize("dtype", [np.float16, np.int64, np.uint8, "not a dtype", None])
def test_load_digits_rejects_other_dtypes(dtype):
    with pytest.raises(TypeError, match="dtype"):
        load_digits(dtype=dtype)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"validation": -0.1}, "validation"),
        ({"validation": 1.0}, "validation"),
        ({"test": 1.0}, "test"),
        ({"test": -0.5}, "test"),
        ({"test": float("nan")}, "test"),
        ({"validation": 0.5, "test": 0.5}, "validation \\+ test"),
        ({"validation": 0.6, "test": 0.7}, "validation \\+ test"),
    ],
)
def test_load_digits_rejects_bad_fractions(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_digits(**kwargs)


def test_bad_fraction_message_says_what_came():
    with pytest.raises(ValueError, match=r"\[0, 1\).*1\.5"):
        load_digits(test=1.5)


# ---------------------------------------------------------------------------
# Real-data sanity
# ---------------------------------------------------------------------------


def test_real_digits_look_like_mnist():
    images, labels = load_digits_arrays()
    ink = images.reshape(5000, -1).mean(axis=1)
    mean_ink = np.array([ink[labels == c].mean() for c in range(10)])
    # A "1" is a single stroke; a "0" is a loop.
    assert mean_ink[1] < mean_ink[0]
    assert mean_ink.argmin() == 1
    # MNIST digits are centred: the 2-pixel border is almost empty, the centre is not.
    border = np.concatenate([images[:, :2].ravel(), images[:, -2:].ravel()])
    assert border.mean() < 1.0
    assert images[:, 10:18, 10:18].mean() > 50
    # Real scans use the full grey range, not just 0 and 255.
    assert len(np.unique(images)) > 200


def test_class_means_are_distinct():
    images, labels = load_digits_arrays()
    means = np.stack([images[labels == c].mean(axis=0) for c in range(10)])
    distances = np.linalg.norm((means[:, None] - means[None, :]).reshape(10, 10, -1), axis=2)
    off_diagonal = distances[~np.eye(10, dtype=bool)]
    assert off_diagonal.min() > 100  # every class has its own average shape


# ---------------------------------------------------------------------------
# IDX format
# ---------------------------------------------------------------------------


def test_write_idx_produces_the_documented_bytes(tmp_path):
    path = tmp_path / "tiny-idx2-ubyte"
    write_idx(path, np.array([[1, 2, 3], [4, 5, 255]], dtype=np.uint8))
    assert path.read_bytes() == (
        b"\x00\x00\x08\x02"
        + b"\x00\x00\x00\x02"
        + b"\x00\x00\x00\x03"
        + bytes([1, 2, 3, 4, 5, 255])
    )


def test_write_idx_is_big_endian(tmp_path):
    path = tmp_path / "short.idx"
    write_idx(path, np.array([258, -2], dtype=np.int16))
    assert path.read_bytes() == b"\x00\x00\x0b\x01\x00\x00\x00\x02" + b"\x01\x02\xff\xfe"


def test_read_idx_of_handmade_file(tmp_path):
    path = tmp_path / "hand.idx"
    header = struct.pack(">BBBBII", 0, 0, 0x0D, 2, 2, 2)
    path.write_bytes(header + struct.pack(">4f", 1.5, -2.0, 0.25, 8.0))
    array = read_idx(path)
    assert array.shape == (2, 2)
    assert array.dtype == np.float32 and array.dtype.isnative
    assert np.array_equal(array, [[1.5, -2.0], [0.25, 8.0]])
    array[0, 0] = 3.0  # the result is an ordinary writable array


DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
SHAPES = [(7,), (3, 4), (2, 3, 5), (2, 1, 3, 2), (0, 28, 28)]


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_idx_round_trip(tmp_path, dtype, shape, suffix):
    rng = np.random.default_rng(0)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
    else:
        array = rng.standard_normal(shape).astype(dtype) * 1e3
    path = tmp_path / f"data.idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype)
    assert back.shape == shape
    assert np.array_equal(back, array)


def test_idx_gz_is_really_compressed(tmp_path):
    array = np.zeros((100, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "a.idx.gz", array)
    raw = (tmp_path / "a.idx.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert len(raw) < array.nbytes // 10


def test_read_idx_detects_gzip_by_magic(tmp_path):
    array = np.arange(12, dtype=np.int32).reshape(3, 4)
    write_idx(tmp_path / "x.gz", array)
    renamed = tmp_path / "x-without-suffix"
    (tmp_path / "x.gz").rename(renamed)
    assert np.array_equal(read_idx(renamed), array)


def test_read_idx_accepts_non_contiguous_and_foreign_endian_input(tmp_path):
    array = np.arange(24, dtype=">i4").reshape(4, 6)[:, ::2]
    write_idx(tmp_path / "a", array)
    assert np.array_equal(read_idx(tmp_path / "a"), array)


@pytest.mark.parametrize("dtype", [np.uint16, np.int64, np.complex64, bool])
def test_write_idx_rejects_unsupported_dtypes(tmp_path, dtype):
    with pytest.raises(TypeError, match="dtype"):
        write_idx(tmp_path / "a", np.zeros(3, dtype=dtype))


def _good_idx_bytes():
    return b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(range(6))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x01\x00" + _good_idx_bytes()[2:], "magic"),
        (b"\x00\x07" + _good_idx_bytes()[2:], "magic"),
        (b"\x00\x00\x0a" + _good_idx_bytes()[3:], "type code 0x0A"),
        (b"\x00\x00\x08", "too short"),
        (b"", "too short"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "3 dimensions"),
        (_good_idx_bytes()[:-1], "needs 6 bytes.*has 5"),
        (_good_idx_bytes() + b"\x00", "needs 6 bytes.*has 7"),
        (b"\x00\x00\x0b\x01\x00\x00\x00\x02\x00\x01\x00", "needs 4 bytes.*has 3"),
    ],
)
def test_read_idx_rejects_malformed_files(tmp_path, data, message):
    path = tmp_path / "broken-idx"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message) as error:
        read_idx(path)
    assert "broken-idx" in str(error.value)


def test_read_idx_rejects_truncated_gzip_data(tmp_path):
    write_idx(tmp_path / "a.gz", np.ones((10, 10), np.float64))
    # Valid gzip stream, but the IDX payload inside is short.
    payload = gzip.decompress((tmp_path / "a.gz").read_bytes())
    (tmp_path / "b.gz").write_bytes(gzip.compress(payload[:-8]))
    with pytest.raises(ValueError, match="b.gz"):
        read_idx(tmp_path / "b.gz")


def test_read_idx_rejects_broken_gzip_stream(tmp_path):
    write_idx(tmp_path / "a.gz", np.ones((50, 50), np.uint8))
    raw = (tmp_path / "a.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="cut.gz"):
        read_idx(tmp_path / "cut.gz")


# ---------------------------------------------------------------------------
# load_mnist on a fake MNIST folder
# ---------------------------------------------------------------------------


def _fake_mnist(folder, n_train=20, n_test=10, gz=False, seed=0):
    """Write four tiny IDX files with MNIST names into folder; return the raw arrays."""
    rng = np.random.default_rng(seed)
    arrays = [
        rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=n_train, dtype=np.uint8),
        rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=n_test, dtype=np.uint8),
    ]
    arrays[0][0, 0, 0], arrays[0][0, 0, 1] = 0, 255  # make the [0, 1] range exact
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in zip(MNIST_FILES, arrays, strict=True):
        write_idx(folder / (name + (".gz" if gz else "")), array)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_load_mnist_from_folder(tmp_path, gz, dtype):
    raw = _fake_mnist(tmp_path, gz=gz)
    x_train, y_train, x_test, y_test = load_mnist(tmp_path, dtype=dtype)
    assert x_train.shape == (20, 28, 28, 1) and x_test.shape == (10, 28, 28, 1)
    assert x_train.dtype == dtype and x_test.dtype == dtype
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    np.testing.assert_allclose(x_train[..., 0] * 255, raw[0], atol=1e-4)
    np.testing.assert_allclose(x_test[..., 0] * 255, raw[2], atol=1e-4)
    assert np.array_equal(y_train, raw[1]) and np.array_equal(y_test, raw[3])


def test_load_mnist_mixed_plain_and_gz(tmp_path):
    raw = _fake_mnist(tmp_path, gz=False)
    plain = tmp_path / MNIST_FILES[2]
    with open(plain, "rb") as source, gzip.open(str(plain) + ".gz", "wb") as target:
        shutil.copyfileobj(source, target)
    plain.unlink()
    _, _, x_test, _ = load_mnist(tmp_path)
    np.testing.assert_allclose(x_test[..., 0] * 255, raw[2], atol=1e-4)


def test_load_mnist_missing_files_are_listed(tmp_path):
    _fake_mnist(tmp_path)
    (tmp_path / MNIST_FILES[1]).unlink()
    (tmp_path / MNIST_FILES[3]).unlink()
    with pytest.raises(FileNotFoundError) as error:
        load_mnist(tmp_path)
    message = str(error.value)
    assert MNIST_FILES[1] in message and MNIST_FILES[3] in message
    assert MNIST_FILES[0] not in message


def test_load_mnist_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_load_mnist_count_mismatch(tmp_path):
    _fake_mnist(tmp_path)
    write_idx(tmp_path / MNIST_FILES[3], np.zeros(9, np.uint8))
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        load_mnist(tmp_path)


def test_load_mnist_rejects_non_image_file(tmp_path):
    _fake_mnist(tmp_path)
    write_idx(tmp_path / MNIST_FILES[0], np.zeros((20, 784), np.uint8))
    with pytest.raises(ValueError, match="images"):
        load_mnist(tmp_path)


def test_load_mnist_rejects_bad_dtype(tmp_path):
    _fake_mnist(tmp_path)
    with pytest.raises(TypeError, match="dtype"):
        load_mnist(tmp_path, dtype=np.int32)


# ---------------------------------------------------------------------------
# download_mnist with a fake _fetch
# ---------------------------------------------------------------------------


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local "mirror" of fake .gz files; _fetch copies from it and records each URL."""
    source = tmp_path / "mirror"
    raw = _fake_mnist(source, gz=True, seed=1)
    table = {f"{name}.gz": _sha(source / f"{name}.gz") for name in MNIST_FILES}
    fetched = []

    def fake_fetch(url, destination):
        fetched.append(url)
        shutil.copyfile(source / url.rsplit("/", 1)[-1], destination)

    monkeypatch.setattr(datasets, "_fetch", fake_fetch)
    return {"source": source, "table": table, "fetched": fetched, "raw": raw}


def test_download_fetches_verifies_and_caches(tmp_path, mirror):
    cache = tmp_path / "cache" / "nested"
    folder = download_mnist(cache, base_url="https://example.invalid/mnist", sha256=mirror["table"])
    assert folder == cache
    assert sorted(mirror["fetched"]) == sorted(
        f"https://example.invalid/mnist/{name}.gz" for name in MNIST_FILES
    )
    for name in MNIST_FILES:
        assert (cache / f"{name}.gz").read_bytes() == (mirror["source"] / f"{name}.gz").read_bytes()
    assert sorted(p.name for p in cache.iterdir()) == sorted(f"{n}.gz" for n in MNIST_FILES)

    mirror["fetched"].clear()
    assert download_mnist(cache, sha256=mirror["table"], progress=False) == cache
    assert mirror["fetched"] == [], "files with matching hashes must not be fetched again"


def test_load_mnist_of_download(tmp_path, mirror):
    x_train, y_train, _, _ = load_mnist(
        download_mnist(tmp_path / "c", sha256=mirror["table"], progress=False)
    )
    assert x_train.shape == (20, 28, 28, 1)
    assert np.array_equal(y_train, mirror["raw"][1])


def test_download_replaces_corrupted_cached_file(tmp_path, mirror):
    cache = tmp_path / "cache"
    download_mnist(cache, sha256=mirror["table"], progress=False)
    (cache / f"{MNIST_FILES[0]}.gz").write_bytes(b"garbage")
    mirror["fetched"].clear()
    download_mnist(cache, sha256=mirror["table"], progress=False)
    assert len(mirror["fetched"]) == 1 and mirror["fetched"][0].endswith(f"{MNIST_FILES[0]}.gz")
    assert _sha(cache / f"{MNIST_FILES[0]}.gz") == mirror["table"][f"{MNIST_FILES[0]}.gz"]


def test_download_wrong_hash_raises_and_leaves_nothing(tmp_path, mirror):
    cache = tmp_path / "cache"
    table = dict(mirror["table"])
    bad_name = f"{MNIST_FILES[0]}.gz"
    table[bad_name] = "0" * 64
    with pytest.raises(ValueError, match="SHA-256") as error:
        download_mnist(cache, sha256=table, progress=False)
    assert bad_name in str(error.value)
    assert not (cache / bad_name).exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".") or p.suffix == ".part"]


def test_download_real_table_rejects_fake_files(tmp_path, mirror):
    # The default table holds the real MNIST hashes, which the fake files cannot match.
    with pytest.raises(ValueError, match="SHA-256"):
        download_mnist(tmp_path / "cache", progress=False)
    assert list((tmp_path / "cache").iterdir()) == []


def test_interrupted_download_leaves_nothing(tmp_path, monkeypatch):
    def broken_fetch(url, destination):
        destination.write_bytes(b"half a file")
        raise ConnectionError("network went away")

    monkeypatch.setattr(datasets, "_fetch", broken_fetch)
    cache = tmp_path / "cache"
    with pytest.raises(ConnectionError):
        download_mnist(cache, progress=False)
    assert list(cache.iterdir()) == []


def test_download_needs_a_hash_for_every_file(tmp_path, mirror):
    table = dict(mirror["table"])
    del table[f"{MNIST_FILES[3]}.gz"]
    with pytest.raises(ValueError, match=MNIST_FILES[3]):
        download_mnist(tmp_path / "cache", sha256=table, progress=False)
    assert mirror["fetched"] == []


def test_download_default_folder_follows_environment(tmp_path, mirror, monkeypatch):
    monkeypatch.setenv("ENGINE_DATA_HOME", str(tmp_path / "home"))
    folder = download_mnist(sha256=mirror["table"], progress=False)
    assert folder == tmp_path / "home" / "mnist"
    assert (folder / f"{MNIST_FILES[0]}.gz").is_file()


def test_default_cache_dir_without_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ENGINE_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert datasets.default_cache_dir() == tmp_path / ".cache" / "deeplearning-engine" / "mnist"
