import base64 as _base64
import operator as _operator
import sys as _sys
import weakref as _weakref

import tsvirt_rpc as _rpc

# --- errors, as libvirt-python reports them -------------------------------------------------

_last_error = None
_error_handler = None
_error_ctx = None


def _error_tuple(fields):
    return (
        fields.get("code", 1), fields.get("domain", 0), fields.get("message"), fields.get("level", 2),
        fields.get("str1"), fields.get("str2"), fields.get("str3"),
        fields.get("int1", -1), fields.get("int2", -1),
    )


def _report(fields):
    """Record an error as the last one and tell the handler: the default one prints it."""
    global _last_error
    _last_error = _error_tuple(fields)
    if _error_handler is not None:
        _error_handler(_error_ctx, _last_error)
    else:
        label = _DOMAIN_LABELS.get(_last_error[1], "")
        _rpc.stderr_line("libvirt: %s error : %s" % (label, _last_error[2]))


class libvirtError(Exception):
    def __init__(self, defmsg, conn=None, dom=None, net=None, pool=None, vol=None):
        self.err = _last_error
        Exception.__init__(self, defmsg if self.err is None or self.err[2] is None else self.err[2])

    def get_error_code(self):
        return None if self.err is None else self.err[0]

    def get_error_domain(self):
        return None if self.err is None else self.err[1]

    def get_error_message(self):
        return None if self.err is None else self.err[2]

    def get_error_level(self):
        return None if self.err is None else self.err[3]

    def get_str1(self):
        return None if self.err is None else self.err[4]

    def get_str2(self):
        return None if self.err is None else self.err[5]

    def get_str3(self):
        return None if self.err is None else self.err[6]

    def get_int1(self):
        return None if self.err is None else self.err[7]

    def get_int2(self):
        return None if self.err is None else self.err[8]


def registerErrorHandler(f, ctx):
    """Call f(ctx, error) for every error instead of printing it; None restores the default."""
    global _error_handler, _error_ctx
    if f is not None and not callable(f):
        raise TypeError("registerErrorHandler: f must be callable or None")
    _error_handler, _error_ctx = f, ctx
    return 1


def virGetLastError():
    return _last_error


def virResetLastError():
    global _last_error
    _last_error = None


def _fail(fields, what):
    _report(fields)
    raise libvirtError("%s failed" % what)


def _call(client, proc, args, what):
    """One call to the daemon; every failure is a libvirtError with the daemon's fields."""
    global _last_error
    _last_error = None
    if client.closed:
        _fail({"code": 1, "domain": 20, "level": 2, "message": "invalid connection pointer in %s" % what}, what)
    try:
        return client.call(proc, args)
    except _rpc.WireError as e:
        fields = e.fields
    except (OSError, ValueError) as e:
        fields = {"code": 38, "domain": 7, "level": 2, "message": "Cannot talk to the daemon: %s" % e}
    # raised outside the handlers, so that a traceback shows the libvirtError alone, as libvirt-python's does
    _fail(fields, what)


def _str_arg(what, position, value):
    """libvirt-python's check of a string argument: str or None, else TypeError."""
    if value is not None and not isinstance(value, str):
        raise TypeError("%s() argument %d must be str or None, not %s" % (what, position, type(value).__name__))
    return value


def _bytes_arg(what, position, value):
    """libvirt-python's byte-string argument (a secret's value): bytes, or str as UTF-8; it travels as base64 text."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError("%s() argument %d must be str or bytes-like, not %s" % (what, position, type(value).__name__))
    return _base64.b64encode(bytes(value)).decode("ascii")


def _bytes_value(v):
    """A byte string from the daemon's base64 text."""
    return _base64.b64decode(v)


def _int_arg(value):
    """libvirt-python's check of a number argument: anything Python can use as an integer."""
    return _operator.index(value)


def _invalid(what, message):
    _fail({"code": 8, "domain": 0, "level": 2, "message": "invalid argument: %s" % message}, what)


# --- the event loop: libvirt-python's default implementation ----------------------------------

_live_connections = _weakref.WeakSet()
_event_impl_registered = False
# Other event loops (libvirtaio's) watch a connection once it has callbacks: watcher(conn).
_event_watchers = []


