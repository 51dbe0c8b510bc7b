"""Command-line plumbing: ``hierattn-predict`` and what every hierattn command shares.

``predict`` parses and prints; ``support`` turns user errors into one line and an exit code (used by
every command of the package); ``inputs`` expands files and folders into image paths; ``report``
renders results. May import the runtime core and ``runtime.batch``; never torch.
"""
