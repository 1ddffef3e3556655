"""What every part shares: the node and executor names, loopback, the driver's output, and HTTP and NATS calls."""
import http.client
import json
import random
import socket

NODES = ("n1", "n2", "n3")
EXECUTORS = ("executor-1", "executor-2")
HOST = "127.0.0.1"


def say(message):
    print(f"chaos: {message}", flush=True)


# --- HTTP and NATS helpers.

def http_json(port, method, path, body=None, timeout=2.0):
    """(status, decoded JSON or None, headers); raises OSError/HTTPException when the node does not answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"} if payload else {})
        response = connection.getresponse()
        data = response.read()
        try:
            decoded = json.loads(data) if data else None
        except ValueError:
            decoded = None
        return response.status, decoded, response.headers
    finally:
        connection.close()


def jetstream_request(port, subject, payload=b"", timeout=5.0):
    """One request on the JetStream API over the plain NATS protocol; the decoded JSON answer."""
    inbox = f"_INBOX.chaos{random.getrandbits(48)}"
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        reader = sock.makefile("rb")
        if not reader.readline().startswith(b"INFO"):
            raise RuntimeError("nats-server did not greet with INFO")
        sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n'
                     + f"SUB {inbox} 1\r\nPUB {subject} {inbox} {len(payload)}\r\n".encode() + payload + b"\r\n")
        while True:
            line = reader.readline()
            if not line:
                raise RuntimeError(f"nats-server closed the connection before answering {subject}")
            if line.startswith(b"PING"):
                sock.sendall(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise RuntimeError(f"nats-server: {line.decode().strip()}")
            elif line.startswith(b"MSG"):
                data = reader.read(int(line.split()[-1]))
                return json.loads(data)


def port_open(port):
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False
