/*
 * The one argument both instruction-count plugins take: out=PATH, where they write their result at
 * exit. Parsed here once, so the two plugins cannot drift apart in what they accept.
 */
#ifndef HIERATTN_PLUGIN_ARGS_H
#define HIERATTN_PLUGIN_ARGS_H

#include <stdio.h>
#include <string.h>

/* Copy out=PATH into out (size bytes); 0 on success, -1 (after a message naming the plugin) on an
 * unknown argument, or when required and out= is missing. */
static int parse_out_argument(const char *plugin, int argc, char **argv, char *out, size_t size, int required)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            snprintf(out, size, "%s", argv[i] + 4);
        } else {
            fprintf(stderr, "%s: unknown argument %s (expected out=PATH)\n", plugin, argv[i]);
            return -1;
        }
    }
    if (required && out[0] == '\0') {
        fprintf(stderr, "%s: out=PATH is required\n", plugin);
        return -1;
    }
    return 0;
}

#endif
