"""``hierattn-export --target CORE``: build the candidate files, judge them on the core's kernels, ship the cheapest.

``table`` says what each target is and how it is measured (data, no code paths per core);
``select`` picks the cheapest candidate that passes the fidelity gate (pure, unit-tested);
``measure`` runs a file on a target's kernels (emulated or native), cached by file digest;
``run`` ties them to the export pipeline and writes the target into the chosen file's metadata;
``report`` prints the table. May import ``export``'s shared modules and the runtime; the emulators
of ``benchmarks.emulated`` only inside ``measure``'s functions (they measure, the export decides).
"""
