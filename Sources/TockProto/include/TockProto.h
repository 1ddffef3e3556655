/* Do not edit: regenerate with ops/gen-proto. */
/* Umbrella header of the TockProto module: every message generated from Schemas/. */
#ifndef TOCK_PROTO_UMBRELLA_H
#define TOCK_PROTO_UMBRELLA_H

#include "tock_v1_commands.pb-c.h"
#include "tock_v1_events.pb-c.h"
#include "tock_v1_jobs.pb-c.h"
#include "tock_v1_raft.pb-c.h"

#endif
