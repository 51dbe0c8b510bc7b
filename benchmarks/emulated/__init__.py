"""Where a phone core (or an AVX2-only x86 CPU) is emulated: qemu-user with instruction-count plugins.

``arm`` is ``--device arm-emulated`` and ``x86`` is ``--device x86-emulated``; ``qemu`` runs a
program under qemu with the plugins of ``plugin/``; ``userland`` and ``sysroot`` build the aarch64
guest; ``guest`` runs inside it (no hierattn imports); ``kernels`` splits instructions by XNNPACK
kernel; ``report`` renders the counts. May import ``benchmarks.reports`` and the runtime.
"""
