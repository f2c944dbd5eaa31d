#!/usr/bin/env bash
# Apache Jena's SHACL validator from Debian, the peer of bench/scale.py.
#
# Installs libapache-jena-java when it is missing (needs root and apt), builds the overlay
# jar that makes Debian's Jena start on Java 17, and prints the class path on stdout:
#
#   CP=$(bash scripts/jena.sh)
#   java -cp "$CP" shacl.shacl validate --shapes S.ttl --data D.nt
#
# Why the overlay: Debian moved Jena's shaded Xerces classes to the package xerces.* but
# left their message bundles under org/apache/jena/ext/xerces/, so the first xsd datatype
# check fails with ExceptionInInitializerError (XSSimpleTypeDecl ... internal error). The
# overlay copies the bundles to xerces/ (see shared/reference/ENGINES.md).
#
# Cache: ${ROPA_JENA_CACHE:-~/.cache/ropa-kg/jena}. Diagnostics go to stderr.
set -euo pipefail

JAVA_DIR=/usr/share/java
CACHE="${ROPA_JENA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ropa-kg/jena}"
OVERLAY="$CACHE/jena-xerces-overlay.jar"

if [ ! -f "$JAVA_DIR/jena-core.jar" ] || [ ! -f "$JAVA_DIR/jena-shacl.jar" ]; then
    echo "jena.sh: installing libapache-jena-java (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q libapache-jena-java >&2; then
        apt-get update -q >&2
        apt-get install -y -q libapache-jena-java >&2
    fi
fi
command -v java >/dev/null || { echo "jena.sh: java is not on the PATH" >&2; exit 2; }
command -v jar >/dev/null || { echo "jena.sh: jar (a JDK) is not on the PATH" >&2; exit 2; }

if [ ! -f "$OVERLAY" ] || [ "$OVERLAY" -ot "$JAVA_DIR/jena-core.jar" ]; then
    echo "jena.sh: building $OVERLAY" >&2
    mkdir -p "$CACHE"
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    (cd "$TMP" && unzip -q "$JAVA_DIR/jena-core.jar" 'org/apache/jena/ext/xerces/*' -d T)
    mkdir -p "$TMP/T/xerces"
    cp -r "$TMP/T/org/apache/jena/ext/xerces/." "$TMP/T/xerces/"
    jar cf "$OVERLAY.tmp" -C "$TMP/T" xerces
    mv "$OVERLAY.tmp" "$OVERLAY"
fi

# The unversioned Jena jars and their dependencies (ENGINES.md), all from /usr/share/java.
DEPS="commons-cli commons-codec commons-compress commons-csv commons-io commons-lang3
dexx.collection gson guava httpclient httpcore jackson-core jackson-databind
jackson-annotations jakarta.json-api jcl-over-slf4j jsonld-java protobuf slf4j-api slf4j-nop
thrift titanium-json-ld"
CP="$OVERLAY"
for jar in "$JAVA_DIR"/jena-*.jar; do
    name=$(basename "$jar" .jar)
    # Unversioned names only (jena-core.jar, not jena-core-4.5.0.jar: the same file).
    if [[ ! "$name" =~ -[0-9] ]]; then
        CP="$CP:$jar"
    fi
done
for dep in $DEPS; do
    if [ -f "$JAVA_DIR/$dep.jar" ]; then
        CP="$CP:$JAVA_DIR/$dep.jar"
    else
        echo "jena.sh: warning: $JAVA_DIR/$dep.jar is missing" >&2
    fi
done
echo "$CP"
