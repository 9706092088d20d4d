#!/usr/bin/env bash
# The README's "Getting started", done as a new user would: install datawal into the local Maven
# repository with the README's command, then
# build and test examples/getting-started, a Spring Boot 4 application written from the README
# alone (ReadmeGettingStartedTests keeps the two the same), with its own POM and nothing from this
# build but those artifacts. Prints the example's test summary; fails on a datawal warning about
# an unknown property (the example sets none).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./mvnw -q -B -ntp install -DskipTests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
./mvnw -B -ntp -f examples/getting-started/pom.xml clean verify 2>&1 | tee "$log" || status=$?
# A first day also means no warnings from datawal about the application's own configuration.
if grep -q "datawal: ignoring unknown property" "$log"; then
  echo "getting-started: datawal warned about a property the application did not misspell:"
  grep "datawal: ignoring unknown property" "$log"
  status=1
fi
exit "$status"
