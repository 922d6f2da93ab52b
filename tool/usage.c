/*
 * tool/usage.c — help texts (see usage.h).  Keep them in step with
 * docs/ and with the options args.c accepts.
 */
#include <stdio.h>

#include "usage.h"

static const char main_text[] =
    "Usage: gorump COMMAND [ARG]...\n"
    "\n"
    "Run unmodified Linux x86-64 programs (Go programs first of all) as\n"
    "unikernels under QEMU.\n"
    "\n"
    "Commands:\n"
    "  run [OPTION]... PROGRAM [ARG]...\n"
    "              boot PROGRAM (an ELF executable, a Go main package\n"
    "              directory, built first, or an image from gorump build) "
    "and\n"
    "              run it to completion\n"
    "  build [OPTION]... PROGRAM [ARG]...\n"
    "              write PROGRAM with its arguments, environment and files "
    "into\n"
    "              one image file, to boot later with 'gorump run IMAGE'\n"
    "  volume create FILE SIZE\n"
    "              make FILE a raw disk of SIZE bytes (64M, 1G; K, M, G, T\n"
    "              are powers of 1024) holding an empty ext2 file system,\n"
    "              made by mke2fs with the features the kernel supports\n"
    "  volume check FILE\n"
    "              check FILE's ext2 file system with e2fsck -fn and its\n"
    "              features against the kernel's\n"
    "  version     print gorump's version\n"
    "  help        print this help\n"
    "\n"
    "'gorump run --help' and 'gorump build --help' describe their options.\n"
    "\n"
    "Exit status of run: the program's own (0-255); 123 if the kernel "
    "panicked\n"
    "or the guest crashed; 124 if --timeout expired; 125 if gorump itself\n"
    "failed; 126 if the kernel refused the program.  Of build: 0, or 125 "
    "if\n"
    "it failed.  Of volume: 0; 1 if check found errors or features the\n"
    "kernel lacks; 125 if the command failed (an existing FILE, a bad SIZE,\n"
    "no mke2fs or e2fsck).\n";

static const char run_head[] =
    "Usage: gorump run [OPTION]... PROGRAM [ARG]...\n"
    "\n"
    "Boot PROGRAM as a unikernel under QEMU and relay its stdout and "
    "stderr.\n"
    "PROGRAM is a linux/amd64 ELF executable, a Go main package directory,\n"
    "built with CGO_ENABLED=0 GOOS=linux GOARCH=amd64 first, or an image\n"
    "made by 'gorump build'.  A dynamically linked PROGRAM brings its\n"
    "interpreter and the libraries it needs, found as its loader would find\n"
    "them here (glibc's /etc/ld.so.cache, or musl's path), at their paths.\n"
    "Options end at PROGRAM: every ARG after it, dashes or not, goes to the\n"
    "program, whose argv[0] is PROGRAM as written.  The guest's environment\n"
    "is PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,\n"
    "HOME=/root and HOSTNAME=gorump (the guest's host name), with the -e\n"
    "variables replacing or added to them (no TERM: -e TERM passes ours);\n"
    "its working directory is --cwd, or /.\n"
    "The program is also a file in the guest, at its host path made\n"
    "absolute (a package's at DIR/NAME, as go build names it).\n"
    "\n"
    "An IMAGE boots with what it was built with.  ARGs replace its "
    "arguments\n"
    "but argv[0], -e KEY=VALUE replaces KEY or adds it, --cwd replaces the\n"
    "working directory, --dir and --file add files after its own (later\n"
    "ones win); the image file is not changed.  With none of these it "
    "boots\n"
    "as it is.\n"
    "\n"
    "Options:\n"
    "  -m, --memory=SIZE      guest memory: a number with an optional K, M "
    "or G\n"
    "                         suffix (MiB without one), 4M to 64G; default "
    "256M\n";

/* The options run and build share. */
static const char common_opts[] =
    "  -e, --env=KEY=VALUE    set KEY in the guest's environment; -e KEY "
    "passes\n"
    "                         KEY's value from this environment; "
    "repeatable\n"
    "      --env-clear        start from an empty environment (an IMAGE's\n"
    "                         stored one too): only the -e variables\n"
    "      --dir=HOSTDIR[:GUESTDIR]\n"
    "                         pack the tree HOSTDIR at GUESTDIR (default:\n"
    "                         HOSTDIR's absolute path); links are packed as\n"
    "                         links, sockets, fifos and devices skipped;\n"
    "                         repeatable\n"
    "      --file=HOSTFILE:GUESTPATH\n"
    "                         pack the regular file HOSTFILE (a link to one "
    "is\n"
    "                         followed) at GUESTPATH; repeatable\n"
    "      --cwd=GUESTDIR     the guest's working directory (default /)\n"
    "      --lib=PATH         for a dynamically linked program: pack the "
    "shared\n"
    "                         library PATH (and what it needs) at its path, "
    "or\n"
    "                         search the directory PATH first; for what it\n"
    "                         loads with dlopen, or what LD_LIBRARY_PATH "
    "finds\n"
    "                         natively; the guest's LD_LIBRARY_PATH starts\n"
    "                         with these directories (a library's own);\n"
    "                         repeatable\n";

