"""Where an exported file's time goes: op census, per-op-type time, per-kernel host samples, integer MACs.

``cli`` is ``hierattn-profile``. May import ``benchmarks.emulated`` (the ``--arm`` kernel split),
``export`` and the runtime.
"""
