#!/usr/bin/env bash
# Builds, once, the real parts the engine suite runs (README "Real Pulumi engine and API
# server"): the Pulumi CLI, the Kubernetes provider plugin, kube-apiserver and
# kube-controller-manager, from the Go module proxy, into a cache outside the repository.
# etcd comes from Debian (etcd-server, installed by .ci/run). A warm re-run takes seconds:
# each binary is rebuilt only when its version stamp differs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${PP_ENGINE_CACHE:-$HOME/.cache/pulumi-pinpoint-engine}"
mkdir -p "$cache/bin" "$cache/src"
export GOFLAGS="-mod=mod -buildvcs=false"

stamp_ok() { [ -x "$cache/bin/$1" ] && [ "$(cat "$cache/bin/$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$cache/bin/$1.version"; }

# Pulumi CLI: pkg/v3's go.mod has replace directives, so `go install` refuses it; a wrapper
# module that requires pkg/v3 and sdk/v3 at one version builds its cmd/pulumi.
if ! stamp_ok pulumi "$PULUMI_VERSION"; then
  src="$cache/src/pulumi"; rm -rf "$src"; mkdir -p "$src"; cd "$src"
  printf 'module pp/pulumicli\n\ngo 1.24\n' > go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' > tools.go
  go get "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  go mod tidy
  go build -o "$cache/bin/pulumi" -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  stamp pulumi "$PULUMI_VERSION"
fi

# Kubernetes provider: its module zip lacks the generated schema-embed.json and
# terraform-mapping-embed.json that main.go embeds, and replaces sdk/v4 with ../sdk.
provider_stamp="$KUBERNETES_PROVIDER_VERSION $KUBERNETES_PROVIDER_MODULE"
if ! stamp_ok pulumi-resource-kubernetes "$provider_stamp"; then
  mod="github.com/pulumi/pulumi-kubernetes/provider/v4"
  dir="$(go mod download -json "$mod@$KUBERNETES_PROVIDER_MODULE" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  src="$cache/src/provider"; rm -rf "$src"; cp -r "$dir" "$src"; chmod -R u+w "$src"; cd "$src"
  # Only the local replace goes: the provider's own require of sdk/v4 is served. Raising sdk/v4
  # (or fluxcd/pkg/ssa) drags pulumi's sdk/v3 and structured-merge-diff past what this commit
  # compiles against, and so does `go mod tidy`; -mod=mod adds only the missing sums.
  sed -i '/^replace github.com\/pulumi\/pulumi-kubernetes\/sdk\/v4 => /d' go.mod
  node -e '
    const fs = require("fs"), d = "cmd/pulumi-resource-kubernetes/";
    const schema = JSON.parse(fs.readFileSync(d + "schema.json", "utf8"));
    schema.version = process.argv[1];
    fs.writeFileSync(d + "schema-embed.json", JSON.stringify(schema));
    fs.writeFileSync(d + "terraform-mapping-embed.json", JSON.stringify(JSON.parse(fs.readFileSync(d + "terraform-mapping.json", "utf8"))));
  ' "$KUBERNETES_PROVIDER_VERSION"
  go build -o "$cache/bin/pulumi-resource-kubernetes" -ldflags "-X $mod/pkg/version.Version=$KUBERNETES_PROVIDER_VERSION" ./cmd/pulumi-resource-kubernetes
  stamp pulumi-resource-kubernetes "$provider_stamp"
fi

# kube-apiserver and kube-controller-manager: k8s.io/kubernetes replaces every k8s.io/* staging
# module with ./staging/...; a wrapper module points each at its published v0.x version. The
# version ldflags matter: a server that says v0.0.0-master is refused by clients.
if ! stamp_ok kube-apiserver "$KUBERNETES_VERSION" || ! stamp_ok kube-controller-manager "$KUBERNETES_VERSION"; then
  src="$cache/src/kubernetes"; rm -rf "$src"; mkdir -p "$src"; cd "$src"
  modfile="$(go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  staging="v0.${KUBERNETES_VERSION#1.}"
  {
    printf 'module pp/kubernetes\n\n%s\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$(grep '^go ' "$modfile")" "$KUBERNETES_VERSION"
    grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging' "$modfile" | awk -v v="$staging" '{print "\t" $1 " => " $1 " " v}'
    printf ')\n'
  } > go.mod
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n)\n' > tools.go
  go mod tidy
  minor="${KUBERNETES_VERSION#1.}"; minor="${minor%%.*}"
  ld=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ld="$ld -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  done
  for cmd in kube-apiserver kube-controller-manager; do
    go build -o "$cache/bin/$cmd" -ldflags "$ld" "k8s.io/kubernetes/cmd/$cmd"
    stamp "$cmd" "$KUBERNETES_VERSION"
  done
fi

# The provider as a plugin of this Pulumi home, so nothing is downloaded at run time.
export PULUMI_HOME="$cache/pulumi-home"
if ! "$cache/bin/pulumi" plugin ls 2>/dev/null | grep -q "kubernetes.*$KUBERNETES_PROVIDER_VERSION"; then
  PULUMI_SKIP_UPDATE_CHECK=true "$cache/bin/pulumi" plugin install resource kubernetes "$KUBERNETES_PROVIDER_VERSION" --file "$cache/bin/pulumi-resource-kubernetes" >/dev/null
fi
echo "engine parts ready in $cache/bin: pulumi $PULUMI_VERSION, kubernetes provider $KUBERNETES_PROVIDER_VERSION, kube-apiserver $KUBERNETES_VERSION"
