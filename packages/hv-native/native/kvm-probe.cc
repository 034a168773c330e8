// KVM probe through /dev/kvm ioctls: API version, extensions, supported CPUID.
// The extension numbers come from src/kvm-probe.ts, which names them; this file only
// asks the kernel. Nothing here creates a VM.
#include "common.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

namespace hvnative {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// <linux/kvm.h> ends struct kvm_cpuid2 with __DECLARE_FLEX_ARRAY, which C++ compiles
// with an extra empty member: sizeof grows from 8 to 12, and with it the size encoded
// in the KVM_GET_SUPPORTED_CPUID request number, which the kernel refuses (EINVAL).
// Spell out the C layout: an 8-byte header, then the entries.
struct CpuidHeader {
  uint32_t nent;
  uint32_t padding;
};
static_assert(sizeof(CpuidHeader) == 8, "kvm_cpuid2 header is 8 bytes");
static_assert(sizeof(kvm_cpuid_entry2) == 40, "kvm_cpuid_entry2 is 40 bytes");
constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);

// KVM_GET_SUPPORTED_CPUID wants the caller to guess the table size and says E2BIG
// when the guess is short, so grow until it fits. 256 is the kernel's own cap
// (KVM_MAX_CPUID_ENTRIES) today; the loop covers a future larger one.
Napi::Value SupportedCpuid(Napi::Env env, int fd) {
  constexpr size_t kFields = 7;  // function, index, flags, eax, ebx, ecx, edx
  for (uint32_t nent = 256; nent <= 8192; nent *= 2) {
    std::vector<uint32_t> buf((sizeof(CpuidHeader) + nent * sizeof(kvm_cpuid_entry2)) /
                              sizeof(uint32_t));
    auto* header = reinterpret_cast<CpuidHeader*>(buf.data());
    header->nent = nent;
    if (ioctl(fd, kGetSupportedCpuid, header) == 0) {
      auto* entries = reinterpret_cast<const kvm_cpuid_entry2*>(header + 1);
      // Flat, kFields per entry: cheaper to cross into JS than one object per entry.
      Napi::Uint32Array out = Napi::Uint32Array::New(env, header->nent * kFields);
      for (uint32_t i = 0; i < header->nent; i++) {
        const kvm_cpuid_entry2& e = entries[i];
        const uint32_t fields[kFields] = {e.function, e.index, e.flags, e.eax,
                                          e.ebx,      e.ecx,   e.edx};
        for (size_t f = 0; f < kFields; f++) out[i * kFields + f] = fields[f];
      }
      return out;
    }
    if (errno != E2BIG) ThrowErrno(env, errno, "ioctl(KVM_GET_SUPPORTED_CPUID)");
  }
  ThrowErrno(env, E2BIG, "ioctl(KVM_GET_SUPPORTED_CPUID)");
}
#endif

// kvmProbe(path, extensions) ->
//   { apiVersion, extensions: number[] | null, cpuid: Uint32Array | null }
Napi::Value KvmProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    throw Napi::TypeError::New(env, "path must be a string");
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::vector<int32_t> extensions = ArgIntArray(info, 1, "extensions", 4096, 0, INT32_MAX);

  int fd;
  do {
    fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) ThrowErrno(env, errno, "open");
  FdGuard guard(fd);

  Napi::Object result = Napi::Object::New(env);
  int api = ioctl(fd, KVM_GET_API_VERSION, 0);
  if (api < 0) ThrowErrno(env, errno, "ioctl(KVM_GET_API_VERSION)");
  result.Set("apiVersion", Napi::Number::New(env, api));

  // The KVM API says the rest of the interface means something only at version 12.
  if (api != KVM_API_VERSION) {
    result.Set("extensions", env.Null());
    result.Set("cpuid", env.Null());
    return result;
  }

  Napi::Array values = Napi::Array::New(env, extensions.size());
  for (size_t i = 0; i < extensions.size(); i++) {
    int v = ioctl(fd, KVM_CHECK_EXTENSION, extensions[i]);
    if (v < 0) ThrowErrno(env, errno, "ioctl(KVM_CHECK_EXTENSION)");
    values.Set(static_cast<uint32_t>(i), Napi::Number::New(env, v));
  }
  result.Set("extensions", values);

#if defined(__x86_64__) || defined(__i386__)
  result.Set("cpuid", SupportedCpuid(env, fd));
#else
  result.Set("cpuid", env.Null());
#endif
  return result;
}

}  // namespace

void InitKvm(Napi::Env env, Napi::Object exports) {
  exports.Set("kvmProbe", Napi::Function::New(env, KvmProbe, "kvmProbe"));
}

}  // namespace hvnative
