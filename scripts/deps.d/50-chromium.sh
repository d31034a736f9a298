#!/usr/bin/env bash
# Debian's headless Chromium for the browser (browse / browse_interactive) and its tests,
# a font so screenshots have text, and Debian's pdf.js so the file viewer renders PDFs
# without a network. A second run is a no-op.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
[ -f /usr/share/javascript/pdf/pdf.js ] || [ -f /usr/share/javascript/pdf/pdf.min.js ] || need+=(libjs-pdf)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
