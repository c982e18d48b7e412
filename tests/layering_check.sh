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
exit $status
