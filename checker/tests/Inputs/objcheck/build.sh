#!/bin/sh
# build.sh CLANG LD_LLD KERNEL_INCLUDE OUTDIR: the objcheck test objects.
set -eu
clang=$1 lld=$2 inc=$3 out=$4
here=$(dirname "$0")
flags="-target x86_64-unknown-none-elf -std=gnu23 -ffreestanding -nostdlibinc -mno-red-zone \
 -ffunction-sections -fdata-sections -fvisibility=hidden -fno-common -fno-pic -O2 -I$inc"
mkdir -p "$out"
"$clang" $flags -c "$here/nano.c" -o "$out/nano.tmp.o"
"$lld" -e _start "$out/nano.tmp.o" -o "$out/nano.elf"
for crate in alpha beta breach orphan ctor alpha2 clash; do
	"$clang" $flags -mcmodel=kernel -c "$here/$crate.c" -o "$out/$crate.tmp.o"
	"$lld" -r "$out/$crate.tmp.o" -o "$out/$crate.o"
done
