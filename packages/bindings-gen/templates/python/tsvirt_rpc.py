"""The wire under the generated libvirt module: tsvirtd's frames, its transports, calls and events.

A connection is one client of tsvirtd. It reaches the daemon as tsvirt's TypeScript remote
driver does: a unix socket (the daemon's default one, or ?socket=), TCP, TLS or ssh; and when
a local URI finds no daemon running, it starts `tsvirtd --stdio` and talks over its pipes.
Frames are libvirt's (length word, six header words, body); bodies are JSON.
"""
import json
import os
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import urllib.parse

PROGRAM = 0x74737672
PROGRAM_VERSION = 1
KEEPALIVE_PROGRAM = 0x6B656570
KEEPALIVE_PING = 1
KEEPALIVE_PONG = 2
OPEN_PROC = 1
CALL, REPLY, MESSAGE, STREAM = 0, 1, 2, 3
STATUS_OK, STATUS_ERROR, STATUS_CONTINUE = 0, 1, 2
CLOSE_REASON_ERROR, CLOSE_REASON_EOF = 0, 1
HEADER = struct.Struct(">IIIIIII")
MAX_FRAME = 32 * 1024 * 1024 + 4
DEFAULT_TCP_PORT = 16509
DEFAULT_TLS_PORT = 16514
RW_SOCKET, RO_SOCKET = "tsvirt-sock", "tsvirt-sock-ro"


class WireError(Exception):
    """A failure with libvirt's error fields: what the daemon sent, or what the client saw."""

    def __init__(self, fields):
        Exception.__init__(self, fields.get("message", ""))
        self.fields = fields


def _rpc_error(code, message, domain=7):
    # VIR_FROM_RPC unless said otherwise; level 2 is VIR_ERR_ERROR.
    return WireError({"code": code, "domain": domain, "level": 2, "message": message})


def _eof():
    return _rpc_error(38, "End of file while reading data: Input/output error")


class ParsedUri(object):
    """A libvirt URI: driver[+transport]://[user@]host[:port]/path[?query]."""

    def __init__(self, text):
        parts = urllib.parse.urlsplit(text)
        if not parts.scheme:
            raise _rpc_error(45, "no connection driver available for %s" % text, domain=45)
        self.text = text
        self.driver, _, self.transport = parts.scheme.partition("+")
        self.transport = self.transport or None
        self.user = parts.username
        self.host = parts.hostname
        self.port = parts.port
        self.path = parts.path
        self.query = dict(urllib.parse.parse_qsl(parts.query))

    def far_side(self):
        """The URI the daemon opens: driver and path, without transport, host or options."""
        return "%s://%s" % (self.driver, self.path or "/")


def default_socket_dir():
    if os.getuid() == 0:
        return "/run/tsvirt"
    runtime = os.environ.get("XDG_RUNTIME_DIR") or "/run/user/%d" % os.getuid()
    return os.path.join(runtime, "tsvirt")


def find_tsvirtd():
    """tsvirtd from $TSVIRTD, then PATH, then beside these bindings in a tsvirt checkout."""
    named = os.environ.get("TSVIRTD")
    if named:
        return named
    found = shutil.which("tsvirtd")
    if found:
        return found
    here = os.path.dirname(os.path.abspath(__file__))
    beside = os.path.join(here, "..", "..", "packages", "daemon", "bin", "tsvirtd")
    if os.path.exists(beside):
        return os.path.normpath(beside)
    raise _rpc_error(38, "Cannot find tsvirtd: install @tsvirt/daemon or set TSVIRTD", domain=13)


