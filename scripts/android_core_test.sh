#!/usr/bin/env bash
# Build the plain-Kotlin preprocessing core of the Android demo with Debian's kotlinc and run its
# JUnit 4 tests on the JVM, including the golden vectors written by the Python runtime.
#
#   scripts/android_core_test.sh               build (if stale) + compile tests + run them
#   scripts/android_core_test.sh --build-only  only build android_demo/core/build/hierattn-core.jar
#
# Needs: apt-get install -y kotlin junit4   (kotlinc 1.3+, JDK 17, /usr/share/java/junit4.jar)
# Exit codes: 0 ok, 1 compile or test failure, 2 toolchain missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="$ROOT/android_demo"
BUILD="$DEMO/core/build"
JAR="$BUILD/hierattn-core.jar"
TEST_JAR="$BUILD/hierattn-core-tests.jar"
GOLDEN="${HIERATTN_GOLDEN_DIR:-$ROOT/tests/golden}"
JAVA_SHARE="${JAVA_SHARE:-/usr/share/java}"

for tool in kotlinc java; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: '$tool' not found; install the JVM toolchain with: apt-get install -y kotlin junit4" >&2
        exit 2
    fi
done

MAIN_SRC=("$DEMO/core/src/main/kotlin" "$DEMO/jvmcli/src/main/kotlin")
TEST_SRC=("$DEMO/core/src/test/kotlin" "$DEMO/jvmcli/src/test/kotlin")

# True when $1 is missing or older than any .kt file under the remaining arguments.
stale() {
    local target="$1"; shift
    [[ ! -f "$target" ]] && return 0
    [[ -n "$(find "$@" -name '*.kt' -newer "$target" -print -quit)" ]]
}

mkdir -p "$BUILD"
if stale "$JAR" "${MAIN_SRC[@]}"; then
    echo "compiling core -> $JAR" >&2
    rm -f "$JAR"
    kotlinc "${MAIN_SRC[@]}" -include-runtime -d "$JAR" 2> >(grep -v -e 'Xverify' -e 'noverify' >&2)
    # Make the jar runnable with `java -jar`.
    MANIFEST="$BUILD/manifest.txt"
    printf 'Main-Class: org.hierattn.cli.MainKt\n' > "$MANIFEST"
    (cd "$BUILD" && jar ufm "$JAR" "$MANIFEST" 2>/dev/null || true)
fi

if [[ "${1:-}" == "--build-only" ]]; then
    echo "$JAR"
    exit 0
fi

JUNIT="$JAVA_SHARE/junit4.jar"
HAMCREST="$JAVA_SHARE/hamcrest-core.jar"
for jar in "$JUNIT" "$HAMCREST"; do
    if [[ ! -f "$jar" ]]; then
        echo "error: $jar not found; install JUnit 4 with: apt-get install -y kotlin junit4" >&2
        exit 2
    fi
done

CP="$JAR:$JUNIT:$HAMCREST"
if stale "$TEST_JAR" "${MAIN_SRC[@]}" "${TEST_SRC[@]}"; then
    echo "compiling tests -> $TEST_JAR" >&2
    rm -f "$TEST_JAR"
    kotlinc -cp "$CP" "${TEST_SRC[@]}" -d "$TEST_JAR" 2> >(grep -v -e 'Xverify' -e 'noverify' >&2)
fi

# Every *Test.kt file holds one test class of the same name.
CLASSES=()
while IFS= read -r file; do
    pkg="$(sed -n 's/^package \(.*\)$/\1/p' "$file" | head -n 1)"
    CLASSES+=("$pkg.$(basename "$file" .kt)")
done < <(find "${TEST_SRC[@]}" -name '*Test.kt' | sort)

exec java -Dhierattn.golden.dir="$GOLDEN" -cp "$CP:$TEST_JAR" org.junit.runner.JUnitCore "${CLASSES[@]}"
