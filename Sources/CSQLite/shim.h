#ifndef TOCK_CSQLITE_SHIM_H
#define TOCK_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a cast function pointer, which Swift cannot import.
static inline void (*tock_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. SQLite's memory statistics take a global mutex around every
// allocation and free, on every connection; Tock never reads them. Only takes effect before SQLite initializes
// (the first connection opened), and answers SQLITE_MISUSE after.
static inline int tock_sqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
#endif
