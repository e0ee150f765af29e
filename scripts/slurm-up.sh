#!/usr/bin/env bash
# Bring up a single-node SLURM cluster on this machine, for the cluster tests.
#
# Installs munge and slurm-wlm from the distribution's packages when missing, writes a munge
# key and a slurm.conf for this host (its cores and memory), starts munged, slurmctld and
# slurmd, and waits until sinfo shows the node idle. Needs root. Safe to run again: a cluster
# that already answers is left as it is. scripts/slurm-down.sh stops it.
set -euo pipefail

say() { echo "slurm-up: $*" >&2; }

if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
    say "a cluster already answers: $(sinfo -h -o '%N %c CPUs %t')"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    say "needs root (it installs packages and starts daemons); try: sudo $0"
    exit 1
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing munge and slurm-wlm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq munge slurm-wlm >/dev/null
fi

# Munge: a key only munge can read, and its run directories.
for dir in /etc/munge /var/log/munge /run/munge /var/lib/munge; do
    mkdir -p "$dir"
    chown munge:munge "$dir"
done
chmod 0700 /etc/munge
if [ ! -s /etc/munge/munge.key ]; then
    head -c 1024 /dev/urandom >/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
    su -s /bin/sh munge -c /usr/sbin/munged
fi

# slurm.conf for this host: no cgroups (linuxproc tracking, no task plugin), cores as
# consumable resources, everything run as root.
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >/etc/slurm/slurm.conf <<CONF
# Written by basemesa's scripts/slurm-up.sh: a single-node cluster for the cluster tests.
ClusterName=basemesa
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
MpiDefault=none
KillWait=30
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 60); do
    state=$(sinfo -h -o %t 2>/dev/null || true)
    if [ "$state" = idle ]; then
        say "up: $(sinfo -h -o '%N %c CPUs %m MB %t')"
        exit 0
    fi
    sleep 1
done
say "the node did not become idle within 60 s (state: ${state:-no answer}); see /var/log/slurm/"
exit 1
