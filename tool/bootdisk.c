/*
 * tool/bootdisk.c — the bootable disk (see bootdisk.h).  Layout (GPT,
 * 512-byte sectors, partitions on 1 MiB boundaries):
 *
 *   LBA 0          protective MBR; its first 440 bytes are GRUB's
 *                  boot.img, which BIOS runs and which loads core.img
 *   LBA 2048-4095  BIOS boot partition (type EF02): GRUB's i386-pc
 *                  core.img, its first sector's block list patched
 *   LBA 4096-      EFI system partition (EF00, FAT32): EFI/BOOT/BOOTX64.EFI
 *                  (GRUB x86_64-efi, which UEFI firmware starts from a
 *                  removable-style path with no NVRAM entry), boot/grub/
 *                  grub.cfg, gorump/kernel.elf and gorump/image
 *   after the ESP  when the image has a disk of large files: that disk
 *                  (type GORUMP_GPT_FILES_TYPE, the unique GUID the image
 *                  records), which the kernel finds by reading the GPT
 *                  (common/gpt.c; docs/IMAGE.md, "On a bootable disk")
 *
 * Both GRUBs read the same grub.cfg from the ESP: multiboot2 loads the
 * kernel (its Multiboot2 header, kernel/arch/x86_64/boot.S) with the
 * command line, module2 the image, which the kernel then finds as it
 * finds the PVH module.  The two patched fields are GRUB's own (its
 * boot/i386/pc/boot.S and diskboot.S): boot.img's kernel_sector at 0x5c,
 * the LBA of core.img's first sector, and diskboot's block list at the
 * end of that sector, {u64 start, u16 sectors, u16 segment}, the rest of
 * core.img.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gorump/gpt.h>

#include "bootdisk.h"
#include "containerdisk.h"
#include "image_write.h"
#include "paths.h"
#include "proc.h"
#include "util.h"

#define GRUB_PC_DIR "/usr/lib/grub/i386-pc"
#define GRUB_EFI_DIR "/usr/lib/grub/x86_64-efi"
#define SECTOR 512ull
#define CORE_LBA 2048ull
#define ESP_LBA 4096ull
#define ESP_MIN (64ull << 20)  /* FAT32 needs 65525 clusters at least */
#define GCE_ALIGN (1ull << 30) /* GCE takes disks of whole GiB */
#define MIB_UP(x) (((x) + (1ull << 20) - 1) & ~((1ull << 20) - 1))
#define GRUB_MODULES "part_gpt", "fat", "multiboot2", "normal", "configfile"

static const char *const format_names[] = {
    [BOOTDISK_RAW] = "raw",
    [BOOTDISK_QCOW2] = "qcow2",
    [BOOTDISK_VMDK] = "vmdk",
    [BOOTDISK_GCE] = "gce",
    [BOOTDISK_CONTAINERDISK] = "containerdisk",
};

int bootdisk_format_parse(const char *s)
{
    for (int f = BOOTDISK_RAW; f <= BOOTDISK_CONTAINERDISK; f++)
        if (strcmp(s, format_names[f]) == 0)
            return f;
    return strcmp(s, "image") == 0 ? BOOTDISK_NONE : -1;
}

struct need {
    const char *name, *package;
};

static const struct need needs[] = {
    {"sgdisk", "gdisk"}, {"mformat", "mtools"},           {"mmd", "mtools"},
    {"mcopy", "mtools"}, {"grub-mkimage", "grub-common"},
};

int bootdisk_check_tools(enum bootdisk_format f)
{
    char path[4096];
    struct stat st;

    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
        if (find_command(needs[i].name, path, sizeof(path)) != 0) {
            report("%s: not found (apt-get install %s)", needs[i].name,
                   needs[i].package);
            return -1;
        }
    if (stat(GRUB_PC_DIR "/boot.img", &st) != 0) {
        report(GRUB_PC_DIR ": no BIOS boot loader (apt-get install "
                           "grub-pc-bin)");
        return -1;
    }
    if (stat(GRUB_EFI_DIR "/multiboot2.mod", &st) != 0) {
        report(GRUB_EFI_DIR ": no UEFI boot loader (apt-get install "
                            "grub-efi-amd64-bin)");
        return -1;
    }
    if ((f == BOOTDISK_QCOW2 || f == BOOTDISK_VMDK ||
         f == BOOTDISK_CONTAINERDISK) &&
        find_command("qemu-img", path, sizeof(path)) != 0) {
        report("qemu-img: not found (apt-get install qemu-utils)");
        return -1;
    }
    if (f == BOOTDISK_GCE && find_command("tar", path, sizeof(path)) != 0) {
        report("tar: not found (apt-get install tar)");
        return -1;
    }
    return 0;
}

