/*
 * tests/netfuzz/main.c — netfuzz [-s SEED] [-t SECONDS] [-n FRAMES]
 * [-f SYNS] [-k KIND,...] [-v] -- COMMAND...: runs COMMAND (gorump running
 * tests/go/netfuzzd, with GORUMP_TEST_NETDEV pointing QEMU's network at our
 * socket), checks the guest answers, with -f floods its server with SYNS
 * SYNs (synflood.c), sends the storm (FRAMES frames, or as many
 * as SECONDS allow), and checks again: ping, UDP and TCP answered, no malformed
 * frame from the guest, no lwIP assertion, lwIP's memory back to its
 * level before the storm, and the guest's clean exit (no panic).
 * Prints what failed and exits 1, or prints a summary and exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netfuzz.h"

#define BOOT_MS 90000
#define LEAK_WAIT_MS 150000 /* check_memory */

static struct {
    uint64_t seed, frames, flood;
    int seconds;
    uint32_t kinds;
    bool verbose;
    char **cmd;
    pid_t pid;
    int failed;
} nf = {.seed = 1, .frames = UINT64_MAX, .seconds = 10, .kinds = ~0u};

static void fail(const char *what)
{
    fprintf(stderr, "netfuzz: FAIL: %s (seed %llu)\n", what,
            (unsigned long long)nf.seed);
    nf.failed++;
}

/* -k: the kinds of frame to send, by the names the summary prints. */
static int parse_kinds(char *list)
{
    nf.kinds = 0;
    for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
        int k = 0;
        while (k < storm_nkinds() && strcmp(t, storm_kind_names[k]) != 0)
            k++;
        if (k == storm_nkinds())
            return -1;
        nf.kinds |= 1u << k;
    }
    return 0;
}

static int parse(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "s:t:n:f:k:v")) != -1) {
        if (c == 's')
            nf.seed = strtoull(optarg, NULL, 0);
        else if (c == 't')
            nf.seconds = atoi(optarg);
        else if (c == 'n')
            nf.frames = strtoull(optarg, NULL, 0);
        else if (c == 'f')
            nf.flood = strtoull(optarg, NULL, 0);
        else if (c == 'v')
            nf.verbose = true;
        else if (c != 'k' || parse_kinds(optarg) < 0)
            return -1;
    }
    if (optind >= argc)
        return -1;
    nf.cmd = argv + optind;
    return 0;
}

static pid_t spawn(char **cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        execvp(cmd[0], cmd);
        perror(cmd[0]);
        _exit(127);
    }
    return pid;
}

