/* usbname: print the name of a USB device from its vendor:product id,
 * read from a table of "vvvv:pppp<TAB>name" lines. */
#include <stdio.h>
#include <string.h>

#ifndef IDS_FILE
#define IDS_FILE "/lib/udev/usbname.ids"
#endif

static int lookup(FILE *ids, const char *id)
{
	char line[512];
	size_t n = strlen(id);
	while (fgets(line, sizeof line, ids)) {
		if (line[0] == '#' || strncmp(line, id, n) != 0 || line[n] != '\t')
			continue;
		line[strcspn(line, "\n")] = '\0';
		printf("%s %s\n", id, line + n + 1);
		return 1;
	}
	printf("%s unknown\n", id);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		printf("usage: usbname VENDOR:PRODUCT...\n(ids from %s)\n", IDS_FILE);
		return argc < 2;
	}
	FILE *ids = fopen(IDS_FILE, "r");
	if (!ids) {
		perror(IDS_FILE);
		return 2;
	}
	int missing = 0;
	for (int i = 1; i < argc; i++) {
		rewind(ids);
		missing += !lookup(ids, argv[i]);
	}
	fclose(ids);
	return missing ? 1 : 0;
}
