/*
 * tests/c/greet.c — the shared library tests/c/dynlink.c loads with
 * dlopen: its own thread-local variable and a constructor, so dlopen has
 * TLS to set up and an initialiser to run.
 */
#include <stdio.h>

static __thread int calls;
static int constructed;

__attribute__((constructor)) static void greet_init(void)
{
    constructed = 1;
}

const char *greet(int n);

const char *greet(int n)
{
    static __thread char buf[64];

    calls++;
    snprintf(buf, sizeof(buf), "greet(%d) call %d constructed %d", n, calls,
             constructed);
    return buf;
}
