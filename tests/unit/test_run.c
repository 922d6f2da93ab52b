/*
 * tests/unit/test_run.c — `gorump run` and `gorump build` end to end
 * (tool/run.c, tool/build.c and all they call) with a fake QEMU and a fake
 * go: shell scripts that check what they were given and answer in the
 * console protocol.  Covers the image handed to QEMU (files, EXEPATH,
 * overrides of a built image), output relay, each exit status, the
 * timeout, a signal, `go build` of a directory, the network options on
 * QEMU's and the kernel's command lines, QEMU's stderr held back and then
 * relayed or explained (a -p host port in use), and that no temporary
 * file is left behind.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/console.h>
#include <gorump/image.h>

#include "build.h"
#include "check.h"
#include "elf_build.h"
#include "run.h"
#include "util.h"

static const char fake_qemu[] =
    "#!/bin/sh\n"
    "for a; do [ \"$prev\" = -initrd ] && img=$a; prev=$a; done\n"
    "[ -s \"$img\" ] || { echo 'fake qemu: no image' >&2; exit 9; }\n"
    "cp \"$img\" \"$FAKE_COPY\"\n"
    "case $FAKE_QEMU in\n"
    "exit) printf 'boot\\n\\0201out\\n\\0202err\\n\\020x\\003' ;;\n"
    "args) printf '\\0201'; printf '%s\\n' \"$@\"; printf '\\020x\\000' ;;\n"
    "hang) printf '\\0201partial'; exec sleep 30 ;;\n"
    "kmid) printf '\\0201partial \\020kkmsg\\n\\0201line\\n\\020x\\000' ;;\n"
    "signal) printf 'x'; kill -TERM $PPID; exec sleep 30 ;;\n"
    "fail) echo 'fake qemu: bad option' >&2; exit 1 ;;\n"
    "quiet) exit 0 ;;\n"
    "crash) kill -SEGV $$ ;;\n"
    "crashlate) printf '\\0201out\\n'; kill -ABRT $$ ;;\n"
    "noexit) printf 'H'; exit 3 ;;\n"
    "warn) echo 'qemu: warning: w' >&2; printf '\\0202boot\\n\\020x\\000' ;;\n"
    "warnhang) echo 'qemu: warning: w' >&2; exec sleep 30 ;;\n"
    "hostfwd)\n"
    "  for a; do [ \"$prev\" = -netdev ] && nd=$a; prev=$a; done\n"
    "  r=${nd#*hostfwd=}; r=${r%%,*}\n"
    "  echo \"qemu: -netdev $nd: Could not set up host forwarding rule '$r'\" "
    ">&2\n"
    "  exit 1 ;;\n"
    "esac\n";

static const char fake_go[] =
    "#!/bin/sh\n"
    "[ \"$CGO_ENABLED/$GOOS/$GOARCH\" = 0/linux/amd64 ] || exit 7\n"
    "[ \"$1 $2 $4 $#\" = 'build -o . 4' ] || exit 8\n"
    "[ \"$(pwd)\" = \"$FAKE_GO_DIR\" ] || exit 9\n"
    "case $FAKE_GO in\n"
    "ok) echo 'go says hi'; cp \"$FAKE_GO_PROG\" \"$3\" ;;\n"
    "fail) echo 'main.go:1: syntax error'; exit 1 ;;\n"
    "lib) echo '!<arch>' > \"$3\" ;;\n"
    "esac\n";

static char base[64], tmpdir[128], prog[128], copy[128];
static char out[65536], err[65536];

static void write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    CHECK(fd >= 0 && write_all(fd, text, strlen(text)) == 0);
    close(fd);
}

static void setup(void)
{
    struct elf_spec s = elf_sample_exec();
    char path[160];
    size_t len;
    uint8_t *f = elf_build(&s, &len);
    int fd;

    strcpy(base, "/tmp/gorump-test-run-XXXXXX");
    CHECK(mkdtemp(base) != NULL);
    snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", base);
    snprintf(prog, sizeof(prog), "%s/prog", base);
    snprintf(copy, sizeof(copy), "%s/image-copy", base);
    mkdir(tmpdir, 0700);
    fd = open(prog, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    CHECK(fd >= 0 && write_all(fd, f, len) == 0);
    close(fd);
    free(f);
    snprintf(path, sizeof(path), "%s/qemu", base);
    write_text(path, fake_qemu, 0755);
    setenv("GORUMP_QEMU", path, 1);
    snprintf(path, sizeof(path), "%s/go", base);
    write_text(path, fake_go, 0755);
    setenv("GO", path, 1);
    snprintf(path, sizeof(path), "%s/kernel.elf", base);
    write_text(path, "not really a kernel", 0644);
    setenv("GORUMP_KERNEL", path, 1);
    setenv("TMPDIR", tmpdir, 1);
    setenv("FAKE_COPY", copy, 1);
    setenv("FAKE_GO_PROG", prog, 1);
}

static void slurp(int fd, char *buf, size_t size)
{
    ssize_t n = pread(fd, buf, size - 1, 0);

    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* Runs `gorump CMD ARGV...` with stdout and stderr captured in out, err. */