def virEventRegisterDefaultImpl():
    global _event_impl_registered
    _event_impl_registered = True
    return 0


def _watched_connections():
    """Connections whose events someone waits for: domain event callbacks, or a stream's."""
    streams = set(st._conn for st in list(_streams_with_callbacks))
    return [c for c in list(_live_connections) if c._callbacks or c in streams]


def virEventRunDefaultImpl():
    """Wait for events on the open connections and run their callbacks: one iteration."""
    conns = _watched_connections()
    # A stream that is ready already (data read while a call waited, WRITABLE) is served without waiting.
    ready = any(st._ready_events() for st in list(_streams_with_callbacks))
    _rpc.wait_for_events([c._client for c in conns], 0 if ready else None if conns else 1.0)
    for conn in conns:
        if not conn._client.closed:
            try:
                conn._client.dispatch_events()
            except _rpc.WireError:
                pass
    _dispatch_stream_callbacks()
    return 0


# --- shapes of libvirt-python's answers ------------------------------------------------------

def _flag(value):
    return 1 if value else 0


def _cpu_bools(cpus, count):
    chosen = set(cpus)
    return tuple(i in chosen for i in range(count))


def _cpu_numbers(cpumap):
    try:
        return [i for i, on in enumerate(cpumap) if on]
    except TypeError:
        raise TypeError("cpumap must be a sequence of booleans")


_MEMORY_STAT_KEYS = {"actual_balloon": "actual"}


def _memory_stats(stats, tags):
    out = {}
    for s in stats:
        name = tags.get(s["tag"], str(s["tag"]))
        out[_MEMORY_STAT_KEYS.get(name, name)] = s["val"]
    return out


def _host_cpu_count(conn):
    """The length of libvirt-python's cpumaps: the host's CPUs as virNodeGetCPUMap counts them."""
    return _call(conn._client, _CPU_MAP_PROC, [0], "virNodeGetCPUMap")["cpus"]


# --- libvirt-python's older calls, made of the newer ones --------------------------------------

class _ConnectLegacy(object):
    def _domains(self, flags):
        return self.listAllDomains(flags)

    def listDomainsID(self):
        return [d.ID() for d in self._domains(VIR_CONNECT_LIST_DOMAINS_ACTIVE)]

    def numOfDomains(self):
        return len(self.listDomainsID())

    def listDefinedDomains(self):
        return [d.name() for d in self._domains(VIR_CONNECT_LIST_DOMAINS_INACTIVE)]

    def numOfDefinedDomains(self):
        return len(self.listDefinedDomains())

    def listNetworks(self):
        return [n.name() for n in self.listAllNetworks(VIR_CONNECT_LIST_NETWORKS_ACTIVE)]

    def numOfNetworks(self):
        return len(self.listNetworks())

    def listDefinedNetworks(self):
        return [n.name() for n in self.listAllNetworks(VIR_CONNECT_LIST_NETWORKS_INACTIVE)]

    def numOfDefinedNetworks(self):
        return len(self.listDefinedNetworks())

    def listStoragePools(self):
        return [p.name() for p in self.listAllStoragePools(VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)]

    def numOfStoragePools(self):
        return len(self.listStoragePools())

    def listDefinedStoragePools(self):
        return [p.name() for p in self.listAllStoragePools(VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE)]

    def numOfDefinedStoragePools(self):
        return len(self.listDefinedStoragePools())

    def listInterfaces(self):
        return [i.name() for i in self.listAllInterfaces(VIR_CONNECT_LIST_INTERFACES_ACTIVE)]

    def numOfInterfaces(self):
        return len(self.listInterfaces())

    def listDefinedInterfaces(self):
        return [i.name() for i in self.listAllInterfaces(VIR_CONNECT_LIST_INTERFACES_INACTIVE)]

    def numOfDefinedInterfaces(self):
        return len(self.listDefinedInterfaces())

    def domainEventRegister(self, cb, opaque):
        """The oldest form: lifecycle events of every domain, cb(conn, dom, event, detail, opaque)."""
        self._legacy_ids = getattr(self, "_legacy_ids", {})
        self._legacy_ids[cb] = self.domainEventRegisterAny(None, VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, opaque)
        return 0

    def domainEventDeregister(self, cb):
        ids = getattr(self, "_legacy_ids", {})
        if cb not in ids:
            _invalid("virConnectDomainEventDeregister", "callback not registered")
        self.domainEventDeregisterAny(ids.pop(cb))
        return 0



