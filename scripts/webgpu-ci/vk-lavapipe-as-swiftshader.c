// Stands in for Chromium's libvk_swiftshader.so (dlopen-redirect.c hands it to Dawn). Dawn takes
// every Vulkan entry point from our vkGetInstanceProcAddr; we forward each one to the system's
// Vulkan loader, which drives Mesa's lavapipe, and wrap only the physical-device property
// queries: a Mesa CPU device is reported under SwiftShader's IDs (vendor 0x1AE0, device 0xC0DE),
// the only CPU adapter that Chromium's WebGPU accepts. Everything else (limits, features such as
// shader-f16, the device name "llvmpipe ...") is lavapipe's own.
#define _GNU_SOURCE
#define VK_NO_PROTOTYPES
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <vulkan/vulkan.h>

#ifndef SYSTEM_VULKAN_LOADER
#error "build with -DSYSTEM_VULKAN_LOADER='\"/usr/lib/<multiarch>/libvulkan.so.1\"'"
#endif

#define SWIFTSHADER_VENDOR_ID 0x1AE0u
#define SWIFTSHADER_DEVICE_ID 0xC0DEu

static PFN_vkGetInstanceProcAddr loader_get_instance_proc_addr;
static pthread_once_t loader_once = PTHREAD_ONCE_INIT;

// The loader's own functions, recorded when we hand out our wrappers. The loader returns the same
// trampolines for physical-device functions whatever the instance, so one slot per name suffices.
static PFN_vkGetPhysicalDeviceProperties real_properties;
static PFN_vkGetPhysicalDeviceProperties2 real_properties2;
static PFN_vkGetPhysicalDeviceProperties2KHR real_properties2_khr;

static void open_system_loader(void) {
  // By absolute path and RTLD_LOCAL: Chromium ships its own libvulkan.so.1, which may already be
  // loaded under the same soname; the system's is the one configured for Mesa's drivers.
  void *loader = dlopen(SYSTEM_VULKAN_LOADER, RTLD_NOW | RTLD_LOCAL);
  if (loader == NULL) {
    fprintf(stderr, "[webgpu-ci] cannot open %s: %s\n", SYSTEM_VULKAN_LOADER, dlerror());
    return;
  }
  loader_get_instance_proc_addr =
      (PFN_vkGetInstanceProcAddr)dlsym(loader, "vkGetInstanceProcAddr");
}

static void as_swiftshader(VkPhysicalDeviceProperties *properties) {
  // Only Mesa's CPU driver: a real GPU driven by Mesa (radv, anv) keeps its identity.
  if (properties->vendorID == VK_VENDOR_ID_MESA &&
      properties->deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU) {
    properties->vendorID = SWIFTSHADER_VENDOR_ID;
    properties->deviceID = SWIFTSHADER_DEVICE_ID;
  }
}

static VKAPI_ATTR void VKAPI_CALL get_properties(VkPhysicalDevice device,
                                                 VkPhysicalDeviceProperties *properties) {
  __atomic_load_n(&real_properties, __ATOMIC_ACQUIRE)(device, properties);
  as_swiftshader(properties);
}

static VKAPI_ATTR void VKAPI_CALL get_properties2(VkPhysicalDevice device,
                                                  VkPhysicalDeviceProperties2 *properties) {
  __atomic_load_n(&real_properties2, __ATOMIC_ACQUIRE)(device, properties);
  as_swiftshader(&properties->properties);
}

static VKAPI_ATTR void VKAPI_CALL get_properties2_khr(VkPhysicalDevice device,
                                                      VkPhysicalDeviceProperties2 *properties) {
  __atomic_load_n(&real_properties2_khr, __ATOMIC_ACQUIRE)(device, properties);
  as_swiftshader(&properties->properties);
}

__attribute__((visibility("default"))) VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vkGetInstanceProcAddr(VkInstance instance, const char *name) {
  pthread_once(&loader_once, open_system_loader);
  if (loader_get_instance_proc_addr == NULL) return NULL;  // Dawn then reports no adapter.
  // Lookups made through the returned pointer must come back here too.
  if (strcmp(name, "vkGetInstanceProcAddr") == 0) return (PFN_vkVoidFunction)vkGetInstanceProcAddr;
  PFN_vkVoidFunction real = loader_get_instance_proc_addr(instance, name);
  if (real == NULL) return NULL;
  if (strcmp(name, "vkGetPhysicalDeviceProperties") == 0) {
    __atomic_store_n(&real_properties, (PFN_vkGetPhysicalDeviceProperties)real, __ATOMIC_RELEASE);
    return (PFN_vkVoidFunction)get_properties;
  }
  if (strcmp(name, "vkGetPhysicalDeviceProperties2") == 0) {
    __atomic_store_n(&real_properties2, (PFN_vkGetPhysicalDeviceProperties2)real,
                     __ATOMIC_RELEASE);
    return (PFN_vkVoidFunction)get_properties2;
  }
  if (strcmp(name, "vkGetPhysicalDeviceProperties2KHR") == 0) {
    __atomic_store_n(&real_properties2_khr, (PFN_vkGetPhysicalDeviceProperties2KHR)real,
                     __ATOMIC_RELEASE);
    return (PFN_vkVoidFunction)get_properties2_khr;
  }
  return real;
}