static int command(int (*cmd)(int, char **), char **argv)
{
    int argc = 0, saved1 = dup(1), saved2 = dup(2), status;
    FILE *o = tmpfile(), *e = tmpfile();

    while (argv[argc] != NULL)
        argc++;
    fflush(stdout);
    fflush(stderr);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    status = cmd(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved1, 1);
    dup2(saved2, 2);
    close(saved1);
    close(saved2);
    slurp(dup(fileno(o)), out, sizeof(out));
    slurp(dup(fileno(e)), err, sizeof(err));
    fclose(o);
    fclose(e);
    return status;
}

/* A kernel message sent while the program is in the middle of a line
 * waits for the line to end: with stdout and stderr in one file (as go
 * test has them) it must not split the program's line. */
static void test_kernel_message_waits_for_line_end(void)
{
    char *argv[] = {"run", prog, NULL};
    int saved1 = dup(1), saved2 = dup(2), status;
    FILE *o = tmpfile();

    setenv("FAKE_QEMU", "kmid", 1);
    fflush(stdout);
    fflush(stderr);
    dup2(fileno(o), 1);
    dup2(fileno(o), 2);
    status = cmd_run(2, argv);
    dup2(saved1, 1);
    dup2(saved2, 2);
    close(saved1);
    close(saved2);
    slurp(dup(fileno(o)), out, sizeof(out));
    fclose(o);
    CHECK_EQ(status, 0);
    CHECK(strcmp(out, "partial line\nkmsg\n") == 0);
}

