/* greetd: prints greetings from templates, configured by a libconfig file. */
#include <errno.h>
#include <getopt.h>
#include <libconfig.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "template.h"

static void usage(void)
{
    fprintf(stderr, "usage: greetd [--config FILE] [--template NAME] [--once] NAME...\n");
}

int main(int argc, char **argv)
{
    const char *cfgpath = CONFIG_PATH, *tmpl = NULL, *sig = "";
    int once = 0, repeat = 1, c, i, r;
    config_t cfg;
    struct passwd *pw;
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"template", required_argument, NULL, 't'},
        {"once", no_argument, NULL, '1'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    while ((c = getopt_long(argc, argv, "c:t:1h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cfgpath = optarg; break;
        case 't': tmpl = optarg; break;
        case '1': once = 1; break;
        default: usage(); return c == 'h' ? 0 : 2;
        }
    }

    config_init(&cfg);
    if (config_read_file(&cfg, cfgpath) != CONFIG_TRUE) {
        fprintf(stderr, "greetd: %s:%d: %s\n", config_error_file(&cfg) ? config_error_file(&cfg) : cfgpath,
                config_error_line(&cfg), config_error_text(&cfg));
        config_destroy(&cfg);
        return 1;
    }
    if (!tmpl)
        config_lookup_string(&cfg, "greetd.template", &tmpl);
    config_lookup_int(&cfg, "greetd.repeat", &repeat);
    config_lookup_string(&cfg, "greetd.signature", &sig);
    if (once)
        repeat = 1;

    pw = getpwuid(getuid());
    printf("greetd %d.%d.%d (libconfig) as %s, config %s\n", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR,
           LIBCONFIG_VER_REVISION, pw ? pw->pw_name : "?", cfgpath);

    for (i = optind; i < argc; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/templates/%s.tmpl", DATADIR, tmpl ? tmpl : "formal");
        for (r = 0; r < repeat; r++) {
            if (render_template(path, argv[i], stdout) != 0) {
                fprintf(stderr, "greetd: template %s: %s\n", path, strerror(errno));
                config_destroy(&cfg);
                return 1;
            }
        }
    }
    if (*sig)
        puts(sig);
    config_destroy(&cfg);
    return 0;
}
