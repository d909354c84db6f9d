"""CPython equivalents of bench/green_bench.cpp, speaking bench/cpython_protocol.py
(python3 green_bench.py SCENARIO OPS, one timed round per line of stdin). Needs Debian's
python3-greenlet and python3-gevent; when the python3 on PATH lacks them (a pyenv
one), the script runs itself again with /usr/bin/python3, where apt installs them."""
import os
import sys

try:
    import gevent
    import greenlet
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import cpython_protocol


def switch(ops):
    """One greenlet.switch, ops times: main and a greenlet ping-pong."""
    main = greenlet.getcurrent()

    def partner():
        while True:
            main.switch()

    g = greenlet.greenlet(partner)
    for _ in range(ops // 2):
        g.switch()


def nothing():
    pass


def spawn(ops):
    """gevent.spawn of a function that does nothing, ops times, then joinall."""
    gevent.joinall([gevent.spawn(nothing) for _ in range(ops)])


CONNECTIONS = 1000
MESSAGE = 64


def echo(ops):
    """gevent's StreamServer echoing, and CONNECTIONS gevent clients making ops round
    trips in all, in this one thread."""
    from gevent import socket
    from gevent.server import StreamServer

    def handle(conn, _address):
        while True:
            data = conn.recv(MESSAGE)
            if not data:
                break
            conn.sendall(data)
        conn.close()

    server = StreamServer(("127.0.0.1", 0), handle, backlog=4096)
    server.start()
    rounds = ops // CONNECTIONS

    def client():
        s = socket.create_connection(("127.0.0.1", server.server_port))
        message = b"x" * MESSAGE
        for _ in range(rounds):
            s.sendall(message)
            got = 0
            while got < MESSAGE:
                got += len(s.recv(MESSAGE - got))
        s.close()

    gevent.joinall([gevent.spawn(client) for _ in range(CONNECTIONS)])
    server.stop()


SCENARIOS = {"switch": switch, "spawn": spawn, "echo": echo}

if __name__ == "__main__":
    cpython_protocol.main(SCENARIOS)
