#ifndef PHP_BASE58_H
#define PHP_BASE58_H

extern zend_module_entry base58_module_entry;
#define phpext_base58_ptr &base58_module_entry

#define PHP_BASE58_VERSION "0.3.0"

#if defined(ZTS) && defined(COMPILE_DL_BASE58)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif
