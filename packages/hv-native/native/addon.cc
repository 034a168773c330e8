// Entry point of hv_native.node: each concern registers its own functions.
#include "common.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  hvnative::InitCpuid(env, exports);
  hvnative::InitKvm(env, exports);
  hvnative::InitFdPassing(env, exports);
  hvnative::InitAffinity(env, exports);
  hvnative::InitTapDevice(env, exports);
  hvnative::InitPeerCredentials(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hv_native, Init)
