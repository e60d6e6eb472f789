/* Minimal SQLite binding for ledger-lite: Ledger::DB.new(path), #execute(sql, *params) -> rows. */
#include <ruby.h>
#include <sqlite3.h>

typedef struct { sqlite3 *db; } ldb;

static void ldb_free(void *p)
{
    ldb *d = p;
    if (d->db)
        sqlite3_close(d->db);
    xfree(d);
}

static const rb_data_type_t ldb_type = {"Ledger::DB", {NULL, ldb_free, NULL}, NULL, NULL, RUBY_TYPED_FREE_IMMEDIATELY};

static VALUE ldb_alloc(VALUE klass)
{
    ldb *d;
    return TypedData_Make_Struct(klass, ldb, &ldb_type, d);
}

static VALUE ldb_init(VALUE self, VALUE path)
{
    ldb *d;
    TypedData_Get_Struct(self, ldb, &ldb_type, d);
    if (sqlite3_open_v2(StringValueCStr(path), &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        rb_raise(rb_eIOError, "sqlite3_open: %s", sqlite3_errmsg(d->db));
    return self;
}

static VALUE ldb_execute(int argc, VALUE *argv, VALUE self)
{
    ldb *d;
    sqlite3_stmt *st;
    VALUE sql, rows = rb_ary_new();
    int i, rc, ncol;

    TypedData_Get_Struct(self, ldb, &ldb_type, d);
    rb_check_arity(argc, 1, UNLIMITED_ARGUMENTS);
    sql = argv[0];
    if (sqlite3_prepare_v2(d->db, StringValueCStr(sql), -1, &st, NULL) != SQLITE_OK)
        rb_raise(rb_eArgError, "sqlite3_prepare: %s", sqlite3_errmsg(d->db));
    for (i = 1; i < argc; i++) {
        VALUE v = argv[i];
        if (RB_INTEGER_TYPE_P(v))
            sqlite3_bind_int64(st, i, NUM2LL(v));
        else if (NIL_P(v))
            sqlite3_bind_null(st, i);
        else {
            VALUE s = rb_obj_as_string(v);
            sqlite3_bind_text(st, i, RSTRING_PTR(s), (int)RSTRING_LEN(s), SQLITE_TRANSIENT);
        }
    }
    ncol = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        VALUE row = rb_ary_new_capa(ncol);
        for (i = 0; i < ncol; i++) {
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER: rb_ary_push(row, LL2NUM(sqlite3_column_int64(st, i))); break;
            case SQLITE_NULL: rb_ary_push(row, Qnil); break;
            default: rb_ary_push(row, rb_utf8_str_new_cstr((const char *)sqlite3_column_text(st, i)));
            }
        }
        rb_ary_push(rows, row);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        rb_raise(rb_eRuntimeError, "sqlite3_step: %s", sqlite3_errmsg(d->db));
    return rows;
}

void Init_ledger_sqlite(void)
{
    VALUE mLedger = rb_define_module("Ledger");
    VALUE cDB = rb_define_class_under(mLedger, "DB", rb_cObject);
    rb_define_alloc_func(cDB, ldb_alloc);
    rb_define_method(cDB, "initialize", ldb_init, 1);
    rb_define_method(cDB, "execute", ldb_execute, -1);
    rb_define_const(mLedger, "SQLITE_VERSION", rb_str_new_cstr(sqlite3_libversion()));
}
