"""Can fine-tuning give HierAttn an int8 stem that passes the int8 gate? (docs/quantization.md)

The int8 recipe keeps the stem (every op up to the first convolution at 1/4 resolution) in float,
because quantizing it fails the gate on held-out set B. This script tries the label-free fix: it
fine-tunes the stem of a copy of the model so that its int8-simulated output (weights int8 per output
channel on the BatchNorm-folded convolutions, activations int8 per tensor with the recipe's averaged
min/max ranges) matches the float model's stem output on unlabeled images (block reconstruction).
Then it exports the original and the fine-tuned copy to TFLite int8 with the stem quantized and
measures both against the ORIGINAL model's PyTorch logits on each held-out set (x86 LiteRT), with
the gate's two numbers: top-1 agreement (>= 98%) and referral flips (<= 1%).

    python scripts/int8_stem_finetune.py --heldout A/ --heldout B/ --unlabeled U/ --out runs/stem \
        [--checkpoint CKPT.pt] [--steps 500] [--lr 1e-4] [--seed 0]

Unlabeled images: the bundled calibration set plus every --unlabeled folder (never the held-out sets).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from hierattn.export import int8_profiles
from hierattn.export.base import ExportFormat, Precision
from hierattn.export.data import list_images, load_images
from hierattn.export.options import ExportOptions
from hierattn.export.pipeline import export_models, load_source, run_artifact, torch_logits
from hierattn.export.validation import referral_decisions
from hierattn.models import checkpoint_info
from hierattn.models.checkpoint import save_checkpoint
from hierattn.models.layers import ConvBnAct, SameChannelAttention
from hierattn.runtime.defaults import SAMPLES

INT8_MIN, INT8_MAX = -128, 127


def stem_modules(model: nn.Module) -> list[nn.Module]:
    """HierAttn's stem as the int8 recipe's ``float_stem_stride=4`` keeps it: Conv1, Layer1, and
    Layer2's first expansion and its stride-2 depthwise convolution (the first conv at 1/4)."""
    block = model.Layer2[0].Block
    return [model.Conv1, model.Layer1, block[0], block[1]]


