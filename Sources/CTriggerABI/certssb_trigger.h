/*
 * certssb trigger-plugin ABI, version 1.
 *
 * A plugin is a shared library that exports one C function,
 *
 *     const struct certssb_trigger_v1 *certssb_trigger_entry(void);
 *
 * returning a pointer to a static, immutable descriptor. Any language that can export a C
 * symbol can implement it. The host checks abi_version first and refuses anything else.
 * Images are float32, channel-major (CHW), values in [0,1] before the trigger is applied.
 * Functions must be thread-safe (the host may call them from several threads at once) and
 * must not keep the image pointer after returning.
 */
#ifndef CERTSSB_TRIGGER_H
#define CERTSSB_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#define CERTSSB_TRIGGER_ABI_VERSION 1u
#define CERTSSB_TRIGGER_ENTRY "certssb_trigger_entry"

struct certssb_trigger_v1 {
    /* Must equal CERTSSB_TRIGGER_ABI_VERSION. */
    uint32_t abi_version;
    /* Registry name, [a-z0-9_-]{1,32}, e.g. "onepixel". */
    const char *name;
    /* Plugin version, free text, e.g. "1.0.0". */
    const char *version;
    /* One line for `certssb triggers`: what it does and which shapes it supports. */
    const char *description;
    /* 1 when the plugin can apply its trigger to images of shape channels x height x width. */
    int (*supports)(uint32_t channels, uint32_t height, uint32_t width);
    /* Adds the trigger of size delta to image in place. Returns 0 on success; otherwise a
       nonzero code and a NUL-terminated message in error (at most error_size bytes). */
    int (*apply)(float *image, uint32_t channels, uint32_t height, uint32_t width, double delta,
                 char *error, size_t error_size);
};

typedef const struct certssb_trigger_v1 *(*certssb_trigger_entry_fn)(void);

#endif
