// CPU affinity of a thread id (sched_setaffinity/sched_getaffinity act on a tid).
// Sets are allocated with CPU_ALLOC so hosts beyond CPU_SETSIZE (1024) work too.
#include "common.h"

#include <sched.h>

#include <memory>

namespace hvnative {
namespace {

// Matches the bound in src/affinity.ts; far above any kernel's NR_CPUS.
constexpr int kMaxCpus = 65536;

struct CpuSetFree {
  void operator()(cpu_set_t* set) const { CPU_FREE(set); }
};
using CpuSet = std::unique_ptr<cpu_set_t, CpuSetFree>;

CpuSet AllocCpuSet(Napi::Env env, int ncpus) {
  CpuSet set(CPU_ALLOC(ncpus));
  if (!set) ThrowErrno(env, ENOMEM, "CPU_ALLOC");
  CPU_ZERO_S(CPU_ALLOC_SIZE(ncpus), set.get());
  return set;
}

// setAffinity(tid, cpus)
Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = static_cast<pid_t>(ArgInteger(info, 0, "tid", 1, INT32_MAX));
  std::vector<int32_t> cpus = ArgIntArray(info, 1, "cpus", kMaxCpus, 0, kMaxCpus - 1);
  if (cpus.empty()) throw Napi::RangeError::New(env, "cpus is empty");

  int ncpus = 0;
  for (int32_t cpu : cpus) ncpus = cpu + 1 > ncpus ? cpu + 1 : ncpus;
  size_t size = CPU_ALLOC_SIZE(ncpus);
  CpuSet set = AllocCpuSet(env, ncpus);
  for (int32_t cpu : cpus) CPU_SET_S(cpu, size, set.get());
  if (sched_setaffinity(tid, size, set.get()) != 0) {
    ThrowErrno(env, errno, "sched_setaffinity");
  }
  return env.Undefined();
}

// getAffinity(tid) -> number[]
Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = static_cast<pid_t>(ArgInteger(info, 0, "tid", 1, INT32_MAX));
  // The kernel says EINVAL when the mask is smaller than its own CPU count: start
  // from glibc's default set size, which fits most hosts, and double.
  for (int ncpus = CPU_SETSIZE; ncpus <= kMaxCpus; ncpus *= 2) {
    size_t size = CPU_ALLOC_SIZE(ncpus);
    CpuSet set = AllocCpuSet(env, ncpus);
    if (sched_getaffinity(tid, size, set.get()) == 0) {
      Napi::Array out = Napi::Array::New(env);
      uint32_t n = 0;
      for (int cpu = 0; cpu < static_cast<int>(size * 8); cpu++) {
        if (CPU_ISSET_S(cpu, size, set.get())) out.Set(n++, Napi::Number::New(env, cpu));
      }
      return out;
    }
    if (errno != EINVAL) ThrowErrno(env, errno, "sched_getaffinity");
  }
  ThrowErrno(env, EINVAL, "sched_getaffinity");
}

}  // namespace

void InitAffinity(Napi::Env env, Napi::Object exports) {
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
}

}  // namespace hvnative