/* The shares and volumes of run and build (args_files.c, shares.c,
 * volume.c). */
static const char share_opts[] =
    "  -v, --volume=HOSTDIR:GUESTPATH[:ro]\n"
    "                         share the host directory HOSTDIR live at\n"
    "                         GUESTPATH (over virtio-9p: reads and writes go\n"
    "                         to HOSTDIR as the program runs); :ro refuses\n"
    "                         every change (EROFS); repeatable\n"
    "  -v, --volume=FILE:GUESTPATH[:ro]\n"
    "                         mount the ext2 volume FILE (gorump volume\n"
    "                         create) at GUESTPATH: writes stay in FILE, "
    "fsync\n"
    "                         makes them durable; FILE is locked and checked\n"
    "                         with e2fsck -p first; :ro mounts it read-only;\n"
    "                         at most 8 shares and volumes; repeatable\n"
    "                         (an image built with -v attaches its own; a\n"
    "                         -v at the same GUESTPATH replaces that one)\n";

/* build's -v: recorded in the image. */
static const char build_share_opts[] =
    "  -v, --volume=HOSTDIR:GUESTPATH[:ro], --volume=FILE:GUESTPATH[:ro]\n"
    "                         record a share or volume in the image, its "
    "host\n"
    "                         path made absolute (resolved; it must "
    "exist):\n"
    "                         'gorump run IMAGE' attaches it as 'run -v' "
    "does,\n"
    "                         and a 'run -v' at the same GUESTPATH "
    "replaces it;\n"
    "                         not with --format; at most 8; repeatable\n";

/* run's network options (args_net.c, qemu_net.c). */
static const char net_opts[] =
    "      --net=MODE         the guest's network (one virtio-net "
    "interface):\n"
    "                         user (default): QEMU's user networking; "
    "the guest\n"
    "                         is 10.0.2.15 (told at boot: no DHCP wait) "
    "and reaches the host's\n"
    "                         127.0.0.1 as 10.0.2.2, QEMU's DNS as "
    "10.0.2.3;\n"
    "                         tap:IFNAME: the host tap device IFNAME, set "
    "up\n"
    "                         beforehand (give the guest --ip); none: no\n"
    "                         device, loopback only, no DHCP wait at boot\n"
    "  -p, --publish=[HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]\n"
    "                         forward HOSTIP:HOSTPORT (HOSTIP default\n"
    "                         127.0.0.1) to GUESTPORT in the guest, TCP "
    "unless\n"
    "                         /udp; --net user only; repeatable\n"
    "      --ip=ADDR/PREFIX   a static IPv4 address instead of DHCP;\n"
    "                         --ip=dhcp asks DHCP on --net user too\n"
    "      --gateway=IP       the default route (needs --ip ADDR/PREFIX)\n"
    "      --dns=IP           the name server in /etc/resolv.conf\n";

