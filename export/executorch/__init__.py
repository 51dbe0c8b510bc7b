"""ExecuTorch export: ``.pte`` programs lowered to XNNPACK, fp32/fp16 and PT2E int8.

``converter`` is what the export registry loads; ``quant`` applies the int8 recipe, ``delegation``
reports what XNNPACK runs, ``program`` rewrites the spec slot. May import ``export``'s shared modules,
``models`` and the runtime; executorch only inside functions.
"""
