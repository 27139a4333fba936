"""Writes a copy of TFRecord files with the records sorted by their smallest label (records without
labels first, ties in their original order), cut into --files files of equal record counts: data
written in class order, as some shards are, for bench_data_shuffle to measure the shuffles on.
The records' bytes, CRCs included, are copied as they are.

    /usr/bin/python3 bench/data/sort_by_label.py '../shared/data/audioset_v1/bal_train-0000[0-2]-of-00004.tfrecord' \
        /tmp/sorted --files 3
"""
import argparse
import glob
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
import tfrecord  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pattern", help="glob of plain TFRecord files")
    parser.add_argument("out", help="directory for by_label-N.tfrecord")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--labels-key", default="labels")
    args = parser.parse_args()
    records = []
    for path in sorted(glob.glob(args.pattern)):
        for framed, data in tfrecord.records_with_framing(path):
            labels = tfrecord.labels_of(data, args.labels_key)
            records.append((min(labels) if labels else -1, framed))
    records.sort(key=lambda r: r[0])
    os.makedirs(args.out, exist_ok=True)
    per_file = -(-len(records) // args.files)
    for i in range(args.files):
        with open(os.path.join(args.out, f"by_label-{i}.tfrecord"), "wb") as f:
            for _, framed in records[i * per_file:(i + 1) * per_file]:
                f.write(framed)
    print(f"{len(records)} records sorted by label into {args.files} files in {args.out}")


if __name__ == "__main__":
    main()
