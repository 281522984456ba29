#!/bin/sh
# /init of the Linux baseline's initramfs (busybox sh). The kernel hands
# unknown `key=value` command-line words to init as environment variables:
#   lbench=boot|all   boot: only the boot marker; all: run the benchmarks
#   lbench_iters=N    iterations per figure
# The first line is the boot-to-init marker the host times.
echo "KBENCH LINUX INIT"
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
if [ "$lbench" = all ]; then
	set -- /lib/modules/*.ko
	/linux_bench "${lbench_iters:-1000}" "$1"
fi
echo "KBENCH LINUX DONE"
poweroff -f
