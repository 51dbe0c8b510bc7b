#!/usr/bin/env bash
# Type-check the installed package `hierattn` with mypy (config: [tool.mypy] in pyproject.toml).
# The package is assembled from several top-level folders by pyproject's package-dir map, which mypy
# cannot follow, so this builds the package as mypy should see it: build/typecheck/hierattn/ holds
# symlinks to every entry of the root package's folder plus one symlink per subpackage folder, read
# from the map (a new subpackage needs no edit here). Errors are reported with the repository paths.
# Exit code = mypy's. PYTHON overrides the interpreter (default .venv/bin/python, which has mypy).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
LAYOUT=build/typecheck
# Prints one sed expression per package folder, mapping the layout path back to the repository path.
rewrites=$("$PY" - "$LAYOUT" <<'EOF'
import shutil, sys, tomllib
from pathlib import Path

layout = Path(sys.argv[1])
dirs = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
shutil.rmtree(layout, ignore_errors=True)
root = layout / "hierattn"
root.mkdir(parents=True)
for entry in sorted(Path(dirs["hierattn"]).iterdir()):
    (root / entry.name).symlink_to(entry.resolve())
for name, folder in dirs.items():
    if name != "hierattn":
        link = layout.joinpath(*name.split("."))
        link.symlink_to(Path(folder).resolve(), target_is_directory=True)
# Longest layout path first, so a subpackage wins over the root package's prefix.
for name, folder in sorted(dirs.items(), key=lambda item: -len(item[0])):
    print(f"s|^{layout.joinpath(*name.split('.'))}/|{folder.rstrip('/')}/|")
EOF
)
MYPYPATH="$LAYOUT" "$PY" -m mypy -p hierattn 2>&1 | sed -e "$rewrites"
