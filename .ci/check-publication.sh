#!/usr/bin/env bash
# Checks that the published modules could go to Maven Central as built: each has its jar, a sources
# jar and a javadoc jar in target/ (run after `./mvnw verify` or `package`), and its effective POM
# has what Central requires (name, description, url, licenses, developers, scm) and is ours, not
# inherited from Spring Boot's starter parent. The unpublished modules (sample-app, powerloss,
# benchmarks) must skip deployment. Prints one line per module; exits 1 on any finding.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

published=(datawal-engine datawal-spring-boot-autoconfigure datawal-spring-boot-starter
  datawal-spring-boot-test datawal-cli datawal-kafka datawal-modulith)
unpublished=(sample-app powerloss benchmarks)
# Every module of the build is in one of the two lists: a new module is checked, not forgotten.
while read -r m; do
  case " ${published[*]} ${unpublished[*]} " in
    *" $m "*) ;;
    *) echo "$m: a module of pom.xml that .ci/check-publication.sh does not list"; exit 1 ;;
  esac
done < <(sed -n 's:^ *<module>\(.*\)</module>$:\1:p' pom.xml)
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
[ -n "$version" ] || { echo "cannot read the project version from pom.xml"; exit 1; }
if ! { [ -s LICENSE ] && grep -q "Apache License" LICENSE && grep -q "Version 2.0" LICENSE; }; then
  echo "LICENSE: missing or not the Apache License 2.0"
  exit 1
fi

effective=$(mktemp)
trap 'rm -f "$effective"' EXIT
modules=$(IFS=,; echo "${published[*]},${unpublished[*]}")
./mvnw -q -B -ntp help:effective-pom -pl "$modules" -Doutput="$effective" >/dev/null

# The top-level elements of one module's <project> in the effective POM file (one <project> per
# module, at two spaces; its own elements at four), dedented to two spaces.
project_of() {
  awk -v id="    <artifactId>$1</artifactId>" '
    /^  <project / { buf = ""; inside = 1; next }
    /^  <\/project>/ { if (mine) { printf "%s", buf; exit } inside = 0; mine = 0; next }
    inside { if ($0 == id) mine = 1; buf = buf substr($0, 3) "\n" }
  ' "$effective"
}

findings=0
finding() { echo "  FAIL $1"; findings=$((findings + 1)); }

for m in "${published[@]}"; do
  echo "$m:"
  before=$findings
  for jar in "$m-$version.jar" "$m-$version-sources.jar" "$m-$version-javadoc.jar"; do
    if [ -s "$m/target/$jar" ]; then echo "  ok   target/$jar"; else finding "target/$jar is missing"; fi
  done
  pom=$(project_of "$m")
  [ -n "$pom" ] || { finding "no effective POM"; continue; }
  for element in name description url inceptionYear; do
    grep -q "^  <$element>..*</$element>" <<<"$pom" || finding "effective POM has no <$element>"
  done
  grep -q "<name>Apache License, Version 2.0</name>" <<<"$pom" || finding "license is not Apache-2.0"
  grep -q "<name>The datawal developers</name>" <<<"$pom" || finding "developers are not ours"
  grep -q "<connection>scm:git:https://github.com/datawal/" <<<"$pom" || finding "scm is not ours"
  if grep -q "spring-projects/spring-boot" <<<"$pom"; then
    finding "still names Spring Boot's repository (inherited from the starter parent)"
  fi
  grep -q "<url>https://github.com/datawal/[^<]*/$m</url>" <<<"$pom" \
    && finding "url is suffixed with the artifactId (one repository holds every module)"
  [ "$findings" -gt "$before" ] || echo "  ok   POM: name, description, url, license, developers, scm"
done
for m in "${unpublished[@]}"; do
  pom=$(project_of "$m")
  if grep -q "<maven.deploy.skip>true</maven.deploy.skip>" <<<"$pom"; then
    echo "$m: not published (maven.deploy.skip)"
  else
    echo "$m:"; finding "is not published but does not skip deployment"
  fi
done
echo "publication check: $findings finding(s)"
[ "$findings" -eq 0 ]
