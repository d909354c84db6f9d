"""CPython equivalents of bench/scaling_bench.cpp (protocol: bench/cpython_protocol.py).
Scenario names carry the size: map_<items>, tasks_<ns>, pipe_<bytes>, queue_<bytes>, spawn_<MiB>."""
import concurrent.futures
import multiprocessing as mp
import subprocess
import time

import cpython_protocol


def square(x):
    return x * x


_pool = None


def map_squares(n):
    def run(ops):
        # The pool is made on the warm-up run and reused by the timed runs, as in C++;
        # a run maps n items ops / n times.
        global _pool
        if _pool is None:
            _pool = mp.Pool(2)
        items = [i % 40000 for i in range(n)]
        for _ in range(ops // n):
            _pool.map(square, items)
    return run


def spin(seconds):
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


def nothing():
    pass


def tasks(ns):
    task = nothing if ns == 0 else lambda: spin(ns * 1e-9)

    def run(ops):
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for _ in range(ops):
                pool.submit(task)
    return run


def _send(put, size, ops):
    item = b"x" * size
    for _ in range(ops):
        put(item)


def _one_way(put, get, size, ops):
    """A forked child puts `ops` messages of `size` bytes; this process gets them."""
    p = mp.Process(target=_send, args=(put, size, ops))
    p.start()
    for _ in range(ops):
        get()
    p.join()


def pipe(size):
    def run(ops):
        reader, writer = mp.Pipe(duplex=False)
        _one_way(writer.send_bytes, reader.recv_bytes, size, ops)
    return run


def queue(size):
    def run(ops):
        q = mp.Queue()
        _one_way(q.put, q.get, size, ops)
    return run


_heap = None


def spawn(mib):
    def run(ops):
        global _heap
        if _heap is None:
            _heap = b"\x01" * (mib << 20)  # every page touched
        for _ in range(ops):
            subprocess.run(["/bin/true"])
    return run


SIZES = (8, 64, 512, 4 << 10, 32 << 10, 256 << 10, 1 << 20)
SCENARIOS = {f"map_{n}": map_squares(n) for n in (10**3, 10**4, 10**5, 10**6)}
SCENARIOS.update({f"tasks_{ns}": tasks(ns) for ns in (0, 100, 1000, 10000)})
SCENARIOS.update({f"pipe_{size}": pipe(size) for size in SIZES})
SCENARIOS.update({f"queue_{size}": queue(size) for size in SIZES})
SCENARIOS.update({f"spawn_{mib}": spawn(mib) for mib in (10, 32, 100, 320, 1024)})

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS, before=lambda: mp.set_start_method("fork"))
