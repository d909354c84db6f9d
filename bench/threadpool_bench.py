"""CPython equivalents of bench/threadpool_bench.cpp:
python3 threadpool_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py).
Two worker threads, as in the C++ benchmark."""
import concurrent.futures
import queue
import threading
import time

import cpython_protocol

WORKERS = 2


def nothing():
    pass


def futures(ops):
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        pending = [pool.submit(nothing) for _ in range(ops)]
        for f in pending:
            f.result()


def detached(ops):
    # ThreadPoolExecutor has no fire-and-forget; shutdown(wait=True) is its wait_idle.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS)
    for _ in range(ops):
        pool.submit(nothing)
    pool.shutdown(wait=True)


ADDENDS = list(range(1, 4097))


def add_range(lo, hi):
    total = 0
    for i in range(lo, hi):
        total += ADDENDS[i & 4095]
    return total


def additions(ops):
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        half = ops // 2
        sum(pool.map(add_range, [0, half], [half, ops]))


def handoff(ops):
    q = queue.Queue()

    def produce():
        for i in range(ops):
            q.put(i)

    producer = threading.Thread(target=produce)
    producer.start()
    total = 0
    for _ in range(ops):
        total += q.get()
    producer.join()


def as_completed(ops):
    done = []
    for i in range(ops):
        f = concurrent.futures.Future()
        f.set_result(i)
        done.append(f)
    start = time.perf_counter()
    sum(f.result() for f in concurrent.futures.as_completed(done))
    return time.perf_counter() - start  # the iteration only, as in C++


SCENARIOS = {"as_completed": as_completed, "futures": futures, "detached": detached, "additions": additions, "handoff": handoff}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS)