/* Runs argv (argv[0] looked up on $PATH) with output to stderr only on
 * failure; 0, -1 (reported) or a signal. */
static int run(char *const *argv, const char *dir, int sigfd)
{
    char path[4096], log[4096 + 16];
    struct spawn s = {.path = path, .argv = argv};
    int fd, sig, wstatus;
    pid_t pid;

    if (find_command(argv[0], path, sizeof(path)) != 0) {
        report("%s: not found", argv[0]);
        return -1;
    }
    snprintf(log, sizeof(log), "%s/log", dir);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    s.stdout_fd = s.stderr_fd = fd;
    pid = spawn_child(&s);
    if (fd >= 0)
        close(fd);
    if (pid < 0)
        return -1;
    sig = wait_child(pid, sigfd, &wstatus);
    if (sig != 0)
        return sig;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return 0;
    report("%s failed:", argv[0]);
    fd = open(log, O_RDONLY | O_CLOEXEC);
    for (ssize_t n; fd >= 0 && (n = read(fd, path, sizeof(path))) > 0;)
        write_all(2, path, (size_t)n);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* grub.cfg: each word of the command line single-quoted for GRUB's
 * shell-like parser ('\'' for a quote inside). */
static int write_cfg(const char *path, const char *cmdline)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -1;
    fputs("set timeout=0\nmultiboot2 /gorump/kernel.elf", f);
    for (const char *p = cmdline; *p != '\0';) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        fputs(" '", f);
        for (; *p != '\0' && *p != ' '; p++)
            fputs(*p == '\'' ? "'\\''" : (char[]){*p, 0}, f);
        fputc('\'', f);
    }
    fputs("\nmodule2 /gorump/image\nboot\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

static uint64_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Copies all of src into dst at byte offset off; 0 or -1 (reported). */
static int copy_into(const char *src, const char *dst, uint64_t off)
{
    char buf[1 << 16];
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ssize_t n = 0;

    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
        if (pwrite(out, buf, (size_t)n, (off_t)off) != n) {
            n = -1;
            break;
        }
        off += (uint64_t)n;
    }
    if (in < 0 || out < 0 || n < 0)
        report("%s: cannot copy into %s: %s", src, dst, strerror(errno));
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        n = -1;
    return in < 0 || n < 0 ? -1 : 0;
}

