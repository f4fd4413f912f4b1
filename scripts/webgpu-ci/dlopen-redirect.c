// LD_PRELOAD library for Chromium on a machine without a GPU (test infrastructure only).
//
// Without a GPU, Chromium's WebGPU implementation (Dawn, linked into the chromium executable)
// dlopen()s <chromium dir>/libvk_swiftshader.so by its path, bypassing the Vulkan loader, and
// it only accepts a CPU adapter that reports SwiftShader's vendor and device IDs. We answer that
// one dlopen() with vk-lavapipe-as-swiftshader.so, so WebGPU runs on Mesa's lavapipe instead:
// lavapipe has shader-f16, which SwiftShader lacks, and runs our training steps about 10x
// faster. No file of Chromium is modified; without LD_PRELOAD it is the stock browser.
//
// Cost: every dlopen() of the process goes through this function. Calls that we pass on are
// made from this library, so glibc searches bare names (no '/') with our (empty) RUNPATH
// instead of the caller's; Debian's Chromium has no RUNPATH and opens its libraries by path.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LAVAPIPE_AS_SWIFTSHADER
#error "build with -DLAVAPIPE_AS_SWIFTSHADER='\"/absolute/path/vk-lavapipe-as-swiftshader.so\"'"
#endif

typedef void *(*dlopen_fn)(const char *, int);

// glibc's dlopen, resolved once when this library is loaded, before Chromium starts threads.
static dlopen_fn next_dlopen;

__attribute__((constructor)) static void resolve_next_dlopen(void) {
  next_dlopen = (dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

// Chromium also reaches SwiftShader through a Vulkan loader (libvulkan.so.1, its own copy or the
// system's, via an ICD manifest) for ANGLE's GL. Those loads keep the real SwiftShader: only Dawn's
// direct load is redirected. The caller is identified by the object that holds the return address.
static int called_from_vulkan_loader(const void *return_address) {
  Dl_info info;
  if (!dladdr(return_address, &info) || info.dli_fname == NULL) return 0;
  const char *base = strrchr(info.dli_fname, '/');
  base = base ? base + 1 : info.dli_fname;
  return strncmp(base, "libvulkan.so", strlen("libvulkan.so")) == 0;
}

__attribute__((visibility("default"))) void *dlopen(const char *file, int mode) {
  // A dlopen() from another constructor that ran before ours (not seen with Chromium, but cheap).
  if (next_dlopen == NULL) resolve_next_dlopen();
  if (file != NULL && has_suffix(file, "/libvk_swiftshader.so") &&
      !called_from_vulkan_loader(__builtin_return_address(0))) {
    if (getenv("WEBGPU_CI_DEBUG") != NULL)
      fprintf(stderr, "[webgpu-ci] dlopen(%s) -> %s\n", file, LAVAPIPE_AS_SWIFTSHADER);
    return next_dlopen(LAVAPIPE_AS_SWIFTSHADER, mode);
  }
  return next_dlopen(file, mode);
}
