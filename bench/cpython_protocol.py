"""The protocol every bench/<lib>_bench.py speaks with bench/harness/harness.cpp:

    python3 bench/<lib>_bench.py SCENARIO OPS RUNS

runs the scenario once to warm up, then RUNS times, and prints one line per run
holding the seconds per operation. A scenario is a function of OPS; it is timed
around its call, unless it returns a number: then that is the seconds it measured
itself (to leave its own setup, such as starting a process, out of the time)."""
import sys
import time


def main(scenarios, before=None):
    """Runs the scenario named on the command line; `before()` is called first."""
    if before is not None:
        before()
    scenario, ops, runs = scenarios[sys.argv[1]], int(sys.argv[2]), int(sys.argv[3])
    scenario(ops)  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        measured = scenario(ops)
        elapsed = time.perf_counter() - start if measured is None else measured
        print(elapsed / ops, flush=True)