/* The tool left nothing in its TMPDIR. */
static int tmpdir_empty(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *de;
    int n = 0;

    while (d != NULL && (de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return d != NULL && n == 0;
}

#define RUN(...) command(cmd_run, (char *[]){"run", __VA_ARGS__, NULL})
#define BUILD(...) command(cmd_build, (char *[]){"build", __VA_ARGS__, NULL})

/* The image the fake QEMU was given, parsed into *g; free() the result. */
static uint8_t *copied_image(struct gorump_image *g)
{
    uint8_t *img = NULL;
    size_t len = 0;

    CHECK_EQ(read_file(copy, &img, &len), 0);
    CHECK_EQ(gorump_image_parse(img, len, g), 0);
    return img;
}

/* The guest paths of g's records, joined by spaces, into buf. */
static const char *record_paths(const struct gorump_image *g, char *buf,
                                size_t size)
{
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    size_t n = 0;

    buf[0] = '\0';
    while (gorump_image_next_file(g, &cursor, &f) == 1 && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%s%.*s", n ? " " : "",
                              (int)f.path_len, f.path);
    return buf;
}

static void test_exit_and_image(void)
{
    struct gorump_image g;
    uint8_t *img = NULL, *p = NULL;
    size_t len = 0, plen = 0;

    setenv("FAKE_QEMU", "exit", 1);
    setenv("GORUMP_TEST_HOST_VAR", "h v", 1);
    CHECK_EQ(RUN("-e", "A=1", "-e", "GORUMP_TEST_HOST_VAR", prog, "x", "-y"),
             3);
    CHECK(strcmp(out, "out\n") == 0);
    CHECK(strcmp(err, "boot\nerr\n") == 0);
    CHECK(tmpdir_empty());
    CHECK_EQ(read_file(copy, &img, &len), 0);
    CHECK_EQ(read_file(prog, &p, &plen), 0);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK(g.program_size == plen && memcmp(g.program, p, plen) == 0);
    CHECK(g.args_size == strlen(prog) + 6 &&
          memcmp(g.args + strlen(prog), "\0x\0-y\0", 6) == 0);
    /* The default environment, then the -e variables. */
    static const char env[] =
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0"
        "HOME=/root\0HOSTNAME=gorump\0A=1\0GORUMP_TEST_HOST_VAR=h v";
    CHECK(g.env_size == sizeof(env) && memcmp(g.env, env, sizeof(env)) == 0);
    CHECK(g.cwd != NULL && strcmp(g.cwd, "/") == 0);
    free(img);
    free(p);
}

static void test_qemu_args(void)
{
    setenv("FAKE_QEMU", "args", 1);
    setenv("GORUMP_KERNEL_ARGS", "k=v", 1);
    CHECK_EQ(RUN("-m", "1G", "--machine=q35", prog), 0);
    unsetenv("GORUMP_KERNEL_ARGS");
    CHECK(strncmp(out, "-M\nq35\n", 7) == 0); /* "$@" has no argv[0] */
    CHECK(strstr(out, "\n-m\n1024M\n") != NULL);
    CHECK(strstr(out, "\n-append\nk=v gorump.ip=10.0.2.15/24 ") != NULL);
    CHECK(strstr(out, "\n-serial\nchardev:con\n") != NULL);
}

static void test_net_args(void)
{
    setenv("FAKE_QEMU", "args", 1);
    CHECK_EQ(RUN("-p", "3000:3000", "-p", "0.0.0.0:53:53/udp", prog), 0);
    CHECK(strstr(out, "\n-netdev\nuser,id=net0,hostfwd=tcp:127.0.0.1:3000-:"
                      "3000,hostfwd=udp:0.0.0.0:53-:53\n-device\n"
                      "virtio-net-device,netdev=net0\n") != NULL);
    CHECK(strstr(out, "\n-append\ngorump gorump.ip=10.0.2.15/24 "
                      "gorump.gw=10.0.2.2 gorump.dns=10.0.2.3\n") != NULL);
    CHECK(err[0] == '\0');
    setenv("GORUMP_KERNEL_ARGS", "k=v", 1);
    CHECK_EQ(RUN("--machine", "q35", "--ip", "10.0.2.15/24", "--gateway",
                 "10.0.2.2", "--dns", "10.0.2.3", prog),
             0);
    unsetenv("GORUMP_KERNEL_ARGS");
    CHECK(strstr(out, "\n-append\nk=v gorump.ip=10.0.2.15/24 gorump.gw="
                      "10.0.2.2 gorump.dns=10.0.2.3\n") != NULL);
    CHECK(strstr(out, "\nvirtio-net-pci,netdev=net0,romfile=\n") != NULL);
    CHECK_EQ(RUN("--net", "none", prog), 0);
    CHECK(strstr(out, "-netdev") == NULL && strstr(out, "virtio-net") == NULL);
    /* The console's port, on fd 3, unless GORUMP_CONSOLE=serial. */
    CHECK(strstr(out, "\n-chardev\nsocket,id=port,fd=3\n-device\n"
                      "virtio-serial-device\n-device\n"
                      "virtserialport,chardev=port,nr=1\n") != NULL);
    setenv("GORUMP_CONSOLE", "serial", 1);
    CHECK_EQ(RUN("--net", "none", prog), 0);
    unsetenv("GORUMP_CONSOLE");
    CHECK(strstr(out, "virtio") == NULL);
    CHECK_EQ(RUN("--net", "tap:tap7", prog), 0);
    CHECK(strstr(out, "\n-netdev\ntap,id=net0,ifname=tap7,script=no,"
                      "downscript=no\n") != NULL);
    CHECK(strcmp(err, "gorump: warning: --net tap:tap7 without --ip: the "
                      "guest will try DHCP on the tap network (and wait up "
                      "to 5 s for it)\n") == 0);
    CHECK_EQ(RUN("--net", "tap:tap7", "--ip", "192.168.9.2/24", prog), 0);
    CHECK(err[0] == '\0');
    CHECK_EQ(RUN("--net", "none", "-p", "1:1", prog), GORUMP_STATUS_FAILURE);
    CHECK(strcmp(err, "gorump: run: -p 1:1 needs --net user (QEMU forwards "
                      "host ports only with user networking)\nTry 'gorump "
                      "run --help'.\n") == 0);
    CHECK(tmpdir_empty());
}

/* A TCP socket bound to a free port of 127.0.0.1 (and that port). */
static int bound_socket(unsigned *port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    socklen_t len = sizeof(sin);
    int s = socket(AF_INET, SOCK_STREAM, 0);

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(s >= 0 && bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
    CHECK(listen(s, 1) == 0);
    CHECK(getsockname(s, (struct sockaddr *)&sin, &len) == 0);
    *port = ntohs(sin.sin_port);
    return s;
}

/* QEMU's stderr: explained when it refuses a -p rule, else shown. */
static void test_qemu_stderr(void)
{
    char spec[32], want[256];
    unsigned port;
    int s = bound_socket(&port);

    snprintf(spec, sizeof(spec), "%u:80", port);
    setenv("FAKE_QEMU", "hostfwd", 1);
    CHECK_EQ(RUN("-p", spec, prog), GORUMP_STATUS_FAILURE);
    snprintf(want, sizeof(want),
             "gorump: -p %u:80: host port %u is in use (choose another: "
             "-p HOSTPORT:80)\n",
             port, port);
    CHECK(strcmp(err, want) == 0);
    CHECK(out[0] == '\0');
    close(s);
    CHECK_EQ(RUN("-p", spec, prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "(it was busy then, free now)\n") != NULL);
    setenv("FAKE_QEMU", "warn", 1);
    CHECK_EQ(RUN(prog), 0);
    CHECK(strcmp(err, "qemu: warning: w\nboot\n") == 0);
    setenv("FAKE_QEMU", "warnhang", 1);
    CHECK_EQ(RUN("--timeout", "2.5", prog), GORUMP_STATUS_TIMEOUT);
    CHECK(strcmp(err, "qemu: warning: w\ngorump: timed out after 2.5 s\n") ==
          0);
    CHECK(tmpdir_empty());
}

static void test_failures(void)
{
    setenv("FAKE_QEMU", "fail", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "fake qemu: bad option\n") != NULL);
    CHECK(strstr(err, "failed before the guest started (exit status 1)"));
    setenv("FAKE_QEMU", "crash", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "died by signal 11 (SIGSEGV) before the guest said "
                      "anything\n") != NULL);
    setenv("FAKE_QEMU", "crashlate", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_FAILURE);
    CHECK(strcmp(out, "out\n") == 0);
    CHECK(strstr(err, "died by signal 6 (SIGABRT) while the guest ran\n") !=
          NULL);
    setenv("FAKE_QEMU", "quiet", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_PANIC);
    setenv("FAKE_QEMU", "noexit", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_PANIC);
    CHECK(strcmp(err, "H\ngorump: guest stopped without an exit status "
                      "(triple fault?)\n") == 0);
    CHECK(tmpdir_empty());
}

static void test_timeout_and_signal(void)
{
    setenv("FAKE_QEMU", "hang", 1);
    CHECK_EQ(RUN("--timeout", "1.5", prog), GORUMP_STATUS_TIMEOUT);
    CHECK(strcmp(out, "partial") == 0);
    CHECK(strcmp(err, "\ngorump: timed out after 1.5 s\n") == 0);
    setenv("FAKE_QEMU", "signal", 1);
    CHECK_EQ(RUN(prog), 128 + SIGTERM);
    CHECK(tmpdir_empty());
}

static void test_bad_program(void)
{
    char text[160];

    CHECK_EQ(RUN("/nonexistent/prog"), GORUMP_STATUS_FAILURE);
    CHECK(strcmp(err, "gorump: /nonexistent/prog: No such file or "
                      "directory\n") == 0);
    snprintf(text, sizeof(text), "%s/kernel.elf", base);
    CHECK_EQ(RUN(text), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, ": not an ELF file\n") != NULL);
    CHECK_EQ(RUN("/dev/null"), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "/dev/null: not a regular file\n") != NULL);
    CHECK_EQ(RUN("--bogus", prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "unknown option '--bogus'") != NULL);
    CHECK_EQ(RUN("--help"), 0);
    CHECK(strstr(out, "Usage: gorump run") != NULL);
    setenv("GORUMP_KERNEL", "/nonexistent/kernel.elf", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "/nonexistent/kernel.elf: No such file") != NULL);
    snprintf(text, sizeof(text), "%s/kernel.elf", base);
    setenv("GORUMP_KERNEL", text, 1);
    setenv("GORUMP_QEMU", "/nonexistent/qemu", 1);
    CHECK_EQ(RUN(prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "/nonexistent/qemu") != NULL);
    snprintf(text, sizeof(text), "%s/qemu", base);
    setenv("GORUMP_QEMU", text, 1);
    CHECK(tmpdir_empty());
}

