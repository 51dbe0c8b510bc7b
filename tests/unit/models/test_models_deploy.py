"""The deploy form computes the same function as the model it was built from (xs, s, m).

Checked on the authors' reference inputs and logits and on random inputs, for every option set the
exporters use. The weights of the randomly initialised variant get realistic BatchNorm statistics
and LayerNorm affines, so every fold is exercised with non-trivial values; a test also shows that
the comparison notices a one-weight change, so it cannot pass by accident.
"""

from __future__ import annotations

import pytest
import torch

from hierattn.models import create_model
from hierattn.models.deploy import ALWAYS_APPLIED, DeployOptions, deploy_form
from hierattn.models.hierattn import HierAttn

OPTION_SETS = {
    "rmsnorm": DeployOptions(centered_rmsnorm=True),
    "layernorm": DeployOptions(centered_rmsnorm=False),
    "onnx": DeployOptions(centered_rmsnorm=False, channels_last_tokens=True),
    "xnnpack": DeployOptions(centered_rmsnorm=True, xnnpack_forms=True),
}
ATOL = 1e-4
STAGE_RTOL = 1e-5


def _randomised(name: str, seed: int = 0, input_size: int = 256) -> HierAttn:
    """A variant with random weights, random BatchNorm statistics and perturbed LayerNorm affines."""
    torch.manual_seed(seed)
    model = create_model(name, num_classes=6, input_size=input_size)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
            elif isinstance(module, torch.nn.LayerNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)
    return model.eval()


def _reference_model(reference: dict) -> HierAttn:
    arch = {"hierattnxs": "hierattn_xs", "hierattns": "hierattn_s"}[reference["arch"]]
    model = create_model(arch, num_classes=reference["num_classes"])
    model.load_state_dict(reference["state_dict"])
    return model.eval()


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize("which", ["xs", "s"])
def test_reference_logits_reproduced(which: str, options: DeployOptions, request: pytest.FixtureRequest) -> None:
    reference = request.getfixturevalue(f"reference_{which}")
    deployed = deploy_form(_reference_model(reference), options)
    with torch.no_grad():
        logits = deployed(reference["input"])
    assert (logits - reference["logits"]).abs().max().item() <= ATOL


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize(("name", "size"), [("hierattn_xs", 256), ("hierattn_s", 192), ("hierattn_m", 128)])
def test_same_function_on_random_inputs(name: str, size: int, options: DeployOptions) -> None:
    """xs at the deployed 256 px; s and m at smaller sizes (the same code paths, a fraction of the time)."""
    model = _randomised(name, input_size=size)
    deployed = deploy_form(model, options)
    x = torch.rand(2, 3, size, size, generator=torch.Generator().manual_seed(1))
    stages: dict[str, list[torch.Tensor]] = {"original": [], "deployed": []}
    hooks = [
        stage.register_forward_hook(lambda _m, _i, out, key=key: stages[key].append(out))
        for key, modules in (("original", (model.Layer3, model.Layer4, model.Layer5)), ("deployed", deployed.stages))
        for stage in modules
    ]
    with torch.no_grad():
        expected, got = model(x), deployed(x)
    for hook in hooks:
        hook.remove()
    assert expected.abs().max().item() > 0.1  # a non-trivial output
    assert (got - expected).abs().max().item() <= ATOL
    assert torch.equal(got.argmax(1), expected.argmax(1))
    # Random weights damp what the transformers add to the logits (a token permutation moves them by
    # ~5e-5 only), so each stage's feature map is compared too: exact rewrites agree to ~5e-7 there,
    # a wrong token order differs by 3e-3 or more.
    for original, deployed_map in zip(stages["original"], stages["deployed"], strict=True):
        assert (deployed_map - original).abs().max().item() <= STAGE_RTOL * original.abs().max().item()


def test_comparison_notices_a_changed_weight(reference_xs: dict) -> None:
    deployed = deploy_form(_reference_model(reference_xs))
    with torch.no_grad():
        deployed.stages[0][1].layers[0].qkv.weight[0, 0] += 0.05
        logits = deployed(reference_xs["input"])
    assert (logits - reference_xs["logits"]).abs().max().item() > ATOL


def test_rewrites_are_named_and_the_source_is_untouched() -> None:
    model = _randomised("hierattn_xs").train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    deployed = deploy_form(model, DeployOptions(centered_rmsnorm=True))
    assert deployed.rewrites == (*ALWAYS_APPLIED, "centered_rmsnorm")
    assert deploy_form(model, DeployOptions(centered_rmsnorm=False)).rewrites == ALWAYS_APPLIED
    channels_last = DeployOptions(centered_rmsnorm=False, channels_last_tokens=True)
    assert deploy_form(model, channels_last).rewrites == (*ALWAYS_APPLIED, "channels_last_tokens")
    assert model.training, "building the deploy form must not leave the source in eval mode"
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_centered_residual_stream_has_zero_mean(reference_xs: dict) -> None:
    deployed = deploy_form(_reference_model(reference_xs), DeployOptions(centered_rmsnorm=True))
    seen = []
    block = deployed.stages[0][1]
    handle = block.final_norm.register_forward_hook(lambda _m, inputs, _o: seen.append(inputs[0]))
    with torch.no_grad():
        deployed(reference_xs["input"])
    handle.remove()
    stream = seen[0]
    assert stream.mean(dim=-1).abs().max().item() <= 1e-5 * stream.abs().max().item()


def test_deploy_form_is_inference_only_and_others_pass_through() -> None:
    deployed = deploy_form(_randomised("hierattn_xs"))
    with pytest.raises(RuntimeError, match="inference only"):
        deployed.train()
    other = torch.nn.Conv2d(3, 8, 3)
    assert deploy_form(other) is other
