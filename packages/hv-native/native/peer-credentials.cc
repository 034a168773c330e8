// The process at the other end of a connected unix socket, as the kernel recorded it when
// the connection was made (SO_PEERCRED): a daemon tells its local clients apart by it.
#include "common.h"

#include <sys/socket.h>

namespace hvnative {
namespace {

// peerCredentials(socketFd) -> { uid, gid, pid }
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = static_cast<int>(ArgInteger(info, 0, "socket fd", 0, INT32_MAX));
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) ThrowErrno(env, errno, "getsockopt");
  Napi::Object out = Napi::Object::New(env);
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  out.Set("pid", Napi::Number::New(env, cred.pid));
  return out;
}

}  // namespace

void InitPeerCredentials(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
}

}  // namespace hvnative
