"""The protocol every bench/<lib>_bench.py speaks with bench/harness/rounds.cpp:

    python3 bench/<lib>_bench.py SCENARIO OPS

runs the scenario once to warm up and prints "ready"; then, for every line it reads
on stdin, times one round and prints the seconds per operation; it exits at the end
of its input. The harness keeps the process alive for a whole row and asks for one
round at a time, taking turns with ours and the raw loop, so that drift in the
machine's load falls on all three alike. A scenario is a function of OPS; it is timed
around its call, unless it returns a number: then that is the seconds it measured
itself (to leave its own setup, such as starting a process, out of the time)."""
import sys
import time


def main(scenarios, before=None):
    """Serves the scenario named on the command line; `before()` is called first."""
    if before is not None:
        before()
    scenario, ops = scenarios[sys.argv[1]], int(sys.argv[2])
    scenario(ops)  # warm-up
    print("ready", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        measured = scenario(ops)
        elapsed = time.perf_counter() - start if measured is None else measured
        print(elapsed / ops, flush=True)
