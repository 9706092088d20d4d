#!/usr/bin/env bash
# The README's "Getting started", done as a new user would: install datawal into the local Maven
# repository with the README's command, then
# build and test examples/getting-started, a Spring Boot 4 application written from the README
# alone (ReadmeGettingStartedTests keeps the two the same), with its own POM and nothing from this
# build but those artifacts. Prints the example's test summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./mvnw -q -B -ntp install -DskipTests
./mvnw -B -ntp -f examples/getting-started/pom.xml clean verify
