/* net/port/stdlib.h — what lwIP takes from stdlib.h (net/lwip_port.c). */
#ifndef GORUMP_LWIP_STDLIB_H
#define GORUMP_LWIP_STDLIB_H
int atoi(const char *s);
#endif
