"""CPython equivalents of bench/sync_bench.cpp: python3 sync_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import multiprocessing as mp
import threading
import time

import cpython_protocol


def lock(ops):
    """Uncontended multiprocessing.Lock acquire + release."""
    l = mp.Lock()
    start = time.perf_counter()
    for _ in range(ops):
        l.acquire()
        l.release()
    return time.perf_counter() - start


def _pong(ping, pong, ops):
    for _ in range(ops):
        ping.acquire()
        pong.release()


def pingpong(ops):
    """Round trips between two processes through two multiprocessing.Semaphores."""
    ping, pong = mp.Semaphore(0), mp.Semaphore(0)
    child = mp.Process(target=_pong, args=(ping, pong, ops))
    child.start()
    start = time.perf_counter()
    for _ in range(ops):
        ping.release()
        pong.acquire()
    elapsed = time.perf_counter() - start
    child.join()
    return elapsed


def make_locks(ops):
    """Making `ops` threading.Locks, all alive at once."""
    start = time.perf_counter()
    locks = [threading.Lock() for _ in range(ops)]
    elapsed = time.perf_counter() - start
    del locks
    return elapsed


def thread_lock(ops):
    """Uncontended threading.Lock acquire + release in a thread that is not main."""
    l = threading.Lock()
    result = []

    def loop():
        start = time.perf_counter()
        for _ in range(ops):
            l.acquire()
            l.release()
        result.append(time.perf_counter() - start)

    t = threading.Thread(target=loop)
    t.start()
    t.join()
    return result[0]


SCENARIOS = {"lock": lock, "pingpong": pingpong, "make_locks": make_locks, "thread_lock": thread_lock}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS, before=lambda: mp.set_start_method("fork"))
