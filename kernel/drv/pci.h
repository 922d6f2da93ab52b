/*
 * drv/pci.h — PCI through configuration mechanism #1 (ports 0xcf8/0xcfc,
 * PCI Local Bus spec 3.0 §3.2.2.3.2): finding functions on bus 0 and the
 * buses behind bridges, sizing and mapping memory BARs as the firmware
 * assigned them, walking capability lists, and pointing MSI-X entry 0 at
 * a vector.  Configuration space is read as the device gives it: every
 * pointer and size in it is checked before use.
 */
#ifndef DRV_PCI_H
#define DRV_PCI_H

#include "lib/lib.h"

#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09
#define PCI_CAPS_MAX 48 /* (256 - 64) / 4: more is a loop */

struct pci_bar {
    uint64_t pa, size;
    int state; /* 0: not sized yet, 1: usable memory BAR, -1: unusable */
};

struct pci_dev {
    uint8_t bus, slot, fn;
    uint16_t vendor, device;
    uint8_t class, subclass;
    uint8_t header_type; /* without the multi-function bit */
    /* Sized on first use and remembered: each sizing turns memory
     * decoding off and on, which QEMU pays for by rebuilding its memory
     * map. */
    struct pci_bar bar[6];
};

/* Configuration-space access through the legacy ports (0xcf8/0xcfc) at
 * byte offset off (< 256, aligned to the access size). */
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* Whether there is a PCI bus (00:00.0 answers): one configuration read. */
bool pci_present(void);
/* Calls fn for every function present.  Without a PCI bus (microvm: the
 * vendor of 00:00.0 reads 0xffff) this costs one configuration read. */
void pci_scan(void (*fn)(const struct pci_dev *d, void *arg), void *arg);

/* Stores the configuration-space offsets of up to max capabilities with
 * this id, in list order; returns how many. */
int pci_caps(const struct pci_dev *d, uint8_t id, uint8_t *out, int max);

/* The physical address and size of memory BAR i (a 64-bit BAR spans i
 * and i+1): 0, or -ENODEV when it is an I/O BAR, unimplemented or not
 * assigned by the firmware. */
int pci_bar(struct pci_dev *d, int i, uint64_t *pa, uint64_t *size);
/* Maps [off, off+len) of memory BAR i uncached, or NULL (with a message)
 * when the BAR is unusable or the range is not inside it. */
void *pci_bar_map(struct pci_dev *d, int i, uint64_t off, uint64_t len);

/* Turns on memory decoding and bus mastering (DMA), INTx off. */
void pci_enable(const struct pci_dev *d);

/* Enables MSI-X with entry 0 unmasked, delivering vector to this CPU;
 * *entry is set to that entry (for pci_msix_mask).  0, or -ENODEV when
 * the function has no usable MSI-X capability. */
int pci_msix_enable(struct pci_dev *d, uint8_t vector,
                    volatile uint32_t **entry);
/* Masks the MSI-X entry pci_msix_enable gave (NULL: nothing to mask). */
void pci_msix_mask(volatile uint32_t *entry);

/* "00:03.0", for messages; buf holds at least 8 bytes. */
const char *pci_name(const struct pci_dev *d, char *buf, size_t size);

#endif
