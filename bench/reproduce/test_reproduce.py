"""Checks of the report's own metric and record code, run by run.sh before it trusts them:
the hand-checked example of the design notes, tie handling, and a TFRecord written here byte by
byte (packed and unpacked labels, a map entry with its value before its key, an unknown field).

    python3 bench/reproduce/test_reproduce.py
"""

import os
import struct
import tempfile
import unittest

import predictions
import records


def scored_from_scores(score_rows, labels, top_k):
    rows = {}
    for index, scores in enumerate(score_rows):
        ranked = sorted(range(len(scores)), key=lambda c: (-scores[c], c))[:top_k]
        rows[str(index)] = [(c, scores[c]) for c in ranked]
    truth = {str(index): sorted(video) for index, video in enumerate(labels)}
    return predictions.Scored(rows, truth, sorted(truth))


class MetricsTest(unittest.TestCase):
    def test_design_example(self):
        # docs/metrics.md: top_k = 2 gives Hit@1 1/3, GAP 0.225, starter mAP 0.5.
        scored = scored_from_scores([[.9, .8, .1, .05], [.2, .7, .6, .3], [.4, .1, .3, .95]],
                                    [{0, 2}, {2}, {1}], top_k=2)
        self.assertAlmostEqual(scored.hit_at_1(), 1 / 3)
        self.assertAlmostEqual(scored.gap(), 0.225)
        self.assertAlmostEqual(scored.class_map(), 0.5)

    def test_ties_count_their_expected_precision(self):
        # One positive tied with one negative at the top: precision 1 or 1/2, expected 3/4.
        scored = scored_from_scores([[.5, .5]], [{1}], top_k=2)
        self.assertAlmostEqual(scored.gap(), 0.75)

    def test_weights_repeat_videos(self):
        scored = scored_from_scores([[.9, .1], [.8, .2]], [{0}, {1}], top_k=1)
        self.assertAlmostEqual(scored.hit_at_1([3, 1]), 0.75)
        repeated = scored_from_scores([[.9, .1]] * 3 + [[.8, .2]], [{0}] * 3 + [{1}], top_k=1)
        self.assertAlmostEqual(scored.gap([3, 1]), repeated.gap())

    def test_spread_of_top1(self):
        scored = scored_from_scores([[.9, .1, 0], [.8, .2, 0], [0, .1, .9]], [{0}, {0}, {2}], top_k=1)
        self.assertEqual(scored.top1_spread({0}), (2, 2 / 3))

    def test_bootstrap_interval_of_a_clear_difference(self):
        good = scored_from_scores([[.9, .1]] * 50, [{0}] * 50, top_k=2)
        bad = scored_from_scores([[.1, .9]] * 50, [{0}] * 50, top_k=2)
        low, high = predictions.paired_bootstrap(bad, good, "hit_at_1", resamples=50)
        self.assertEqual((low, high), (1.0, 1.0))


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


class RecordsTest(unittest.TestCase):
    def test_ids_and_labels(self):
        packed = field(3, field(1, b"".join(varint(v) for v in (7, 300))))
        unpacked = field(3, varint(1 << 3) + varint(5) + varint(1 << 3) + varint(2))
        first = field(1, field(1, b"id") + field(2, field(1, field(1, b"ab12")))) + \
            field(1, field(2, packed) + field(1, b"labels"))  # value before key
        second = field(1, field(1, b"video_id") + field(2, field(1, field(1, b"xyz9")))) + \
            field(1, field(1, b"labels") + field(2, unpacked))
        unknown = varint(9 << 3) + varint(1)
        messages = [field(1, first) + field(2, b"ignored frames"), unknown + field(1, second)]
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "part.tfrecord")
            with open(path, "wb") as handle:
                for message in messages:
                    handle.write(struct.pack("<Q", len(message)) + b"\0" * 4 + message + b"\0" * 4)
            self.assertEqual(records.read_labels(path), {"ab12": [7, 300], "xyz9": [2, 5]})
            with self.assertRaises(ValueError):
                records.read_labels(os.path.join(directory, "none*.tfrecord"))


if __name__ == "__main__":
    unittest.main()
