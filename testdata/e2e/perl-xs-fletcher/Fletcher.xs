#define PERL_NO_GET_CONTEXT
#include "EXTERN.h"
#include "perl.h"
#include "XSUB.h"

#include <stdint.h>

static uint16_t fletcher16(const unsigned char *p, STRLEN len)
{
    uint32_t a = 0, b = 0;
    STRLEN i;
    for (i = 0; i < len; i++) {
        a = (a + p[i]) % 255;
        b = (b + a) % 255;
    }
    return (uint16_t)((b << 8) | a);
}

/* 16-bit little-endian words; an odd trailing byte is padded with zero */
static uint32_t fletcher32(const unsigned char *p, STRLEN len)
{
    uint64_t a = 0, b = 0;
    STRLEN i;
    for (i = 0; i < len; i += 2) {
        uint32_t w = p[i] | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        a = (a + w) % 65535;
        b = (b + a) % 65535;
    }
    return (uint32_t)((b << 16) | a);
}

MODULE = Digest::Fletcher    PACKAGE = Digest::Fletcher

PROTOTYPES: DISABLE

UV
fletcher16(SV *data)
  CODE:
    STRLEN len;
    const char *p = SvPVbyte(data, len);
    RETVAL = fletcher16((const unsigned char *)p, len);
  OUTPUT:
    RETVAL

UV
fletcher32(SV *data)
  CODE:
    STRLEN len;
    const char *p = SvPVbyte(data, len);
    RETVAL = fletcher32((const unsigned char *)p, len);
  OUTPUT:
    RETVAL
