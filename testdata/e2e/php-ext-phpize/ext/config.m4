PHP_ARG_ENABLE([base58],
  [whether to enable base58 support],
  [AS_HELP_STRING([--enable-base58], [Enable base58 support])],
  [no])

if test "$PHP_BASE58" != "no"; then
  AC_DEFINE(HAVE_BASE58, 1, [ Have base58 support ])
  PHP_NEW_EXTENSION(base58, base58.c, $ext_shared)
fi