def stem_output(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    block = model.Layer2[0].Block
    return block[1](block[0](model.Layer1(model.Conv1(x))))


class Int8Stem:
    """Simulated int8 on a model's stem: per-channel weights of the folded convolutions, per-tensor activations."""

    def __init__(self, model: nn.Module, calibration: np.ndarray) -> None:
        self.convs = [m for s in stem_modules(model) for m in ([s] if isinstance(s, ConvBnAct) else s.modules())
                      if isinstance(m, ConvBnAct)]
        self.attention = [m for s in stem_modules(model) for m in s.modules() if isinstance(m, SameChannelAttention)]
        self.params = self._ranges(model, calibration)
        for i, conv in enumerate(self.convs):
            conv.forward = self._conv_forward(conv, i)  # type: ignore[method-assign]
        for i, attn in enumerate(self.attention):
            plain = attn.forward
            attn.forward = lambda x, plain=plain, name=f"attn{i}": self._fake(plain(x), name)  # type: ignore[method-assign]

    def remove(self) -> None:
        for module in self.convs + self.attention:
            del module.forward

    def _ranges(self, model: nn.Module, calibration: np.ndarray) -> dict[str, tuple[float, int]]:
        """Each tensor's per-image min/max averaged over the calibration images (the recipe's estimator)."""
        seen: dict[str, list[tuple[float, float]]] = {}

        def record(name: str):
            def hook(_m: nn.Module, _i: object, out: torch.Tensor) -> None:
                seen.setdefault(name, []).append((float(out.amin()), float(out.amax())))
            return hook

        hooks = []
        for i, conv in enumerate(self.convs):
            hooks.append(conv.Bn.register_forward_hook(record(f"conv{i}")))
            hooks.append(conv.Act.register_forward_hook(record(f"act{i}")))
        for i, attn in enumerate(self.attention):
            hooks.append(attn.register_forward_hook(record(f"attn{i}")))
        with torch.no_grad():
            for i in range(len(calibration)):
                model(torch.from_numpy(calibration[i:i + 1]))
        for hook in hooks:
            hook.remove()
        params = {}
        for name, values in seen.items():
            low = min(float(np.mean([v[0] for v in values])), 0.0)
            high = max(float(np.mean([v[1] for v in values])), 0.0)
            scale = max((high - low) / 255.0, 1e-8)
            params[name] = (scale, int(np.clip(round(INT8_MIN - low / scale), INT8_MIN, INT8_MAX)))
        return params

    def _fake(self, x: torch.Tensor, name: str) -> torch.Tensor:
        scale, zero = self.params[name]
        return torch.fake_quantize_per_tensor_affine(x, scale, zero, INT8_MIN, INT8_MAX)

    def _conv_forward(self, module: ConvBnAct, i: int):
        conv, bn = module.Conv, module.Bn

        def forward(x: torch.Tensor) -> torch.Tensor:
            weight, bias = conv.weight, None
            if isinstance(bn, nn.BatchNorm2d):  # fold as the converter does, then quantize the folded weights
                factor = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                weight = weight * factor[:, None, None, None]
                bias = bn.bias - bn.running_mean * factor
            scales = weight.detach().abs().amax(dim=(1, 2, 3)).clamp_min(1e-12) / 127.0
            zeros = torch.zeros_like(scales, dtype=torch.int32)
            weight = torch.fake_quantize_per_channel_affine(weight, scales, zeros, 0, -127, 127)
            y = self._fake(F.conv2d(x, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups), f"conv{i}")
            return y if isinstance(module.Act, nn.Identity) else self._fake(module.Act(y), f"act{i}")

        return forward


def finetune_stem(teacher: nn.Module, unlabeled: np.ndarray, calibration: np.ndarray, steps: int, lr: float,
                  seed: int) -> nn.Module:
    """A copy of ``teacher`` whose stem was trained to match the float stem under simulated int8."""
    torch.manual_seed(seed)
    student = copy.deepcopy(teacher).eval()  # BatchNorm statistics stay frozen
    simulated = Int8Stem(student, calibration)
    for p in student.parameters():
        p.requires_grad_(False)
    trainable = [p for m in stem_modules(student) for p in m.parameters()]
    for p in trainable:
        p.requires_grad_(True)
    optimizer = torch.optim.Adam(trainable, lr=lr)
    rng = np.random.default_rng(seed)
    started = time.monotonic()
    for step in range(steps):
        x = torch.from_numpy(unlabeled[rng.choice(len(unlabeled), 16, replace=False)])
        for axis in (2, 3):  # flips: more views of a few hundred images
            if rng.random() < 0.5:
                x = x.flip(axis)
        with torch.no_grad():
            target = stem_output(teacher, x)
        loss = F.mse_loss(stem_output(student, x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step}: stem MSE {loss.item():.6f} ({time.monotonic() - started:.0f} s)", flush=True)
    simulated.remove()
    return student


def gate(reference: np.ndarray, logits: np.ndarray, spec) -> dict[str, float]:
    return {
        "top1_agreement": float((reference.argmax(1) == logits.argmax(1)).mean()),
        "referral_flips": float((referral_decisions(reference, spec) != referral_decisions(logits, spec)).mean()),
        "max_abs_diff": float(np.abs(reference - logits).max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, action="append", required=True)
    parser.add_argument("--unlabeled", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    source = load_source(args.checkpoint, None)
    teacher, spec = source.model.eval(), source.spec
    for p in teacher.parameters():
        p.requires_grad_(False)
    calibration = load_images(list_images(SAMPLES / "calibration"), spec)
    unlabeled = np.concatenate([calibration, *(load_images(list_images(d), spec) for d in args.unlabeled)])
    print(f"{len(unlabeled)} unlabeled images ({len(calibration)} calibration)")
    student = finetune_stem(teacher, unlabeled, calibration, args.steps, args.lr, args.seed)
    info = checkpoint_info(teacher)
    student_path = save_checkpoint(args.out / "stem_finetuned.pt", student, info.arch, info.class_names,
                                   provenance={"stem_finetuned_from": str(source.path), "steps": args.steps, "lr": args.lr})

    profile = replace(int8_profiles.int8_profile(info.arch), name="int8-stem",
                      tflite=replace(int8_profiles.int8_profile(info.arch).tflite, float_stem_stride=0))
    results = {}
    for name, checkpoint in (("original", args.checkpoint), ("stem fine-tuned", student_path)):
        report = export_models(ExportOptions(formats=(ExportFormat.TFLITE,), precisions=(Precision.INT8,),
                                             output_dir=args.out / name.replace(" ", "_"), checkpoint=checkpoint,
                                             int8_profile=profile, overwrite=True))
        artifact = report.artifacts[0].path
        assert artifact is not None, report.artifacts[0].error
        for folder in args.heldout:
            images = load_images(list_images(folder), spec)
            reference = torch_logits(teacher, images)
            results[f"{name} int8, {folder.name}"] = gate(reference, run_artifact(artifact, images, 1)[0], spec)
            if name == "stem fine-tuned":
                results[f"{name} fp32 PyTorch, {folder.name}"] = gate(reference, torch_logits(student, images), spec)
    for key, value in results.items():
        print(f"{key}: top-1 {value['top1_agreement']:.2%}, flips {value['referral_flips']:.2%}, max |diff| {value['max_abs_diff']:.3f}")
    (args.out / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
