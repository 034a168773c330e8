// Helpers shared by the addon's concerns: argument checks and errno-to-JS errors.
// The TypeScript layer validates first; these checks exist so that a direct call with
// bad arguments throws instead of reading garbage or crashing the process.
#pragma once

#include <napi.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

namespace hvnative {

// Builds the JS error for a failed system call. It carries `errno` and `syscall` so
// that src/hv-native-error.ts can turn it into an HvNativeError with an errno code.
inline Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + ": " + std::strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

[[noreturn]] inline void ThrowErrno(Napi::Env env, int err, const char* syscall) {
  throw ErrnoError(env, err, syscall);
}

inline int64_t ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* name,
                          int64_t min, int64_t max) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(std::trunc(d) == d) || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " is out of range");
  }
  return static_cast<int64_t>(d);
}

inline std::vector<int32_t> ArgIntArray(const Napi::CallbackInfo& info, size_t i,
                                        const char* name, size_t maxLength, int32_t min,
                                        int32_t max) {
  if (info.Length() <= i || !info[i].IsArray()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array");
  }
  Napi::Array arr = info[i].As<Napi::Array>();
  if (arr.Length() > maxLength) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " is too long");
  }
  std::vector<int32_t> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    if (!v.IsNumber()) {
      throw Napi::TypeError::New(info.Env(), std::string(name) + " must hold numbers");
    }
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(std::trunc(d) == d) || d < min || d > max) {
      throw Napi::RangeError::New(info.Env(), std::string(name) + " holds a value out of range");
    }
    out.push_back(static_cast<int32_t>(d));
  }
  return out;
}

// Closes a descriptor when a probe leaves early through a thrown error.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() { close(fd_); }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;

 private:
  int fd_;
};

void InitCpuid(Napi::Env env, Napi::Object exports);
void InitKvm(Napi::Env env, Napi::Object exports);
void InitFdPassing(Napi::Env env, Napi::Object exports);
void InitAffinity(Napi::Env env, Napi::Object exports);
void InitTapDevice(Napi::Env env, Napi::Object exports);
void InitPeerCredentials(Napi::Env env, Napi::Object exports);

}  // namespace hvnative
