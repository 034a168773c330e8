// Raw CPUID. Decoding (vendor, family, feature names) lives in src/cpu-probe.ts so the
// native side stays a thin wrapper over one instruction.
#include "common.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

namespace hvnative {
namespace {

// cpuid(leaf, subleaf) -> [eax, ebx, ecx, edx]
Napi::Value Cpuid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t leaf = static_cast<uint32_t>(ArgInteger(info, 0, "leaf", 0, UINT32_MAX));
  uint32_t subleaf = static_cast<uint32_t>(ArgInteger(info, 1, "subleaf", 0, UINT32_MAX));
  unsigned int a, b, c, d;
  __cpuid_count(leaf, subleaf, a, b, c, d);
  Napi::Array regs = Napi::Array::New(env, 4);
  regs.Set(0u, Napi::Number::New(env, a));
  regs.Set(1u, Napi::Number::New(env, b));
  regs.Set(2u, Napi::Number::New(env, c));
  regs.Set(3u, Napi::Number::New(env, d));
  return regs;
}

}  // namespace

void InitCpuid(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuid", Napi::Function::New(env, Cpuid, "cpuid"));
}

}  // namespace hvnative

#else

namespace hvnative {
// No CPUID instruction on this architecture: the TypeScript side sees no `cpuid`
// export and reads /proc/cpuinfo instead.
void InitCpuid(Napi::Env, Napi::Object) {}
}  // namespace hvnative

#endif
