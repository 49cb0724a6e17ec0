# Sourced by the benchmarks. DoseDesk keeps every store encrypted, so their
# commands, and the app that app.sh launches, run signed in: as `bench`,
# whose passphrase is this folder's `passphrase` file (the benchmarks' own,
# never a real one), unless the caller set DOSEDESK_USER and
# DOSEDESK_PASSPHRASE_FILE. The first command on a new store makes it,
# encrypted, with that user as its first manager.
export DOSEDESK_USER=${DOSEDESK_USER:-bench}
DOSEDESK_PASSPHRASE_FILE=${DOSEDESK_PASSPHRASE_FILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/passphrase}
export DOSEDESK_PASSPHRASE_FILE
