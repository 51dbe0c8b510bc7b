"""Streaming a large set of images through one classifier: a million photos in bounded memory.

``inputs`` expands files and folders into image paths lazily; ``stream`` runs parallel decode workers
and batched inference; ``report`` defines a result row and renders rows as JSON, CSV or a table;
``sinks`` writes resumable JSONL/CSV result files; ``driver`` adds progress and throughput;
``ray_run`` scales the same rows out on Ray. May import the runtime core only (and Ray, lazily).
"""
