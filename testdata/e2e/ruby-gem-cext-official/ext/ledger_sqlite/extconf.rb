require "mkmf"

abort "libsqlite3 is missing (install libsqlite3-dev)" unless have_library("sqlite3", "sqlite3_open_v2")
abort "sqlite3.h is missing (install libsqlite3-dev)" unless have_header("sqlite3.h")

create_makefile("ledger/ledger_sqlite")