/* The EXEPATH of the image QEMU got is PREFIX + SUFFIX. */
static void check_exe_path(const char *prefix, const char *suffix)
{
    struct gorump_image g;
    uint8_t *img = copied_image(&g);
    char want[256];

    snprintf(want, sizeof(want), "%s%s", prefix, suffix);
    CHECK(g.exe_path != NULL && strcmp(g.exe_path, want) == 0);
    free(img);
}

static void test_go_build(void)
{
    char dir[160];

    snprintf(dir, sizeof(dir), "%s/pkg", base);
    mkdir(dir, 0755);
    setenv("FAKE_GO_DIR", dir, 1);
    setenv("FAKE_QEMU", "exit", 1);
    setenv("FAKE_GO", "ok", 1);
    CHECK_EQ(RUN(dir, "arg"), 3);
    CHECK(strcmp(out, "out\n") == 0);
    CHECK(strcmp(err, "go says hi\nboot\nerr\n") == 0);
    check_exe_path(dir, "/pkg");
    setenv("FAKE_GO", "fail", 1);
    CHECK_EQ(RUN(dir), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "syntax error\n") != NULL);
    CHECK(strstr(err, "/pkg: go build failed\n") != NULL);
    CHECK(out[0] == '\0');
    setenv("FAKE_GO", "lib", 1);
    CHECK_EQ(RUN(dir), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "/pkg: go build made no program") != NULL);
    CHECK(tmpdir_empty());
    rmdir(dir);
}

