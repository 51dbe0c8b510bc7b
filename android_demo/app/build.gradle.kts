plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
}

android {
    namespace = "org.hierattn.demo"
    compileSdk = libs.versions.compileSdk.get().toInt()

    defaultConfig {
        applicationId = "org.hierattn.demo"
        minSdk = libs.versions.minSdk.get().toInt()
        targetSdk = libs.versions.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    kotlinOptions {
        jvmTarget = libs.versions.jvmTarget.get()
    }

    buildFeatures {
        viewBinding = false
    }

    androidResources {
        // Memory-map the model straight from the APK.
        noCompress += "tflite"
    }
}

// Copy the exported model(s) and their metadata sidecars into the assets: nothing about the model
// (input size, labels, crop parameters) is written in the app's code.
val exportDir: String = providers.gradleProperty("hierattn.exportDir").getOrElse("../exports")
val copyModel by tasks.registering(Copy::class) {
    description = "Copies *.tflite and *.tflite.json from hierattn.exportDir into src/main/assets."
    val source = rootProject.file(exportDir)
    from(source) {
        include("*.tflite", "*.tflite.json")
    }
    into(layout.projectDirectory.dir("src/main/assets"))
    doFirst {
        val models = source.listFiles { f -> f.name.endsWith(".tflite") }.orEmpty()
        if (models.isEmpty()) {
            throw GradleException(
                "No .tflite model in ${source.absolutePath}; export one with " +
                    "`hierattn-export --format tflite --output ${source.path}` or pass -Phierattn.exportDir=DIR."
            )
        }
        for (model in models) {
            if (!File(model.path + ".json").isFile) {
                throw GradleException("${model.name} has no sidecar ${model.name}.json; re-export it with hierattn-export.")
            }
        }
    }
}
tasks.named("preBuild") { dependsOn(copyModel) }

dependencies {
    implementation(project(":core"))
    implementation(libs.litert)
    implementation(libs.litert.gpu)
    implementation(libs.litert.gpu.api)
    implementation(libs.litert.support)
    implementation(libs.camerax.core)
    implementation(libs.camerax.camera2)
    implementation(libs.camerax.lifecycle)
    implementation(libs.camerax.view)
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.appcompat)
    implementation(libs.androidx.activity.ktx)
    implementation(libs.androidx.lifecycle.viewmodel.ktx)
    implementation(libs.androidx.lifecycle.livedata.ktx)
    implementation(libs.androidx.constraintlayout)
    implementation(libs.androidx.exifinterface)
    implementation(libs.material)
    implementation(libs.kotlinx.coroutines.android)
}
