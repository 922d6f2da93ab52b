/*
 * mm/failinject.c — fault injection, after Linux's failslab and
 * fail_page_alloc: on the kernel command line
 *   gorump.failslab=PERCENT[,SEED]  kernel-heap allocations (kmalloc)
 *   gorump.failpage=PERCENT[,SEED]  page allocations (pmem_alloc)
 *   gorump.failnet=PERCENT[,SEED]   lwIP's heap allocations (net/net.c)
 * make PERCENT per cent (0-100) of them fail, chosen by a generator seeded
 * with SEED (default: a random seed, printed so a failing run can be
 * repeated), so every -ENOMEM path runs in tests.  Nothing fails before
 * failinject_arm(), called as the program's main thread first enters user
 * mode: the kernel and the program get to start.  With gorump.failnet on
 * the command line, /proc/gorump/failnet reads and sets its PERCENT while
 * the program runs (Linux's debugfs fail_* directories have a
 * `probability' file for the same), so a test can make the network run
 * out of memory at the moment it chooses.
 */
#include "mm/mm.h"

struct injector {
    const char *key;
    unsigned percent;
    uint64_t state; /* xorshift64, never 0 once armed */
    uint64_t injected;
};

static struct injector inj[FAIL_KINDS] = {
    [FAIL_SLAB] = {.key = "gorump.failslab="},
    [FAIL_PAGE] = {.key = "gorump.failpage="},
    [FAIL_NET] = {.key = "gorump.failnet="},
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
    for (int k = 0; k < FAIL_KINDS; k++)
        arm(&inj[k]);
}

bool failinject_named(enum fail_kind kind)
{
    return cmdline_value(inj[kind].key) != NULL;
}

unsigned failinject_percent(enum fail_kind kind)
{
    return inj[kind].percent;
}

void failinject_set(enum fail_kind kind, unsigned percent)
{
    struct injector *f = &inj[kind];
    if (!f->state) /* not armed yet: a fixed seed */
        f->state = 2654435761u + 1;
    f->percent = MIN(percent, 100u);
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
    uint64_t n = 0;
    for (int k = 0; k < FAIL_KINDS; k++)
        n += inj[k].injected;
    return n;
}
