"""Python's `websockets` client against rwh's 9.4 echo server (run by tests/ws_python.rs).

Usage: python3 ws_echo_check.py ws://127.0.0.1:PORT/echo MAX_MESSAGE PONG_WAIT_SECONDS
Prints one line per check and exits non-zero on the first failure.
"""

import sys
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

url, max_message, pong_wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])


def check(name, got, expected):
    if got != expected:
        print(f"FAIL {name}: got {got!r}, expected {expected!r}")
        sys.exit(1)
    print(f"ok {name}")


def closed_with(ws, send):
    """Sends something the server must refuse; returns the close code it sent."""
    try:
        send(ws)
        ws.recv(timeout=10)
    except ConnectionClosed as e:
        return e.rcvd.code if e.rcvd else None
    return "no close"


with connect(url, open_timeout=10, close_timeout=10) as ws:
    ws.send("hello")
    check("text", ws.recv(timeout=10), "hello")
    ws.send(b"\x00\x01\xfe\xff")
    check("binary", ws.recv(timeout=10), b"\x00\x01\xfe\xff")
    ws.send(["frag", "men", "ted"])  # one message in three frames
    check("fragmented text", ws.recv(timeout=10), "fragmented")
    ws.send([b"\x01", b"\x02"])
    check("fragmented binary", ws.recv(timeout=10), b"\x01\x02")
    check("ping answered", ws.ping(b"are you there").wait(10), True)
    # Longer than the server's pong wait: its pings are answered by this client.
    time.sleep(pong_wait * 2)
    ws.send("still here")
    check("alive after the server's pings", ws.recv(timeout=10), "still here")
    ws.close(1000, "done")
    check("close 1000 answered", (ws.close_code, ws.close_reason), (1000, "done"))

with connect(url, open_timeout=10, max_size=None) as ws:
    code = closed_with(ws, lambda ws: ws.send(b"x" * (max_message + 1)))
    check("message over the limit gets 1009", code, 1009)

with connect(url, open_timeout=10) as ws:
    code = closed_with(ws, lambda ws: ws.send(b"ok\xff\xfe", text=True))
    check("invalid UTF-8 gets 1007", code, 1007)
