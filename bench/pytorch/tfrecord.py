"""TFRecord files of YouTube-8M-style SequenceExamples, read without TensorFlow or protobuf.

A record is a u64 little-endian length, its masked CRC32C, the data and the data's masked CRC32C
(docs/data.md). The data is a tf.SequenceExample: context features (id, labels) in field 1,
feature lists (one bytes value per frame) in field 2. Only what the parity harness needs is read:
the id, the int64 labels and the frames of the named feature lists, as uint8. The CRCs are not
checked here: ynet checks them, and this reader only has to see the same records.
"""
import glob
import os
import struct
import sys

import numpy as np

# One reader of the protobuf wire format for the bench scripts: the reproduction's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reproduce"))
from records import _fields, _varint  # noqa: E402


def records(path):
    """The serialized records of one plain (uncompressed) TFRecord file, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        start = offset + 12
        yield data[start:start + length]
        offset = start + length + 4


def _map(buf):
    """The entries of a Features or FeatureLists message: {key: value bytes}; a later key wins."""
    entries = {}
    for number, wire, entry in _fields(buf):
        if number != 1 or wire != 2:
            continue
        key = value = None
        for n, w, v in _fields(entry):
            if n == 1 and w == 2:
                key = bytes(v).decode()
            elif n == 2 and w == 2:
                value = v
        if key is not None:
            entries[key] = value if value is not None else memoryview(b"")
    return entries


def _bytes_values(feature):
    """The values of a Feature's bytes_list (field 1)."""
    out = []
    for number, wire, lst in _fields(feature):
        if number == 1 and wire == 2:
            out = [bytes(v) for n, w, v in _fields(lst) if n == 1 and w == 2]
    return out


def _int64_values(feature):
    """The values of a Feature's int64_list (field 3), packed or not."""
    out = []
    for number, wire, lst in _fields(feature):
        if number != 3 or wire != 2:
            continue
        out = []
        for n, w, v in _fields(lst):
            if n != 1:
                continue
            if w == 0:
                out.append(v)
            elif w == 2:
                j = 0
                while j < len(v):
                    x, j = _varint(v, j)
                    out.append(x)
    return [x - (1 << 64) if x >= 1 << 63 else x for x in out]


def labels_of(record, labels_key="labels"):
    """The int64 labels of a tf.Example or tf.SequenceExample record (context field 1)."""
    for number, wire, value in _fields(memoryview(record)):
        if number == 1 and wire == 2:
            context = _map(value)
            return _int64_values(context[labels_key]) if labels_key in context else []
    return []


def records_with_framing(path):
    """(record bytes with their 16 bytes of framing, data) of one plain TFRecord file, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        end = offset + 16 + length
        yield data[offset:end], data[offset + 12:offset + 12 + length]
        offset = end


def parse_sequence_example(record, id_key, labels_key, feature_lists):
    """(id, labels, frames [T, sum of sizes] uint8) of one frame-level record."""
    context, lists = {}, {}
    for number, wire, value in _fields(memoryview(record)):
        if number == 1 and wire == 2:
            context = _map(value)
        elif number == 2 and wire == 2:
            lists = _map(value)
    video_id = _bytes_values(context[id_key])[0].decode(errors="replace") if id_key in context else ""
    labels = _int64_values(context[labels_key]) if labels_key in context else []
    parts = []
    for name, size in feature_lists:
        frames = [_bytes_values(feature)[0] for n, w, feature in _fields(lists[name]) if n == 1 and w == 2]
        array = np.frombuffer(b"".join(frames), dtype=np.uint8).reshape(len(frames), size)
        parts.append(array)
    return video_id, labels, np.concatenate(parts, axis=1)


class FrameData:
    """Every record of some files, decoded: frames as stored (uint8), true lengths, labels.

    frames[n, t] holds the frames kept after `skip_frames` (a video with no more than
    `skip_frames` frames is kept whole, as ynet does), zero-padded to `max_frames`.
    """

    def __init__(self, patterns, feature_lists, classes, max_frames, skip_frames=0, id_key="id",
                 labels_key="labels"):
        files = sorted({f for p in patterns.split(",") for f in glob.glob(p)})
        if not files:
            raise FileNotFoundError(f"no file matches {patterns}")
        width = sum(size for _, size in feature_lists)
        ids, lengths, labels, frames = [], [], [], []
        for path in files:
            for record in records(path):
                video_id, video_labels, video = parse_sequence_example(record, id_key, labels_key, feature_lists)
                if video.shape[0] > skip_frames:
                    video = video[skip_frames:]
                video = video[:max_frames]
                padded = np.zeros((max_frames, width), dtype=np.uint8)
                padded[:video.shape[0]] = video
                ids.append(video_id)
                lengths.append(video.shape[0])
                labels.append([c for c in video_labels if 0 <= c < classes])
                frames.append(padded)
        self.files = files
        self.ids = ids
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.labels = labels
        self.frames = np.stack(frames)
        self.classes = classes

    def __len__(self):
        return len(self.ids)

    def dense_labels(self, rows):
        out = np.zeros((len(rows), self.classes), dtype=np.float32)
        for i, row in enumerate(rows):
            out[i, self.labels[row]] = 1.0
        return out


def dequantize(q, quant_min=-2.0, quant_max=2.0):
    """The starter code's dequantisation: q * (max - min) / 255 + (max - min) / 512 + min."""
    scale = (quant_max - quant_min) / 255.0
    bias = (quant_max - quant_min) / 512.0 + quant_min
    return q.astype(np.float32) * np.float32(scale) + np.float32(bias)
