"""The web demo from Python: where its files are, headless Chromium to drive it, and ``hierattn-serve``.

May import the runtime core only; never torch.
"""
