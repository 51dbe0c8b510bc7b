"""The deploy form of HierAttn: the function of the loaded checkpoint, written in fewer and cheaper ops.

Exporters trace this module instead of the training-layout ``HierAttn`` (``hierattn.export.optimize``).
Every rewrite is exact up to float rounding (no retraining, no approximation) and is derived from the
loaded weights at export time; the authors' checkpoint layout is never changed and this form is
never saved as a checkpoint. What each rewrite bought on each backend, and what was tried and did
not pay, is measured in docs/performance.md.

Rewrites (the names recorded in the artifact metadata, ``DeployedHierAttn.rewrites``):

- ``fold_batchnorm``: every BatchNorm folded into the convolution before it.
- ``fold_attention_scale``: the ``head_dim**-0.5`` scale folded into the query rows of ``toQKV``.
- ``fold_layernorm_affine``: each pre-norm LayerNorm's gamma/beta folded into the Linear it feeds
  (the block's final norm into the 1x1 projection convolution after the fold).
- ``qkv_head_major``: ``toQKV`` rows reordered from ``[3, heads, head_dim]`` to
  ``[heads, 3, head_dim]``; one 4-D transpose and a split replace the 5-D permute and the unbind.
- ``flat_tokens``: the transformer runs on ``[B*P*N, D]`` rows, so every Linear is one GEMM with no
  reshape around it.
- ``centered_rmsnorm`` (optional): the residual stream is kept at zero mean over features (the
  Linear/1x1 layers that write into it get their output mean subtracted), which makes every
  LayerNorm an RMSNorm, ``x / sqrt(mean(x^2) + eps)``: half the elementwise passes where a backend
  has no fused LayerNorm (LiteRT lowers one to ten ops).
- ``channels_last_tokens`` (optional): token rows are the feature map's pixels in NHWC order, so
  unfold and fold are plain NCHW <-> NHWC transposes, and each attention layer forms its 2x2-patch
  groups inside the head-split transpose it needs anyway (one 7-D transpose with a contiguous
  ``3*head_dim`` inner block, instead of a 6-D permute that gathers single floats per block). Pays
  on ONNX Runtime, whose generic transpose is slow on the latter; LiteRT's is not.
- ``xnnpack_forms`` (optional): the same ops in the shapes ExecuTorch's XNNPACK partitioner takes,
  which otherwise leaves them to portable kernels and splits the program into dozens of partitions:
  every mean is a 4-D mean over the two innermost axes with ``keepdim`` (the RMSNorm's feature mean
  over a ``[rows, 1, D, 1]`` view), the attention products are 3-D ``bmm`` (a 4-D ``@`` lowers to
  ``expand_copy`` + ``bmm``), and Q/K/V are slices instead of ``split``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TypeVar

import torch
import torch.nn.functional as F
from torch import nn

from .hierattn import AbsMeanClassifier, HierAttn
from .layers import (
    ConvBnAct,
    ConvTransformerBlock,
    FeedForward,
    MultiHeadSelfAttention,
    NormWrapper,
    SCADWBlock,
    Transformer,
)

ALWAYS_APPLIED = ("fold_batchnorm", "fold_attention_scale", "fold_layernorm_affine", "qkv_head_major", "flat_tokens")


@dataclass(frozen=True)
class DeployOptions:
    """The optional rewrites; the exact, always-profitable ones need no switch.

    Attributes:
        centered_rmsnorm: centre the residual stream and use RMSNorm (pays on LiteRT; Core ML keeps
            its native ``layer_norm`` op).
        xnnpack_forms: write means, attention products and the Q/K/V split in the forms the
            ExecuTorch XNNPACK delegate takes (same values, other op shapes).
        channels_last_tokens: keep the transformer's tokens in the feature map's NHWC pixel order and
            group them by patch position inside each attention layer (pays on ONNX Runtime).
    """

    centered_rmsnorm: bool = True
    xnnpack_forms: bool = False
    channels_last_tokens: bool = False


@dataclass(frozen=True)
class TokenGrid:
    """Where a CTH block's token rows come from: ``batch`` maps of ``rows x cols`` patches of ``patch``.

    ``channels_last``: rows are pixels in NHWC order (``[B, nh, ph, nw, pw]``); otherwise they are
    grouped by position inside the patch as the original unfold does (``[B, ph, pw, nh, nw]``).
    """

    batch: int
    rows: int
    cols: int
    patch: int
    channels_last: bool

    @property
    def groups(self) -> int:
        """Attention groups: one token sequence per image and position inside the patch."""
        return self.batch * self.patch * self.patch

    @property
    def tokens(self) -> int:
        """Tokens per group."""
        return self.rows * self.cols


_Layer = TypeVar("_Layer", bound=nn.Module)


def _f64(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().double()


def _child(module: object, kind: type[_Layer]) -> _Layer:
    """``module`` as the layer type HierAttn's layout puts there (containers hold plain ``nn.Module``)."""
    if not isinstance(module, kind):
        raise TypeError(f"the deploy form expects HierAttn's {kind.__name__} here, got {type(module).__name__}")
    return module


