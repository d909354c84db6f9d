"""CPython equivalents of bench/manager_bench.cpp: python3 manager_bench.py SCENARIO OPS
serves timed rounds (protocol: bench/cpython_protocol.py)."""
import multiprocessing as mp

import cpython_protocol

CLIENTS = 4
_manager = None


def manager():
    global _manager
    if _manager is None:
        _manager = mp.Manager()
    return _manager


def _set_get(d, ops):
    for i in range(ops):
        d["key"] = i
        d["key"]


def set_get(ops):
    d = manager().dict()
    p = mp.Process(target=_set_get, args=(d, ops))
    p.start()
    p.join()


def update(ops):
    d = manager().dict()
    d.update({i: i for i in range(ops)})


def _increment(d, lock, ops):
    for _ in range(ops):
        with lock:
            d["count"] += 1


def locked_increment(ops):
    d = manager().dict()
    lock = manager().Lock()
    d["count"] = 0
    workers = [mp.Process(target=_increment, args=(d, lock, ops // CLIENTS)) for _ in range(CLIENTS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert d["count"] == ops // CLIENTS * CLIENTS


SCENARIOS = {f.__name__: f for f in (set_get, update, locked_increment)}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS, before=lambda: mp.set_start_method("fork"))