/* A small tree to pack: base/tree/{a, sub/b}. */
static void make_tree(void)
{
    char path[160];

    snprintf(path, sizeof(path), "%s/tree", base);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/tree/sub", base);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/tree/a", base);
    write_text(path, "file a", 0644);
    snprintf(path, sizeof(path), "%s/tree/sub/b", base);
    write_text(path, "file b", 0600);
}

static void test_files(void)
{
    struct gorump_image g;
    char dir[160], file[160], paths[512], saved[4096];
    uint8_t *img;

    snprintf(dir, sizeof(dir), "%s/tree:/data", base);
    snprintf(file, sizeof(file), "%s/tree/a:/etc/a.conf", base);
    setenv("FAKE_QEMU", "exit", 1);
    CHECK_EQ(RUN("--dir", dir, "--file", file, "--cwd", "/data/", prog), 3);
    img = copied_image(&g);
    CHECK(strcmp(record_paths(&g, paths, sizeof(paths)),
                 "/data /data/a /data/sub /data/sub/b /etc/a.conf") == 0);
    CHECK(g.cwd != NULL && strcmp(g.cwd, "/data") == 0);
    CHECK(g.exe_path != NULL && strcmp(g.exe_path, prog) == 0);
    free(img);
    CHECK(getcwd(saved, sizeof(saved)) != NULL);
    CHECK_EQ(chdir(base), 0);
    CHECK_EQ(RUN("--dir", "tree/sub", "./tmp/../prog"), 3);
    CHECK_EQ(chdir(saved), 0);
    img = copied_image(&g);
    snprintf(file, sizeof(file), "%s/tree/sub %s/tree/sub/b", base, base);
    CHECK(strcmp(record_paths(&g, paths, sizeof(paths)), file) == 0);
    CHECK(g.exe_path != NULL && strcmp(g.exe_path, prog) == 0);
    CHECK(g.args_size > 13 && strcmp(g.args, "./tmp/../prog") == 0);
    free(img);
    CHECK_EQ(RUN("--dir", "/nonexistent", prog), GORUMP_STATUS_FAILURE);
    CHECK(strcmp(err, "gorump: /nonexistent: No such file or directory\n") ==
          0);
    CHECK_EQ(RUN("--file", "/nonexistent:/x", prog), GORUMP_STATUS_FAILURE);
    CHECK_EQ(RUN("--cwd", "data", prog), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "gorump: run: --cwd: 'data': not an absolute path\n"));
    CHECK(tmpdir_empty());
}