class _ConnectBase(_ConnectLegacy):
    """What every connection has besides its generated calls: the session, events, close."""

    def __init__(self, uri, read_only):
        try:
            self._client = _rpc.Client(uri, read_only)
        except _rpc.WireError as e:
            _fail(e.fields, "virConnectOpen")
        self._client.on_event = self._event
        self._client.on_lost = self._lost
        self._close_callback = None
        self._callbacks = {}
        self._next_callback = 0
        self._remote_callback = None
        _live_connections.add(self)

    def __del__(self):
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._client.close()
        return 0

    def isAlive(self):
        return 0 if self._client.closed else 1

    def registerCloseCallback(self, cb, opaque):
        """cb(conn, reason, opaque) when the link to the daemon is lost, as libvirt's remote
        driver tells it (VIR_CONNECT_CLOSE_REASON_EOF, ...); not for the program's own close()."""
        if not callable(cb):
            raise TypeError("cb must be callable")
        self._close_callback = (cb, opaque)
        return 0

    def unregisterCloseCallback(self):
        self._close_callback = None

    def _lost(self, reason):
        if self._close_callback is not None:
            cb, opaque = self._close_callback
            cb(self, reason, opaque)

    def newStream(self, flags=0):
        """A stream for a call that opens one (virDomain.openConsole); VIR_STREAM_NONBLOCK for non-blocking I/O."""
        return virStream(self, _int_arg(flags))

    def domainEventRegisterAny(self, dom, eventID, cb, opaque):
        """cb(conn, dom, *event fields, opaque) for each event of kind eventID (of dom, or of all)."""
        if eventID not in _EVENT_ARITY:
            _invalid("virConnectDomainEventRegisterAny", "unsupported event ID %s" % eventID)
        if not callable(cb):
            raise TypeError("cb must be callable")
        if self._remote_callback is None:
            self._remote_callback = _call(self._client, _EVENT_REGISTER_PROC, [], "virConnectDomainEventRegisterAny")
            for watch in _event_watchers:
                watch(self)
        callback_id = self._next_callback
        self._next_callback += 1
        uuid = None if dom is None else dom.UUIDString()
        self._callbacks[callback_id] = (eventID, uuid, cb, opaque)
        return callback_id

    def domainEventDeregisterAny(self, callbackID):
        if self._callbacks.pop(callbackID, None) is None:
            _fail({"code": 8, "domain": 13, "level": 2, "message": "unable to find callback ID %s" % callbackID},
                  "virConnectDomainEventDeregisterAny")
        if not self._callbacks and self._remote_callback is not None:
            _call(self._client, _EVENT_DEREGISTER_PROC, [self._remote_callback], "virConnectDomainEventDeregisterAny")
            self._remote_callback = None

    def _event(self, proc, body):
        event = _EVENT_BY_PROC.get(proc)
        if event is None:
            return
        event_id, fields = event
        dom = virDomain(self, body["domain"])
        values = [body.get(f) for f in fields]
        for registered_id, uuid, cb, opaque in list(self._callbacks.values()):
            if registered_id == event_id and (uuid is None or uuid == dom.UUIDString()):
                cb(self, dom, *(values + [opaque]))


class _ObjectBase(object):
    """An object of the API: its connection and the reference the daemon knows it by."""

    def __init__(self, conn, ref):
        self._conn = conn
        self._ref = ref

    def connect(self):
        return self._conn

    def __eq__(self, other):
        return type(self) is type(other) and self._ref == other._ref

    def __hash__(self):
        return hash((type(self).__name__, self._ref.get("name")))


# --- streams: a guest's console, as libvirt-python's virStream -----------------------------

VIR_STREAM_NONBLOCK = 1
VIR_STREAM_EVENT_READABLE = 1
VIR_STREAM_EVENT_WRITABLE = 2
VIR_STREAM_EVENT_ERROR = 4
VIR_STREAM_EVENT_HANGUP = 8
VIR_STREAM_RECV_STOP_AT_HOLE = 1
# The chunk recvAll and sendAll move at a time, as libvirt-python's virStorageVol.streamBufSize.
_STREAM_CHUNK = 262120

