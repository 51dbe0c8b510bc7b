"""Static consistency of the Android demo, which cannot be built here (no Google Maven).

Checks what a Gradle build would catch first (manifest classes, resources, catalog aliases) and the
two rules of the Kotlin code: the core has no Android imports, and no input size, label or
threshold of the model is written as a literal anywhere in Kotlin: they come from the metadata.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from hierattn.runtime.spec import ISIC2019_CLASSES, PAD2020_CLASSES, REFERRAL_CLASSES, ModelSpec

DEMO = Path(__file__).resolve().parents[3] / "android_demo"
APP_MAIN = DEMO / "app" / "src" / "main"
KOTLIN_MAIN_DIRS = [DEMO / "core" / "src" / "main", DEMO / "jvmcli" / "src" / "main", APP_MAIN / "java"]
CORE_MAIN = DEMO / "core" / "src" / "main"

# Literals that are part of an algorithm's definition, not of the model (file, constant name).
ALLOWED_CONSTANTS = {("PillowResize.kt", "PIXEL_CENTER"), ("PillowResize.kt", "ROUND_HALF")}


def _kotlin_files(*dirs: Path) -> list[Path]:
    return sorted(p for d in dirs for p in d.rglob("*.kt"))


def _strip_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"//[^\n]*", "", source)


def _model_numbers(spec: ModelSpec) -> set[float]:
    crop = spec.crop
    values = {*spec.input_size, crop.threshold, crop.min_area_fraction, crop.max_area_fraction, crop.max_aspect_ratio, spec.referral_threshold}
    return {float(v) for v in values}


def _model_words() -> set[str]:
    return set(ISIC2019_CLASSES) | set(PAD2020_CLASSES) | set(REFERRAL_CLASSES)


NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)[fFdDL]?(?![\w.])")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def find_model_literals(name: str, source: str, spec: ModelSpec) -> list[str]:
    """Model constants written as literals in one Kotlin file: numbers, labels, scale as /255."""
    problems = []
    numbers, words = _model_numbers(spec), _model_words()
    for lineno, line in enumerate(_strip_comments(source).splitlines(), 1):
        const = re.search(r"const val (\w+)", line)
        if const and (name, const.group(1)) in ALLOWED_CONSTANTS:
            continue
        code = STRING.sub('""', line)
        for match in NUMBER.finditer(code):
            if float(match.group(1)) in numbers:
                problems.append(f"{name}:{lineno}: literal {match.group(0)} duplicates a model parameter")
        if re.search(r"/\s*255(\.0*)?[fFdD]?\b", code):
            problems.append(f"{name}:{lineno}: division by 255 duplicates the model's scale")
        for text in STRING.findall(line):
            hits = words & set(re.findall(r"[A-Za-z]+", text))
            if hits:
                problems.append(f"{name}:{lineno}: class name(s) {sorted(hits)} written in Kotlin")
    return problems


def test_kotlin_sources_have_no_model_literals() -> None:
    files = _kotlin_files(*KOTLIN_MAIN_DIRS)
    assert len(files) >= 10, files
    problems = [p for f in files for p in find_model_literals(f.name, f.read_text(), ModelSpec())]
    assert not problems, "\n".join(problems)


def test_string_resources_have_no_class_names() -> None:
    text = (APP_MAIN / "res" / "values" / "strings.xml").read_text()
    assert not _model_words() & set(re.findall(r"[A-Za-z]+", text))


@pytest.mark.parametrize(
    "snippet",
    ["val size = 256", "if (p > 0.5) refer()", "val t = 50", "x / 255f", 'val label = "MEL"', 'listOf("ACK", "NV")', "ratio <= 1.8"],
)
def test_literal_check_catches_duplicated_model_constants(snippet: str) -> None:
    assert find_model_literals("X.kt", snippet, ModelSpec())


def test_literal_check_ignores_comments_and_unrelated_numbers() -> None:
    assert not find_model_literals("X.kt", "// input 256 x 256, threshold 50\nval bits = 22\nval x = 3", ModelSpec())


def test_core_has_no_android_or_imageio_imports() -> None:
    files = _kotlin_files(CORE_MAIN)
    assert files
    for f in files:
        for line in f.read_text().splitlines():
            assert not re.match(r"\s*import\s+(android|androidx|javax\.imageio|java\.awt)\.", line), f"{f.name}: {line}"


def _manifest_classes() -> list[str]:
    manifest = (APP_MAIN / "AndroidManifest.xml").read_text()
    return re.findall(r'<activity[^>]*android:name="([^"]+)"', manifest, flags=re.S)


def test_every_manifest_activity_exists() -> None:
    names = _manifest_classes()
    assert {".MainActivity", ".CameraActivity", ".BenchmarkActivity"} <= set(names)
    sources = "\n".join(p.read_text() for p in _kotlin_files(APP_MAIN / "java"))
    for name in names:
        cls = name.rsplit(".", 1)[-1]
        assert re.search(rf"\bclass {cls}\b", sources), f"manifest names {name}, no such class"


def _resources() -> dict[str, set[str]]:
    res = APP_MAIN / "res"
    found: dict[str, set[str]] = {"layout": {p.stem for p in (res / "layout").glob("*.xml")}, "id": set(), "string": set(), "style": set()}
    for xml in res.rglob("*.xml"):
        text = xml.read_text()
        found["id"] |= set(re.findall(r'@\+id/(\w+)', text))
        found["string"] |= set(re.findall(r'<string name="(\w+)"', text))
        found["style"] |= set(re.findall(r'<style name="([\w.]+)"', text))
    return found


def test_every_resource_reference_exists() -> None:
    res = _resources()
    kotlin = "\n".join(p.read_text() for p in _kotlin_files(APP_MAIN / "java"))
    used = re.findall(r"\bR\.(layout|id|string|style)\.(\w+)", kotlin)
    assert used
    for kind, name in used:
        assert name in res[kind], f"R.{kind}.{name} is used but not defined in res/"
    xml_texts = [p.read_text() for p in (APP_MAIN / "res").rglob("*.xml")] + [(APP_MAIN / "AndroidManifest.xml").read_text()]
    for text in xml_texts:
        for kind, name in re.findall(r"@(string|style)/([\w.]+)", text):
            assert name in res[kind], f"@{kind}/{name} is referenced but not defined"


def _catalog_aliases() -> set[str]:
    catalog = tomllib.loads((DEMO / "gradle" / "libs.versions.toml").read_text())
    aliases = {"libs." + k.replace("-", ".").replace("_", ".") for k in catalog["libraries"]}
    aliases |= {"libs.plugins." + k.replace("-", ".") for k in catalog["plugins"]}
    aliases |= {"libs.versions." + k.replace("-", ".") for k in catalog["versions"]}
    return aliases


def test_every_catalog_alias_used_in_gradle_exists() -> None:
    aliases = _catalog_aliases()
    gradle_files = list(DEMO.rglob("*.gradle.kts"))
    assert len(gradle_files) >= 5
    used = set()
    for f in gradle_files:
        for ref in re.findall(r"\blibs\.[\w.]+", _strip_comments(f.read_text())):
            ref = re.sub(r"\.get$", "", ref)
            used.add(ref)
            assert ref in aliases, f"{f.relative_to(DEMO)}: {ref} is not in gradle/libs.versions.toml"
    assert "libs.litert" in used and "libs.litert.gpu" in used


def test_every_gradle_module_is_included_and_has_sources() -> None:
    settings = (DEMO / "settings.gradle.kts").read_text()
    modules = re.findall(r'":(\w+)"', settings)
    assert set(modules) == {"app", "core", "jvmcli"}
    for module in modules:
        assert (DEMO / module / "build.gradle.kts").is_file()
    assert 'project(":core")' in (DEMO / "app" / "build.gradle.kts").read_text()


def test_catalog_pins_every_version() -> None:
    catalog = tomllib.loads((DEMO / "gradle" / "libs.versions.toml").read_text())
    for name, entry in catalog["libraries"].items():
        assert "version.ref" in entry or "version" in entry, f"{name} has no pinned version"
        ref = entry.get("version.ref")
        assert ref is None or ref in catalog["versions"], f"{name}: unknown version.ref {ref}"