def _tensor(tensor: torch.Tensor | None, what: str) -> torch.Tensor:
    """An optional tensor of a torch layer that HierAttn's layers always have (affine, with running stats)."""
    if tensor is None:
        raise TypeError(f"the deploy form expects HierAttn's layers to have a {what}")
    return tensor


class FoldedConv(nn.Module):
    """Convolution with its BatchNorm folded into weight and bias, then the optional SiLU."""

    def __init__(self, block: ConvBnAct) -> None:
        super().__init__()
        conv = block.Conv
        weight = _f64(conv.weight)
        bias = torch.zeros(weight.shape[0], dtype=torch.float64)
        if isinstance(block.Bn, nn.BatchNorm2d):
            bn = block.Bn
            variance = _f64(_tensor(bn.running_var, "BatchNorm running_var"))
            scale = _f64(_tensor(bn.weight, "BatchNorm weight")) / torch.sqrt(variance + bn.eps)
            weight = weight * scale.reshape(-1, 1, 1, 1)
            bias = _f64(_tensor(bn.bias, "BatchNorm bias")) - _f64(_tensor(bn.running_mean, "BatchNorm running_mean")) * scale
        self.conv = nn.Conv2d(
            conv.in_channels,
            conv.out_channels,
            # torch types _ConvNd's kernel_size/stride/padding as tuple[int, ...]; a Conv2d's are pairs.
            conv.kernel_size, stride=conv.stride, padding=conv.padding,  # type: ignore[arg-type]
            groups=conv.groups,
            bias=True,
        )
        self._set(weight, bias)
        self.act = isinstance(block.Act, nn.SiLU)

    @property
    def _bias(self) -> torch.Tensor:
        return _tensor(self.conv.bias, "convolution bias")  # built with bias=True above

    def _set(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        self.conv.weight.data = weight.float().contiguous()
        self._bias.data = bias.float().contiguous()

    def fold_input_affine(self, gamma: torch.Tensor, beta: torch.Tensor) -> None:
        """Absorb a per-channel ``x * gamma + beta`` applied to the input of this 1x1 convolution."""
        if self.conv.kernel_size != (1, 1) or self.conv.groups != 1:
            raise ValueError("an input affine folds only into a dense 1x1 convolution")
        weight, bias = _f64(self.conv.weight), _f64(self._bias)
        self._set(weight * _f64(gamma).reshape(1, -1, 1, 1), bias + weight[:, :, 0, 0] @ _f64(beta))

    def center_outputs(self) -> None:
        """Make the outputs zero-mean over channels (the start of a centred residual stream)."""
        weight, bias = _f64(self.conv.weight), _f64(self._bias)
        self._set(weight - weight.mean(dim=0, keepdim=True), bias - bias.mean())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        return F.silu(x) if self.act else x


class SameChannelGate(nn.Module):
    """SCAttn, ``x * sigmoid(mean_hw(x))``, as in the original (it has no parameters to fold)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x.mean(dim=(2, 3), keepdim=True))


class DeploySCADW(nn.Module):
    """Inverted residual with folded convolutions."""

    def __init__(self, block: SCADWBlock) -> None:
        super().__init__()
        expand, depthwise, project = (_child(block.Block[i], ConvBnAct) for i in (0, 1, 3))  # 2 is SCAttn
        self.expand = FoldedConv(expand)
        self.depthwise = FoldedConv(depthwise)
        self.gate = SameChannelGate()
        self.project = FoldedConv(project)
        self.use_residual = block.use_residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.gate(self.depthwise(self.expand(x))))
        return x + out if self.use_residual else out


def _linear(weight: torch.Tensor, bias: torch.Tensor) -> nn.Linear:
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.weight.data = weight.float().contiguous()
    layer.bias.data = bias.float().contiguous()
    return layer


def _fold_norm_into(norm: NormWrapper, weight: torch.Tensor, bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``W (n * gamma + beta) + c`` = ``(W diag(gamma)) n + (W beta + c)``, in float64."""
    gamma, beta = _f64(norm.LayerNorm.weight), _f64(norm.LayerNorm.bias)
    weight, bias = _f64(weight), _f64(bias)
    return weight * gamma.reshape(1, -1), bias + weight @ beta


def _into_stream(weight: torch.Tensor, bias: torch.Tensor, options: DeployOptions) -> tuple[torch.Tensor, torch.Tensor]:
    """A Linear that writes into the residual stream; centred (``(I - 11^T/D)(W x + b)``) if asked."""
    weight, bias = _f64(weight), _f64(bias)
    if not options.centered_rmsnorm:
        return weight, bias
    return weight - weight.mean(dim=0, keepdim=True), bias - bias.mean()


class RMSNorm(nn.Module):
    """``x / sqrt(mean(x^2) + eps)`` over the last axis: LayerNorm of an input with zero mean."""

    def __init__(self, eps: float, pooled: bool = False) -> None:
        super().__init__()
        self.eps = eps
        self.pooled = pooled

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pooled:  # [rows, D] -> [rows, 1, D, 1]: the feature mean as a 4-D global average pool
            rows, dim = x.shape
            mean_square = (x * x).reshape(rows, 1, dim, 1).mean(dim=(2, 3), keepdim=True).reshape(rows, 1)
        else:
            mean_square = (x * x).mean(dim=-1, keepdim=True)
        return x / torch.sqrt(mean_square + self.eps)


def _affine_free_norm(norm: NormWrapper, options: DeployOptions) -> nn.Module:
    layer_norm = norm.LayerNorm
    if options.centered_rmsnorm:
        return RMSNorm(layer_norm.eps, pooled=options.xnnpack_forms)
    return nn.LayerNorm(list(layer_norm.normalized_shape), eps=layer_norm.eps, elementwise_affine=False)


class DeployAttention(nn.Module):
    """Pre-norm multi-head self-attention plus its residual, on flat token rows laid out as ``TokenGrid`` says."""

    def __init__(self, norm: NormWrapper, attention: MultiHeadSelfAttention, options: DeployOptions) -> None:
        super().__init__()
        dim = attention.toQKV.in_features
        self.heads, self.head_dim = attention.heads, attention.head_dim
        self.batched = options.xnnpack_forms
        self.norm = _affine_free_norm(norm, options)
        weight, bias = _fold_norm_into(norm, attention.toQKV.weight, attention.toQKV.bias)
        weight[:dim] *= attention.scale
        bias[:dim] *= attention.scale
        head_major = torch.arange(3 * dim).reshape(3, self.heads, self.head_dim).permute(1, 0, 2).reshape(-1)
        self.qkv = _linear(weight[head_major], bias[head_major])
        out = _child(attention.toOut[0], nn.Linear)
        self.out = _linear(*_into_stream(out.weight, out.bias, options))

    def forward(self, x: torch.Tensor, grid: TokenGrid) -> torch.Tensor:
        rows, dim = x.shape
        heads, hd, p = self.heads, self.head_dim, grid.patch
        qkv = self.qkv(self.norm(x))
        if grid.channels_last:
            # [B*H*W, heads*3hd] -> [B, nh, ph, nw, pw, heads, 3hd] -> [B, ph, pw, heads, nh, nw, 3hd]
            qkv = qkv.reshape(grid.batch, grid.rows, p, grid.cols, p, heads, 3 * hd).permute(0, 2, 4, 5, 1, 3, 6)
            out = self._attend(qkv.reshape(grid.groups * heads, grid.tokens, 3 * hd))
            # [G*heads, N, hd] -> [B, ph, pw, heads, nh, nw, hd] -> [B, nh, ph, nw, pw, heads, hd] -> [B*H*W, D]
            out = out.reshape(grid.batch, p, p, heads, grid.rows, grid.cols, hd).permute(0, 4, 1, 5, 2, 3, 6)
            return x + self.out(out.reshape(rows, dim))
        # [G*N, D] -> [G, heads, N, 3*head_dim]
        qkv = qkv.reshape(grid.groups, grid.tokens, heads, 3 * hd).transpose(1, 2)
        if self.batched:  # 3-D bmm for the XNNPACK partitioner
            out = self._attend(qkv.reshape(grid.groups * heads, grid.tokens, 3 * hd))
            out = out.reshape(grid.groups, heads, grid.tokens, hd)
        else:
            out = self._attend(qkv)
        # [G, heads, N, head_dim] -> [G*N, D]
        return x + self.out(out.transpose(1, 2).reshape(rows, dim))

    def _attend(self, qkv: torch.Tensor) -> torch.Tensor:
        """Softmax attention over the second-to-last axis of ``[..., N, 3*head_dim]`` head-major Q/K/V."""
        hd = self.head_dim
        if self.batched and qkv.dim() == 3:  # bmm, and slices for Q/K/V
            q, k, v = qkv[..., :hd], qkv[..., hd : 2 * hd], qkv[..., 2 * hd :]
            return torch.bmm(torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1), v)
        q, k, v = qkv.split(hd, dim=-1)
        return torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v


