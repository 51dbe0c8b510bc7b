"""Latency, size and fidelity of exported models on CPUs, emulated phone cores, phones and browsers.

The root holds the ``hierattn-bench`` CLI, the model zoo, the cached artifacts it exports and the
environment record; ``timing/`` measures, ``reports/`` renders, ``emulated/`` counts instructions on
emulated cores, ``profiling/`` splits a file's time, ``devices/`` reaches phones and browsers. The top
layer: may import ``export``, ``models`` and ``runtime``.
"""
