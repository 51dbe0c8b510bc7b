// Plain Kotlin/JVM module: no Android imports, so the same sources compile with Debian's kotlinc
// (scripts/android_core_test.sh) and run in the app.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

kotlin {
    jvmToolchain(libs.versions.jvmTarget.get().toInt())
}

dependencies {
    testImplementation(libs.junit)
}

tasks.test {
    // Golden vectors written by the Python runtime (tests/golden at the repository root).
    systemProperty("hierattn.golden.dir", rootProject.file("../tests/golden").absolutePath)
}
