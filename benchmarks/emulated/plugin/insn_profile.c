/*
 * Count the guest instructions a qemu-user process executes, per translated block start address.
 *
 * Like insn_count.c, each translated block gets an inline add of its instruction count, but into a
 * counter of its own, keyed by the block's guest address. At exit every address that ran is
 * written as "ADDRESS COUNT" (hex, decimal), one per line; the host maps addresses to the symbols
 * of the guest's shared libraries (benchmarks/emulated/kernels.py), which says which XNNPACK kernels
 * the instructions went to. Exact for a single-threaded guest, as the total count is.
 *
 * Usage: qemu-aarch64 -plugin libinsn_profile.so,out=PATH ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_args.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct block {
    uint64_t vaddr;
    uint64_t count;
    int used;
};

#define CAPACITY (1u << 21) /* block start addresses; a LiteRT run translates about 10^5 */

static struct block *blocks;
static uint64_t used_blocks;
static uint64_t untracked; /* instructions of blocks that found the table full */
static char out_path[4096];

static struct block *lookup(uint64_t vaddr)
{
    uint64_t slot = (vaddr * 0x9E3779B97F4A7C15ull) >> 43; /* top 21 bits of a Fibonacci hash */
    for (uint64_t probe = 0; probe < CAPACITY; probe++) {
        struct block *b = &blocks[(slot + probe) & (CAPACITY - 1)];
        if (!b->used) {
            if (used_blocks >= CAPACITY / 2) {
                return NULL;
            }
            b->used = 1;
            b->vaddr = vaddr;
            used_blocks++;
            return b;
        }
        if (b->vaddr == vaddr) {
            return b;
        }
    }
    return NULL;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    struct block *b = lookup(qemu_plugin_tb_vaddr(tb));
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, b != NULL ? &b->count : &untracked,
                                             qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
    FILE *out = fopen(out_path, "w");
    (void)id;
    (void)userdata;
    if (out == NULL) {
        return;
    }
    fprintf(out, "untracked %llu\n", (unsigned long long)untracked);
    for (uint64_t i = 0; i < CAPACITY; i++) {
        if (blocks[i].used && blocks[i].count != 0) {
            fprintf(out, "%llx %llu\n", (unsigned long long)blocks[i].vaddr, (unsigned long long)blocks[i].count);
        }
    }
    fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    if (parse_out_argument("insn_profile", argc, argv, out_path, sizeof out_path, 1) != 0) {
        return -1;
    }
    blocks = calloc(CAPACITY, sizeof *blocks);
    if (blocks == NULL) {
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
