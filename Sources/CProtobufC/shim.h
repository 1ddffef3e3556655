#ifndef TOCK_CPROTOBUFC_SHIM_H
#define TOCK_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
