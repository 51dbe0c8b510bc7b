/*
 * Count the guest instructions a qemu-user process executes.
 *
 * Each translated block gets an inline add of its instruction count, executed every time the block
 * runs, so the total is exact and independent of host speed. The add is not atomic: the count is
 * exact for a single-threaded guest (the benchmark runs LiteRT at 1 thread for that reason).
 *
 * Usage: qemu-aarch64 -plugin libinsn_count.so,out=PATH ...  writes "insns N" to PATH at exit;
 * without out= the line goes to QEMU's log (visible with -d plugin).
 */
#include <stdio.h>

#include "plugin_args.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t insns;
static char out_path[4096];

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns,
                                             qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
    char line[64];
    (void)id;
    (void)userdata;
    snprintf(line, sizeof line, "insns %llu\n", (unsigned long long)insns);
    if (out_path[0] != '\0') {
        FILE *out = fopen(out_path, "w");
        if (out != NULL) {
            fputs(line, out);
            fclose(out);
            return;
        }
    }
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    if (parse_out_argument("insn_count", argc, argv, out_path, sizeof out_path, 0) != 0) {
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
