#!/usr/bin/env bash
# Install the system packages geoverify needs (Debian/Ubuntu), when they are missing.
# Runs apt-get directly as root, through sudo otherwise; where neither is possible it
# names the packages and stops, so the user can ask an administrator.
set -euo pipefail

PACKAGES=(
  tesseract-ocr            # the OCR engine
  tesseract-ocr-eng        # English model
  tesseract-ocr-urd        # Urdu model
  tesseract-ocr-script-arab  # the Arabic-script model (tesseract calls it "Arabic")
  fonts-noto-core          # Noto Naskh Arabic / Nastaliq Urdu: rendering Urdu in the demo and figures
  fonts-nafees             # Nafees Nastaleeq / Naskh: Urdu recogniser training fonts
  fonts-sil-awami-nastaliq # Awami Nastaliq: the Urdu recogniser's held-out Nastaliq font
  libharfbuzz-bin          # hb-view: draws Awami Nastaliq with Graphite shaping (Pillow's raqm cannot)
  fonts-paktype            # PakType Naskh / Nastaliq variants: Urdu recogniser training fonts
  libfribidi0              # bidi for Pillow's raqm text layout (Urdu shaping)
  chromium                 # headless browser: report rendering test
  poppler-utils            # pdftoppm: the printed report's test rasterises its PDF
  python3-venv             # python3 -m venv on Debian's own Python
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "geoverify setup: apt-get not found. Install these packages with your system's package manager:" >&2
  echo "  ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "geoverify setup: these system packages are missing and I cannot install them (not root, no sudo):" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "geoverify setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
