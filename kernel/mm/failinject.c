/*
 * mm/failinject.c — fault injection, after Linux's failslab and
 * fail_page_alloc: on the kernel command line
 *   gorump.failslab=PERCENT[,SEED]  kernel-heap allocations (kmalloc)
 *   gorump.failpage=PERCENT[,SEED]  page allocations (pmem_alloc)
 * make PERCENT per cent (0-100) of them fail, chosen by a generator seeded
 * with SEED (default: a random seed, printed so a failing run can be
 * repeated), so every -ENOMEM path runs in tests.  Nothing fails before
 * failinject_arm(), called as the program's main thread first enters user
 * mode: the kernel and the program get to start.
 */
#include "mm/mm.h"

struct injector {
    const char *key;
    unsigned percent;
    uint64_t state; /* xorshift64, never 0 once armed */
    uint64_t injected;
};

static struct injector inj[2] = {
    [FAIL_SLAB] = {.key = "gorump.failslab="},
    [FAIL_PAGE] = {.key = "gorump.failpage="},
};

static unsigned parse_uint(const char **p)
{
    unsigned v = 0;
    while (**p >= '0' && **p <= '9' && v < 100000000)
        v = v * 10 + (unsigned)(*(*p)++ - '0');
    return v;
}

static void arm(struct injector *f)
{
    const char *p = cmdline_value(f->key);
    if (!p || f->state)
        return;
    unsigned percent = parse_uint(&p);
    uint64_t seed;
    f->percent = MIN(percent, 100u);
    if (*p == ',') {
        p++;
        seed = parse_uint(&p);
    } else {
        random_bytes(&seed, sizeof(seed));
        seed %= 1000000;
    }
    kprintf("gorump: fault injection: %u%% fail (%s%u,%lu)\n", f->percent,
            f->key, f->percent, seed);
    f->state = seed * 2654435761u + 1;
}

void failinject_arm(void)
{
    arm(&inj[FAIL_SLAB]);
    arm(&inj[FAIL_PAGE]);
}

bool failinject_now(enum fail_kind kind)
{
    struct injector *f = &inj[kind];
    if (likely(!f->percent))
        return false;
    f->state ^= f->state << 13;
    f->state ^= f->state >> 7;
    f->state ^= f->state << 17;
    if (f->state % 100 >= f->percent)
        return false;
    f->injected++;
    return true;
}

uint64_t failinject_count(void)
{
    return inj[FAIL_SLAB].injected + inj[FAIL_PAGE].injected;
}
