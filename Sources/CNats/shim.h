#ifndef TOCK_CNATS_SHIM_H
#define TOCK_CNATS_SHIM_H
#include <nats/nats.h>
#endif
