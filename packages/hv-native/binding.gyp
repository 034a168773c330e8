{
  "targets": [
    {
      "target_name": "hv_native",
      "sources": [
        "native/addon.cc",
        "native/cpuid-probe.cc",
        "native/kvm-probe.cc",
        "native/fd-passing.cc",
        "native/affinity.cc",
        "native/tap-device.cc",
        "native/peer-credentials.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    }
  ]
}