/* Little-endian patch of n bytes of v at off in file; 0 or -1. */
static int patch(const char *file, uint64_t off, uint64_t v, int n)
{
    unsigned char b[8];
    int fd = open(file, O_WRONLY | O_CLOEXEC), ok;

    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    ok = fd >= 0 && pwrite(fd, b, (size_t)n, (off_t)off) == n;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* The two GRUB images: core.img for BIOS, finding grub.cfg on the boot
 * drive's second partition ("(,gpt2)": the drive it was loaded from),
 * and BOOTX64.EFI, finding it on the partition it was loaded from. */
static int make_loaders(const char *dir, int sigfd)
{
    char core[4096 + 16], efi[4096 + 16];
    snprintf(core, sizeof(core), "%s/core.img", dir);
    snprintf(efi, sizeof(efi), "%s/bootx64.efi", dir);
    char *pc[] = {"grub-mkimage",      "-d",       GRUB_PC_DIR,  "-O",
                  "i386-pc",           "-o",       core,         "-p",
                  "(,gpt2)/boot/grub", "biosdisk", GRUB_MODULES, NULL};
    char *uefi[] = {"grub-mkimage", "-d",         GRUB_EFI_DIR, "-O",
                    "x86_64-efi",   "-o",         efi,          "-p",
                    "/boot/grub",   GRUB_MODULES, NULL};
    int err = run(pc, dir, sigfd);
    return err != 0 ? err : run(uefi, dir, sigfd);
}

/* The EFI system partition as a file of esp bytes: FAT32 (mformat -F),
 * then the files (mmd, mcopy; -i works on a file, no mount). */
static int make_esp(const char *dir, const char *kernel, const char *image,
                    uint64_t esp, int sigfd)
{
    char f[4096 + 16], cfg[4096 + 16], efi[4096 + 16];
    snprintf(f, sizeof(f), "%s/esp.img", dir);
    snprintf(cfg, sizeof(cfg), "%s/grub.cfg", dir);
    snprintf(efi, sizeof(efi), "%s/bootx64.efi", dir);
    int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), err;
    if (fd < 0 || ftruncate(fd, (off_t)esp) != 0) {
        report("%s: %s", f, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    char *fmt[] = {"mformat", "-i", f, "-F", "-v", "GORUMP", "::", NULL};
    char *mkdirs[] = {"mmd",          "-i",          f,
                      "::/EFI",       "::/EFI/BOOT", "::/boot",
                      "::/boot/grub", "::/gorump",   NULL};
    char *cp[][6] = {
        {"mcopy", "-i", f, efi, "::/EFI/BOOT/BOOTX64.EFI", NULL},
        {"mcopy", "-i", f, cfg, "::/boot/grub/grub.cfg", NULL},
        {"mcopy", "-i", f, (char *)kernel, "::/gorump/kernel.elf", NULL},
        {"mcopy", "-i", f, (char *)image, "::/gorump/image", NULL},
    };
    err = run(fmt, dir, sigfd);
    if (err == 0)
        err = run(mkdirs, dir, sigfd);
    for (int i = 0; i < 4 && err == 0; i++)
        err = run(cp[i], dir, sigfd);
    return err;
}

/* The GPT: BIOS boot, ESP and, when files.bytes, the files' partition
 * after the ESP.  0, -1 or a signal. */
static int make_gpt(const char *dir, const char *raw, uint64_t esp,
                    const struct bootdisk_files *files, int sigfd)
{
    char part1[64], part2[64], part3[64], type3[64], uniq3[64], guid[37];
    uint64_t lba3 = ESP_LBA + esp / SECTOR;
    snprintf(part1, sizeof(part1), "1:%llu:%llu", CORE_LBA, ESP_LBA - 1);
    snprintf(part2, sizeof(part2), "2:%llu:%llu", ESP_LBA,
             (unsigned long long)(lba3 - 1));
    /* 15 words, 8 for the files, the disk and NULL. */
    char *gpt[25] = {"sgdisk", "-a",     "2048",   "-n",     part1,
                     "-t",     "1:EF02", "-c",     "1:BIOS", "-n",
                     part2,    "-t",     "2:EF00", "-c",     "2:EFI"};
    int n = 15;
    if (files->bytes > 0) {
        snprintf(part3, sizeof(part3), "3:%llu:%llu", (unsigned long long)lba3,
                 (unsigned long long)(lba3 + files->bytes / SECTOR - 1));
        snprintf(type3, sizeof(type3), "3:%s", GORUMP_GPT_FILES_TYPE);
        gorump_gpt_guid_text(files->in->disk_part, guid);
        snprintf(uniq3, sizeof(uniq3), "3:%s", guid);
        char *more[] = {"-n", part3, "-t", type3,
                        "-u", uniq3, "-c", "3:gorump-files"};
        memcpy(gpt + n, more, sizeof(more));
        n += 8;
    }
    gpt[n] = (char *)raw;
    return run(gpt, dir, sigfd);
}

/* The image's disk of large files into its partition of raw. */
static int write_files(const char *raw, const struct bootdisk_files *files,
                       uint64_t at, int sigfd)
{
    int fd = open(raw, O_WRONLY | O_CLOEXEC), err;

    if (fd < 0) {
        report("%s: %s", raw, strerror(errno));
        return -1;
    }
    err = image_write_disk_at(fd, raw, files->in, at, sigfd);
    if (close(fd) != 0 && err == 0) {
        report("%s: %s", raw, strerror(errno));
        err = -1;
    }
    return err;
}

/* The partition table, then the ESP, core.img, boot.img and the files in
 * place. */
static int make_raw(const char *dir, const char *raw, uint64_t esp,
                    uint64_t size, const struct bootdisk_files *files,
                    int sigfd)
{
    char f[4096 + 16], core[4096 + 16];
    int fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), err;
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        report("%s: %s", raw, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    err = make_gpt(dir, raw, esp, files, sigfd);
    if (err == 0 && files->bytes > 0)
        err = write_files(raw, files, ESP_LBA * SECTOR + esp, sigfd);
    snprintf(f, sizeof(f), "%s/esp.img", dir);
    if (err == 0)
        err = copy_into(f, raw, ESP_LBA * SECTOR);
    snprintf(core, sizeof(core), "%s/core.img", dir);
    uint64_t nsec = (file_size(core) + SECTOR - 1) / SECTOR;
    if (err == 0 && (nsec < 2 || nsec > ESP_LBA - CORE_LBA)) {
        report("%s: %llu sectors: does not fit the BIOS boot partition", core,
               (unsigned long long)nsec);
        return -1;
    }
    snprintf(f, sizeof(f), "%s/mbr", dir);
    if (err == 0 && (patch(core, 0x1f4, CORE_LBA + 1, 8) != 0 ||
                     patch(core, 0x1fc, nsec - 1, 2) != 0 ||
                     copy_into(core, raw, CORE_LBA * SECTOR) != 0 ||
                     copy_into(GRUB_PC_DIR "/boot.img", f, 0) != 0 ||
                     truncate(f, 440) != 0 || patch(f, 0x5c, CORE_LBA, 8) ||
                     copy_into(f, raw, 0) != 0))
        err = -1;
    return err;
}

int bootdisk_write(enum bootdisk_format f, const char *kernel,
                   const char *image, const struct bootdisk_files *files,
                   const char *cmdline, const char *dir, const char *out,
                   int sigfd)
{
    char cfg[4096 + 16], raw[4096 + 16];
    uint64_t bytes = file_size(kernel) + file_size(image) + (8ull << 20);
    uint64_t esp = MIB_UP(bytes + bytes / 16);
    esp = esp < ESP_MIN ? ESP_MIN : esp;
    /* The partitions, then 1 MiB for the backup GPT. */
    uint64_t size = ESP_LBA * SECTOR + esp + files->bytes + (1ull << 20);
    if (f == BOOTDISK_GCE)
        size = (size + GCE_ALIGN - 1) / GCE_ALIGN * GCE_ALIGN;
    snprintf(cfg, sizeof(cfg), "%s/grub.cfg", dir);
    if (write_cfg(cfg, cmdline) != 0) {
        report("%s: %s", cfg, strerror(errno));
        return -1;
    }
    snprintf(raw, sizeof(raw), "%s/disk.raw", dir);
    int err = make_loaders(dir, sigfd);
    if (err == 0)
        err = make_esp(dir, kernel, image, esp, sigfd);
    if (err == 0)
        err = make_raw(dir, f == BOOTDISK_RAW ? out : raw, esp, size, files,
                       sigfd);
    if (err != 0 || f == BOOTDISK_RAW)
        return err;
    /* containerdisk: the qcow2 in dir, then in its image archive. */
    char qcow2[4096 + 16];
    snprintf(qcow2, sizeof(qcow2), "%s/disk.qcow2", dir);
    int cdisk = f == BOOTDISK_CONTAINERDISK;
    char *conv[] = {"qemu-img", "convert",
                    "-f",       "raw",
                    "-O",       f == BOOTDISK_VMDK ? "vmdk" : "qcow2",
                    raw,        cdisk ? qcow2 : (char *)out,
                    NULL};
    /* GCE's import format: disk.raw alone in a gzipped tar, old GNU
     * format, sparse (cloud.google.com "Manually import boot disks"). */
    char *gce[] = {"tar", "--format=oldgnu", "-Sczf",    (char *)out,
                   "-C",  (char *)dir,       "disk.raw", NULL};
    err = run(f == BOOTDISK_GCE ? gce : conv, dir, sigfd);
    return err != 0 || !cdisk ? err : containerdisk_write(qcow2, out);
}
