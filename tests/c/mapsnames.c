/*
 * tests/c/mapsnames.c — the files /proc/self/maps names, each once, in
 * the order they first appear: for a dynamically linked program its own
 * path, its interpreter's real path (every symbolic link followed, as
 * Linux names the file exec opened) and the libraries the interpreter
 * mapped.  The run compares this with the native run's.
 */
#include <stdio.h>
#include <string.h>

int main(void)
{
    static char seen[64][512];
    char line[1024];
    int n = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    if (!f) {
        perror("/proc/self/maps");
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *path = strchr(line, '/');
        int i;
        if (!path)
            continue;
        path[strcspn(path, "\n")] = '\0';
        for (i = 0; i < n && strcmp(seen[i], path); i++)
            ;
        if (i == n && n < 64)
            snprintf(seen[n++], sizeof(seen[0]), "%s", path);
    }
    fclose(f);
    for (int i = 0; i < n; i++)
        puts(seen[i]);
    puts("SUCCESS");
    return 0;
}
