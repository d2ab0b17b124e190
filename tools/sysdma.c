/* sysdma command-line tool (subcommands are added as the library grows). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        puts("sysdma 0.1.0");
        return 0;
    }
    fprintf(stderr, "usage: sysdma --version\n");
    return 2;
}
