#!/usr/bin/env python3
"""An HTTP/2 client built on the `h2` package (python-hyper's sans-IO HTTP/2), driving a
raw socket: the interop test tests/h2_python.rs runs it against rwh's server.

Usage: h2_client.py URL [CA_FILE]

URL is https://HOST:PORT (TLS with ALPN h2, verified against CA_FILE) or
http://HOST:PORT (h2c with prior knowledge). It prints one line per result, which the
Rust test compares with what it expects:

    alpn h2
    GET / 200 len=1307
    GET /gather 200 body="gathered 5"          (five at once, one line each)
    GET /prime 200 body="id: 1\\ndata: ..."      (three at once, one line each)
    POST /echo 200 len=150000 echo=same
"""

import json
import socket
import ssl
import sys
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.events

TIMEOUT = 10  # seconds, for every socket operation
MAX_READS = 100_000  # bounds every loop


class Client:
    """One HTTP/2 connection; requests are sent at once and answered in any order."""

    def __init__(self, url, ca_file):
        parts = urlsplit(url)
        self.scheme, self.authority = parts.scheme, parts.netloc
        sock = socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT)
        self.alpn = None
        if self.scheme == "https":
            context = ssl.create_default_context(cafile=ca_file)
            context.set_alpn_protocols(["h2"])
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
            self.alpn = sock.selected_alpn_protocol()
        self.sock = sock
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.responses = {}
        self.unsent = {}  # stream id -> request body bytes not yet sent
        self.flush()

    def flush(self):
        self.sock.sendall(self.conn.data_to_send())

    def request(self, method, path, body=b""):
        stream = self.conn.get_next_available_stream_id()
        headers = [
            (":method", method),
            (":scheme", self.scheme),
            (":authority", self.authority),
            (":path", path),
        ]
        if body:
            headers.append(("content-length", str(len(body))))
        self.conn.send_headers(stream, headers, end_stream=not body)
        self.responses[stream] = {"path": path, "method": method, "body": b"", "done": False}
        if body:
            self.unsent[stream] = body
            self.send_bodies()
        self.flush()
        return stream

    def send_bodies(self):
        """Sends what the flow-control windows allow of every unsent request body."""
        for stream, data in list(self.unsent.items()):
            while data:
                room = min(
                    self.conn.local_flow_control_window(stream),
                    self.conn.max_outbound_frame_size,
                    len(data),
                )
                if room <= 0:
                    break
                self.conn.send_data(stream, data[:room], end_stream=room == len(data))
                data = data[room:]
            if data:
                self.unsent[stream] = data
            else:
                del self.unsent[stream]

    def wait_all(self):
        """Reads until every response so far is complete."""
        for _ in range(MAX_READS):
            if all(r["done"] for r in self.responses.values()):
                return
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("the server closed the connection")
            for event in self.conn.receive_data(data):
                self.on_event(event)
            self.send_bodies()
            self.flush()
        raise RuntimeError("too many reads")

    def on_event(self, event):
        if isinstance(event, h2.events.ResponseReceived):
            self.responses[event.stream_id]["status"] = dict(event.headers)[":status"]
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id]["body"] += event.data
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id]["done"] = True
        elif isinstance(event, h2.events.StreamReset):
            raise RuntimeError(f"stream {event.stream_id} reset: {event.error_code!r}")
        elif isinstance(event, h2.events.ConnectionTerminated):
            raise RuntimeError(f"GOAWAY: {event.error_code!r}")

    def close(self):
        self.conn.close_connection()
        self.flush()
        self.sock.close()


def main():
    url = sys.argv[1]
    ca_file = sys.argv[2] if len(sys.argv) > 2 else None
    client = Client(url, ca_file)
    print(f"alpn {client.alpn}")

    page = client.responses[client.request("GET", "/")]
    client.wait_all()
    print(f"GET / {page['status']} len={len(page['body'])}")

    # Streams side by side: each /gather answer waits until all five are in the server.
    gathered = [client.request("GET", "/gather") for _ in range(5)]
    primes = [client.request("GET", "/prime") for _ in range(3)]
    client.wait_all()
    for stream in gathered + primes:
        r = client.responses[stream]
        body = json.dumps(r["body"].decode())
        print(f"{r['method']} {r['path']} {r['status']} body={body}")

    body = bytes(i % 251 for i in range(150_000))
    echo = client.responses[client.request("POST", "/echo", body)]
    client.wait_all()
    same = "same" if echo["body"] == body else "different"
    print(f"POST /echo {echo['status']} len={len(echo['body'])} echo={same}")
    client.close()


if __name__ == "__main__":
    main()
