#!/usr/bin/env bash
# Stop the single-node SLURM cluster of scripts/slurm-up.sh: cancel its jobs, stop its daemons.
set -uo pipefail

scancel --full --user="$(id -un)" 2>/dev/null
for daemon in slurmd slurmctld munged; do
    pkill -x "$daemon" 2>/dev/null
done
running() { for daemon in slurmd slurmctld munged; do pgrep -a -x "$daemon"; done; }
for _ in $(seq 30); do
    [ -z "$(running)" ] && { echo "slurm-down: stopped" >&2; exit 0; }
    sleep 1
done
echo "slurm-down: still running after 30 s: $(running)" >&2
exit 1
