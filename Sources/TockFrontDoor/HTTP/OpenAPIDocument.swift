// Do not edit: regenerate with ops/gen-openapi from Schemas/openapi.json.
// Generated, so ops/format leaves it alone (it would indent the document):
// swift-format-ignore-file

/// The OpenAPI document of the HTTP API, `Schemas/openapi.json` byte for byte, built into the binary so every
/// node and router can serve it (`GET /openapi.json`).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Tock HTTP API",
    "version": "1",
    "summary": "Every HTTP route a Tock shard node or router serves.",
    "description": "Tock runs jobs (HTTP webhooks) at a time you choose. Every shard node (`tock shard`, `tock dev`) serves all of this document; a router (`tock router`) serves the job API (`/v1/jobs...`), scheduled-db's API (`/jobs...`, `/health`), `/healthz` and `/openapi.json`, but not a node's own routes (`/metrics`, `/v1/cluster...`, `/v1/status`). Any node or router takes any job call and routes it to the owning shard's leader. Written by hand; `FrontDoorRoutesTests` holds its operations equal to the routes the node and the router register, and `ops/check-openapi` runs schemathesis against a live `tock dev`. Every error of Tock's own API is `{\"error\": {\"code\", \"field\", \"message\"}}`; scheduled-db's API answers `{\"error\": \"<message>\"}`. A `503` always carries `Retry-After` and means nothing was stored unless its code is `outcome_unknown`; retry."
  },
  "servers": [
    {"url": "http://127.0.0.1:7070", "description": "tock dev, or a shard node on its default address"}
  ],
  "tags": [
    {"name": "jobs", "description": "Tock's job API (any node or router)."},
    {"name": "scheduled-db", "description": "scheduled-db's job API, served over Tock (any node or router)."},
    {"name": "node", "description": "A shard node's own API: its Raft group, counts, metrics (shard nodes only)."},
    {"name": "meta", "description": "Health and this document (every node and router)."}
  ],
  "security": [{"bearer": []}],
  "paths": {
    "/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "tags": ["meta"],
        "summary": "This document",
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {
            "description": "The OpenAPI 3.1 document of the HTTP API, as in `Schemas/openapi.json`.",
            "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"]}}}
          },
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "getHealth",
        "security": [],
        "tags": ["meta"],
        "summary": "Liveness of a shard node or a router",
        "description": "A shard node names its shard; a router says how many shards its map has. Both always answer `200` while the process serves HTTP.",
        "responses": {
          "200": {
            "description": "Serving.",
            "content": {"application/json": {"schema": {"oneOf": [
              {"$ref": "#/components/schemas/ShardHealth"},
              {"$ref": "#/components/schemas/RouterHealth"}
            ]}}}
          },
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "getReadiness",
        "security": [],
        "tags": ["meta"],
        "summary": "Readiness of a shard node or a router",
        "description": "`200` only while the process can do its work, else `503` with the failing checks. A shard node: a leader is known (`leader`) and its NATS connection is up (`nats`). A router: every shard has a node whose own `/readyz` answers `200` (one check per shard, `shard-<n>`; each node is asked within 1 s). An executor serves the same on its metrics address: NATS connected, every priority's consumer bound, not draining. `/healthz` is liveness: it answers `200` whenever the process serves HTTP.",
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}
          },
          "503": {
            "description": "Not ready; `checks` says why.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}
          },
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "getMetrics",
        "security": [],
        "tags": ["node"],
        "summary": "Prometheus metrics of this shard node",
        "description": "The metrics of `ops/prometheus/metrics.txt` served by a shard. Every node answers for itself, leader or not. Shard nodes only.",
        "responses": {
          "200": {
            "description": "Prometheus text exposition format 0.0.4.",
            "content": {"text/plain; version=0.0.4; charset=utf-8": {"schema": {"type": "string"}}}
          },
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/status": {
      "get": {
        "operationId": "getNodeStatus",
        "tags": ["node"],
        "summary": "This node's Raft view, its jobs by state and its runs due but unpublished",
        "description": "What `tock status` shows of a shard node: this node's copy of the job tables, not a linearizable read. Shard nodes only.",
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The node's status.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ShardStatus"}}}},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/cluster": {
      "get": {
        "operationId": "getCluster",
        "tags": ["node"],
        "summary": "This node's view of its Raft group",
        "description": "Shard nodes only.",
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The node's Raft status.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClusterStatus"}}}},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/cluster/transfer-leader": {
      "post": {
        "operationId": "transferLeader",
        "tags": ["node"],
        "summary": "Hand leadership of this shard to another voter",
        "description": "Any node forwards it to the leader. `202` means the handover started. Body at most 64 KiB. Shard nodes only.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TransferLeaderRequest"}}}
        },
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "202": {"description": "The handover started.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TransferLeaderAnswer"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/cluster/nodes": {
      "post": {
        "operationId": "addNode",
        "tags": ["node"],
        "summary": "Add a node to this shard's Raft group",
        "description": "Commits the new node's addresses, adds it as a learner, waits (up to 60 s) until it holds the log, then promotes it to voter. The new node must run with `--join`. A shard started without `--peers` has no Raft listener and cannot grow (`409` at once). Any node forwards it to the leader. Body at most 64 KiB. Shard nodes only.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AddNodeRequest"}}}
        },
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The node was added; the new status.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClusterStatus"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/cluster/nodes/{node}": {
      "delete": {
        "operationId": "removeNode",
        "tags": ["node"],
        "summary": "Remove a voter or learner from this shard's Raft group",
        "description": "Any node forwards it to the leader. A leader that removes itself steps down once the removal is committed. The last voter cannot be removed (`409`). Shard nodes only.",
        "parameters": [
          {"name": "node", "in": "path", "required": true, "description": "The node id, e.g. `n3`.", "schema": {"type": "string", "minLength": 1}}
        ],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The node was removed; the new status.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClusterStatus"}}}},
          "409": {"$ref": "#/components/responses/Conflict"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs": {
      "post": {
        "operationId": "submitJob",
        "tags": ["jobs"],
        "summary": "Submit a job",
        "description": "`201` with the job once the create command is durable; `200` with the existing job for an idempotency key seen within the retention. A rejected submit stores nothing. With `Content-Type: application/protobuf` the body is a `tock.v1.JobSpec` (`Schemas/tock/v1/jobs.proto`), checked by the same rules; the answer is JSON either way. A body over twice the job body limit plus 64 KiB (576 KiB by default) is a `413`, refused from its `Content-Length` before any of it is read.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {"$ref": "#/components/schemas/JobRequest"},
              "examples": {
                "oneTime": {"value": {"url": "http://127.0.0.1:7090/hello", "body": "hi", "delay": "5s"}},
                "atATime": {"value": {"url": "https://example.com/hook", "method": "PUT", "headers": {"X-Order": "42"}, "body": {"order": 42}, "run_at": "2030-01-02T15:04:05Z", "priority": "high", "timeout": "10s", "max_attempts": 3, "idempotency_key": "order-42"}},
                "recurring": {"value": {"url": "http://127.0.0.1:7090/report", "schedule": {"cron": "30 2 * * MON-FRI", "time_zone": "Europe/Berlin", "overlap": "skip", "misfire": "skip"}}},
                "scheduledDBBody": {"value": {"url": "http://127.0.0.1:7090/sdb", "webhook_format": "scheduled-db", "body": {"k": "v"}, "schedule": {"cron": "@every 1h", "start": "2030-01-01T00:00:00Z", "end": "2031-01-01T00:00:00Z"}}}
              }
            },
            "application/protobuf": {"schema": {"type": "string", "format": "binary", "description": "A serialized `tock.v1.JobSpec`."}}
          }
        },
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {
            "description": "The job already submitted with this idempotency key.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
            "links": {
              "GetJob": {"$ref": "#/components/links/GetJob"},
              "GetJobRuns": {"$ref": "#/components/links/GetJobRuns"},
              "PauseJob": {"$ref": "#/components/links/PauseJob"},
              "ResumeJob": {"$ref": "#/components/links/ResumeJob"},
              "CancelJob": {"$ref": "#/components/links/CancelJob"}
            }
          },
          "201": {
            "description": "The new job.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
            "links": {
              "GetJob": {"$ref": "#/components/links/GetJob"},
              "GetJobRuns": {"$ref": "#/components/links/GetJobRuns"},
              "PauseJob": {"$ref": "#/components/links/PauseJob"},
              "ResumeJob": {"$ref": "#/components/links/ResumeJob"},
              "CancelJob": {"$ref": "#/components/links/CancelJob"}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      },
      "get": {
        "operationId": "listJobs",
        "tags": ["jobs"],
        "summary": "List jobs of every shard, oldest first",
        "description": "Pass `next_cursor` as `cursor` for the next page; it is absent on the last page (a page may come back empty just before the end). Each shard examines at most 10,000 jobs of the asked states for a page, so with `host`, `since`, `until`, `priority` or `tenant` a page may come back short, even empty, with a `next_cursor`: keep paging. `idempotency_key=K` asks only K's shard and answers the one job submitted with K, or none.",
        "parameters": [
          {"name": "state", "in": "query", "schema": {"$ref": "#/components/schemas/JobState"}},
          {"name": "priority", "in": "query", "schema": {"$ref": "#/components/schemas/Priority"}},
          {"name": "host", "in": "query", "description": "Only jobs whose URL has this host, compared case-insensitively (an IPv6 address with or without brackets).", "schema": {"$ref": "#/components/schemas/HostFilter"}},
          {"name": "since", "in": "query", "description": "Only jobs last updated at or after this time (`updated_at`: for a finished job, when its outcome was recorded or it was cancelled).", "schema": {"$ref": "#/components/schemas/TimeBound"}},
          {"name": "until", "in": "query", "description": "Only jobs last updated before this time; later than `since`.", "schema": {"$ref": "#/components/schemas/TimeBound"}},
          {"name": "idempotency_key", "in": "query", "schema": {"type": "string"}},
          {"name": "tenant", "in": "query", "description": "Only this tenant's jobs, for an `admin` key, which sees every tenant's; a tenant's own key sees its jobs alone whatever this says.", "schema": {"type": "string"}},
          {"name": "cursor", "in": "query", "description": "The `next_cursor` of the previous page (a job id).", "schema": {"type": "string", "minLength": 1}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}
        ],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobPage"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs:batch": {
      "post": {
        "operationId": "submitJobBatch",
        "tags": ["jobs"],
        "summary": "Submit up to 1,000 jobs",
        "description": "Each job is validated on its own, so one bad job does not reject the others: the answer is `200` with one result per job, in order. The valid jobs are split by owning shard and each shard's part becomes one Raft log entry. A body that is not `{\"jobs\": [...]}` or holds 0 or more than 1,000 jobs is a `400` naming `jobs`. With `Content-Type: application/protobuf` the body is a `tock.v1.JobSpecBatch` (what a node forwards to another shard's leader, with `Tock-Shard`). A body over 32 MiB is a `413`, refused from its `Content-Length` before any of it is read.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/JobBatchRequest"}},
            "application/protobuf": {"schema": {"type": "string", "format": "binary", "description": "A serialized `tock.v1.JobSpecBatch`."}}
          }
        },
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "One result per job, in order.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobBatchAnswer"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs:retry": {
      "post": {
        "operationId": "retryJobs",
        "tags": ["jobs"],
        "summary": "Retry the finished one-time jobs a filter matches, a bounded batch per call",
        "description": "Dead letters (`state` `failed`, the default), or `succeeded` or `cancelled` jobs, run again as `POST /v1/jobs/{id}/retry` does; recurring jobs are left out. Each shard retries at most `limit` matching jobs after the cursor with one Raft log entry, examining at most 10,000 jobs to find them. While `more` is true, call again with the same filter and `next_cursor` as `cursor`; jobs a call retried are behind the cursor and are not retried again. A body over 64 KiB is a `413`.",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RetryFilter"}, "examples": {"deadLetters": {"value": {"state": "failed", "since": "1h", "host": "hooks.example.com"}}}}}},
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "How many jobs this call retried, and where to go on.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BulkAnswer"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs:cancel": {
      "post": {
        "operationId": "cancelJobs",
        "tags": ["jobs"],
        "summary": "Cancel the jobs a filter matches, a bounded batch per call",
        "description": "Jobs `scheduled` or `published` (both by default; `state` picks one) are cancelled as `DELETE /v1/jobs/{id}` does, recurring ones included. Each shard cancels at most `limit` matching jobs after the cursor (one Raft log entry each, committed together). While `more` is true, call again with the same filter and `next_cursor` as `cursor`. A body over 64 KiB is a `413`.",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CancelFilter"}}}},
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "How many jobs this call cancelled, and where to go on.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BulkAnswer"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs:counts": {
      "get": {
        "operationId": "countJobs",
        "tags": ["jobs"],
        "summary": "Jobs by state, in all and per shard",
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The counts.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobCounts"}}}},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs/{id}": {
      "get": {
        "operationId": "getJob",
        "tags": ["jobs"],
        "summary": "Read a job (linearizable)",
        "parameters": [{"$ref": "#/components/parameters/JobID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      },
      "delete": {
        "operationId": "cancelJob",
        "tags": ["jobs"],
        "summary": "Cancel a job and its future runs",
        "description": "Cancelling a cancelled job returns it again (`200`); cancelling a job that already succeeded or failed is `409`. Best-effort once published: a run already in an executor may still be delivered.",
        "parameters": [{"$ref": "#/components/parameters/JobID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The cancelled job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs/{id}/pause": {
      "post": {
        "operationId": "pauseJob",
        "tags": ["jobs"],
        "summary": "Stop publishing a recurring job's runs",
        "description": "A run already out finishes. `409` for a one-time or finished job. The body, if any, is not read.",
        "parameters": [{"$ref": "#/components/parameters/JobID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The paused job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs/{id}/resume": {
      "post": {
        "operationId": "resumeJob",
        "tags": ["jobs"],
        "summary": "Carry on a paused recurring job from the first occurrence after now",
        "description": "Runs missed while paused are not caught up. `409` for a one-time or finished job. The body, if any, is not read.",
        "parameters": [{"$ref": "#/components/parameters/JobID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The resumed job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs/{id}/retry": {
      "post": {
        "operationId": "retryJob",
        "tags": ["jobs"],
        "summary": "Run a finished one-time job again as a new run",
        "description": "For a `failed` job (a dead letter), a `succeeded` one (a manual re-run) or a `cancelled` one: the job becomes `scheduled` with run + 1, due now, with 0 attempts and no last status or error; its earlier run stays in `GET /v1/jobs/{id}/runs`, and the new one has `retry_of`. Two retries at once retry it once (both answer the job). `409` for a job still `scheduled` or `published`, and for a recurring job (a live schedule runs again on its own; an ended one is submitted again). The body, if any, is not read.",
        "parameters": [{"$ref": "#/components/parameters/JobID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The job, scheduled for its new run.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "500": {"$ref": "#/components/responses/Internal"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/v1/jobs/{id}/runs": {
      "get": {
        "operationId": "getJobRuns",
        "tags": ["jobs"],
        "summary": "A job's runs so far, oldest first, a page at a time, and its next run",
        "description": "A one-time job has its one run, and one more for each retry. While a page is full it has `next_cursor` (its last run's number), to pass as `cursor` for the runs after it.",
        "parameters": [
          {"$ref": "#/components/parameters/JobID"},
          {"name": "cursor", "in": "query", "description": "The `next_cursor` of the previous page: a run number.", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}
        ],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "A page of runs.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobRuns"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "421": {"$ref": "#/components/responses/WrongShard"},
          "502": {"$ref": "#/components/responses/BadGateway"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/jobs": {
      "post": {
        "operationId": "scheduledDBSubmit",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: submit a job",
        "description": "As scheduled-db reads it: unknown fields are ignored and an empty string is an absent field. A client's own `id` becomes the job's idempotency key, so submitting it again returns the first job (`200` as well). A body over twice the job body limit plus 64 KiB is a `413`.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {"$ref": "#/components/schemas/ScheduledDBJobRequest"},
              "examples": {
                "unico": {"value": {"type": "unico", "timestamp": "2099-12-25T10:00:00Z", "webhook_url": "http://127.0.0.1:7090/webhook", "payload": {"message": "Merry Christmas!"}}},
                "unicoWithID": {"value": {"id": "report-2099-12-25", "type": "unico", "timestamp": 4101876000, "webhook_url": "http://127.0.0.1:7090/webhook"}},
                "recurrente": {"value": {"type": "recurrente", "cron_expression": "0 9 * * 1-5", "timestamp": "2030-01-01 00:00:00", "last_date": "2031-01-01T00:00:00Z", "webhook_url": "http://127.0.0.1:7090/daily"}}
              }
            }
          }
        },
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {
            "description": "The job, in scheduled-db's shape.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBJob"}}},
            "links": {
              "GetJob": {"operationId": "scheduledDBGetJob", "parameters": {"id": "$response.body#/id"}},
              "GetStatus": {"operationId": "scheduledDBGetStatus", "parameters": {"id": "$response.body#/id"}},
              "GetExecutions": {"operationId": "scheduledDBGetExecutions", "parameters": {"id": "$response.body#/id"}},
              "Cancel": {"operationId": "scheduledDBCancel", "parameters": {"id": "$response.body#/id"}},
              "Delete": {"operationId": "scheduledDBDelete", "parameters": {"id": "$response.body#/id"}}
            }
          },
          "400": {"$ref": "#/components/responses/ScheduledDBBadRequest"},
          "413": {"$ref": "#/components/responses/ScheduledDBTooLarge"},
          "500": {"$ref": "#/components/responses/ScheduledDBInternal"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      },
      "get": {
        "operationId": "scheduledDBList",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: every job in a status, across all shards",
        "description": "At most 10,000 jobs; a longer list is cut there, with `Tock-List-Truncated: true`. `timeout` never lists anything.",
        "parameters": [
          {"name": "status", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/ScheduledDBStatus"}}
        ],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {
            "description": "The jobs' execution states.",
            "headers": {
              "Tock-List-Truncated": {"description": "`true` when the list was cut at 10,000 jobs.", "schema": {"type": "string", "enum": ["true"]}}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBJobList"}}}
          },
          "400": {"$ref": "#/components/responses/ScheduledDBBadRequest"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/jobs/{id}": {
      "get": {
        "operationId": "scheduledDBGetJob",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: read a job",
        "parameters": [{"$ref": "#/components/parameters/ScheduledDBID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBJob"}}}},
          "404": {"$ref": "#/components/responses/ScheduledDBNotFound"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      },
      "delete": {
        "operationId": "scheduledDBDelete",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: delete (cancel) a job",
        "description": "Tock never deletes a job: this cancels it, and it stays readable. Deleting a job that already finished answers `204` too.",
        "parameters": [{"$ref": "#/components/parameters/ScheduledDBID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "204": {"description": "Cancelled, or already finished."},
          "404": {"$ref": "#/components/responses/ScheduledDBNotFound"},
          "500": {"$ref": "#/components/responses/ScheduledDBInternal"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/jobs/{id}/status": {
      "get": {
        "operationId": "scheduledDBGetStatus",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: a job's execution state",
        "parameters": [{"$ref": "#/components/parameters/ScheduledDBID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The execution state.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBExecutionState"}}}},
          "404": {"$ref": "#/components/responses/ScheduledDBNotFound"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/jobs/{id}/executions": {
      "get": {
        "operationId": "scheduledDBGetExecutions",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: a job's attempts (Tock keeps the latest)",
        "parameters": [{"$ref": "#/components/parameters/ScheduledDBID"}],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The attempts.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBExecutions"}}}},
          "404": {"$ref": "#/components/responses/ScheduledDBNotFound"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/jobs/{id}/cancel": {
      "post": {
        "operationId": "scheduledDBCancel",
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: cancel a job",
        "description": "A job that already finished cannot be cancelled (`409`). The optional body is not read: Tock keeps no cancellation reason.",
        "parameters": [{"$ref": "#/components/parameters/ScheduledDBID"}],
        "requestBody": {
          "required": false,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBCancelRequest"}}}
        },
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "200": {"description": "The cancellation.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBCancel"}}}},
          "404": {"$ref": "#/components/responses/ScheduledDBNotFound"},
          "409": {"$ref": "#/components/responses/ScheduledDBConflict"},
          "500": {"$ref": "#/components/responses/ScheduledDBInternal"},
          "502": {"$ref": "#/components/responses/ScheduledDBBadGateway"},
          "503": {"$ref": "#/components/responses/ScheduledDBUnavailable"},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    },
    "/health": {
      "get": {
        "operationId": "scheduledDBHealth",
        "security": [],
        "tags": ["scheduled-db"],
        "summary": "scheduled-db: health",
        "description": "Every Tock node answers as a leader: any node takes writes.",
        "responses": {
          "200": {"description": "Serving.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBHealth"}}}},
          "431": {"$ref": "#/components/responses/HeadersTooLarge"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `tock auth add-key`, for a node or router started with `--auth-file`. Without `--auth-file` the API is open and the header is not read. `/healthz`, `/health` and `/metrics` are always open."
      }
    },
    "parameters": {
      "JobID": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "A job id: its shard number, `-`, and a ULID, e.g. `0-01M83VB0PYJMTQ8CWMCAXSQF5W`. Anything else is an unknown id (`404`).",
        "schema": {"type": "string", "minLength": 1}
      },
      "ScheduledDBID": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "Tock's job id, or the client's own `id` given at submit.",
        "schema": {"type": "string", "minLength": 1}
      }
    },
    "headers": {
      "RetryAfter": {
        "description": "Seconds to wait before retrying.",
        "required": true,
        "schema": {"type": "string", "pattern": "^[0-9]+$"}
      },
      "TockLeader": {
        "description": "With code `not_leader`: the HTTP address (`HOST:PORT`) of the node this one believes leads.",
        "required": false,
        "schema": {"type": "string"}
      }
    },
    "responses": {
      "BadRequest": {
        "description": "Bad input; `field` names the field at fault (`null` when the body is not JSON or not an object, code `invalid_json`). Unknown fields have code `unknown_field`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "NotFound": {
        "description": "No such job, or no such route (code `not_found`).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Conflict": {
        "description": "The change cannot be made now: a cancel of a finished job, a retry of a job still scheduled or published or of a recurring job, a pause or resume of a one-time or finished job, a membership change while another is under way (code `conflict`).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "HeadersTooLarge": {
        "description": "The request's headers are over 100 fields or 32 KiB in all (code `headers_too_large`). Every route answers it, before reading anything else. (Past 500 fields or 64 KiB the HTTP parser itself stops: a bare `400` and the connection closed.)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "TooLarge": {
        "description": "The request body is over the route's limit (code `too_large` or `http_413`).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "WrongShard": {
        "description": "A call forwarded by another Tock node (header `Tock-Shard: <n>`: serve it from shard n, never route it on) reached a node of another shard: the nodes' shard maps disagree (code `wrong_shard`). Clients do not send `Tock-Shard`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Internal": {
        "description": "A broken invariant (code `internal`), e.g. a shard answered a batch with a different number of results. A bug: report it.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "BadGateway": {
        "description": "The owning shard's leader answered a forwarded call with something that is not a job or an error (code `bad_gateway`).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unavailable": {
        "description": "Retry after `Retry-After` seconds. Codes: `no_leader` (no leader elected within 3 s), `not_leader` (this node lost leadership meanwhile; `Tock-Leader` may name the leader), `leader_unreachable` (a follower could not forward it), `shard_unavailable` (the owning shard had no reachable leader for 5 s, or its circuit breaker holds calls back), `unavailable` (the shard could not commit); nothing was stored. `outcome_unknown`: the shard may or may not have stored the submit; retry with the same `idempotency_key`.",
        "headers": {
          "Retry-After": {"$ref": "#/components/headers/RetryAfter"},
          "Tock-Leader": {"$ref": "#/components/headers/TockLeader"}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unauthenticated": {
        "description": "No `Authorization: Bearer <key>`, or a key this node does not know (code `unauthenticated`, field `Authorization`). Only with `--auth-file`.",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Forbidden": {
        "description": "The key lacks the scope the call needs (code `forbidden`): `jobs:read` for reads, `jobs:write` for changes, `admin` for the cluster routes and `/v1/status`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "ScheduledDBBadRequest": {
        "description": "Bad input, in scheduled-db's words (\"Invalid request body\", \"Job validation failed: …\", \"Invalid job data: …\", \"status query parameter is required\", \"invalid status parameter\").",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "ScheduledDBNotFound": {
        "description": "\"Job not found\".",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "ScheduledDBConflict": {
        "description": "The job already finished: \"Failed to cancel job: …\".",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "ScheduledDBTooLarge": {
        "description": "\"Invalid request body: it is too large\".",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "ScheduledDBInternal": {
        "description": "A broken invariant. A bug: report it.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "ScheduledDBBadGateway": {
        "description": "The owning shard's leader answered a forwarded call with something that is not a job or an error.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "ScheduledDBUnavailable": {
        "description": "The owning shard could not answer now; retry after `Retry-After` seconds (see Tock's `503`).",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduledDBError"}}}
      },
      "431": {"$ref": "#/components/responses/HeadersTooLarge"}
    },
    "links": {
      "GetJob": {"operationId": "getJob", "parameters": {"id": "$response.body#/id"}},
      "GetJobRuns": {"operationId": "getJobRuns", "parameters": {"id": "$response.body#/id"}},
      "PauseJob": {"operationId": "pauseJob", "parameters": {"id": "$response.body#/id"}},
      "ResumeJob": {"operationId": "resumeJob", "parameters": {"id": "$response.body#/id"}},
      "CancelJob": {"operationId": "cancelJob", "parameters": {"id": "$response.body#/id"}}
    },
    "schemas": {
      "Error": {
        "type": "object",
        "description": "Every error of Tock's own API.",
        "required": ["error"],
        "additionalProperties": false,
        "properties": {
          "error": {"$ref": "#/components/schemas/ErrorDetail"}
        }
      },
      "ErrorDetail": {
        "type": "object",
        "required": ["code", "message"],
        "additionalProperties": false,
        "properties": {
          "code": {"type": "string", "description": "`invalid_field`, `invalid_json`, `unknown_field`, `missing_field`, `out_of_range`, `invalid_protobuf`, `too_large`, `headers_too_large`, `invalid`, `required`, `not_found`, `conflict`, `wrong_shard`, `no_leader`, `not_leader`, `leader_unreachable`, `shard_unavailable`, `unavailable`, `outcome_unknown`, `internal`, `bad_gateway`, or `http_<status>`."},
          "field": {"type": "string", "description": "The field at fault, e.g. `run_at`, `schedule.cron`, `jobs[3]`; absent when the problem is not one field's."},
          "message": {"type": "string"}
        }
      },
      "ScheduledDBError": {
        "type": "object",
        "description": "scheduled-db's error body.",
        "required": ["error"],
        "additionalProperties": false,
        "properties": {"error": {"type": "string"}}
      },
      "JobState": {
        "type": "string",
        "enum": ["scheduled", "published", "succeeded", "failed", "cancelled"],
        "description": "`scheduled` → `published` → `succeeded` | `failed`, and `cancelled` from scheduled or published. A recurring job stays `scheduled` from run to run."
      },
      "Priority": {
        "type": "string",
        "enum": ["critical", "high", "normal", "low"]
      },
      "Duration": {
        "type": "string",
        "description": "A sequence of `<number><unit>` parts, units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`, `d`: `500ms`, `30s`, `1h30m`, `7d`, `1.5s`; or `0`.",
        "pattern": "^ *(0|([0-9.]+(ns|us|µs|ms|s|m|h|d))+) *$"
      },
      "JobRequest": {
        "type": "object",
        "description": "A job to submit. Unknown fields are rejected. A `null` field is the same as an absent one.",
        "required": ["url"],
        "additionalProperties": false,
        "properties": {
          "url": {"type": "string", "minLength": 1, "pattern": "^[^ \\u0000-\\u001F\\u007F]+$", "description": "Absolute `http` or `https` URL of the webhook: at most 8 KiB, no control character or space."},
          "method": {"type": ["string", "null"], "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", null], "default": "POST", "description": "Read case-insensitively."},
          "headers": {
            "type": ["object", "null"],
            "description": "Sent with the webhook. At most 64; a name at most 256 bytes, a value 8 KiB, all of them 32 KiB (else `400` code `too_large`). Names are HTTP tokens; `Tock-Job-Id`, `Tock-Run`, `Tock-Attempt`, `Tock-Signature`, `webhook-id`, `webhook-timestamp`, `webhook-signature`, `Idempotency-Key`, `Host`, `Content-Length`, `Transfer-Encoding` and `Connection` are reserved. Values are single-line strings.",
            "maxProperties": 64,
            "propertyNames": {"pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", "maxLength": 256},
            "additionalProperties": {"type": "string", "pattern": "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$"}
          },
          "secret_headers": {
            "type": ["array", "null"],
            "items": {"type": "string"},
            "description": "Names of `headers` (any case) whose values every read shows as `***`; the webhook gets them as given. `Authorization`, `Proxy-Authorization` and `Cookie` are always redacted. Each must name one of the job's headers."
          },
          "body": {
            "type": ["string", "object", "array", "null"],
            "description": "A string is sent as is; an object or array as compact JSON with `Content-Type: application/json` unless a header sets one. At most 256 KiB (`tock shard --max-body-bytes`) once encoded, else `400` code `too_large`."
          },
          "run_at": {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339 time to run at, within 100 years of now (else `400` code `out_of_range`); a time in the past means now. Not with `delay` or `schedule`."},
          "delay": {
            "anyOf": [{"$ref": "#/components/schemas/Duration"}, {"type": "null"}],
            "description": "When to run, from now: at most 100 years (`36524d`). Not with `run_at` or `schedule`."
          },
          "priority": {"type": ["string", "null"], "enum": ["critical", "high", "normal", "low", null], "default": "normal", "description": "Read case-insensitively."},
          "timeout": {
            "anyOf": [{"$ref": "#/components/schemas/Duration"}, {"type": "null"}],
            "default": "30s",
            "description": "Per webhook attempt, 1ms to 15m."
          },
          "max_attempts": {"type": ["integer", "null"], "minimum": 1, "maximum": 100, "default": 5},
          "idempotency_key": {
            "type": ["string", "null"],
            "minLength": 1,
            "maxLength": 256,
            "pattern": "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]+$",
            "description": "1 to 256 printable characters. A second submit with the same key within the retention (24 h) returns the first job (`200`)."
          },
          "schedule": {
            "anyOf": [{"$ref": "#/components/schemas/ScheduleRequest"}, {"type": "null"}],
            "description": "Makes the job recurring. Not with `run_at` or `delay`."
          },
          "webhook_format": {"type": ["string", "null"], "enum": ["tock", "scheduled-db", null], "default": "tock", "description": "Read case-insensitively. `scheduled-db` needs method `POST` and a JSON object `body` (or none)."},
          "callback_url": {"type": ["string", "null"], "minLength": 1, "pattern": "^[^ \\u0000-\\u001F\\u007F]+$", "description": "Absolute `http` or `https` URL, checked as `url` is (else `400` naming `callback_url`). After every terminal outcome of a run (succeeded, failed, cancelled; each run of a recurring job) an executor POSTs the signed JSON `{job_id, run, state, attempts, last_status, error, finished_at}` here (Schemas/API.md, \"Outcome events and callbacks\")."},
          "failure_callback_url": {"type": ["string", "null"], "minLength": 1, "pattern": "^[^ \\u0000-\\u001F\\u007F]+$", "description": "As `callback_url`, called only after a run that failed."}
        }
      },
      "ScheduleRequest": {
        "type": "object",
        "description": "A recurring job's schedule. Unknown fields are rejected.",
        "required": ["cron"],
        "additionalProperties": false,
        "properties": {
          "cron": {"type": "string", "description": "5 fields (minute hour day-of-month month day-of-week), or 6 with a leading seconds field; or a macro (`@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`, `@every <duration>` from 1s to 100 years).", "examples": ["*/15 * * * *", "30 2 * * MON-FRI", "0 0 9 * * *", "@every 90s", "@daily"]},
          "time_zone": {"type": ["string", "null"], "default": "UTC", "description": "An IANA time zone name."},
          "start": {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339, within 100 years of now; no run before it."},
          "end": {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339, within 100 years of now; no run after it. After `start` and in the future."},
          "overlap": {"type": ["string", "null"], "enum": ["allow", "skip", "wait", null], "default": "allow"},
          "misfire": {"type": ["string", "null"], "enum": ["run_once", "skip", null], "default": "run_once"}
        },
        "example": {"cron": "30 2 * * MON-FRI", "time_zone": "Europe/Berlin", "overlap": "skip"}
      },
      "Job": {
        "type": "object",
        "description": "A job. Absent fields are not set yet (or, for `webhook_format`, the default `tock`).",
        "required": ["id", "shard", "state", "priority", "url", "method", "headers", "body", "run", "run_at", "timeout", "max_attempts", "attempts", "created_at", "updated_at"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "string"},
          "shard": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "state": {"$ref": "#/components/schemas/JobState"},
          "priority": {"$ref": "#/components/schemas/Priority"},
          "url": {"type": "string"},
          "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]},
          "headers": {"type": "object", "additionalProperties": {"type": "string"}},
          "body": {"type": "string"},
          "run": {"type": "integer", "minimum": 0, "maximum": 4294967295, "description": "The next (or last) run's number."},
          "run_at": {"type": "string", "format": "date-time", "description": "When that run is due."},
          "timeout": {"type": "string"},
          "max_attempts": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "idempotency_key": {"type": "string"},
          "attempts": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "last_status": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
          "last_error": {"type": "string"},
          "created_at": {"type": "string", "format": "date-time"},
          "updated_at": {"type": "string", "format": "date-time"},
          "published_at": {"type": "string", "format": "date-time"},
          "stream_sequence": {"type": "integer", "minimum": 0, "maximum": 18446744073709551615},
          "finished_at": {"type": "string", "format": "date-time"},
          "cancelled_at": {"type": "string", "format": "date-time"},
          "executor_id": {"type": "string", "description": "The executor that reported the outcome."},
          "webhook_format": {"type": "string", "enum": ["scheduled-db"], "description": "Shown only when not `tock`."},
          "schedule": {"$ref": "#/components/schemas/Schedule"},
          "paused": {"type": "boolean", "enum": [true], "description": "Present only for a paused recurring job."},
          "tenant": {"type": "string", "description": "The tenant of the API key that submitted the job; absent for a job submitted to an open API."},
          "callback_url": {"type": "string", "description": "Called after every terminal outcome of a run; absent when none."},
          "failure_callback_url": {"type": "string", "description": "Called after a run that failed; absent when none."}
        }
      },
      "Schedule": {
        "type": "object",
        "description": "A recurring job's schedule, with the keys a submit takes.",
        "required": ["cron", "time_zone", "overlap", "misfire"],
        "additionalProperties": false,
        "properties": {
          "cron": {"type": "string"},
          "time_zone": {"type": "string"},
          "start": {"type": "string", "format": "date-time"},
          "end": {"type": "string", "format": "date-time"},
          "overlap": {"type": "string", "enum": ["allow", "skip", "wait"]},
          "misfire": {"type": "string", "enum": ["run_once", "skip"]}
        }
      },
      "JobPage": {
        "type": "object",
        "required": ["jobs"],
        "additionalProperties": false,
        "properties": {
          "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
          "next_cursor": {"type": "string", "description": "Pass as `cursor` for the next page; absent on the last page."}
        }
      },
      "JobBatchRequest": {
        "type": "object",
        "required": ["jobs"],
        "additionalProperties": false,
        "properties": {
          "jobs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "description": "Each job is validated on its own: one that is not a valid job gets its own `400` result.",
            "items": {"$ref": "#/components/schemas/JobRequest"}
          }
        }
      },
      "JobBatchAnswer": {
        "type": "object",
        "required": ["results"],
        "additionalProperties": false,
        "properties": {
          "results": {
            "type": "array",
            "items": {
              "type": "object",
              "description": "`201` or `200` with the job (as a single submit answers), or that job's error status with its error.",
              "required": ["status"],
              "additionalProperties": false,
              "properties": {
                "status": {"type": "integer"},
                "job": {"$ref": "#/components/schemas/Job"},
                "error": {"$ref": "#/components/schemas/ErrorDetail"}
              }
            }
          }
        }
      },
      "StateCounts": {
        "type": "object",
        "required": ["scheduled", "published", "succeeded", "failed", "cancelled"],
        "additionalProperties": false,
        "properties": {
          "scheduled": {"type": "integer", "minimum": 0},
          "published": {"type": "integer", "minimum": 0},
          "succeeded": {"type": "integer", "minimum": 0},
          "failed": {"type": "integer", "minimum": 0},
          "cancelled": {"type": "integer", "minimum": 0}
        }
      },
      "JobCounts": {
        "type": "object",
        "required": ["total", "shards"],
        "additionalProperties": false,
        "properties": {
          "total": {"$ref": "#/components/schemas/StateCounts"},
          "shards": {
            "type": "object",
            "description": "By shard number.",
            "propertyNames": {"pattern": "^[0-9]+$"},
            "additionalProperties": {"$ref": "#/components/schemas/StateCounts"}
          }
        }
      },
      "JobRuns": {
        "type": "object",
        "required": ["job_id", "runs"],
        "additionalProperties": false,
        "properties": {
          "job_id": {"type": "string"},
          "runs": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/JobRun"}},
          "next_cursor": {"type": "string", "pattern": "^[0-9]+$", "description": "Pass as `cursor` for the next page; absent on the last page."},
          "next_run": {
            "type": "object",
            "description": "A scheduled, unpaused recurring job's next run.",
            "required": ["run", "due_at"],
            "additionalProperties": false,
            "properties": {
              "run": {"type": "integer", "minimum": 0, "maximum": 4294967295},
              "due_at": {"type": "string", "format": "date-time"}
            }
          }
        }
      },
      "HostFilter": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[A-Za-z0-9._~%:\\[\\]-]+$", "examples": ["hooks.example.com", "10.0.0.7", "::1"]},
      "TimeBound": {
        "description": "An RFC 3339 time, or a duration before now (`90s`, `30m`, `1h`, `7d`).",
        "anyOf": [
          {"type": "string", "format": "date-time"},
          {"type": "string", "pattern": "^([0-9]{1,6}(ns|us|ms|s|m|h|d))+$"}
        ],
        "examples": ["2030-01-02T15:04:05Z", "1h"]
      },
      "RetryFilter": {
        "type": "object",
        "additionalProperties": false,
        "description": "Every field is optional; all that are given must hold. Any other field is a `400` naming it, so a misspelt filter never widens the action.",
        "properties": {
          "state": {"type": "string", "enum": ["failed", "succeeded", "cancelled"], "default": "failed"},
          "priority": {"$ref": "#/components/schemas/Priority"},
          "host": {"$ref": "#/components/schemas/HostFilter"},
          "since": {"$ref": "#/components/schemas/TimeBound"},
          "until": {"$ref": "#/components/schemas/TimeBound"},
          "tenant": {"type": "string", "description": "For an `admin` key: only this tenant's jobs. A tenant's own key acts on its jobs alone whatever this says."},
          "cursor": {"type": "string", "pattern": "^(0|[1-9][0-9]{0,9})-[0-9A-HJKMNP-TV-Z]{26}(,(0|[1-9][0-9]{0,9})-[0-9A-HJKMNP-TV-Z]{26})*$", "description": "The `next_cursor` of the previous answer: for each shard with more, the id it goes on after."},
          "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100, "description": "Jobs acted on per shard per call."}
        }
      },
      "CancelFilter": {
        "type": "object",
        "additionalProperties": false,
        "description": "Every field is optional; all that are given must hold. Any other field is a `400` naming it, so a misspelt filter never widens the action.",
        "properties": {
          "state": {"type": "string", "enum": ["scheduled", "published"], "description": "Both when absent."},
          "priority": {"$ref": "#/components/schemas/Priority"},
          "host": {"$ref": "#/components/schemas/HostFilter"},
          "since": {"$ref": "#/components/schemas/TimeBound"},
          "until": {"$ref": "#/components/schemas/TimeBound"},
          "tenant": {"type": "string", "description": "For an `admin` key: only this tenant's jobs. A tenant's own key acts on its jobs alone whatever this says."},
          "cursor": {"type": "string", "pattern": "^(0|[1-9][0-9]{0,9})-[0-9A-HJKMNP-TV-Z]{26}(,(0|[1-9][0-9]{0,9})-[0-9A-HJKMNP-TV-Z]{26})*$", "description": "The `next_cursor` of the previous answer: for each shard with more, the id it goes on after."},
          "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100, "description": "Jobs acted on per shard per call."}
        }
      },
      "BulkAnswer": {
        "type": "object",
        "required": ["affected", "more"],
        "additionalProperties": false,
        "properties": {
          "affected": {"type": "integer", "minimum": 0, "description": "Jobs this call retried (or cancelled)."},
          "more": {"type": "boolean", "description": "Whether a shard may have more matching jobs: call again with `next_cursor`."},
          "next_cursor": {"type": "string", "description": "Present while `more` is true."}
        }
      },
      "JobRun": {
        "type": "object",
        "required": ["run", "due_at", "state", "attempts"],
        "additionalProperties": false,
        "properties": {
          "run": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "due_at": {"type": "string", "format": "date-time"},
          "state": {"type": "string", "enum": ["published", "succeeded", "failed", "skipped", "scheduled", "cancelled"], "description": "A recurring job's run: `published` (out with an executor), `succeeded`, `failed`, `skipped`; a one-time job's current run has the job's state, and its earlier runs (before a retry) the state they ended in."},
          "published_at": {"type": "string", "format": "date-time"},
          "finished_at": {"type": "string", "format": "date-time"},
          "attempts": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "last_status": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
          "last_error": {"type": "string"},
          "retry_of": {"type": "integer", "minimum": 1, "maximum": 4294967295, "description": "On a run a retry started: the run it retried."}
        }
      },
      "ClusterStatus": {
        "type": "object",
        "required": ["node", "role", "term", "commit_index", "applied_index", "last_index", "snapshot_index", "voters", "learners"],
        "additionalProperties": false,
        "properties": {
          "node": {"type": "string"},
          "role": {"type": "string", "enum": ["follower", "preCandidate", "candidate", "leader"]},
          "leader": {"type": "string", "description": "Absent while none is known."},
          "term": {"type": "integer", "minimum": 0},
          "commit_index": {"type": "integer", "minimum": 0},
          "applied_index": {"type": "integer", "minimum": 0},
          "last_index": {"type": "integer", "minimum": 0},
          "snapshot_index": {"type": "integer", "minimum": 0},
          "voters": {"type": "array", "items": {"type": "string"}},
          "learners": {"type": "array", "items": {"type": "string"}}
        }
      },
      "ShardStatus": {
        "type": "object",
        "required": ["shard", "cluster", "jobs", "due_unpublished"],
        "additionalProperties": false,
        "properties": {
          "shard": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "cluster": {"$ref": "#/components/schemas/ClusterStatus"},
          "jobs": {"$ref": "#/components/schemas/StateCounts"},
          "due_unpublished": {"type": "integer", "minimum": 0}
        }
      },
      "ShardHealth": {
        "type": "object",
        "description": "A shard node's `/healthz`.",
        "required": ["status", "shard"],
        "additionalProperties": false,
        "properties": {
          "status": {"type": "string", "enum": ["ok"]},
          "shard": {"type": "string", "pattern": "^[0-9]+$"}
        }
      },
      "Readiness": {
        "type": "object",
        "required": ["ready", "checks"],
        "additionalProperties": false,
        "properties": {
          "ready": {"type": "boolean"},
          "checks": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "ok", "detail"],
            "additionalProperties": false,
            "properties": {
              "name": {"type": "string"},
              "ok": {"type": "boolean"},
              "detail": {"type": "string", "description": "What was found, or why not."}
            }
          }}
        }
      },
      "RouterHealth": {
        "type": "object",
        "description": "A router's `/healthz`.",
        "required": ["status", "shards"],
        "additionalProperties": false,
        "properties": {
          "status": {"type": "string", "enum": ["ok"]},
          "shards": {"type": "string", "pattern": "^[0-9]+$", "description": "How many shards the router's map has."}
        }
      },
      "TransferLeaderRequest": {
        "type": "object",
        "required": ["to"],
        "additionalProperties": false,
        "properties": {"to": {"type": "string", "minLength": 1, "description": "Another voter of this shard."}}
      },
      "TransferLeaderAnswer": {
        "type": "object",
        "required": ["status", "from", "to"],
        "additionalProperties": false,
        "properties": {
          "status": {"type": "string", "enum": ["transferring"]},
          "from": {"type": "string"},
          "to": {"type": "string"}
        }
      },
      "AddNodeRequest": {
        "type": "object",
        "required": ["node", "raft", "http"],
        "additionalProperties": false,
        "properties": {
          "node": {"type": "string", "minLength": 1, "pattern": "^[^,=/]+$", "description": "The new node's id, e.g. `n4`."},
          "raft": {"type": "string", "pattern": "^.+:[0-9]+$", "description": "Its Raft address, `HOST:PORT` (port 0-65535)."},
          "http": {"type": "string", "pattern": "^.+:[0-9]+$", "description": "Its HTTP address, `HOST:PORT` (port 0-65535)."}
        }
      },
      "ScheduledDBStatus": {
        "type": "string",
        "enum": ["pending", "in_progress", "completed", "failed", "cancelled", "timeout"],
        "description": "Tock's `scheduled` is `pending`, `published` is `in_progress`, `succeeded` is `completed`; no Tock job is ever `timeout`."
      },
      "ScheduledDBTime": {
        "description": "Unix seconds (a JSON integer or a decimal string), an RFC 3339 time, or `2006-01-02 15:04:05` (UTC), within 100 years of now; a count that looks like milliseconds is refused with a message that says so. An empty string or `null` is absent.",
        "type": ["integer", "string", "null"]
      },
      "ScheduledDBJobRequest": {
        "type": "object",
        "description": "scheduled-db's job. Unknown fields are ignored, as scheduled-db (Go) ignores them.",
        "required": ["type"],
        "properties": {
          "id": {"type": ["string", "null"], "description": "The client's own id, kept as the idempotency key."},
          "type": {"type": "string", "enum": ["unico", "recurrente"]},
          "timestamp": {"$ref": "#/components/schemas/ScheduledDBTime", "description": "`unico`: when to run, required and in the future. `recurrente`: its first possible run."},
          "cron_expression": {"type": ["string", "null"], "pattern": "^[ \\t\\n]*[^ \\t\\n]+([ \\t\\n]+[^ \\t\\n]+){4}[ \\t\\n]*$", "description": "`recurrente`: five cron fields, read in UTC; required.", "examples": ["0 9 * * 1-5", "*/5 * * * *"]},
          "last_date": {"$ref": "#/components/schemas/ScheduledDBTime", "description": "`recurrente`: its last possible run."},
          "webhook_url": {"type": "string", "minLength": 1, "description": "Required by Tock: a Tock job is its webhook call."},
          "payload": {"type": ["object", "null"], "description": "Sent as the webhook body's `data`."}
        }
      },
      "ScheduledDBJob": {
        "type": "object",
        "description": "A job in scheduled-db's shape: times in Unix seconds, absent fields omitted.",
        "required": ["id", "type", "created_at"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "string", "description": "The client's own id when it gave one, else Tock's."},
          "type": {"type": "string", "enum": ["unico", "recurrente"]},
          "timestamp": {"type": "integer"},
          "cron_expression": {"type": "string"},
          "last_date": {"type": "integer"},
          "created_at": {"type": "integer"},
          "webhook_url": {"type": "string"},
          "payload": {"type": "object", "description": "The webhook's `data`, when it is a non-empty object."}
        }
      },
      "ScheduledDBAttempt": {
        "type": "object",
        "required": ["attempt_num", "start_time", "node_id", "status"],
        "additionalProperties": false,
        "properties": {
          "attempt_num": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "start_time": {"type": "integer"},
          "end_time": {"type": "integer"},
          "node_id": {"type": "string"},
          "status": {"type": "string", "enum": ["completed", "failed"]},
          "http_status": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
          "error_message": {"type": "string"}
        }
      },
      "ScheduledDBExecutionState": {
        "type": "object",
        "required": ["job_id", "status", "attempt_count", "created_at", "attempts"],
        "additionalProperties": false,
        "properties": {
          "job_id": {"type": "string"},
          "status": {"$ref": "#/components/schemas/ScheduledDBStatus"},
          "attempt_count": {"type": "integer", "minimum": 0, "maximum": 4294967295},
          "created_at": {"type": "integer"},
          "first_attempt_at": {"type": "integer"},
          "completed_at": {"type": "integer"},
          "cancelled_at": {"type": "integer"},
          "attempts": {"type": "array", "maxItems": 1, "items": {"$ref": "#/components/schemas/ScheduledDBAttempt"}}
        }
      },
      "ScheduledDBExecutions": {
        "type": "object",
        "required": ["job_id", "attempts"],
        "additionalProperties": false,
        "properties": {
          "job_id": {"type": "string"},
          "attempts": {"type": "array", "maxItems": 1, "items": {"$ref": "#/components/schemas/ScheduledDBAttempt"}}
        }
      },
      "ScheduledDBCancelRequest": {
        "type": "object",
        "description": "Not read.",
        "properties": {"reason": {"type": "string"}}
      },
      "ScheduledDBCancel": {
        "type": "object",
        "required": ["job_id", "status", "cancelled_at"],
        "additionalProperties": false,
        "properties": {
          "job_id": {"type": "string"},
          "status": {"$ref": "#/components/schemas/ScheduledDBStatus"},
          "cancelled_at": {"type": "integer"},
          "message": {"type": "string", "description": "When the run may already be with an executor."}
        }
      },
      "ScheduledDBJobList": {
        "type": "object",
        "required": ["jobs", "total"],
        "additionalProperties": false,
        "properties": {
          "jobs": {"type": "array", "maxItems": 10000, "items": {"$ref": "#/components/schemas/ScheduledDBExecutionState"}},
          "total": {"type": "integer", "minimum": 0, "maximum": 10000}
        }
      },
      "ScheduledDBHealth": {
        "type": "object",
        "required": ["status", "role", "node_id"],
        "additionalProperties": false,
        "properties": {
          "status": {"type": "string", "enum": ["ok"]},
          "role": {"type": "string", "enum": ["leader"]},
          "node_id": {"type": "string"}
        }
      }
    }
  }
}

"""#
}
