#ifndef TOCK_CSQLITE_SHIM_H
#define TOCK_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a cast function pointer, which Swift cannot import.
static inline void (*tock_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }
#endif
