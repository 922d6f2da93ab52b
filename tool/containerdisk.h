/*
 * tool/containerdisk.h — `gorump build --format containerdisk`: an OCI
 * image archive (a tar of an OCI image layout, what `skopeo copy
 * oci-archive:FILE ...` reads) whose one layer holds a qcow2 disk as
 * /disk/disk.qcow2, owned by uid and gid 107 and readable by all: the
 * image KubeVirt's containerDisk volume boots from (docs/DEPLOY.md,
 * "Kubernetes (KubeVirt)").  Written here, byte for byte the same for
 * the same disk (every time stamp is 0), with no container tool.
 */
#ifndef GORUMP_TOOL_CONTAINERDISK_H
#define GORUMP_TOOL_CONTAINERDISK_H

/* Writes the archive holding the disk file qcow2 to out, an existing
 * file that is truncated.  0, or -1 (reported). */
int containerdisk_write(const char *qcow2, const char *out);

#endif
