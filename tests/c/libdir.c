/*
 * tests/c/libdir.c — linked against libgreet.so (tests/c/greet.c) with no
 * run path, so its loader finds the library only by LD_LIBRARY_PATH:
 * natively as given, in gorump through --lib (tool/job.c, job_lib_env).
 * Prints the greeting and the variable as the program sees it.
 */
#include <stdio.h>
#include <stdlib.h>

const char *greet(int n);

int main(void)
{
    const char *path = getenv("LD_LIBRARY_PATH");

    printf("%s\n", greet(3));
    printf("LD_LIBRARY_PATH=%s\n", path ? path : "(unset)");
    printf("SUCCESS\n");
    return 0;
}
