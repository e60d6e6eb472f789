#include <string.h>
#include "template.h"

int render_template(const char *path, const char *name, FILE *out)
{
    char line[512];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        char *p = line, *hit;
        while ((hit = strstr(p, "{name}")) != NULL) {
            fwrite(p, 1, (size_t)(hit - p), out);
            fputs(name, out);
            p = hit + strlen("{name}");
        }
        fputs(p, out);
    }
    fclose(f);
    return 0;
}
