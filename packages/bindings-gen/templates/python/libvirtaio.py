"""asyncio for the libvirt module: libvirtaio's event-loop integration, an awaitable twin of
every call, and events as async iterators.

    import asyncio, libvirtaio
    async def main():
        conn = await libvirtaio.open("test:///default")
        dom = await conn.lookupByName("test")
        print(await dom.info())
        async for event in conn.events(eventID=libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE):
            print(event)
    asyncio.run(main())

Calls run on a worker thread, one at a time per connection, so the event loop never blocks
on the daemon; events are read by the loop itself as they arrive.
"""
import asyncio
import functools
import threading

import libvirt

__all__ = ["virEventRegisterAsyncIOImpl", "getCurrentImpl", "open", "openReadOnly", "AsyncObject"]

_impl = None


class _AsyncIOImpl(object):
    """libvirtaio's handle on the loop: the loop reads each watched connection's socket."""

    def __init__(self, loop):
        self.loop = loop

    def watch(self, conn):
        client = conn._client
        lock = _lock_of(conn)

        def readable():
            if client.closed:
                self.loop.remove_reader(client.fileno())
                return
            # A call under way on the worker thread reads the socket itself and hands events over after.
            if lock.acquire(blocking=False):
                try:
                    client.dispatch_events()
                except libvirt._rpc.WireError:
                    self.loop.remove_reader(client.fileno())
                finally:
                    lock.release()
            self.serve_streams()

        if not client.closed:
            self.loop.add_reader(client.fileno(), readable)
        self.loop.call_soon_threadsafe(self.serve_streams)

    def serve_streams(self):
        """Stream callbacks whose events hold; again on the next turn while some still do (EVENT_WRITABLE)."""
        for st in list(libvirt._streams_with_callbacks):
            # Not while a call of its connection is under way on the worker thread: it is the socket's reader and writer then.
            lock = _lock_of(st._conn)
            if lock.acquire(blocking=False):
                try:
                    st._dispatch()
                finally:
                    lock.release()
        if any(st._ready_events() for st in list(libvirt._streams_with_callbacks)):
            self.loop.call_soon(self.serve_streams)

    def drain(self):
        """libvirtaio's drain(): wait until queued callbacks have run."""
        return asyncio.sleep(0)


def virEventRegisterAsyncIOImpl(loop=None):
    """Run libvirt's events on the asyncio loop (the running one, or loop)."""
    global _impl
    _impl = _AsyncIOImpl(loop or asyncio.get_event_loop())
    libvirt._event_watchers.append(_impl.watch)
    for conn in libvirt._watched_connections():
        _impl.watch(conn)
    return _impl


def getCurrentImpl():
    return _impl


_locks = {}


def _lock_of(conn):
    return _locks.setdefault(id(conn), threading.Lock())


def _wrap(value, conn):
    if isinstance(value, libvirt._ObjectBase) or isinstance(value, libvirt._ConnectBase):
        return AsyncObject(value, conn)
    if isinstance(value, list) and value and isinstance(value[0], libvirt._ObjectBase):
        return [AsyncObject(v, conn) for v in value]
    return value


class AsyncObject(object):
    """The awaitable twin of a libvirt object: each method is a coroutine of the same call."""

    def __init__(self, sync, conn=None):
        self._sync = sync
        self._conn = conn if conn is not None else sync

    @property
    def sync(self):
        """The blocking object underneath, for code that wants it."""
        return self._sync

    def __getattr__(self, name):
        target = getattr(self._sync, name)
        if not callable(target):
            return target
        conn = self._conn

        async def call(*args, **kwargs):
            unwrapped = [a._sync if isinstance(a, AsyncObject) else a for a in args]
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(None, functools.partial(_locked, conn, target, unwrapped, kwargs))
            return _wrap(result, conn)

        call.__name__ = name
        return call

    async def events(self, eventID=libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, dom=None, maxsize=1024):
        """The connection's events of one kind (of one domain, if given) as tuples (dom, *fields);
        leaving the loop deregisters."""
        stream = _EventStream(self._conn, eventID, dom, maxsize)
        try:
            while True:
                yield await stream.next()
        finally:
            await stream.close()


def _locked(conn, target, args, kwargs):
    with _lock_of(conn):
        try:
            return target(*args, **kwargs)
        finally:
            # Events the call read while waiting for its reply go out now.
            if conn._callbacks and not conn._client.closed:
                conn._client.dispatch_events()


class _EventStream(object):
    def __init__(self, conn, event_id, dom, maxsize):
        self.conn, self.event_id, self.dom, self.maxsize = conn, event_id, dom, maxsize
        self.callback_id = None
        self.queue = None

    async def _start(self):
        loop = asyncio.get_running_loop()
        if _impl is None:
            virEventRegisterAsyncIOImpl(loop)
        self.queue = asyncio.Queue(self.maxsize)

        def deliver(conn, dom, *rest):
            item = (AsyncObject(dom, self.conn),) + tuple(rest[:-1])
            # A consumer that falls behind loses the oldest events rather than the daemon's memory.
            loop.call_soon_threadsafe(_put_latest, self.queue, item)

        dom = self.dom._sync if isinstance(self.dom, AsyncObject) else self.dom
        self.callback_id = await loop.run_in_executor(
            None, functools.partial(_locked, self.conn, self.conn.domainEventRegisterAny, [dom, self.event_id, deliver, None], {}))

    async def next(self):
        if self.queue is None:
            await self._start()
        return await self.queue.get()

    async def close(self):
        if self.callback_id is not None:
            callback_id, self.callback_id = self.callback_id, None
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, functools.partial(_locked, self.conn, self.conn.domainEventDeregisterAny, [callback_id], {}))


def _put_latest(queue, item):
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)


async def open(name=None):
    """An awaitable libvirt.open: the connection's calls are coroutines."""
    conn = await asyncio.get_running_loop().run_in_executor(None, libvirt.open, name)
    return AsyncObject(conn)


async def openReadOnly(name=None):
    conn = await asyncio.get_running_loop().run_in_executor(None, libvirt.openReadOnly, name)
    return AsyncObject(conn)
