// Tap devices: a descriptor of /dev/net/tun attached to a named tap (TUNSETIFF), which
// a hypervisor driver hands to QEMU. The tap lives as long as a descriptor is open.
#include "common.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

namespace hvnative {
namespace {

// openTap(name, vnetHdr) -> { fd, name }: close-on-exec; the caller passes it on and closes it.
Napi::Value OpenTap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) {
    throw Napi::RangeError::New(env, "name is not an interface name");
  }
  bool vnetHdr = info.Length() > 1 && info[1].ToBoolean().Value();

  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "open");
  ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnetHdr ? IFF_VNET_HDR : 0);
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    ThrowErrno(env, err, "ioctl(TUNSETIFF)");
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("name", Napi::String::New(env, std::string(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ))));
  return out;
}

}  // namespace

void InitTapDevice(Napi::Env env, Napi::Object exports) {
  exports.Set("openTap", Napi::Function::New(env, OpenTap, "openTap"));
}

}  // namespace hvnative
