"""Messages between the grader and a submission's process, over a pipe.

A message is a JSON header and some named arrays, framed by their lengths::

    [8 bytes: length of the rest] [4 bytes: length of the header] [header, UTF-8 JSON] [arrays, .npz]

Arrays travel as ``.npz`` and are read with ``allow_pickle=False``: whatever a
submission sends back is plain numbers, never an object that runs code in the
grader. This module imports nothing but the standard library and numpy, since
the submission's process imports it too.
"""

from __future__ import annotations

import io
import json
import os
import struct

import numpy as np

MAX_MESSAGE = 512 * 1024 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a message (or closed the pipe)."""


def encode(header: dict, arrays: dict | None = None) -> bytes:
    head = json.dumps(header, ensure_ascii=True).encode()
    body = b""
    if arrays:
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        body = buffer.getvalue()
    return struct.pack(">QI", 4 + len(head) + len(body), len(head)) + head + body


def send(fd: int, header: dict, arrays: dict | None = None) -> None:
    data = memoryview(encode(header, arrays))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exactly(fd: int, count: int) -> bytes:
    chunks = []
    while count:
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            raise ProtocolError("the pipe was closed")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def decode(payload: bytes) -> tuple[dict, dict]:
    if len(payload) < 4:
        raise ProtocolError("a message shorter than its header length")
    (head_length,) = struct.unpack(">I", payload[:4])
    if head_length > len(payload) - 4:
        raise ProtocolError("a header longer than its message")
    try:
        header = json.loads(payload[4:4 + head_length].decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(f"a header that is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise ProtocolError("a header that is not a JSON object")
    arrays = {}
    body = payload[4 + head_length:]
    if body:
        try:
            with np.load(io.BytesIO(body), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
        except Exception as error:  # noqa: BLE001 - anything unreadable is the sender's fault
            raise ProtocolError(f"arrays that are not a valid .npz without pickles ({type(error).__name__})") from None
    return header, arrays


def receive(fd: int) -> tuple[dict, dict]:
    """Read one whole message (blocking)."""
    (length,) = struct.unpack(">Q", _read_exactly(fd, 8))
    if length > MAX_MESSAGE:
        raise ProtocolError(f"a message of {length} bytes (the limit is {MAX_MESSAGE})")
    return decode(_read_exactly(fd, length))


# -- positional arguments: arrays in the .npz, everything else in the header ---------------------
def pack_values(values) -> tuple[list, dict]:
    """Split a tuple of values into a JSON-able description and named arrays."""
    described, arrays = [], {}
    for i, value in enumerate(values):
        if isinstance(value, np.ndarray):
            arrays[f"v{i}"] = value
            described.append({"array": f"v{i}"})
        elif isinstance(value, np.generic):
            described.append({"value": value.item()})
        elif isinstance(value, tuple):
            described.append({"tuple": list(value)})
        else:
            described.append({"value": value})
    return described, arrays


def unpack_values(described: list, arrays: dict) -> tuple:
    values = []
    for item in described:
        if "array" in item:
            values.append(arrays[item["array"]])
        elif "tuple" in item:
            values.append(tuple(item["tuple"]))
        else:
            values.append(item["value"])
    return tuple(values)