class _SocketPipe(object):
    def __init__(self, sock):
        self.sock = sock

    def fileno(self):
        return self.sock.fileno()

    def send(self, data):
        self.sock.sendall(data)

    def recv(self, n):
        return self.sock.recv(n)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class _ProcessPipe(object):
    """A child process's stdin and stdout as one byte stream (tsvirtd --stdio, ssh)."""

    def __init__(self, argv):
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        except OSError as e:
            raise _rpc_error(38, "Cannot run %s: %s" % (argv[0], e.strerror), domain=13)

    def fileno(self):
        return self.proc.stdout.fileno()

    def send(self, data):
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, ValueError):
            raise _eof()

    def recv(self, n):
        return os.read(self.proc.stdout.fileno(), n)

    def close(self):
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _connect_failed(what, e):
    """A failed connect as tsvirt's remote driver reports it: VIR_ERR_SYSTEM_ERROR from RPC, with strerror."""
    reason = getattr(e, "strerror", None) or str(e)
    return _rpc_error(38, "%s: %s" % (what, reason))


def _tls_context(query):
    """The client's TLS files where libvirt looks for them: ?pkipath=DIR, else /etc/pki."""
    pki = query.get("pkipath")
    ca = os.path.join(pki, "cacert.pem") if pki else "/etc/pki/CA/cacert.pem"
    cert = os.path.join(pki, "clientcert.pem") if pki else "/etc/pki/libvirt/clientcert.pem"
    key = os.path.join(pki, "clientkey.pem") if pki else "/etc/pki/libvirt/private/clientkey.pem"
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if query.get("no_verify") == "1":
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        try:
            ctx.load_verify_locations(ca)
        except OSError as e:
            raise _connect_failed("Cannot read CA certificate '%s'" % ca, e)
    # A missing client certificate is allowed: the daemon decides.
    if os.path.exists(cert) and os.path.exists(key):
        ctx.load_cert_chain(cert, key)
    return ctx


def _connect_socket(connect, what, wrap=None, host=None):
    sock = None
    try:
        sock = connect()
        if wrap is not None:
            sock = wrap.wrap_socket(sock, server_hostname=host)
            # libvirt's daemons confirm the session with one byte, 1, once they have checked our certificate
            confirmation = sock.recv(1)
            if confirmation != b"\x01":
                sock.close()
                if not confirmation:
                    raise _connect_failed("Unable to read TLS confirmation", OSError(5, "Input/output error"))
                raise _rpc_error(39, "server verification (of our certificate or IP address) failed")
    except ssl.SSLCertVerificationError as e:
        sock.close()
        raise _connect_failed("%s: the server's certificate was refused" % what, e.verify_message or e.reason)
    except (OSError, ssl.SSLError) as e:
        if sock is not None:
            sock.close()
        raise _connect_failed(what, e)
    return _SocketPipe(sock)


