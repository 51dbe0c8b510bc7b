"""Benchmarks on other devices: an Android phone over adb and headless Chromium.

``android`` drives the phone and ``android_parse`` reads what it prints; ``browser`` runs the web
demo's page. May import ``benchmarks.reports``, ``benchmarks.timing.stats`` and the runtime.
"""
