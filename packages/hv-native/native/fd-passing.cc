// Descriptor passing over unix sockets with SCM_RIGHTS.
// Sending is synchronous (one non-blocking sendmsg). Receiving takes what is there at
// once, and otherwise waits for the socket on the libuv thread pool: Node offers no way
// to be told a descriptor is readable without also reading it (and its read() drops
// the passed descriptors).
#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

namespace hvnative {
namespace {

// SCM_MAX_FD: the kernel refuses more descriptors than this in one message.
constexpr size_t kMaxFds = 253;

union ControlBuffer {
  cmsghdr align;  // CMSG_* need cmsghdr alignment
  char buf[CMSG_SPACE(sizeof(int) * kMaxFds)];
};

// sendFds(socketFd, data, fds) -> bytes sent (maybe fewer than data.length)
Napi::Value SendFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = static_cast<int>(ArgInteger(info, 0, "socket fd", 0, INT32_MAX));
  if (info.Length() < 2 || !info[1].IsBuffer()) {
    throw Napi::TypeError::New(env, "data must be a Buffer");
  }
  Napi::Buffer<uint8_t> data = info[1].As<Napi::Buffer<uint8_t>>();
  // A stream socket delivers ancillary data only with at least one byte.
  if (data.Length() == 0) throw Napi::RangeError::New(env, "data is empty");
  std::vector<int32_t> fds = ArgIntArray(info, 2, "fds", kMaxFds, 0, INT32_MAX);
  if (fds.empty()) throw Napi::RangeError::New(env, "fds is empty");

  ControlBuffer control;
  std::memset(&control, 0, sizeof control);
  iovec iov{data.Data(), data.Length()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());

  ssize_t n;
  // MSG_DONTWAIT: never block the event loop; MSG_NOSIGNAL: a closed peer is EPIPE,
  // not a SIGPIPE.
  do {
    n = sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(env, errno, "sendmsg");
  return Napi::Number::New(env, static_cast<double>(n));
}

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// What one recvmsg brought. Descriptors not handed over to JS are closed, so that an
// error after they arrived leaks nothing.
struct Received {
  std::vector<uint8_t> data;
  std::vector<int> fds;

  explicit Received(size_t maxBytes) : data(maxBytes) {}
  ~Received() {
    for (int f : fds) close(f);
  }
  Received(const Received&) = delete;
  Received& operator=(const Received&) = delete;

  Napi::Object ToJs(Napi::Env env) {
    Napi::Object result = Napi::Object::New(env);
    result.Set("data", Napi::Buffer<uint8_t>::Copy(env, data.data(), data.size()));
    Napi::Array list = Napi::Array::New(env, fds.size());
    for (size_t i = 0; i < fds.size(); i++) {
      list.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
    }
    result.Set("fds", list);
    fds.clear();  // now owned by JS
    return result;
  }
};

// One non-blocking recvmsg into `out`; 0 on success, else an errno (EAGAIN: no data).
int ReceiveOnce(int fd, size_t maxFds, Received& out) {
  ControlBuffer control;
  std::memset(&control, 0, sizeof control);
  iovec iov{out.data.data(), out.data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (maxFds > 0) {
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * maxFds);
  }
  // MSG_CMSG_CLOEXEC: received descriptors must not leak into processes spawned
  // later (QEMU among them) unless passed on purpose.
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EWOULDBLOCK ? EAGAIN : errno;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int f;
      std::memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
      out.fds.push_back(f);
    }
  }
  // The kernel closed the descriptors that did not fit; a partial set is useless to
  // the caller, so the rest are closed too (~Received) and the call fails.
  if (msg.msg_flags & MSG_CTRUNC) return EMSGSIZE;
  out.data.resize(static_cast<size_t>(n));
  return 0;
}

// Waits on the thread pool for data that was not there yet, then receives it.
class RecvWorker : public Napi::AsyncWorker {
 public:
  RecvWorker(Napi::Env env, Napi::Promise::Deferred deferred, int fd, size_t maxBytes,
             size_t maxFds, int timeoutMs)
      : Napi::AsyncWorker(env, "hvNativeRecvFds"),
        deferred_(deferred),
        fd_(fd),
        received_(maxBytes),
        maxFds_(maxFds),
        timeoutMs_(timeoutMs) {}

  ~RecvWorker() override { close(fd_); }

 protected:
  void Execute() override {
    const int64_t deadline = MonotonicMs() + timeoutMs_;
    for (;;) {
      int64_t remaining = deadline - MonotonicMs();
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, remaining > 0 ? static_cast<int>(remaining) : 0);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return Fail(errno, "poll");
      }
      if (ready == 0) return Fail(ETIMEDOUT, "poll");
      int err = ReceiveOnce(fd_, maxFds_, received_);
      // EAGAIN: another reader took the data between poll and recvmsg; wait again.
      if (err == EAGAIN) continue;
      if (err != 0) return Fail(err, "recvmsg");
      return;
    }
  }

  void OnOK() override { deferred_.Resolve(received_.ToJs(Env())); }

  void OnError(const Napi::Error&) override {
    deferred_.Reject(ErrnoError(Env(), err_, syscall_).Value());
  }

 private:
  void Fail(int err, const char* syscall) {
    err_ = err;
    syscall_ = syscall;
    SetError(syscall);  // any non-empty message routes completion to OnError
  }

  Napi::Promise::Deferred deferred_;
  int fd_;
  Received received_;
  size_t maxFds_;
  int timeoutMs_;
  int err_ = 0;
  const char* syscall_ = "";
};

// recvFds(fd, maxBytes, maxFds, timeoutMs) -> Promise<{ data: Buffer, fds: number[] }>
// Empty data means the peer closed the connection.
Napi::Value RecvFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(ArgInteger(info, 0, "fd", 0, INT32_MAX));
  size_t maxBytes = static_cast<size_t>(ArgInteger(info, 1, "maxBytes", 1, 1 << 24));
  size_t maxFds = static_cast<size_t>(ArgInteger(info, 2, "maxFds", 0, kMaxFds));
  int timeoutMs = static_cast<int>(ArgInteger(info, 3, "timeoutMs", 0, INT32_MAX));
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);

  // Data is often there already: take it now and skip the thread pool's round trip.
  Received now(maxBytes);
  int err = ReceiveOnce(fd, maxFds, now);
  if (err == 0) {
    deferred.Resolve(now.ToJs(env));
    return deferred.Promise();
  }
  if (err != EAGAIN) {
    deferred.Reject(ErrnoError(env, err, "recvmsg").Value());
    return deferred.Promise();
  }

  // Wait on a private duplicate: if JS closes `fd` meanwhile, its number may be reused
  // for another file, which the worker must never read.
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) ThrowErrno(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  (new RecvWorker(env, deferred, own, maxBytes, maxFds, timeoutMs))->Queue();  // deletes itself when done
  return deferred.Promise();
}

}  // namespace

void InitFdPassing(Napi::Env env, Napi::Object exports) {
  exports.Set("sendFds", Napi::Function::New(env, SendFds, "sendFds"));
  exports.Set("recvFds", Napi::Function::New(env, RecvFds, "recvFds"));
}

}  // namespace hvnative
