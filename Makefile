.PHONY: android-core-test

# Build the Android demo's plain-Kotlin core with Debian's kotlinc and run its JUnit tests
# against tests/golden (needs: apt-get install -y kotlin junit4).
android-core-test:
	scripts/android_core_test.sh