/* No ".NAME.XXXXXX" temporary left in base by build. */
static int no_build_temp(void)
{
    DIR *d = opendir(base);
    struct dirent *de;
    int n = 0;

    while (d != NULL && (de = readdir(d)) != NULL)
        n += de->d_name[0] == '.' && strlen(de->d_name) > 2;
    if (d != NULL)
        closedir(d);
    return n == 0;
}

/* build, then run the image as it is and with each kind of override. */
static void test_build_and_run_image(void)
{
    struct gorump_image g;
    char image[160], dir[160], file[160], paths[512], want[256];
    uint8_t *img;

    snprintf(image, sizeof(image), "%s/app.img", base);
    snprintf(dir, sizeof(dir), "%s/tree:/data", base);
    snprintf(file, sizeof(file), "%s/tree/a:/data/new", base);
    CHECK_EQ(BUILD("-o", image, "--env-clear", "-e", "A=1", "-e", "B=2",
                   "--dir", dir, "--cwd", "/data", prog, "x", "y"),
             0);
    CHECK(out[0] == '\0' && err[0] == '\0' && no_build_temp());
    setenv("FAKE_QEMU", "args", 1);
    CHECK_EQ(RUN(image), 0); /* booted as it is */
    snprintf(want, sizeof(want), "\n-initrd\n%s\n", image);
    CHECK(strstr(out, want) != NULL);
    setenv("FAKE_QEMU", "exit", 1);
    CHECK_EQ(
        RUN("-e", "B=3", "-e", "C=4", "--cwd", "/", "--file", file, image, "z"),
        3);
    img = copied_image(&g);
    snprintf(want, sizeof(want), "%s%cz", prog, 0);
    CHECK(g.args_size == strlen(prog) + 3 &&
          memcmp(g.args, want, g.args_size) == 0);
    CHECK(g.env_size == 12 && memcmp(g.env, "A=1\0B=3\0C=4\0", 12) == 0);
    CHECK(g.cwd != NULL && strcmp(g.cwd, "/") == 0);
    CHECK(g.exe_path != NULL && strcmp(g.exe_path, prog) == 0);
    CHECK(strcmp(record_paths(&g, paths, sizeof(paths)),
                 "/data /data/a /data/sub /data/sub/b /data/new") == 0);
    free(img);
    /* --env-clear drops the stored environment. */
    CHECK_EQ(RUN("--env-clear", "-e", "Z=9", image), 3);
    img = copied_image(&g);
    CHECK(g.env_size == 4 && memcmp(g.env, "Z=9\0", 4) == 0);
    free(img);
    CHECK(tmpdir_empty());
}