# Streams with an event callback, for the event loops to serve.
_streams_with_callbacks = _weakref.WeakSet()


def _unsupported(what):
    """libvirt's error for a stream no call has opened yet: it has no driver."""
    fmt = "this function is not supported by the connection driver: %s"
    _fail({"code": 3, "domain": 38, "level": 2, "message": fmt % what, "str1": fmt, "str2": what}, what)


def _stream_failure(what, message):
    # libvirt's RPC client stream reports these.
    _fail({"code": 1, "domain": 7, "level": 2, "message": "internal error: %s" % message}, what)


class virStream(object):
    """Data both ways between the program and a call that opened it (virDomain.openConsole)."""

    def __init__(self, conn, flags=0):
        self._conn = conn
        self._flags = flags
        self._wire = None
        # libvirt-python's attribute: the callback eventAddCallback was given.
        self.cb = None
        self._cb_events = 0
        self._cb_opaque = None

    def connect(self):
        return self._conn

    def __del__(self):
        # As libvirt-python: a stream given a callback removes it when collected, and says so if it cannot.
        try:
            if self.cb:
                self.eventRemoveCallback()
        except Exception:
            pass

    def _open(self, what):
        if self._wire is None:
            _unsupported(what)
        return self._wire

    def _wire_call(self, what, fn, *args):
        global _last_error
        _last_error = None
        try:
            return fn(*args)
        except _rpc.WireError as e:
            _fail(e.fields, what)
        except (OSError, ValueError) as e:
            _fail({"code": 38, "domain": 7, "level": 2, "message": "Cannot talk to the daemon: %s" % e}, what)

    def recv(self, nbytes):
        """Up to nbytes of data; b"" at the end; -2 when a NONBLOCK stream has nothing yet."""
        wire = self._open("virStreamRecv")
        got = self._wire_call("virStreamRecv", wire.recv, _int_arg(nbytes), not self._flags & VIR_STREAM_NONBLOCK)
        return -2 if got is None else got

    def recvFlags(self, nbytes, flags=0):
        wire = self._open("virStreamRecvFlags")
        if _int_arg(flags) & ~VIR_STREAM_RECV_STOP_AT_HOLE:
            _invalid("virStreamRecvFlags", "unsupported flags (0x%x) in function virStreamRecvFlags" % (flags & ~VIR_STREAM_RECV_STOP_AT_HOLE))
        # Console streams have no holes: STOP_AT_HOLE never stops.
        got = self._wire_call("virStreamRecvFlags", wire.recv, _int_arg(nbytes), not self._flags & VIR_STREAM_NONBLOCK)
        return -2 if got is None else got

    def send(self, data):
        wire = self._open("virStreamSend")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("a bytes-like object is required, not '%s'" % type(data).__name__)
        return self._wire_call("virStreamSend", wire.send, data)

    def _no_holes(self, what):
        self._open(what)
        _fail({"code": 55, "domain": 7, "level": 2, "message": "Requested operation is not valid: Skipping is not supported with this stream"}, what)

    def recvHole(self, flags=0):
        self._no_holes("virStreamRecvHole")

    def sendHole(self, length, flags=0):
        self._no_holes("virStreamSendHole")

    def finish(self):
        """Our end of the data, then the peer's confirmation (or its failure)."""
        wire = self._open("virStreamFinish")
        self._wire_call("virStreamFinish", wire.finish)
        return 0

    def abort(self):
        """Give the stream up early; a stream never opened has nothing to give up."""
        if self._wire is not None:
            self._wire_call("virStreamAbort", self._wire.abort)
        return 0

    def recvAll(self, handler, opaque):
        """handler(stream, data, opaque) for each chunk until the end; a failing handler aborts."""
        while True:
            got = self.recv(_STREAM_CHUNK)
            if got == -2:
                raise libvirtError("cannot use recvAll with nonblocking stream")
            if not got:
                return
            try:
                ret = handler(self, got, opaque)
            except BaseException:
                self._abort_quietly()
                raise
            if isinstance(ret, int) and ret < 0:
                self._abort_quietly()
                raise RuntimeError("recvAll handler returned %d" % ret)

    def sendAll(self, handler, opaque):
        """Send what handler(stream, nbytes, opaque) returns until it returns nothing."""
        while True:
            try:
                data = handler(self, _STREAM_CHUNK, opaque)
            except BaseException:
                self._abort_quietly()
                raise
            if not data:
                return
            if self.send(data) == -2:
                raise libvirtError("cannot use sendAll with nonblocking stream")

    def sparseRecvAll(self, handler, holeHandler, opaque):
        """As recvAll: a console stream has no holes for holeHandler."""
        self.recvAll(handler, opaque)

    def sparseSendAll(self, handler, holeHandler, skipHandler, opaque):
        while True:
            in_data, length = holeHandler(self, opaque)
            if not in_data and length > 0:
                self.sendHole(length)
            data = handler(self, min(_STREAM_CHUNK, length) if in_data else _STREAM_CHUNK, opaque)
            if isinstance(data, int) and data < 0:
                self._abort_quietly()
                raise RuntimeError("sparseSendAll handler returned %d" % data)
            if not data:
                return
            self.send(data)

    def _abort_quietly(self):
        try:
            self.abort()
        except Exception:
            pass

    # Event callbacks, run by the registered event loop (virEventRunDefaultImpl, libvirtaio).

    def eventAddCallback(self, events, cb, opaque):
        self.cb = cb
        self._open("virStreamEventAddCallback")
        if self in _streams_with_callbacks:
            _stream_failure("virStreamEventAddCallback", "multiple stream callbacks not supported")
        self._cb_events, self._cb_opaque = _int_arg(events), opaque
        _streams_with_callbacks.add(self)
        for watch in _event_watchers:
            watch(self._conn)

    def eventUpdateCallback(self, events):
        self._open("virStreamEventUpdateCallback")
        if self not in _streams_with_callbacks:
            _stream_failure("virStreamEventUpdateCallback", "no stream callback registered")
        self._cb_events = _int_arg(events)
        return 0

    def eventRemoveCallback(self):
        self._open("virStreamEventRemoveCallback")
        if self not in _streams_with_callbacks:
            _stream_failure("virStreamEventRemoveCallback", "no stream callback registered")
        _streams_with_callbacks.discard(self)
        return 0

    def _ready_events(self):
        """The events of those asked for that hold now: data or the end to read, a failure, a hang-up."""
        wire = self._wire
        if wire is None or self not in _streams_with_callbacks:
            return 0
        events = 0
        if wire.incoming or wire.ended:
            events |= VIR_STREAM_EVENT_READABLE
        if not wire.ended and wire.error is None:
            events |= VIR_STREAM_EVENT_WRITABLE
        if wire.error is not None:
            events |= VIR_STREAM_EVENT_ERROR
        if wire.ended:
            events |= VIR_STREAM_EVENT_HANGUP
        return events & self._cb_events

    def _dispatch(self):
        events = self._ready_events()
        if events:
            self.cb(self, events, self._cb_opaque)


