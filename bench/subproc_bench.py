"""CPython equivalents of bench/subproc_bench.cpp: python3 subproc_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import subprocess

import cpython_protocol

DATA_FILE = "/tmp/mp-subproc-bench.dat"  # written by subproc_bench.cpp
DATA_BYTES = 256 << 20
HEAP = None


def true(ops):
    for _ in range(ops):
        subprocess.run(["/bin/true"])


def true_big_heap(ops):
    global HEAP
    if HEAP is None:
        HEAP = b"\x01" * (1 << 30)  # 1 GiB, every page touched
    true(ops)


def capture(ops):
    for _ in range(ops):
        out = subprocess.run(["/bin/cat", DATA_FILE], stdout=subprocess.PIPE).stdout
        assert len(out) == DATA_BYTES


INPUT = None


def pipe(ops):
    global INPUT
    if INPUT is None:
        INPUT = b"y" * DATA_BYTES
    for _ in range(ops):
        out = subprocess.run(["/bin/cat"], input=INPUT, stdout=subprocess.PIPE).stdout
        assert len(out) == DATA_BYTES


SCENARIOS = {"true": true, "true_big_heap": true_big_heap, "capture": capture, "pipe": pipe}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS)
