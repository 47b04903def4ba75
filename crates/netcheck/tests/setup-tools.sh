#!/usr/bin/env bash
# Installs the real tools the netcheck cross-checks run against: Debian's
# iptables (iptables-restore, iptables-save, iptables-restore-translate),
# nftables (nft) and iproute2 (ip netns), and aerleon from PyPI. Run as root.
# Without them the live test prints "skipped: …" and the committed fixtures
# are still compared.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq iptables nftables iproute2 >/dev/null
python3 -m pip install --quiet --disable-pip-version-check aerleon
command -v aclgen >/dev/null || echo "note: aclgen is not on PATH; the tests find it next to python3"
echo "netcheck tools: $(iptables --version), $(nft --version), aerleon $(python3 -c 'import importlib.metadata as m; print(m.version("aerleon"))')"
