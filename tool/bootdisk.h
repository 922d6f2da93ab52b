/*
 * tool/bootdisk.h — `gorump build --format raw|qcow2|vmdk|gce|containerdisk`: a
 * disk that boots by itself, under legacy BIOS and UEFI alike, holding the
 * kernel, the image and the kernel command line (docs/DEPLOY.md,
 * "Bootable disks"), or that disk in an OCI image for KubeVirt
 * (containerdisk.h).  Debian's GRUB loads the kernel through Multiboot2
 * and the image as its module; the disk is made with sgdisk, mtools,
 * grub-mkimage and, for the other formats, qemu-img or tar: no loop
 * device, no mount, no root.
 */
#ifndef GORUMP_TOOL_BOOTDISK_H
#define GORUMP_TOOL_BOOTDISK_H

enum bootdisk_format {
    BOOTDISK_NONE, /* a gorump image, not a disk */
    BOOTDISK_RAW,
    BOOTDISK_QCOW2,
    BOOTDISK_VMDK,
    BOOTDISK_GCE,           /* disk.raw, 1 GiB multiple, in a gzipped tar */
    BOOTDISK_CONTAINERDISK, /* qcow2 in an OCI image archive (KubeVirt) */
};

/* The format named s, or -1. */
int bootdisk_format_parse(const char *s);

/* Every command and file the format needs is there; 0, or -1 (reported,
 * naming the Debian package). */
int bootdisk_check_tools(enum bootdisk_format f);

struct image_input;

/* The image's disk of large files, for its partition: bytes (a multiple
 * of 1 MiB, at least the disk's size; 0: no disk), written from in, whose
 * disk_part is the partition's unique GUID. */
struct bootdisk_files {
    uint64_t bytes;
    const struct image_input *in;
};

/* Writes the disk of format f to out (a new file) from the kernel, the
 * image, its files (files->bytes 0: none) and the kernel command line;
 * dir is a private scratch directory.  0, -1 (reported) or a signal
 * taken from sigfd. */
int bootdisk_write(enum bootdisk_format f, const char *kernel,
                   const char *image, const struct bootdisk_files *files,
                   const char *cmdline, const char *dir, const char *out,
                   int sigfd);

#endif
