/* versions: print the versions of the libraries it links against. */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <zlib.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--versions") == 0) {
        printf("%s\n", curl_version());
        printf("zlib %s\n", zlibVersion());
    }
    const char *s = "hello";
    printf("crc32 of %s: %08lx\n", s, crc32(0L, (const unsigned char *)s, (unsigned)strlen(s)));
    return 0;
}