class DeployFeedForward(nn.Module):
    """Pre-norm MLP plus its residual, with the norm affine folded into the first Linear."""

    def __init__(self, norm: NormWrapper, mlp: FeedForward, options: DeployOptions) -> None:
        super().__init__()
        fc1, fc2 = _child(mlp.MLP[0], nn.Linear), _child(mlp.MLP[3], nn.Linear)
        self.norm = _affine_free_norm(norm, options)
        self.fc1 = _linear(*_fold_norm_into(norm, fc1.weight, fc1.bias))
        self.fc2 = _linear(*_into_stream(fc2.weight, fc2.bias, options))

    def forward(self, x: torch.Tensor, grid: TokenGrid) -> torch.Tensor:
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class DeployCTH(nn.Module):
    """Convolution-transformer block: folded convolutions, affine-free norms, head-major Q/K/V."""

    def __init__(self, block: ConvTransformerBlock, options: DeployOptions) -> None:
        super().__init__()
        self.patch = block.patch
        self.local_3x3 = FoldedConv(_child(block.LocalRep.conv_3x3, ConvBnAct))
        self.local_1x1 = FoldedConv(_child(block.LocalRep.conv_1x1, ConvBnAct))
        if options.centered_rmsnorm:
            self.local_1x1.center_outputs()
        transformer, final_norm = _child(block.GlobalRep[0], Transformer), _child(block.GlobalRep[1], NormWrapper)
        layers: list[nn.Module] = []
        for pair in transformer.Layers:
            attention, mlp = (_child(part, nn.Sequential) for part in _child(pair, nn.ModuleList))
            layers.append(DeployAttention(_child(attention[0], NormWrapper), _child(attention[1], MultiHeadSelfAttention), options))
            layers.append(DeployFeedForward(_child(mlp[0], NormWrapper), _child(mlp[1], FeedForward), options))
        self.layers = nn.ModuleList(layers)
        self.final_norm = _affine_free_norm(final_norm, options)
        self.project = FoldedConv(block.ConvProj)
        self.project.fold_input_affine(final_norm.LayerNorm.weight, final_norm.LayerNorm.bias)
        self.fusion = FoldedConv(block.Fusion)
        self.channels_last = options.channels_last_tokens

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = x.shape
        p = self.patch
        nh, nw = height // p, width // p
        grid = TokenGrid(batch, nh, nw, p, self.channels_last)
        local = self.local_1x1(self.local_3x3(x))
        dim = local.shape[1]
        if self.channels_last:  # [B, D, H, W] -> [B*H*W, D], pixels in NHWC order
            tokens = local.permute(0, 2, 3, 1).reshape(batch * height * width, dim)
        else:  # [B, D, H, W] -> [B*P*N, D], grouped by position inside the patch (as the original unfold)
            tokens = local.reshape(batch, dim, nh, p, nw, p).permute(0, 3, 5, 2, 4, 1).reshape(grid.groups * grid.tokens, dim)
        for layer in self.layers:
            tokens = layer(tokens, grid)
        tokens = self.final_norm(tokens)
        # back to [B, D, H, W]
        if self.channels_last:
            # contiguous: a permuted NHWC view would make torch.export specialise a dynamic batch to 1
            folded = tokens.reshape(batch, height, width, dim).permute(0, 3, 1, 2).contiguous()
        else:
            folded = tokens.reshape(batch, p, p, nh, nw, dim).permute(0, 5, 3, 1, 4, 2).reshape(batch, dim, height, width)
        return self.fusion(torch.cat((x, self.project(folded)), dim=1))


