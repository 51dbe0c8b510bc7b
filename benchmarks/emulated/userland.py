"""Build and cache the aarch64 userland that ``--device arm-emulated`` runs LiteRT in.

The userland is Debian bookworm's arm64 Python 3.11 (a fixed list of ``:arm64`` packages fetched
with ``apt-get download`` and unpacked with ``dpkg-deb -x``, no debootstrap) plus the aarch64
numpy and ai-edge-litert wheels from PyPI at the host's versions, so x86 and ARM rows run the same
LiteRT release. Nothing else is downloaded. The tree is cached under
``~/.cache/hierattn/arm64/<key>`` (``HIERATTN_CACHE`` moves it); the key hashes the package list,
the wheel versions and this file, so a changed recipe never reuses a stale tree. The host's
Python 3.11 precompiles the guest's bytecode (the format is the same on every 3.11 platform), so
emulated runs neither compile nor write ``.pyc`` files and their instruction counts stay
repeatable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypedDict

from ...runtime.errors import HierAttnError

Log = Callable[[str], None]
PYTHON = "python3.11"
DEBIAN_PACKAGES: tuple[str, ...] = (
    "libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libexpat1", "libffi8", "libssl3", "libbz2-1.0",
    "liblzma5", "libuuid1", "libcrypt1", "libpython3.11-minimal", "libpython3.11-stdlib",
    "python3.11-minimal",
)
WHEELS: tuple[str, ...] = ("numpy", "ai-edge-litert")
WHEEL_PLATFORMS: tuple[str, ...] = ("manylinux_2_27_aarch64", "manylinux_2_28_aarch64", "manylinux2014_aarch64")
SETUP_HINT = "run 'bash scripts/bootstrap.sh' as root (it installs qemu-user and enables Debian's arm64 packages)"


class Manifest(TypedDict):
    """``manifest.json`` of a userland: what went into it (recorded in the benchmark facts)."""

    debian: dict[str, str]
    wheels: list[str]
    wheel_versions: dict[str, str]


@dataclass(frozen=True)
class Userland:
    """A ready aarch64 root: run ``python`` under ``qemu-aarch64 -L root`` with ``site`` on PYTHONPATH."""

    root: Path
    manifest: Manifest

    @property
    def python(self) -> Path:
        return self.root / "usr" / "bin" / PYTHON

    @property
    def site(self) -> Path:
        return self.root / "opt" / "hierattn-site"

    def guest_env(self) -> dict[str, str]:
        """Environment of a guest run: no host Python paths, one BLAS thread, fixed hash seed, no bytecode writes."""
        return {
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(self.site), "PYTHONNOUSERSITE": "1",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "0",
        }


def cache_root() -> Path:
    return Path(os.environ.get("HIERATTN_CACHE", Path.home() / ".cache" / "hierattn")) / "arm64"


def wheel_versions() -> dict[str, str]:
    """The host's versions of the guest wheels (the ARM rows must run the same LiteRT as the x86 rows)."""
    versions = {}
    for name in WHEELS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            raise HierAttnError(f"--device arm-emulated needs {name} installed on the host to pick the guest's "
                                f"version; install it with: pip install 'hierattn[litert]'") from None
    return versions


def userland_key(versions: dict[str, str]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"debian": DEBIAN_PACKAGES, "wheels": versions}, sort_keys=True).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def _run(cmd: list[str], cwd: Path, what: str, timeout: float = 600.0) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise HierAttnError(f"{what}: {cmd[0]} is not installed; {SETUP_HINT}.") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise HierAttnError(f"{what} failed ({' | '.join(detail)[:300]}); {SETUP_HINT}.")
    return done.stdout


def _fetch_debs(workdir: Path, log: Log) -> dict[str, str]:
    debs = workdir / "debs"
    debs.mkdir()
    names = [f"{p}:arm64" for p in DEBIAN_PACKAGES]
    log(f"arm64 userland: apt-get download {len(names)} Debian packages")
    _run(["apt-get", "download", "-q", *names], debs,
         "apt-get download of the arm64 packages (if a version is no longer on the mirror, run 'apt-get update' as root)")
    versions = {}
    for deb in sorted(debs.glob("*.deb")):
        fields = _run(["dpkg-deb", "-f", str(deb), "Package", "Version"], debs, f"reading {deb.name}")
        package, version = (line.split(": ", 1)[1] for line in fields.strip().splitlines())
        versions[package] = version
        _run(["dpkg-deb", "-x", str(deb), str(workdir / "root")], debs, f"unpacking {deb.name}")
    missing = set(DEBIAN_PACKAGES) - set(versions)
    if missing:
        raise HierAttnError(f"apt-get download did not fetch {', '.join(sorted(missing))}; {SETUP_HINT}.")
    return versions


def _fetch_wheels(workdir: Path, site: Path, versions: dict[str, str], log: Log) -> list[str]:
    wheels = workdir / "wheels"
    wheels.mkdir()
    log(f"arm64 userland: pip download {', '.join(f'{k}=={v}' for k, v in versions.items())} (aarch64, cp311)")
    platforms = [arg for p in WHEEL_PLATFORMS for arg in ("--platform", p)]
    _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
          *platforms, "-d", str(wheels), *(f"{k}=={v}" for k, v in versions.items())], workdir,
         "pip download of the aarch64 wheels")
    names = sorted(p.name for p in wheels.glob("*.whl"))
    for wheel in names:
        with zipfile.ZipFile(wheels / wheel) as archive:
            archive.extractall(site)
    for so in site.rglob("*.so*"):
        so.chmod(0o755)
    return names


def _compile_bytecode(root: Path, site: Path) -> None:
    """Precompile with the host interpreter; only a 3.11 host writes bytecode the 3.11 guest accepts."""
    if sys.version_info[:2] != (3, 11):
        return  # the guest then compiles in memory each run: slower, still repeatable
    for tree in (root / "usr" / "lib" / PYTHON, site):
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(tree)],
                       capture_output=True, check=False, timeout=600)


def build_userland(log: Log, cache: Path | None = None) -> Userland:
    """Return the cached userland for the host's wheel versions, building it on first use (about a minute)."""
    versions = wheel_versions()
    final = (cache or cache_root()) / userland_key(versions)
    manifest_path = final / "manifest.json"
    if manifest_path.is_file():
        return Userland(final, json.loads(manifest_path.read_text()))
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="build-", dir=final.parent) as tmp:
        workdir = Path(tmp)
        root = workdir / "root"
        root.mkdir()
        debian = _fetch_debs(workdir, log)
        site = root / "opt" / "hierattn-site"
        wheels = _fetch_wheels(workdir, site, versions, log)
        _compile_bytecode(root, site)
        manifest: Manifest = {"debian": debian, "wheels": wheels, "wheel_versions": versions}
        (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if final.exists():  # a concurrent build finished first
            shutil.rmtree(final, ignore_errors=True)
        root.replace(final)
    log(f"arm64 userland ready at {final}")
    return Userland(final, manifest)
