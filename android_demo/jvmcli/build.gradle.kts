// JVM command-line entry point of the core (javax.imageio decoding), used by `hierattn-parity`.
// Kept out of :core so the app never sees javax.imageio.
plugins {
    alias(libs.plugins.kotlin.jvm)
    application
}

kotlin {
    jvmToolchain(libs.versions.jvmTarget.get().toInt())
}

application {
    mainClass.set("org.hierattn.cli.MainKt")
}

dependencies {
    implementation(project(":core"))
    testImplementation(libs.junit)
}

tasks.test {
    systemProperty("hierattn.golden.dir", rootProject.file("../tests/golden").absolutePath)
}
