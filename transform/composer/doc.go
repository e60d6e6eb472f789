// Package composer defines a transformer that keeps Composer's cache out
// of image layers.
//
// # Transformer composer
//
// composer: clear Composer's cache in the RUN that installs with composer
//
// Level: info.
//
// A cache left in a layer costs space, not correctness.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers in the stages that end up in
// an image. "composer install", "composer update" and "composer require"
// keep the archives they downloaded in Composer's cache (~/.cache/composer
// or ~/.composer/cache), and the layer keeps them. The fix appends " &&
// composer clear-cache" to the RUN, after its last command (through sudo
// when composer runs through sudo); clear-cache exists in every Composer
// release, where the --no-cache option does not. What is installed stays
// the same. hadolint has no code for this. Over the 4,356 Dockerfiles of
// the shared corpus the rule reports 3 such RUNs.
//
// Nothing is added when the command has --no-cache, when COMPOSER_CACHE_DIR
// is set on the command line, when the RUN already clears the cache after
// its last install (composer clear-cache or clearcache, an rm of a path
// with composer in it), or when it mounts a cache or tmpfs over a
// composer cache directory. A RUN that ends with exit, a background
// command or a here-document is reported without a fix.
//
// Before:
//
//	FROM composer:2 AS vendor
//	FROM php:8.3-fpm
//	COPY --from=vendor /usr/bin/composer /usr/bin/composer
//	RUN composer install --no-dev --optimize-autoloader
//
// After "dockmend fix":
//
//	RUN composer install --no-dev --optimize-autoloader && composer clear-cache
package composer