class DeployedHierAttn(nn.Module):
    """Inference-only HierAttn in deploy form; ``rewrites`` names what was applied (for the metadata)."""

    def __init__(self, model: HierAttn, options: DeployOptions) -> None:
        super().__init__()
        if not isinstance(model.Classifier, AbsMeanClassifier):
            raise TypeError("the deploy form expects the released HierAttn classifier head")
        self.stem = FoldedConv(model.Conv1)
        self.trunk = nn.Sequential(*(DeploySCADW(_child(b, SCADWBlock)) for b in (*model.Layer1, *model.Layer2)))
        self.stages = nn.ModuleList(
            nn.Sequential(DeploySCADW(_child(stage[0], SCADWBlock)), DeployCTH(_child(stage[1], ConvTransformerBlock), options))
            for stage in (model.Layer3, model.Layer4, model.Layer5)
        )
        self.branch = copy.deepcopy(model.BranchFolding)
        self.head = FoldedConv(model.Conv1x1Hier)
        fc = model.Classifier.fc
        self.fc = _linear(fc.weight, fc.bias)
        self.pooled_head = options.xnnpack_forms
        optional = (
            ("centered_rmsnorm", options.centered_rmsnorm),
            ("xnnpack_forms", options.xnnpack_forms),
            ("channels_last_tokens", options.channels_last_tokens),
        )
        self.rewrites: tuple[str, ...] = ALWAYS_APPLIED + tuple(name for name, on in optional if on)
        super().train(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.trunk(self.stem(x))
        stages = []
        for stage in self.stages:
            x = stage(x)
            stages.append(x)
        features = self.head(self.branch(stages))
        if self.pooled_head:
            return self.fc(features.abs().mean(dim=(2, 3), keepdim=True).flatten(1))
        return self.fc(features.abs().mean(dim=(2, 3)))

    def train(self, mode: bool = True) -> DeployedHierAttn:
        if mode:
            raise RuntimeError("the deploy form is for inference only; train the original HierAttn module")
        return super().train(False)


def deploy_form(model: nn.Module, options: DeployOptions | None = None) -> nn.Module:
    """The deploy form of a HierAttn model, in eval mode; any other module is returned unchanged.

    Only HierAttn has a deploy form: the CNN baselines go through the exporters as they are, so
    benchmark comparisons with them stay like for like.
    """
    if not isinstance(model, HierAttn):
        return model
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return DeployedHierAttn(model, options or DeployOptions())
    finally:
        model.train(was_training)
