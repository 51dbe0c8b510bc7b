"""Training and evaluation of HierAttn on image-folder datasets (torch), and the demo-model recipe.

``hierattn-train`` trains with the paper's recipe on deployment-identical pixels; ``hierattn-eval``
reports the paper's Table II metrics for a checkpoint or an exported model; ``python -m
hierattn.training.demo`` regenerates the bundled synthetic demo model. See docs/training.md.
"""
