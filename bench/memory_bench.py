"""CPython's side of bench/memory_bench.cpp: one scenario in this fresh process,
then one line "<first> <second>": for map, imap and queue this process's peak RSS
(VmHWM) and the largest peak RSS of its waited-for children, in bytes; for locks
the /dev/shm bytes (st_blocks) of the named semaphores and their count.

    python3 bench/memory_bench.py map|imap|queue|locks N
"""
import multiprocessing
import os
import resource
import sys

import _multiprocessing

IMAP_CHUNK = 10_000
ITEM_BYTES = 64


def square(x):
    return x * x


def own_peaks():
    with open("/proc/self/status", encoding="ascii") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return hwm * 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def run_map(ctx, n):
    with ctx.Pool(2) as pool:
        squares = pool.map(square, range(n))
        assert len(squares) == n
        pool.close()
        pool.join()


def run_imap(ctx, n):
    with ctx.Pool(2) as pool:
        count = sum(1 for _ in pool.imap(square, range(n), chunksize=IMAP_CHUNK))
        assert count == n
        pool.close()
        pool.join()


def put_all(queue, done, n):
    for i in range(n):
        queue.put(i.to_bytes(ITEM_BYTES, "little"))
    done.set()


def run_queue(ctx, n):
    queue, done = ctx.Queue(), ctx.Event()
    putter = ctx.Process(target=put_all, args=(queue, done, n))
    putter.start()
    done.wait()
    for i in range(n):
        assert int.from_bytes(queue.get(), "little") == i
    putter.join()
    assert putter.exitcode == 0


def run_locks(n):
    # multiprocessing.Lock is a named semaphore unlinked at once; kept linked here
    # so that /dev/shm shows what each one takes.
    names = [f"/memory-bench-{os.getpid()}-{i}" for i in range(n)]
    locks = [_multiprocessing.SemLock(1, 1, 1, name, False) for name in names]
    prefix = f"sem.memory-bench-{os.getpid()}-"
    used = count = 0
    for entry in os.scandir("/dev/shm"):
        if entry.name.startswith(prefix):
            used += entry.stat().st_blocks * 512
            count += 1
    for name in names:
        _multiprocessing.sem_unlink(name)
    del locks
    return used, count


def main():
    scenario, n = sys.argv[1], int(sys.argv[2])
    ctx = multiprocessing.get_context("fork")
    if scenario == "locks":
        first, second = run_locks(n)
    else:
        {"map": run_map, "imap": run_imap, "queue": run_queue}[scenario](ctx, n)
        first, second = own_peaks()
    print(first, second, flush=True)


if __name__ == "__main__":
    main()
