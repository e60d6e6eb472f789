#ifndef TEMPLATE_H
#define TEMPLATE_H
#include <stdio.h>
/* render_template writes the file at path to out with every {name} replaced by name. */
int render_template(const char *path, const char *name, FILE *out);
#endif
