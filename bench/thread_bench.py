"""CPython equivalents of bench/thread_bench.cpp: python3 thread_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import threading

import cpython_protocol


def nothing():
    pass


def thread(ops):
    """threading.Thread(target=nothing) start + join."""
    for _ in range(ops):
        t = threading.Thread(target=nothing)
        t.start()
        t.join()


def timer(ops):
    """threading.Timer(0, nothing) start + join."""
    for _ in range(ops):
        t = threading.Timer(0, nothing)
        t.start()
        t.join()


SCENARIOS = {"thread": thread, "timer": timer}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS)
