"""CPython equivalents of bench/pool_bench.cpp: python3 pool_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import multiprocessing
import os

import cpython_protocol


def square(x):
    return x * x


def fork(ops):
    for _ in range(ops):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)


_pool = None


def shared_pool():
    # Made on the warm-up run, reused by the timed runs (as the C++ side does).
    global _pool
    if _pool is None:
        _pool = multiprocessing.Pool(2)
    return _pool


def map_squares(ops):
    shared_pool().map(square, [i % 40000 for i in range(ops)])


def apply(ops):
    pool = shared_pool()
    for _ in range(ops):
        pool.apply(square, (3,))


def pool_start(ops):
    for _ in range(ops):
        with multiprocessing.Pool(2) as pool:
            pool.apply(square, (3,))
            pool.close()
            pool.join()


SCENARIOS = {"fork": fork, "map": map_squares, "apply": apply, "pool_start": pool_start}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS)
