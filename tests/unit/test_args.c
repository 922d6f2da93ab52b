/*
 * tests/unit/test_args.c — `gorump run` option parsing (tool/args.c): every
 * option in every form, the defaults, where options stop, and each error.
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "check.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})

/* Parses the NULL-terminated argv V. */
static int parse(struct run_args *a, char **v)
{
    int n = 0;

    while (v[n] != NULL)
        n++;
    return run_args_parse(a, n, v);
}

static void test_defaults(void)
{
    struct run_args a;
    char **v;

    v = ARGV("prog");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 256);
    CHECK_EQ(a.timeout_ms, 0);
    CHECK_EQ(a.machine, RUN_MACHINE_MICROVM);
    CHECK(a.kernel == NULL);
    CHECK(strcmp(a.program, "prog") == 0);
    CHECK_EQ(a.nargs, 0);
    CHECK_EQ(a.nenv, 0);
    run_args_free(&a);
}

static void test_forms(void)
{
    struct run_args a;
    char **v;

    v = ARGV("-m", "512", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 512);
    run_args_free(&a);
    v = ARGV("-m1G", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 1024);
    run_args_free(&a);
    v = ARGV("--memory=2g", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 2048);
    run_args_free(&a);
    v = ARGV("--memory", "16384K", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 16);
    run_args_free(&a);
    v = ARGV("--timeout", "2.5", "--machine", "q35", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.timeout_ms, 2500);
    CHECK_EQ(a.machine, RUN_MACHINE_Q35);
    run_args_free(&a);
    v = ARGV("--timeout=7", "--machine=microvm", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.timeout_ms, 7000);
    CHECK_EQ(a.machine, RUN_MACHINE_MICROVM);
    run_args_free(&a);
    v = ARGV("--kernel", "/k", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.kernel != NULL && strcmp(a.kernel, "/k") == 0);
    run_args_free(&a);
    v = ARGV("--kernel=/k2", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.kernel != NULL && strcmp(a.kernel, "/k2") == 0);
    run_args_free(&a);
}

static void test_env(void)
{
    struct run_args a;
    char **v;

    setenv("GORUMP_TEST_VAR", "from host", 1);
    v = ARGV("-e", "A=1", "-eB=2", "--env=C=", "--env", "D=x=y", "-e",
             "GORUMP_TEST_VAR", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.nenv, 5);
    if (a.nenv == 5) {
        CHECK(strcmp(a.env[0], "A=1") == 0);
        CHECK(strcmp(a.env[1], "B=2") == 0);
        CHECK(strcmp(a.env[2], "C=") == 0);
        CHECK(strcmp(a.env[3], "D=x=y") == 0);
        CHECK(strcmp(a.env[4], "GORUMP_TEST_VAR=from host") == 0);
    }
    run_args_free(&a);
    unsetenv("GORUMP_TEST_VAR");
    v = ARGV("-e", "GORUMP_TEST_VAR", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "GORUMP_TEST_VAR is not set") != NULL);
    run_args_free(&a);
    v = ARGV("-e", "=v", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "empty variable name") != NULL);
    run_args_free(&a);
}

/* Options end at PROGRAM or "--"; everything after PROGRAM is its own. */
static void test_program_args(void)
{
    struct run_args a;
    char **v;

    v = ARGV("-m", "64", "prog", "-m", "--help", "--", "x");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.program, "prog") == 0);
    CHECK_EQ(a.mem_mib, 64);
    CHECK_EQ(a.nargs, 4);
    if (a.nargs == 4) {
        CHECK(strcmp(a.args[0], "-m") == 0);
        CHECK(strcmp(a.args[1], "--help") == 0);
        CHECK(strcmp(a.args[2], "--") == 0);
        CHECK(strcmp(a.args[3], "x") == 0);
    }
    run_args_free(&a);
    v = ARGV("--", "-weird", "a");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.program, "-weird") == 0);
    CHECK_EQ(a.nargs, 1);
    run_args_free(&a);
    v = ARGV("-");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.program, "-") == 0);
    run_args_free(&a);
}

static void test_help(void)
{
    struct run_args a;
    char **v;

    v = ARGV("--help");
    CHECK_EQ(parse(&a, v), RUN_ARGS_HELP);
    run_args_free(&a);
    v = ARGV("-h", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_HELP);
    run_args_free(&a);
    v = ARGV("p", "-h");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    run_args_free(&a);
}

/* Each bad command line fails with a message naming what is wrong. */
static void expect_error(char **v, const char *needle)
{
    struct run_args a;

    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    if (strstr(a.err, needle) == NULL) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", a.err, needle);
        CHECK(0);
    }
    run_args_free(&a);
}