long stat_value(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\n%s ", key);
    const char *p = text ? strstr(text, pat) : NULL;
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static long stat_now(const char *key, char *copy, size_t size)
{
    const char *a = peer_tcp("STAT\n", "END\n", 65536);
    if (copy)
        snprintf(copy, size, "%s", a ? a : "(no answer)");
    return stat_value(a, key);
}

/* The IPv6 link-local address of the guest, from its MAC (RFC 4291
 * appendix A), once the MAC is known. */
static void guest_ll6(void)
{
    memset(guest_ip6, 0, 16);
    guest_ip6[0] = 0xfe, guest_ip6[1] = 0x80;
    memcpy(guest_ip6 + 8, guest_mac, 3);
    guest_ip6[8] ^= 2;
    guest_ip6[11] = 0xff, guest_ip6[12] = 0xfe;
    memcpy(guest_ip6 + 13, guest_mac + 3, 3);
}

static bool await_guest(void)
{
    uint64_t end = now_ms() + BOOT_MS;
    while (now_ms() < end)
        if (peer_ping(0) && peer_udp(0))
            return true;
    return false;
}

/* Many small writes into a closed window, sent when it opens: one frame
 * of many pieces (linkoutput cut such frames at 16). */
static void check_small_writes(void)
{
    char want[200 * 7 + 8];
    size_t at = 0;
    for (int i = 0; i < 200; i++)
        at += (size_t)snprintf(want + at, sizeof(want) - at, "%06d\n", i);
    snprintf(want + at, sizeof(want) - at, "END\n");
    const char *a = peer_tcp("SMALL 200\n", "END\n", sizeof(want));
    if (!a || strcmp(a, want) != 0)
        fail("200 small writes sent into a closed window did not arrive "
             "whole");
}

static bool storm(void)
{
    bool ok = true;
    struct frame f;
    uint64_t start = now_ms(), i;
    for (i = 0; i < nf.frames; i++) {
        if ((i & 63) == 0 && now_ms() - start >= (uint64_t)nf.seconds * 1000)
            break;
        int kind = storm_frame(nf.seed, i, &f, nf.kinds);
        if (kind < 0)
            continue;
        if (nf.verbose)
            fprintf(stderr, "netfuzz: frame %llu: %s, %zu bytes\n",
                    (unsigned long long)i, storm_kind_names[kind], f.len);
        if (link_send(f.b, f.len) < 0) {
            fail("the guest stopped taking frames during the storm");
            ok = false;
            break;
        }
    }
    link_pump(500, NULL);
    fprintf(stderr, "netfuzz: seed %llu: %llu frames in %.1f s:",
            (unsigned long long)nf.seed, (unsigned long long)i,
            (double)(now_ms() - start) / 1000);
    for (int k = 0; k < storm_nkinds(); k++)
        fprintf(stderr, " %s %lu", storm_kind_names[k], storm_kinds[k]);
    fprintf(stderr, "\n");
    return ok;
}

static bool check_alive(void)
{
    int before = nf.failed;
    if (!peer_ping(7))
        fail("no ping answer after the storm");
    if (!peer_udp(7))
        fail("no UDP echo after the storm");
    const char *a = peer_tcp("ECHO still here\n", "\n", 100);
    if (!a || strcmp(a, "ECHO still here\n") != 0)
        fail("no TCP echo after the storm");
    return nf.failed == before;
}

/* Prints the "pool NAME N" and "tcp_state NAME N" lines of a STAT
 * answer on one line. */
static void print_pools(const char *text)
{
    fprintf(stderr, " lwIP pools and TCP states:");
    for (const char *p = strstr(text, "\npool "); p;
         p = strstr(p + 1, "\npool ")) {
        const char *e = strchr(p + 6, '\n');
        fprintf(stderr, " %.*s", (int)(e ? e - p - 6 : 40), p + 6);
    }
    for (const char *p = strstr(text, "\ntcp_state "); p;
         p = strstr(p + 1, "\ntcp_state ")) {
        const char *e = strchr(p + 11, '\n');
        fprintf(stderr, " %.*s", (int)(e ? e - p - 11 : 40), p + 11);
    }
    fprintf(stderr, "\n");
}

/* lwIP's memory returns to its level before the storm once its timers
 * have run.  What the storm leaves is legitimately alive until then:
 * reassembly buffers (IPv4 15 s, IPv6 20 s) and half-open connections
 * netfuzz could not reset (20 s in SYN_RCVD), because their SYN-ACK
 * never reached it: sent to one of the storm's 16 neighbours while the
 * guest's 10-entry ARP table thrashed, where lwIP keeps one packet per
 * unresolved entry (tcp_state SYN_RCVD and pool TCP_SEG in the answer).
 * Those timeouts count in lwIP's own clock, which loses ticks when the
 * guest is starved (a cyclic timer that runs late restarts from "now"),
 * so on a loaded host 20 s of it can take much longer.  The wait
 * is therefore measured in the guest's TCP clock (tcp_ticks, 500 ms
 * each): LEAK_TICKS of it past the storm, the longest of those
 * timeouts and a slow-timer period to spare; LEAK_WAIT_MS only stops
 * waiting for a guest whose clock no longer moves. */
#define LEAK_TICKS (2 * 22)
static void check_memory(long before)
{
    char text[2048];
    long now = -1, t0 = -1, ticks = -1;
    uint64_t start = now_ms(), end = start + LEAK_WAIT_MS;
    while (now_ms() < end) {
        now = stat_now("mem_objects", text, sizeof(text));
        ticks = stat_value(text, "tcp_ticks");
        if (t0 < 0) {
            t0 = ticks;
            fprintf(stderr, "netfuzz: right after: %ld objects,", now);
            print_pools(text);
        }
        if ((now >= 0 && now <= before) || ticks - t0 > LEAK_TICKS)
            break;
        link_pump(2000, NULL);
    }
    fprintf(stderr,
            "netfuzz: lwIP objects before %ld, after %ld (%.1f s, %.1f s "
            "of lwIP's TCP clock)\n",
            before, now, (double)(now_ms() - start) / 1000,
            (double)(ticks - t0) / 2);
    fprintf(stderr, "netfuzz: left:");
    print_pools(text);
    if (now < 0 || now > before) {
        fprintf(stderr, "%s", text);
        fail("lwIP's memory did not come back to its level before the storm");
    }
    if (stat_value(text, "asserts") != 0)
        fail("lwIP assertions failed (the guest's console names them)");
}

static void finish(void)
{
    const char *a = peer_tcp("QUIT\n", "BYE\n", 100);
    if (!a)
        fail("no answer to QUIT");
    int st = 0;
    for (int i = 0; i < 300 && waitpid(nf.pid, &st, WNOHANG) == 0; i++)
        usleep(100000);
    if (waitpid(nf.pid, &st, WNOHANG) == 0) {
        kill(nf.pid, SIGKILL);
        waitpid(nf.pid, &st, 0);
        fail("the guest did not stop after QUIT");
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fail("the guest did not exit with status 0");
    }
}

int main(int argc, char **argv)
{
    if (parse(argc, argv) < 0) {
        fprintf(stderr, "usage: netfuzz [-s SEED] [-t SECONDS] [-n FRAMES] "
                        "[-f SYNS] [-k KIND,...] [-v] -- COMMAND [ARG...]\n");
        return 2;
    }
    char dir[] = "/tmp/netfuzz.XXXXXX", path[64], spec[128];
    if (!mkdtemp(dir))
        return 2;
    snprintf(path, sizeof(path), "%s/link", dir);
    int lfd = link_listen(path);
    snprintf(spec, sizeof(spec),
             "stream,server=off,addr.type=unix,addr.path=%s", path);
    setenv("GORUMP_TEST_NETDEV", spec, 1);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)nf.seed);
    nf.pid = spawn(nf.cmd);
    if (lfd < 0 || link_accept(lfd, BOOT_MS) < 0) {
        fail("QEMU did not connect to the link");
        kill(nf.pid, SIGKILL);
        return 1;
    }
    unlink(path);
    rmdir(dir);
    link_set_rx(peer_rx);
    if (!await_guest()) {
        fail("the guest never answered ping and UDP");
        kill(nf.pid, SIGKILL);
        waitpid(nf.pid, NULL, 0);
        return 1;
    }
    guest_ll6();
    check_small_writes();
    long before = stat_now("mem_objects", NULL, 0);
    if (nf.flood && !synflood(nf.seed, nf.flood))
        fail("the SYN flood was not withstood");
    if (!storm()) {
        kill(nf.pid, SIGKILL);
        waitpid(nf.pid, NULL, 0);
        return 1;
    }
    peer_reset_half_open();
    if (!check_alive()) {
        kill(nf.pid, SIGKILL);
        waitpid(nf.pid, NULL, 0);
        return 1;
    }
    check_memory(before);
    if (peer_bad_frames)
        fail("the guest sent malformed frames");
    finish();
    if (nf.failed)
        return 1;
    fprintf(stderr, "netfuzz: seed %llu passed\n", (unsigned long long)nf.seed);
    return 0;
}
