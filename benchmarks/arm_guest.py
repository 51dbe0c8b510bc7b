"""Runs inside the emulated aarch64 Python: load one .tflite with XNNPACK at 1 thread and invoke it.

Kept free of hierattn imports (the guest has only numpy and ai-edge-litert). The host prepares the
input tensor in the model's own layout and dtype and post-processes the raw outputs, so this script
only does what must happen on the ARM kernels:

    python arm_guest.py MODEL.tflite INPUTS.npy REPEATS OUTPUTS.npy

It runs every row of INPUTS (shape [M, *model input shape]) once, saving the raw outputs to
OUTPUTS.npy (or not at all when OUTPUTS is "-"), then invokes REPEATS more times on the first row.
The instruction counter sees the whole process, so the host differences two runs that differ only
in REPEATS to remove loading, setup and the per-row work. With HIERATTN_ARM_MAPS=PATH set, the
guest's memory map is copied to PATH at the end, for the per-kernel profile to name addresses.
"""

import os
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def main(argv: list) -> int:
    model, inputs_path, repeats, outputs_path = argv[1], argv[2], int(argv[3]), argv[4]
    inputs = np.load(inputs_path)
    interpreter = Interpreter(model_path=model, num_threads=1)
    interpreter.allocate_tensors()
    input_index = interpreter.get_input_details()[0]["index"]
    output_index = interpreter.get_output_details()[0]["index"]
    outputs = []
    for row in inputs:
        interpreter.set_tensor(input_index, row)
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(output_index).copy())
    interpreter.set_tensor(input_index, inputs[0])
    for _ in range(repeats):
        interpreter.invoke()
    if outputs_path != "-":
        np.save(outputs_path, np.stack(outputs))
    maps_path = os.environ.get("HIERATTN_ARM_MAPS")
    if maps_path:
        with open("/proc/self/maps") as maps, open(maps_path, "w") as out:
            out.write(maps.read())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
