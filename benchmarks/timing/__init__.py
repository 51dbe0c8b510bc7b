"""Where a latency is timed: interleaved rounds, per-backend runners, statistics, cold start and memory.

``harness`` plans and runs the CPU benchmark; ``runners`` load one artifact per backend with a
verified thread count; ``stats`` summarises samples; ``probe`` measures cold start and peak RSS in a
child process. May import ``benchmarks``' root modules, ``reports``, ``export``, ``models``, runtime.
"""
