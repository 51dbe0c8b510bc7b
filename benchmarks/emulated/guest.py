"""Runs inside the emulated Python: load one .tflite (LiteRT, XNNPACK) or .onnx (ONNX Runtime) at 1 thread.

Kept free of hierattn imports (the aarch64 guest has only numpy and ai-edge-litert; the x86 guest,
this machine's own Python, also has onnxruntime for .onnx files). The host prepares the
input tensor in the model's own layout and dtype and post-processes the raw outputs, so this script
only does what must happen on the ARM kernels:

    python guest.py MODEL.tflite INPUTS.npy REPEATS OUTPUTS.npy

It runs every row of INPUTS (shape [M, *model input shape]) once, saving the raw outputs to
OUTPUTS.npy (or not at all when OUTPUTS is "-"), then invokes REPEATS more times on the first row.
The instruction counter sees the whole process, so the host differences two runs that differ only
in REPEATS to remove loading, setup and the per-row work. With HIERATTN_ARM_MAPS=PATH set, the
guest's memory map is copied to PATH at the end, for the per-kernel profile to name addresses.
"""

import os
import sys

import numpy as np


def main(argv: list) -> int:
    model, inputs_path, repeats, outputs_path = argv[1], argv[2], int(argv[3]), argv[4]
    inputs = np.load(inputs_path)
    run = _onnx_runtime if model.endswith(".onnx") else _litert
    outputs = run(model, inputs, repeats)
    if outputs_path != "-":
        np.save(outputs_path, np.stack(outputs))
    maps_path = os.environ.get("HIERATTN_ARM_MAPS")
    if maps_path:
        with open("/proc/self/maps") as maps, open(maps_path, "w") as out:
            out.write(maps.read())
    return 0


def _litert(model: str, inputs: np.ndarray, repeats: int) -> list:
    from ai_edge_litert.interpreter import Interpreter

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
    return outputs


def _onnx_runtime(model: str, inputs: np.ndarray, repeats: int) -> list:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # no worker threads: the counter needs one guest thread
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    outputs = [session.run(None, {input_name: row})[0] for row in inputs]
    feed = {input_name: inputs[0]}
    for _ in range(repeats):
        session.run(None, feed)
    return outputs


if __name__ == "__main__":
    sys.exit(main(sys.argv))
