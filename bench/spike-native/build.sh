#!/bin/sh
# Builds the spike's Node-API addon and its C floor (bench/c/getsockopt.c, the bench's own
# floor loop) with cc alone (no node-gyp, no network).
# On Linux a shared object may leave symbols undefined: the napi_* calls resolve against
# the node binary when it loads the addon, so no extra linker flag is needed. (macOS
# would need -undefined dynamic_lookup.)
set -eu
cd "$(dirname "$0")"
NODE_INC=${NODE_INC:-/usr/include/node}
out=build
mkdir -p "$out"
cc -O2 -Wall -Wextra -shared -fPIC -I"$NODE_INC" addon.c -o "$out/addon.node"
cc -O2 -Wall -Wextra ../c/getsockopt.c -o "$out/floor"
echo "built $out/addon.node $out/floor"