def _dispatch_stream_callbacks():
    for st in list(_streams_with_callbacks):
        st._dispatch()


def _stream_arg(st, conn, what):
    """libvirt's checks of a stream argument: a stream, of the same connection, not opened yet."""
    if not isinstance(st, virStream):
        _fail({"code": 73, "domain": 38, "level": 2, "message": "invalid stream pointer in %s" % what,
               "str1": "invalid stream pointer in %s", "str2": what}, what)
    if st._conn is not conn:
        _invalid(what, "stream must match connection of the object")
    return st


def _open_stream(st, client, proc, args, what):
    """A call that opens a stream: the stream carries its data from then on."""
    global _last_error
    _last_error = None
    try:
        st._wire = client.open_stream(proc, args)
    except _rpc.WireError as e:
        _fail(e.fields, what)
    return 0


def _default_uri(name):
    if name:
        return name
    import os
    return os.environ.get("LIBVIRT_DEFAULT_URI") or "test:///default"


def open(name=None):
    """A read-write connection to the hypervisor that name (a libvirt URI) designates."""
    return virConnect(_default_uri(name), False)


def openReadOnly(name=None):
    return virConnect(_default_uri(name), True)


def openAuth(uri, auth, flags=0):
    return virConnect(_default_uri(uri), bool(flags & VIR_CONNECT_RO))


def getVersion(name=None):
    return _LIB_VERSION
