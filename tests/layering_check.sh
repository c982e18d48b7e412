#!/bin/sh
# layering_check.sh fails when a library includes a header its layer must not see
# (DESIGN.md 3: ledger <- everything; the ledger knows only the standard library).
root="$1"
status=0
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$root/sync/ledger" \
      | grep -vE '#[[:space:]]*include[[:space:]]*("ledger/|<[a-z_]+>)' || true)
if [ -n "$bad" ]; then
  echo "sync/ledger may include only the standard library and ledger/ headers:"; echo "$bad"; status=1
fi
bad=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](sqlite3|nng/|ZXing/|GLFW/|imgui|store/|app/)' "$root/terminal/scan" "$root/terminal/workflow" 2>/dev/null | grep -v '/ImageDecoder\|/Camera\|/Image' || true)
if [ -n "$bad" ]; then
  echo "terminal/scan parsing and terminal/workflow must not see SQLite, nng, GLFW, ImGui, the store or the app:"; echo "$bad"; status=1
fi
# terminal/ui draws state and returns intents: no decoder (scan/image, ZXing), window, store,
# network or app; the camera's worker and the store live in terminal/app (docs/ui.md, Layers).
bad=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](sqlite3|nng/|ZXing/|GLFW/|store/|app/|platform/|scan/image/)' "$root/terminal/ui" 2>/dev/null || true)
if [ -n "$bad" ]; then
  echo "terminal/ui must not see the decoder (scan/image, ZXing), GLFW, SQLite, nng, the store, the platform or the app:"; echo "$bad"; status=1
fi
# sync/protocol: the standard library, ledger/ and protocol/ headers; protobuf and nlohmann only
# in its .cpp files (the generated "wire.pb.h", <google/protobuf/...>, <nlohmann/json.hpp>),
# so no caller ever sees them.
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$root/sync/protocol" \
      | grep -vE '#[[:space:]]*include[[:space:]]*("(ledger|protocol)/|<[a-z_]+>)' \
      | grep -vE '\.cpp:[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*("wire\.pb\.h"|<google/protobuf/|<nlohmann/json\.hpp>)' || true)
if [ -n "$bad" ]; then
  echo "sync/protocol may include only the standard library, ledger/ and protocol/ headers (protobuf and nlohmann in its .cpp files only):"; echo "$bad"; status=1
fi
exit $status
