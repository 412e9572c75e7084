"""A TCP proxy to play a server that stops: connections through it reach the server until `stop()`,
which drops them all and leaves nothing listening on its port (tests of /healthz with PostgreSQL
stopped, without stopping the machine's PostgreSQL that others use)."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOOPBACK = "127.0.0.1"


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, port: int = 0):
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A port given again after stop(): the server is back where it was.
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((LOOPBACK, port))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.stopped:
                    client.close()
                    upstream.close()
                    return
                self.open |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """The server is gone: nothing answers on the port, and open connections are cut."""
        with self.lock:
            self.stopped = True
            ends, self.open = self.open, set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() above on Linux
        except OSError:
            pass
        self.listener.close()
        for end in ends:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


@contextmanager
def tcp_proxy(target_host: str, target_port: int, port: int = 0) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target_host, target_port, port)
    try:
        yield proxy
    finally:
        proxy.stop()