def _unix_socket(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    return sock


def _tcp_socket(host, port):
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _connect_unix(path):
    return _connect_socket(lambda: _unix_socket(path), "Failed to connect socket to '%s'" % path)


def _connect_tcp(host, port, wrap=None):
    # ssl sends SNI for host names only and checks an address against the certificate's IP names.
    return _connect_socket(lambda: _tcp_socket(host, port), "unable to connect to server at '%s:%s'" % (host, port), wrap, host)


def open_pipe(uri, read_only):
    """The byte stream to the daemon that the URI names, started if need be."""
    transport = uri.transport or ("unix" if uri.host is None else "tls")
    host = uri.host or "localhost"
    if transport == "unix":
        path = uri.query.get("socket")
        if path:
            return _connect_unix(path)
        path = os.path.join(default_socket_dir(), RO_SOCKET if read_only else RW_SOCKET)
        if uri.transport is None:
            # A local URI: the user's running daemon, else a private one on our pipes.
            if os.path.exists(path):
                try:
                    return _connect_unix(path)
                except WireError:
                    pass
            return _ProcessPipe([find_tsvirtd(), "--stdio"] + (["--read-only"] if read_only else []))
        return _connect_unix(path)
    if transport == "tcp":
        return _connect_tcp(host, uri.port or DEFAULT_TCP_PORT)
    if transport == "tls":
        return _connect_tcp(host, uri.port or DEFAULT_TLS_PORT, _tls_context(uri.query))
    if transport == "ssh":
        argv = [uri.query.get("ssh", "ssh"), "-T", "-o", "BatchMode=yes", "-e", "none"]
        if uri.port:
            argv += ["-p", str(uri.port)]
        if uri.user:
            argv += ["-l", uri.user]
        if uri.query.get("keyfile"):
            argv += ["-i", uri.query["keyfile"]]
        if uri.query.get("known_hosts"):
            argv += ["-o", "UserKnownHostsFile=" + uri.query["known_hosts"]]
        if uri.query.get("no_verify") == "1":
            argv += ["-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR"]
        command = uri.query.get("command") or ("tsvirtd --stdio" + (" --read-only" if read_only else ""))
        return _ProcessPipe(argv + ["--", host, command])
    raise _rpc_error(8, "transport in URL not recognised (should be tls|unix|ssh|tcp)", domain=13)


class WireStream(object):
    """The stream a call opened (a guest's console): STREAM frames under that call's serial
    carry data (CONTINUE), the end of one direction (OK) or a failure (ERROR) both ways."""

    def __init__(self, client, proc, serial):
        self.client, self.proc, self.serial = client, proc, serial
        self.incoming = bytearray()
        self.ended = False
        self.error = None

    def receive(self, status, body):
        if status == STATUS_CONTINUE:
            self.incoming += body
        elif status == STATUS_OK:
            self.ended = True
        else:
            try:
                self.error = json.loads(body.decode("utf-8"))
            except ValueError:
                self.error = _rpc_error(1, "malformed stream error from the daemon").fields

    def _wait(self, block):
        """Read one frame from the daemon (whoever it is for); False when none is there and block is false."""
        frame = self.client._read_frame(block)
        if frame is None:
            return False
        self.client._handle_unsolicited(*frame)
        return True

    def recv(self, nbytes, block=True):
        """Up to nbytes of what the peer sent, b"" once it has ended, None when it would block."""
        while not self.incoming and not self.ended and self.error is None:
            if not self._wait(block):
                return None
        if self.incoming:
            data = bytes(self.incoming[:nbytes])
            del self.incoming[:nbytes]
            return data
        if self.error is not None:
            raise WireError(self.error)
        return b""

    def send(self, data):
        if self.error is not None:
            raise WireError(self.error)
        self.client._send_raw(PROGRAM, self.proc, STREAM, self.serial, STATUS_CONTINUE, bytes(data))
        return len(data)

    def finish(self):
        """Our end, then the peer's: what it still sends is dropped; its failure is raised."""
        self._end(STATUS_OK, b"")
        if self.error is not None:
            raise WireError(self.error)

    def abort(self):
        """Tell the peer to give up the stream, and wait until it has."""
        body = {"code": 1, "domain": 38, "level": 2, "message": "internal error: stream aborted by the client"}
        self._end(STATUS_ERROR, json.dumps(body).encode("utf-8"))

    def _end(self, status, body):
        try:
            if not self.client.closed and not self.ended and self.error is None:
                self.client._send_raw(PROGRAM, self.proc, STREAM, self.serial, status, body)
                while not self.ended and self.error is None:
                    self.incoming = bytearray()
                    self._wait(True)
        finally:
            self.client.streams.pop(self.serial, None)
            self.ended = True

    def ready(self):
        """What a reader would find without waiting: data, the peer's end or its failure."""
        return bool(self.incoming) or self.ended or self.error is not None


class Client(object):
    """One session with tsvirtd: calls answered in order, events handed to a callback."""

    def __init__(self, uri_text, read_only):
        self.uri = ParsedUri(uri_text)
        self.pipe = open_pipe(self.uri, read_only)
        self.buffer = b""
        self.serial = 0
        self.closed = False
        self.pending_events = []
        self.on_event = None
        # Told the reason (libvirt's VIR_CONNECT_CLOSE_REASON_*) when the link is lost, never on close().
        self.on_lost = None
        self.streams = {}
        self.call(OPEN_PROC, {"uri": self.uri.far_side(), "readOnly": bool(read_only)})

    def fileno(self):
        return self.pipe.fileno()

    def _send(self, program, proc, kind, serial, body):
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        self._send_raw(program, proc, kind, serial, STATUS_OK, payload)

    def _send_raw(self, program, proc, kind, serial, status, payload):
        if self.closed:
            raise _rpc_error(1, "client socket is closed")
        try:
            self.pipe.send(HEADER.pack(28 + len(payload), program, 1, proc, kind, serial, status) + payload)
        except (WireError, OSError):
            # The daemon went away before it could read this.
            self._lost(CLOSE_REASON_EOF)
            raise _eof()

    def _read_frame(self, block=True):
        """The next whole frame, or None when none is complete and block is false."""
        while True:
            if len(self.buffer) >= 4:
                (length,) = struct.unpack(">I", self.buffer[:4])
                if length < 28 or length > MAX_FRAME:
                    self._lost(CLOSE_REASON_ERROR)
                    raise _rpc_error(1, "packet %d bytes received from server too large" % length)
                if len(self.buffer) >= length:
                    frame, self.buffer = self.buffer[:length], self.buffer[length:]
                    return HEADER.unpack(frame[:28])[1:], frame[28:]
            if not block and not select.select([self.pipe], [], [], 0)[0]:
                return None
            try:
                chunk = self.pipe.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self._lost(CLOSE_REASON_EOF)
                raise _eof()
            self.buffer += chunk

    def _handle_unsolicited(self, header, body):
        program, _version, proc, kind, _serial, _status = header
        if program == KEEPALIVE_PROGRAM:
            if proc == KEEPALIVE_PING:
                self._send(KEEPALIVE_PROGRAM, KEEPALIVE_PONG, MESSAGE, 0, None)
            return
        if kind == MESSAGE:
            self.pending_events.append((proc, json.loads(body.decode("utf-8"))))
        elif kind == STREAM and program == PROGRAM:
            # A stream already finished or aborted may still get a frame or two.
            stream = self.streams.get(header[4])
            if stream is not None:
                stream.receive(header[5], body)

    def call(self, proc, args):
        if self.closed:
            raise _rpc_error(1, "client socket is closed")
        self.serial += 1
        self._send(PROGRAM, proc, CALL, self.serial, args)
        while True:
            header, body = self._read_frame()
            program, _version, _proc, kind, serial, status = header
            if program == PROGRAM and kind == REPLY and serial == self.serial:
                value = json.loads(body.decode("utf-8")) if body else None
                if status == STATUS_ERROR:
                    raise WireError(value or {})
                return value
            self._handle_unsolicited(header, body)

    def open_stream(self, proc, args):
        """A call that opens a stream: its frames may follow the reply at once, so it is known before."""
        stream = WireStream(self, proc, self.serial + 1)
        self.streams[stream.serial] = stream
        try:
            self.call(proc, args)
        except Exception:
            self.streams.pop(stream.serial, None)
            raise
        return stream

    def dispatch_events(self):
        """Read what has arrived without waiting, then hand every queued event over."""
        while not self.closed:
            frame = self._read_frame(block=False)
            if frame is None:
                break
            self._handle_unsolicited(*frame)
        events, self.pending_events = self.pending_events, []
        for proc, body in events:
            if self.on_event is not None:
                self.on_event(proc, body)

    def _lost(self, reason):
        """The daemon is gone: closed as on close(), and whoever asked is told why."""
        was_open = not self.closed
        self.close()
        if was_open and self.on_lost is not None:
            self.on_lost(reason)

    def close(self):
        if not self.closed:
            self.closed = True
            self.pipe.close()
            # A stream still open has lost its peer.
            for stream in self.streams.values():
                if not stream.ended and stream.error is None:
                    stream.error = _eof().fields
            self.streams = {}


def wait_for_events(clients, timeout):
    """Block until one of the clients has bytes to read, or the timeout (seconds; None: forever)."""
    live = [c for c in clients if not c.closed]
    if any(c.pending_events or c.buffer for c in live):
        return
    if not live:
        if timeout:
            select.select([], [], [], timeout)
        return
    try:
        select.select(live, [], [], timeout)
    except (OSError, ValueError):
        pass


def stderr_line(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