static const char run_tail[] =
    "  -i, --interactive      pass gorump's stdin to the program (else it "
    "reads\n"
    "                         end of file at once)\n"
    "      --timeout=SECONDS  stop the guest after SECONDS (decimals "
    "allowed)\n"
    "                         and exit with status 124\n"
    "      --machine=TYPE     QEMU machine: microvm (default) or q35\n"
    "      --disk-bus=BUS     disks as virtio (default), scsi (virtio-scsi)\n"
    "                         or nvme (implies q35)\n"
    "      --cpus=N           virtual CPUs, 1 (default) to 64; the program's\n"
    "                         threads run on all of them "
    "(docs/ARCHITECTURE.md)\n"
    "      --vmm=VMM          the monitor: qemu (default), firecracker or\n"
    "                         cloud-hypervisor (both need KVM; no -v, "
    "--gdb,\n"
    "                         -p or user network: docs/DEPLOY.md)\n"
    "      --kernel=PATH      the gorump kernel to boot\n"
    "      --gdb=[HOST:]PORT  start the guest halted, waiting for gdb on\n"
    "                         HOST:PORT (HOST default 127.0.0.1), and print\n"
    "                         the gdb command that loads the kernel's and "
    "the\n"
    "                         program's symbols (docs/DEBUGGING.md)\n"
    "  -h, --help             print this help\n"
    "      --                 end of options; PROGRAM follows\n"
    "\n"
    "Guest paths must be absolute.  --dir and --file split their value at "
    "its\n"
    "last ':', so a host path holding ':' needs the guest part.  Without "
    "time-\n"
    "zone data the guest knows only UTC: add --dir /usr/share/zoneinfo, "
    "or\n"
    "one zone's file, and -e TZ=Europe/Paris (docs/IMAGE.md).\n"
    "\n"
    "Environment:\n"
    "  GORUMP_KERNEL       kernel to boot (default: kernel.elf beside "
    "gorump,\n"
    "                      else ../lib/gorump/kernel.elf from its "
    "directory)\n"
    "  GORUMP_KERNEL_ARGS  kernel command line (default \"gorump\"); "
    "--ip,\n"
    "                      --gateway and --dns add their words after it\n"
    "  GORUMP_QEMU         QEMU to run (default qemu-system-x86_64 from "
    "PATH)\n"
    "  GORUMP_ACCEL        kvm or tcg (default: kvm when /dev/kvm opens and\n"
    "                      is not PVM's, tcg otherwise)\n"
    "  GORUMP_CONSOLE      virtio (default: the program's output leaves by\n"
    "                      a virtio-console port) or serial (all of it by\n"
    "                      the serial port, byte by byte)\n"
    "  GORUMP_STOP_TIMEOUT seconds the program has to exit after the first\n"
    "                      SIGINT or SIGTERM, which is passed on to it\n"
    "                      (default 10); a second one stops it at once.\n"
    "                      SIGHUP, SIGUSR1 and SIGUSR2 are passed on as they\n"
    "                      are, with no timer\n"
    "  GO                  go command for package directories (default go)\n"
    "  TMPDIR              where the temporary image goes (default /tmp)\n"
    "  GORUMP_CACHE_DIR    where the disks of large programs and files are\n"
    "                      kept between runs (default\n"
    "                      ~/.cache/gorump/disks); GORUMP_CACHE=off keeps\n"
    "                      none, GORUMP_CACHE_MAX bounds it (default 2G)\n"
    "\n"
    "Exit status:\n"
    "  0-255  the program's exit status\n"
    "  123    the kernel panicked, or the guest stopped without an exit "
    "status\n"
    "  124    --timeout expired\n"
    "  125    gorump failed (bad option, unusable PROGRAM or file, QEMU did "
    "not\n"
    "         start, a -p host port or --gdb port in use)\n"
    "  126    the kernel refused the image or the program\n"
    "  128+N  the program was killed by signal N, or gorump was stopped "
    "by\n"
    "         signal N (it stops the guest first)\n";

static const char build_head[] =
    "Usage: gorump build [OPTION]... PROGRAM [ARG]...\n"
    "\n"
    "Write one image file holding PROGRAM (as for 'gorump run': an ELF\n"
    "executable with its libraries, a Go main package directory, built\n"
    "first, or an image), its\n"
    "arguments (argv[0] is PROGRAM as written, then the ARGs), the -e\n"
    "environment, the working directory and the packed files; boot it with\n"
    "'gorump run IMAGE'.  The image is written to a temporary file beside "
    "it\n"
    "and renamed into place, so a failed build leaves no partial image.\n"
    "Prints nothing on success.  docs/IMAGE.md describes the format.\n"
    "\n"
    "Options:\n"
    "  -o, --output=IMAGE     the image to write (default: PROGRAM's base "
    "name\n"
    "                         plus .img, in the current directory)\n"
    "      --list             write no image: print the files it would hold,\n"
    "                         one guest path a line (a link as PATH -> "
    "TARGET)\n"
    "      --format=FORMAT    image (default), or a disk that boots by "
    "itself\n"
    "                         under BIOS and UEFI with the kernel, the "
    "image\n"
    "                         and GORUMP_KERNEL_ARGS: raw, qcow2, vmdk, "
    "gce\n"
    "                         (disk.raw in a .tar.gz), or containerdisk "
    "(the\n"
    "                         qcow2 in an OCI image archive for KubeVirt);\n"
    "                         docs/DEPLOY.md\n"
    "      --kernel=PATH      the kernel a disk holds\n";

static const char build_tail[] =
    "  -h, --help             print this help\n"
    "      --                 end of options; PROGRAM follows\n"
    "\n"
    "Guest paths must be absolute.  --dir and --file split their value at "
    "its\n"
    "last ':', so a host path holding ':' needs the guest part.\n"
    "\n"
    "Environment:\n"
    "  GO      go command for package directories (default go)\n"
    "  TMPDIR  where go build's output goes meanwhile (default /tmp)\n"
    "\n"
    "Exit status: 0 when the image was written, 125 when gorump failed (the\n"
    "message says why), 128+N when stopped by signal N.\n";

void usage_main(FILE *f)
{
    fputs(main_text, f);
}

void usage_run(FILE *f)
{
    fputs(run_head, f);
    fputs(common_opts, f);
    fputs(share_opts, f);
    fputs(net_opts, f);
    fputs(run_tail, f);
}

void usage_build(FILE *f)
{
    fputs(build_head, f);
    fputs(common_opts, f);
    fputs(build_share_opts, f);
    fputs(build_tail, f);
}
