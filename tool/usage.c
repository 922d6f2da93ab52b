/*
 * tool/usage.c — help texts (see usage.h).  Keep them in step with
 * docs/ and with the options args.c accepts.
 */
#include <stdio.h>

#include "usage.h"

static const char main_text[] =
    "Usage: gorump COMMAND [ARG]...\n"
    "\n"
    "Run unmodified static Go programs (linux/amd64) as unikernels under "
    "QEMU.\n"
    "\n"
    "Commands:\n"
    "  run [OPTION]... PROGRAM [ARG]...\n"
    "              boot PROGRAM (a static ELF executable, or a Go main "
    "package\n"
    "              directory, built first) and run it to completion\n"
    "  build       make a bootable image (not yet implemented)\n"
    "  version     print gorump's version\n"
    "  help        print this help\n"
    "\n"
    "'gorump run --help' describes the options of run.\n"
    "\n"
    "Exit status of run: the program's own (0-255); 123 if the kernel "
    "panicked\n"
    "or the guest crashed; 124 if --timeout expired; 125 if gorump itself\n"
    "failed; 126 if the kernel refused the program.\n";

static const char run_text[] =
    "Usage: gorump run [OPTION]... PROGRAM [ARG]...\n"
    "\n"
    "Boot PROGRAM as a unikernel under QEMU and relay its stdout and "
    "stderr.\n"
    "PROGRAM is a statically linked linux/amd64 ELF executable (built with\n"
    "CGO_ENABLED=0 GOOS=linux GOARCH=amd64), or a Go main package "
    "directory,\n"
    "which is built that way first.  Options end at PROGRAM: every ARG "
    "after\n"
    "it, dashes or not, goes to the program, whose argv[0] is PROGRAM as\n"
    "written.  The guest's environment holds only the -e variables; its\n"
    "working directory is /.\n"
    "\n"
    "Options:\n"
    "  -m, --memory=SIZE      guest memory: a number with an optional K, M "
    "or G\n"
    "                         suffix (MiB without one), 8M to 64G; default "
    "256M\n"
    "  -e, --env=KEY=VALUE    set KEY in the guest's environment; -e KEY "
    "passes\n"
    "                         KEY's value from this environment; "
    "repeatable\n"
    "      --timeout=SECONDS  stop the guest after SECONDS (decimals "
    "allowed)\n"
    "                         and exit with status 124\n"
    "      --machine=TYPE     QEMU machine: microvm (default) or q35\n"
    "      --kernel=PATH      the gorump kernel to boot\n"
    "  -h, --help             print this help\n"
    "      --                 end of options; PROGRAM follows\n"
    "\n"
    "Environment:\n"
    "  GORUMP_KERNEL       kernel to boot (default: kernel.elf beside "
    "gorump,\n"
    "                      else ../lib/gorump/kernel.elf from its "
    "directory)\n"
    "  GORUMP_KERNEL_ARGS  kernel command line (default \"gorump\")\n"
    "  GORUMP_QEMU         QEMU to run (default qemu-system-x86_64 from "
    "PATH)\n"
    "  GORUMP_ACCEL        kvm or tcg (default: kvm when /dev/kvm opens and\n"
    "                      is not PVM's, tcg otherwise)\n"
    "  GO                  go command for package directories (default go)\n"
    "  TMPDIR              where the temporary image goes (default /tmp)\n"
    "\n"
    "Exit status:\n"
    "  0-255  the program's exit status\n"
    "  123    the kernel panicked, or the guest stopped without an exit "
    "status\n"
    "  124    --timeout expired\n"
    "  125    gorump failed (bad option, unusable PROGRAM, QEMU did not "
    "start)\n"
    "  126    the kernel refused the image or the program\n"
    "  128+N  the program was killed by signal N, or gorump was stopped "
    "by\n"
    "         signal N (it stops the guest first)\n";

void usage_main(FILE *f)
{
    fputs(main_text, f);
}

void usage_run(FILE *f)
{
    fputs(run_text, f);
}