static void test_errors(void)
{
    struct run_args a;

    CHECK_EQ(run_args_parse(&a, 1, ARGV("x")), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "missing PROGRAM") != NULL);
    run_args_free(&a);
    expect_error(ARGV("-m", "64"), "missing PROGRAM");
    expect_error(ARGV("--"), "missing PROGRAM");
    expect_error(ARGV("--frob", "p"), "unknown option '--frob'");
    expect_error(ARGV("-x", "p"), "unknown option '-x'");
    expect_error(ARGV("-hx", "p"), "unknown option '-hx'");
    expect_error(ARGV("--=1", "p"), "unknown option '--=1'");
    expect_error(ARGV("--help=yes", "p"), "takes no value");
    expect_error(ARGV("-m"), "'-m' needs a value");
    expect_error(ARGV("--timeout"), "'--timeout' needs a value");
    expect_error(ARGV("--kernel="), "needs a non-empty value");
    expect_error(ARGV("-m", "lots", "p"), "invalid memory size 'lots'");
    expect_error(ARGV("-m", "7M", "p"), "invalid memory size '7M'");
    expect_error(ARGV("-m", "65G", "p"), "invalid memory size");
    expect_error(ARGV("--timeout", "0", "p"), "invalid number of seconds");
    expect_error(ARGV("--timeout=-1", "p"), "invalid number of seconds");
    expect_error(ARGV("--machine", "pc", "p"), "unknown machine 'pc'");
}

static void test_mem(void)
{
    uint64_t m = 0;

    CHECK(args_parse_mem("8", &m) == 0 && m == 8);
    CHECK(args_parse_mem("8M", &m) == 0 && m == 8);
    CHECK(args_parse_mem("8192k", &m) == 0 && m == 8);
    CHECK(args_parse_mem("8193K", &m) == 0 && m == 9); /* rounded up */
    CHECK(args_parse_mem("64G", &m) == 0 && m == 65536);
    CHECK(args_parse_mem("65536", &m) == 0 && m == 65536);
    CHECK(args_parse_mem("65537", &m) != 0);
    CHECK(args_parse_mem("8191K", &m) != 0);
    CHECK(args_parse_mem("0", &m) != 0);
    CHECK(args_parse_mem("", &m) != 0);
    CHECK(args_parse_mem("M", &m) != 0);
    CHECK(args_parse_mem("-8M", &m) != 0);
    CHECK(args_parse_mem("8MB", &m) != 0);
    CHECK(args_parse_mem("8T", &m) != 0);
    CHECK(args_parse_mem("1.5G", &m) != 0);
    CHECK(args_parse_mem(" 8M", &m) != 0);
    CHECK(args_parse_mem("99999999999999999999999", &m) != 0);
    CHECK(args_parse_mem("18014398509481984G", &m) != 0); /* 2^54 G wraps */
}

static void test_seconds(void)
{
    uint64_t ms = 0;
    char buf[32];

    CHECK(args_parse_seconds("1", &ms) == 0 && ms == 1000);
    CHECK(args_parse_seconds("0.5", &ms) == 0 && ms == 500);
    CHECK(args_parse_seconds(".25", &ms) == 0 && ms == 250);
    CHECK(args_parse_seconds("3.", &ms) == 0 && ms == 3000);
    CHECK(args_parse_seconds("0.0001", &ms) == 0 && ms == 1);
    CHECK(args_parse_seconds("1.0009", &ms) == 0 && ms == 1001);
    CHECK(args_parse_seconds("1.000", &ms) == 0 && ms == 1000);
    CHECK(args_parse_seconds("1000000000", &ms) == 0);
    CHECK(args_parse_seconds("1000000001", &ms) != 0);
    CHECK(args_parse_seconds("0", &ms) != 0);
    CHECK(args_parse_seconds("0.000", &ms) != 0);
    CHECK(args_parse_seconds("", &ms) != 0);
    CHECK(args_parse_seconds(".", &ms) != 0);
    CHECK(args_parse_seconds("1e3", &ms) != 0);
    CHECK(args_parse_seconds("inf", &ms) != 0);
    CHECK(args_parse_seconds("nan", &ms) != 0);
    CHECK(args_parse_seconds("0x10", &ms) != 0);
    CHECK(args_parse_seconds("-1", &ms) != 0);
    CHECK(args_parse_seconds("1s", &ms) != 0);
    args_format_seconds(30000, buf, sizeof(buf));
    CHECK(strcmp(buf, "30") == 0);
    args_format_seconds(2500, buf, sizeof(buf));
    CHECK(strcmp(buf, "2.5") == 0);
    args_format_seconds(1, buf, sizeof(buf));
    CHECK(strcmp(buf, "0.001") == 0);
}

int main(void)
{
    test_defaults();
    test_forms();
    test_env();
    test_program_args();
    test_help();
    test_errors();
    test_mem();
    test_seconds();
    return check_done();
}
