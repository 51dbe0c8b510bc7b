"""Proof that the Kotlin (Android) and JS (browser) ports preprocess exactly as Python does.

``golden`` and ``golden_images`` write and check the golden vectors under tests/golden; ``cli`` is
``hierattn-parity`` for the Kotlin core; ``web`` runs the JS core and the browser runtime. May import
the runtime core and ``runtime.web``; never torch.
"""
