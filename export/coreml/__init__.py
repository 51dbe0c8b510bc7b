"""Core ML export (``torch.export`` -> coremltools) and the checks Linux can run without Core ML.

May import ``export``'s shared modules, ``models`` and the runtime; coremltools only inside functions.
"""
