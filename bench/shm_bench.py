"""CPython equivalents of bench/shm_bench.cpp: python3 shm_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import multiprocessing

import cpython_protocol

PROCESSES = 2


def _increment_under_lock(counter, times):
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1


def locked_increment(ops):
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    workers = [context.Process(target=_increment_under_lock, args=(counter, ops // PROCESSES))
               for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert counter.value == ops, counter.value


SCENARIOS = {"locked_increment": locked_increment}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS)
