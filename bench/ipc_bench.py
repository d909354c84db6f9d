"""CPython equivalents of bench/ipc_bench.cpp: python3 ipc_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import multiprocessing as mp
import os

import cpython_protocol

SMALL = 64
LARGE = 64 * 1024


def _echo(conn_in, conn_out, ops):
    for _ in range(ops):
        conn_out.send_bytes(conn_in.recv_bytes())


def pingpong(ops, duplex=True):
    if duplex:
        a, b = mp.Pipe()
        parent_in = parent_out = a
        child_in = child_out = b
    else:
        child_in, parent_out = mp.Pipe(duplex=False)
        parent_in, child_out = mp.Pipe(duplex=False)
    p = mp.Process(target=_echo, args=(child_in, child_out, ops))
    p.start()
    message = b"x" * SMALL
    for _ in range(ops):
        parent_out.send_bytes(message)
        message = parent_in.recv_bytes()
    p.join()


def pingpong_pipe(ops):
    pingpong(ops, duplex=False)


def _on_cpu(n):
    """Pins this process to the n-th CPU it may use, as bench/harness/affinity.hpp."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2:
        os.sched_setaffinity(0, {cpus[n % len(cpus)]})
    return cpus


def _send_blocks(conn, ops):
    _on_cpu(1)
    block = b"x" * LARGE
    for _ in range(ops):
        conn.send_bytes(block)


def stream(ops, duplex=False):
    reader, writer = mp.Pipe(duplex=duplex)
    p = mp.Process(target=_send_blocks, args=(writer, ops))
    p.start()
    allowed = _on_cpu(0)
    for _ in range(ops):
        reader.recv_bytes()
    os.sched_setaffinity(0, allowed)
    p.join()


def stream_socket(ops):
    stream(ops, duplex=True)


def _put_items(q, item, ops):
    _on_cpu(1)
    for _ in range(ops):
        q.put(item)


def queue_of(item, ops):
    q = mp.Queue()
    p = mp.Process(target=_put_items, args=(q, item, ops))
    p.start()
    allowed = _on_cpu(0)
    for _ in range(ops):
        q.get()
    os.sched_setaffinity(0, allowed)
    p.join()


def queue_int(ops):
    queue_of(42, ops)


def queue_str64(ops):
    queue_of("s" * SMALL, ops)


SCENARIOS = {f.__name__: f for f in (pingpong, pingpong_pipe, stream, stream_socket, queue_int, queue_str64)}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS, before=lambda: mp.set_start_method("fork"))
