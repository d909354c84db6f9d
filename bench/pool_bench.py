"""CPython equivalents of bench/pool_bench.cpp: python3 pool_bench.py SCENARIO OPS RUNS
prints one line per run holding the seconds per operation."""
import os
import sys
import time


def fork(ops):
    for _ in range(ops):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)


SCENARIOS = {"fork": fork}

if __name__ == "__main__":
    scenario, ops, runs = SCENARIOS[sys.argv[1]], int(sys.argv[2]), int(sys.argv[3])
    scenario(ops)  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        scenario(ops)
        print((time.perf_counter() - start) / ops, flush=True)
