"""Video ids and labels of YouTube-8M-style TFRecord files, read with the standard library only.

The reproduction recomputes metrics from `ynet predict` files against the ground truth, as a check
of ynet's own evaluation that shares no code with it; that needs each video's labels. Only the
context features are decoded: feature lists (the frames) are stepped over by their length. CRCs
are not checked here (ynet checks them when it trains and evaluates on the same files).
"""

import glob
import struct

ID_KEYS = (b"id", b"video_id")
LABELS_KEY = b"labels"


def _varint(data, pos):
    result = 0
    shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _fields(data):
    """Yields (field number, wire type, value) of one message; length-delimited values as slices."""
    pos = 0
    end = len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _int64_list(feature):
    values = []
    for number, _, value in _fields(feature):
        if number != 3:  # Feature.int64_list
            continue
        for inner, wire, item in _fields(value):
            if inner != 1:
                continue
            if wire == 2:  # packed
                pos = 0
                while pos < len(item):
                    raw, pos = _varint(item, pos)
                    values.append(raw - (1 << 64) if raw >= 1 << 63 else raw)
            else:
                values.append(item - (1 << 64) if item >= 1 << 63 else item)
    return values


def _first_bytes(feature):
    for number, _, value in _fields(feature):
        if number == 1:  # Feature.bytes_list
            for inner, _, item in _fields(value):
                if inner == 1:
                    return bytes(item).decode("utf-8", "replace")
    return None


def _context(record):
    """The id and labels in the context Features (field 1 of both Example and SequenceExample)."""
    found = {}
    for number, _, features in _fields(record):
        if number != 1:
            continue
        for entry_number, _, entry in _fields(features):
            if entry_number != 1:
                continue
            key = value = None
            # Map entries may hold the value before the key.
            for part, _, payload in _fields(entry):
                if part == 1:
                    key = bytes(payload)
                elif part == 2:
                    value = payload
            if key is not None and value is not None:
                found[key] = value
    video_id = next((_first_bytes(found[k]) for k in ID_KEYS if k in found), None)
    labels = _int64_list(found[LABELS_KEY]) if LABELS_KEY in found else []
    return video_id, sorted(set(labels))


def _records(path):
    with open(path, "rb") as handle:
        while True:
            header = handle.read(12)
            if not header:
                return
            if len(header) < 12:
                raise ValueError(f"{path}: truncated record header")
            (length,) = struct.unpack("<Q", header[:8])
            data = handle.read(length)
            if len(data) < length or len(handle.read(4)) < 4:
                raise ValueError(f"{path}: truncated record")
            yield memoryview(data)


def read_labels(patterns):
    """{video id: sorted labels} over the files of comma-separated glob patterns."""
    labels = {}
    for pattern in patterns.split(","):
        paths = sorted(glob.glob(pattern))
        if not paths:
            raise ValueError(f"{pattern}: pattern matches no file")
        for path in paths:
            for record in _records(path):
                video_id, video_labels = _context(record)
                if video_id is None:
                    raise ValueError(f"{path}: a record without an id")
                labels[video_id] = video_labels
    return labels
