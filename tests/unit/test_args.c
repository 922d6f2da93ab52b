/*
 * tests/unit/test_args.c — `gorump run` and `gorump build` option parsing
 * (tool/args.c, tool/args_files.c): every option in every form, the
 * defaults, where options stop, which command has which option, the guest
 * path options, and each error.
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "check.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define BUILD(...) ((char *[]){"build", __VA_ARGS__, NULL})

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
    CHECK_EQ(a.npack, 0);
    CHECK(a.cwd == NULL && a.output == NULL);
    CHECK(strcmp(a.cmd, "run") == 0);
    CHECK(!run_args_edit_image(&a));
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
    expect_error(ARGV("--kernel="), "run: option '--kernel='");
}

/* The --dir, --file and --cwd values: split at the last ':', guest paths
 * normalised. */
static void test_files(void)
{
    struct run_args a;
    char **v;

    v = ARGV("--dir", "data", "--dir=/h:/g//x/", "--file", "a:b:/etc/./f",
             "--cwd=/app/", "--dir", "/tmp:/", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.npack, 4);
    if (a.npack == 4) {
        CHECK(strcmp(a.pack[0].host, "data") == 0 && a.pack[0].guest == NULL);
        CHECK(a.pack[0].is_dir);
        CHECK(strcmp(a.pack[1].host, "/h") == 0);
        CHECK(strcmp(a.pack[1].guest, "/g/x") == 0);
        CHECK(strcmp(a.pack[2].host, "a:b") == 0 && !a.pack[2].is_dir);
        CHECK(strcmp(a.pack[2].guest, "/etc/f") == 0);
        CHECK(strcmp(a.pack[3].guest, "/") == 0);
    }
    CHECK(a.cwd != NULL && strcmp(a.cwd, "/app") == 0);
    CHECK(run_args_edit_image(&a));
    run_args_free(&a);
    v = ARGV("--cwd", "/", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.cwd, "/") == 0 && run_args_edit_image(&a));
    run_args_free(&a);
}

static void test_files_errors(void)
{
    char name[300], path[310];

    expect_error(ARGV("--dir", "d:rel", "p"), "--dir: 'rel': not an absolute");
    expect_error(ARGV("--dir", "d:", "p"), "--dir: empty guest path in 'd:'");
    expect_error(ARGV("--dir", ":/x", "p"), "--dir: empty host path");
    expect_error(ARGV("--file", "f", "p"),
                 "--file: 'f' names no guest path (want --file "
                 "HOSTFILE:GUESTPATH)");
    expect_error(ARGV("--file", "f:x/y", "p"), "--file: 'x/y': not an abs");
    expect_error(ARGV("--file", "f:/a/..", "p"), "guest path cannot be /");
    expect_error(ARGV("--cwd", "tmp", "p"), "--cwd: 'tmp': not an absolute");
    expect_error(ARGV("--cwd", "/a", "--cwd=/b", "p"), "--cwd given twice");
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(path, sizeof(path), "f:/%s", name);
    expect_error(ARGV("--file", path, "p"), "file name too long");
    expect_error(BUILD("--dir"), "build: option '--dir' needs a value");
}

/* build has -o and the image options; run's VM options are run's only. */
static void test_build(void)
{
    struct run_args a;
    char **v;

    v = BUILD("-o", "x.img", "-e", "A=1", "--dir=/d", "prog", "arg");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.cmd, "build") == 0);
    CHECK(a.output != NULL && strcmp(a.output, "x.img") == 0);
    CHECK(a.nenv == 1 && a.npack == 1 && a.nargs == 1);
    run_args_free(&a);
    v = BUILD("--output=y.img", "prog");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.output, "y.img") == 0);
    run_args_free(&a);
    v = BUILD("--help");
    CHECK_EQ(parse(&a, v), RUN_ARGS_HELP);
    run_args_free(&a);
    expect_error(BUILD("-m", "64", "p"), "build: unknown option '-m'");
    expect_error(BUILD("--timeout=1", "p"), "unknown option '--timeout=1'");
    expect_error(BUILD("--kernel=k", "p"), "unknown option");
    expect_error(BUILD("--machine=q35", "p"), "unknown option");
    expect_error(ARGV("-o", "x", "p"), "run: unknown option '-o'");
    expect_error(BUILD("-o"), "'-o' needs a value");
    expect_error(BUILD("-e", "A=1"), "build: missing PROGRAM");
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
    test_files();
    test_files_errors();
    test_build();
    test_mem();
    test_seconds();
    return check_done();
}
