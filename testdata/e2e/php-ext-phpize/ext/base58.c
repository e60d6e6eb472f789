/* base58: Bitcoin-alphabet base58 encoding for PHP. */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "ext/standard/info.h"
#include "php_base58.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

PHP_FUNCTION(base58_encode)
{
    zend_string *in, *out;
    const unsigned char *s;
    unsigned char *digits;
    size_t len, zeros = 0, size, i, j, high;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(in)
    ZEND_PARSE_PARAMETERS_END();

    s = (const unsigned char *)ZSTR_VAL(in);
    len = ZSTR_LEN(in);
    while (zeros < len && s[zeros] == 0)
        zeros++;
    size = (len - zeros) * 138 / 100 + 1; /* log(256) / log(58), rounded up */
    digits = ecalloc(size, 1);

    for (i = zeros, high = size - 1; i < len; i++, high = j) {
        int carry = s[i];
        for (j = size - 1; j > high || carry; j--) {
            carry += 256 * digits[j];
            digits[j] = carry % 58;
            carry /= 58;
            if (j == 0)
                break;
        }
    }
    for (j = 0; j < size && digits[j] == 0; j++)
        ;
    out = zend_string_alloc(zeros + size - j, 0);
    memset(ZSTR_VAL(out), '1', zeros);
    for (i = zeros; j < size; i++, j++)
        ZSTR_VAL(out)[i] = ALPHABET[digits[j]];
    ZSTR_VAL(out)[i] = '\0';
    efree(digits);
    RETURN_NEW_STR(out);
}

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_base58_encode, 0, 1, IS_STRING, 0)
    ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
ZEND_END_ARG_INFO()

static const zend_function_entry base58_functions[] = {
    PHP_FE(base58_encode, arginfo_base58_encode)
    PHP_FE_END
};

PHP_MINFO_FUNCTION(base58)
{
    php_info_print_table_start();
    php_info_print_table_header(2, "base58 support", "enabled");
    php_info_print_table_row(2, "version", PHP_BASE58_VERSION);
    php_info_print_table_end();
}

zend_module_entry base58_module_entry = {
    STANDARD_MODULE_HEADER,
    "base58",
    base58_functions,
    NULL, NULL, NULL, NULL,
    PHP_MINFO(base58),
    PHP_BASE58_VERSION,
    STANDARD_MODULE_PROPERTIES
};

#ifdef COMPILE_DL_BASE58
# ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
# endif
ZEND_GET_MODULE(base58)
#endif