static void test_bad_image(void)
{
    char image[160], bad[160], cmd[600];

    snprintf(image, sizeof(image), "%s/app.img", base);
    snprintf(bad, sizeof(bad), "%s/bad.img", base);
    snprintf(cmd, sizeof(cmd),
             "cp '%s' '%s' && printf x | dd of='%s' bs=1 seek=100 "
             "conv=notrunc 2>/dev/null",
             image, bad, bad);
    CHECK(system(cmd) == 0);
    CHECK_EQ(RUN(bad), GORUMP_STATUS_FAILURE);
    snprintf(cmd, sizeof(cmd),
             "gorump: %s: the image is corrupt (checksum mismatch)\n", bad);
    CHECK(strcmp(err, cmd) == 0);
    CHECK_EQ(BUILD("-o", image, bad), GORUMP_STATUS_FAILURE);
    CHECK(strcmp(err, cmd) == 0);
    snprintf(cmd, sizeof(cmd), "truncate -s 20 '%s'", bad);
    CHECK(system(cmd) == 0);
    CHECK_EQ(RUN(bad), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, ": the image is truncated") != NULL);
    unlink(bad);
}

static void test_build_outputs(void)
{
    char saved[4096], path[160];
    mode_t mask = umask(0);
    struct stat st;

    umask(mask);
    CHECK(getcwd(saved, sizeof(saved)) != NULL);
    CHECK_EQ(chdir(base), 0);
    CHECK_EQ(BUILD("./prog"), 0);
    CHECK_EQ(stat("prog.img", &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0666 & ~mask); /* not mkstemp's 0600 */
    setenv("FAKE_GO", "ok", 1);
    snprintf(path, sizeof(path), "%s/pkg", base);
    mkdir(path, 0755);
    setenv("FAKE_GO_DIR", path, 1);
    CHECK_EQ(BUILD("pkg/"), 0);
    CHECK(strcmp(err, "go says hi\n") == 0);
    CHECK_EQ(stat("pkg.img", &st), 0);
    rmdir(path);
    CHECK_EQ(BUILD("-o", "fail.img", "--dir", "/nonexistent", "prog"),
             GORUMP_STATUS_FAILURE);
    CHECK(stat("fail.img", &st) != 0 && no_build_temp());
    CHECK_EQ(BUILD("-o", "/nonexistent/x.img", "prog"), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "gorump: /nonexistent/x.img: cannot create a "
                      "temporary file beside it: No such file") != NULL);
    CHECK_EQ(BUILD("-m", "64", "prog"), GORUMP_STATUS_FAILURE);
    CHECK(strstr(err, "build: unknown option '-m'\nTry 'gorump build "
                      "--help'.\n") != NULL);
    CHECK_EQ(BUILD("--help"), 0);
    CHECK(strncmp(out, "Usage: gorump build", 19) == 0);
    CHECK_EQ(chdir(saved), 0);
    CHECK(tmpdir_empty());
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    setup();
    test_exit_and_image();
    test_kernel_message_waits_for_line_end();
    test_qemu_args();
    test_net_args();
    test_qemu_stderr();
    test_failures();
    test_timeout_and_signal();
    test_bad_program();
    test_go_build();
    make_tree();
    test_files();
    test_build_and_run_image();
    test_bad_image();
    test_build_outputs();
    teardown();
    return check_done();
}
