// The socket API's OpenAPI 3.1 description, served at GET /openapi.json. This is its one copy:
// CLITests' OpenAPIConformanceTests validates a real certssbd's answers against what this route
// serves, so a route, status or field missing here (or of another type) fails the tests.

/// The OpenAPI 3.1.0 document of the socket API (README "Socket API").
enum OpenAPIDocument {
    /// The answer of GET /openapi.json: the document's bytes.
    static let reply = ServiceReply(status: 200, body: Array(text.utf8))

    /// The document as JSON text, written by hand: keep it in step with `HTTPRouter`,
    /// ReplyBodies.swift and `Verdict`'s CodingKeys.
    static let text = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "certssbd socket API",
            "version": "0.1.0",
            "summary": "Certified backdoor defence: upload an image, get its certified verdict.",
            "description": "HTTP/1.1 and JSON over certssbd's Unix socket (`socket` in certssbd.conf, by default /run/certssbd/certssbd.sock): `curl --unix-socket /run/certssbd/certssbd.sock http://localhost/v1/health`. HEAD is accepted wherever GET is and answers the GET's status and head without a body. A method a path does not list is answered 405 (`MethodNotAllowed`, with `Allow`); a path not listed here is answered 404 (`NotFound`). Every 4xx and 5xx body is an `Error`. Some answers can come on any request, before it is routed: 400 `bad_request` for malformed HTTP, 408 `request_timeout` when the client sends nothing for `read_timeout_ms` or a request has not arrived whole `request_timeout_ms` after its first byte, 431 `headers_too_large` for a request line and headers over 80 KiB, 413 `payload_too_large` for a body over `max_upload_bytes` (announced or sent), 503 `too_many_connections` past 256 open connections, 500 `internal`, and 403 `forbidden` when an allow-list is configured and the client is not on it."
          },
          "servers": [
            { "url": "http://localhost", "description": "Over the Unix socket; the host name is not used." }
          ],
          "paths": {
            "/v1/health": {
              "get": {
                "operationId": "getHealth",
                "summary": "Whether the daemon serves, and each service's state.",
                "responses": {
                  "200": { "$ref": "#/components/responses/HealthOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/HealthUnavailable" }
                }
              },
              "head": {
                "operationId": "headHealth",
                "summary": "GET /v1/health without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/HealthOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/HealthUnavailable" }
                }
              }
            },
            "/v1/version": {
              "get": {
                "operationId": "getVersion",
                "summary": "certssbd's name and version.",
                "responses": {
                  "200": { "$ref": "#/components/responses/VersionOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headVersion",
                "summary": "GET /v1/version without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/VersionOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/certify": {
              "post": {
                "operationId": "certify",
                "summary": "Certifies one image; answers its verdict once committed to the store.",
                "description": "The body is the image's raw bytes (`curl --data-binary @digit.png`), or a multipart/form-data body whose first file part (else first part) is the image (`curl -F file=@digit.png`). An image already in the store gets its stored verdict.",
                "requestBody": { "$ref": "#/components/requestBodies/Image" },
                "responses": {
                  "200": { "$ref": "#/components/responses/VerdictOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
                  "422": { "$ref": "#/components/responses/UnprocessableImage" },
                  "429": { "$ref": "#/components/responses/QueueFull" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "put": {
                "operationId": "certifyPut",
                "summary": "POST /v1/certify for `curl -T digit.png`.",
                "requestBody": { "$ref": "#/components/requestBodies/Image" },
                "responses": {
                  "200": { "$ref": "#/components/responses/VerdictOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
                  "422": { "$ref": "#/components/responses/UnprocessableImage" },
                  "429": { "$ref": "#/components/responses/QueueFull" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/verdicts": {
              "get": {
                "operationId": "listVerdicts",
                "summary": "One page of the stored verdicts in arrival order.",
                "parameters": [
                  { "$ref": "#/components/parameters/ListAfter" },
                  { "$ref": "#/components/parameters/ListLimit" }
                ],
                "responses": {
                  "200": { "$ref": "#/components/responses/VerdictPageOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headVerdicts",
                "summary": "GET /v1/verdicts without the body.",
                "parameters": [
                  { "$ref": "#/components/parameters/ListAfter" },
                  { "$ref": "#/components/parameters/ListLimit" }
                ],
                "responses": {
                  "200": { "$ref": "#/components/responses/VerdictPageOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/verdicts/{sha256}": {
              "parameters": [
                {
                  "name": "sha256", "in": "path", "required": true,
                  "description": "SHA-256 of the image file's bytes, 64 hexadecimal digits (either case); anything else is a 400 `bad_sha256`.",
                  "schema": { "type": "string", "pattern": "^[0-9A-Fa-f]{64}$" }
                }
              ],
              "get": {
                "operationId": "getVerdict",
                "summary": "The stored verdict of an image, with the model set in use.",
                "responses": {
                  "200": { "$ref": "#/components/responses/VerdictOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headVerdict",
                "summary": "GET /v1/verdicts/{sha256} without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/VerdictOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/events": {
              "get": {
                "operationId": "getEvents",
                "summary": "Server-sent events, one per verdict as it commits, until either side leaves.",
                "description": "Each event is `id: <arrival sequence>`, `event: verdict` and `data: <the verdict JSON>`; comment lines (`: subscribed`, `: heartbeat` every 15 s) keep the stream alive. With `after` or `Last-Event-ID` (what EventSource sends when it reconnects), every stored verdict after that sequence is replayed first, none missed or repeated; the query wins over the header.",
                "parameters": [
                  {
                    "name": "after", "in": "query", "required": false,
                    "description": "Replay the stored verdicts whose arrival sequence is larger, then stream.",
                    "schema": { "type": "integer", "minimum": 0 }
                  },
                  {
                    "name": "Last-Event-ID", "in": "header", "required": false,
                    "description": "As `after`, when the query has none.",
                    "schema": { "type": "integer", "minimum": 0 }
                  }
                ],
                "responses": {
                  "200": { "$ref": "#/components/responses/EventsOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headEvents",
                "summary": "The event stream's head alone; nothing is subscribed.",
                "responses": {
                  "200": { "$ref": "#/components/responses/EventsOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/stats": {
              "get": {
                "operationId": "getStats",
                "summary": "State, queue depth, totals, uptime, the model set and the store.",
                "responses": {
                  "200": { "$ref": "#/components/responses/StatsOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headStats",
                "summary": "GET /v1/stats without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/StatsOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "getMetrics",
                "summary": "Prometheus text exposition (format 0.0.4).",
                "responses": {
                  "200": { "$ref": "#/components/responses/MetricsOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headMetrics",
                "summary": "GET /metrics without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/MetricsOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/triggers": {
              "get": {
                "operationId": "getTriggers",
                "summary": "The loaded trigger plugins and the files refused, with why.",
                "responses": {
                  "200": { "$ref": "#/components/responses/TriggersOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headTriggers",
                "summary": "GET /v1/triggers without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/TriggersOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/reload": {
              "post": {
                "operationId": "reload",
                "summary": "Re-reads the config file, model set and plugins, as SIGHUP does.",
                "description": "Applied between batches; the old state serves until the new one is built. A failed reload (500 `reload_failed`) keeps the old state.",
                "responses": {
                  "200": { "$ref": "#/components/responses/ReloadOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/v1/config": {
              "get": {
                "operationId": "getConfig",
                "summary": "The effective configuration, key by key as certssbd.conf spells them.",
                "responses": {
                  "200": { "$ref": "#/components/responses/ConfigOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headConfig",
                "summary": "GET /v1/config without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/ConfigOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "operationId": "getOpenAPI",
                "summary": "This document.",
                "responses": {
                  "200": { "$ref": "#/components/responses/OpenAPIOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "head": {
                "operationId": "headOpenAPI",
                "summary": "GET /openapi.json without the body.",
                "responses": {
                  "200": { "$ref": "#/components/responses/OpenAPIOK" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "408": { "$ref": "#/components/responses/RequestTimeout" },
                  "413": { "$ref": "#/components/responses/PayloadTooLarge" },
                  "500": { "$ref": "#/components/responses/Internal" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            }
          },
          "components": {
            "parameters": {
              "ListAfter": {
                "name": "after", "in": "query", "required": false,
                "description": "The arrival sequence to start after (a previous page's `next`).",
                "schema": { "type": "integer", "minimum": 0, "default": 0 }
              },
              "ListLimit": {
                "name": "limit", "in": "query", "required": false,
                "description": "Verdicts per page; larger values are clamped to 1000.",
                "schema": { "type": "integer", "minimum": 1, "default": 100 }
              }
            },
            "requestBodies": {
              "Image": {
                "required": true,
                "description": "An image of the model set's shape (PNG, JPEG, PGM/PPM or NumPy .npy), at most `max_upload_bytes`. Any Content-Type but multipart/form-data is taken as the raw bytes.",
                "content": {
                  "application/octet-stream": { "schema": { "type": "string", "contentEncoding": "binary" } },
                  "image/*": { "schema": { "type": "string", "contentEncoding": "binary" } },
                  "multipart/form-data": {
                    "schema": {
                      "type": "object",
                      "properties": { "file": { "type": "string", "contentEncoding": "binary" } }
                    }
                  }
                }
              }
            },
            "headers": {
              "Allow": {
                "description": "The methods the path accepts, comma-separated.",
                "required": true,
                "schema": { "type": "string" }
              }
            },
            "responses": {
              "HealthOK": {
                "description": "`ready`, or `degraded` with its reasons (uploads are still certified).",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } }
              },
              "HealthUnavailable": {
                "description": "Starting, reloading or draining (a `Health`), or the connection limit (an `Error`).",
                "content": {
                  "application/json": {
                    "schema": { "oneOf": [ { "$ref": "#/components/schemas/Health" }, { "$ref": "#/components/schemas/Error" } ] }
                  }
                }
              },
              "VersionOK": {
                "description": "The name and version.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Version" } } }
              },
              "VerdictOK": {
                "description": "The verdict.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Verdict" } } }
              },
              "VerdictPageOK": {
                "description": "A page of verdicts; `next` is the `after` of the following page.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VerdictPage" } } }
              },
              "EventsOK": {
                "description": "The event stream (text/event-stream; `Cache-Control: no-cache`).",
                "content": {
                  "text/event-stream": {
                    "schema": { "type": "string", "description": "Server-sent events; each event's data is one Verdict as JSON." },
                    "x-event-data": { "$ref": "#/components/schemas/Verdict" }
                  }
                }
              },
              "StatsOK": {
                "description": "The statistics.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Stats" } } }
              },
              "MetricsOK": {
                "description": "Prometheus text format 0.0.4 (`Content-Type: text/plain; version=0.0.4`): verdicts, certified, rejected, failures by code, busy seconds, queue depth, regions, the arrival-to-answer histogram, the model set, `certssbd_build_info` and the `process_*` series.",
                "content": { "text/plain": { "schema": { "type": "string" } } }
              },
              "TriggersOK": {
                "description": "The plugins and the refusals.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Triggers" } } }
              },
              "ReloadOK": {
                "description": "Reloaded; `restart_needed` names changed keys that only a restart applies.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Reload" } } }
              },
              "ConfigOK": {
                "description": "The configuration.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Config" } } }
              },
              "OpenAPIOK": {
                "description": "This OpenAPI 3.1 document.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OpenAPIDocument" } } }
              },
              "BadRequest": {
                "description": "`bad_request` (malformed HTTP; the connection closes), `bad_query` (an `after` or `limit` that is not an unsigned or positive integer) or `bad_sha256`.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "NotFound": {
                "description": "`not_found`: no verdict for this hash with the model set in use, or no such path.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "MethodNotAllowed": {
                "description": "`method_not_allowed`, for any method a path does not list; `Allow` lists those it does.",
                "headers": { "Allow": { "$ref": "#/components/headers/Allow" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "Forbidden": {
                "description": "`forbidden`: `allow_uids`/`allow_gids` is set and the client's UID and primary GID (SO_PEERCRED) are in neither; the connection closes.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "RequestTimeout": {
                "description": "`request_timeout`: no complete request within `read_timeout_ms` of silence, or `request_timeout_ms` after its first byte; the connection closes.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "PayloadTooLarge": {
                "description": "`payload_too_large`: a body (announced or sent) over `max_upload_bytes`; the connection closes.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "UnsupportedMediaType": {
                "description": "`unsupported_media_type`: a multipart/form-data body with no boundary or no readable part.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "UnprocessableImage": {
                "description": "`bad_image` (not an image, truncated, or not of the model set's shape) or `non_finite_input`.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "QueueFull": {
                "description": "`queue_full`: `max_queue` images are waiting; retry later.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "Internal": {
                "description": "`internal`, `non_finite_output` (a model or plugin produced NaN) or `reload_failed` (the old state keeps serving).",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "Unavailable": {
                "description": "`too_many_connections` (the connection closes), `draining` (certssbd is stopping) or `store_unavailable`.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              }
            },
            "schemas": {
              "Error": {
                "type": "object",
                "description": "The body of every 4xx and 5xx answer.",
                "required": ["error"],
                "additionalProperties": false,
                "properties": {
                  "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": false,
                    "properties": {
                      "code": {
                        "type": "string",
                        "description": "Machine-readable; the status's response says which codes it carries.",
                        "enum": [
                          "bad_request", "bad_query", "bad_sha256", "not_found", "method_not_allowed", "request_timeout",
                          "payload_too_large", "unsupported_media_type", "bad_image", "non_finite_input", "queue_full",
                          "internal", "non_finite_output", "reload_failed", "too_many_connections", "draining", "store_unavailable", "forbidden"
                        ]
                      },
                      "message": { "type": "string", "description": "One line for a person." }
                    }
                  }
                }
              },
              "Verdict": {
                "type": "object",
                "description": "One certification result (CONTRACTS.md §3). Keys are written sorted; the same verdict is always the same bytes.",
                "required": [
                  "sha256", "model_set", "label", "label_name", "certified", "abstained", "radius", "radius_expected", "margin",
                  "margin_expected", "sigma", "sigma0", "p_a", "p_b", "p_a_lower", "p_b_upper", "scores", "votes", "n_models",
                  "stopped_early", "alpha", "bound_alpha", "fallback", "bound", "mode", "region", "triggers", "source", "created_at"
                ],
                "additionalProperties": false,
                "properties": {
                  "sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the file's bytes, lowercase: the store's key." },
                  "model_set": { "type": "string", "description": "The model set's id." },
                  "label": { "type": "integer", "minimum": 0, "description": "The class certified." },
                  "label_name": { "type": "string", "description": "The manifest's name of `label`." },
                  "certified": { "type": "boolean", "description": "`radius > 0`." },
                  "abstained": { "type": "boolean", "description": "The certifying models did not support the label: no claim is made." },
                  "radius": { "type": "number", "description": "Certified L2 radius in pixel units ([0, 1] per value); negative when not certified." },
                  "radius_expected": { "type": "number", "description": "sigma × margin_expected: the point estimate." },
                  "margin": { "type": "number", "description": "½(Φ⁻¹(p_a_lower) − Φ⁻¹(p_b_upper))." },
                  "margin_expected": { "type": "number", "description": "The same from the mean scores." },
                  "sigma": { "type": "number", "description": "This input's noise level." },
                  "sigma0": { "type": "number", "description": "The model set's sigma0." },
                  "p_a": { "type": "number", "description": "The label's point estimate." },
                  "p_b": { "type": "number", "description": "The best other class's point estimate." },
                  "p_a_lower": { "type": "number", "description": "Lower confidence bound of the label's probability." },
                  "p_b_upper": { "type": "number", "description": "Upper confidence bound of the best other class." },
                  "scores": { "type": "array", "items": { "type": "number" }, "description": "Mean score per class at `sigma`." },
                  "votes": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "description": "Hard votes per class." },
                  "n_models": { "type": "integer", "minimum": 0, "description": "Certifying models that ran." },
                  "target_radius": { "type": "number", "description": "The early-stopping target; absent when every certifying model ran." },
                  "stopped_early": { "type": "boolean", "description": "The certificate stopped before every certifying model ran." },
                  "alpha": { "type": "number", "description": "The failure probability of the whole verdict." },
                  "bound_alpha": { "type": "number", "description": "The alpha the bound was computed at." },
                  "fallback": { "type": "boolean", "description": "The searched sigma did not certify and sigma0 did." },
                  "bound": { "type": "string", "enum": ["hoeffding", "clopper-pearson", "betting", "best"] },
                  "mode": { "type": "string", "enum": ["sound", "released"] },
                  "region": { "$ref": "#/components/schemas/RegionRecord" },
                  "triggers": { "type": "array", "items": { "$ref": "#/components/schemas/TriggerReport" }, "description": "Per loaded trigger plugin, in name order." },
                  "source": { "type": "string", "description": "Where the image came from (`socket`, or the inbox file)." },
                  "created_at": { "type": "string", "format": "date-time", "description": "ISO 8601 time of certification." },
                  "sigma_search": { "$ref": "#/components/schemas/SigmaResult" }
                }
              },
              "RegionRecord": {
                "type": "object",
                "description": "The storage-update's outcome; the `original_*` fields only after a trim or an alignment.",
                "required": ["status"],
                "additionalProperties": false,
                "properties": {
                  "status": { "type": "string", "enum": ["unstored", "stored", "trimmed", "aligned"] },
                  "conflict": { "type": "string", "description": "The earlier input whose region forced the trim or alignment." },
                  "conflict_distance": { "type": "number" },
                  "original_label": { "type": "integer", "minimum": 0 },
                  "original_radius": { "type": "number" },
                  "original_margin": { "type": "number" },
                  "original_radius_expected": { "type": "number" },
                  "original_p_a": { "type": "number" },
                  "original_p_b": { "type": "number" },
                  "original_p_a_lower": { "type": "number" },
                  "original_p_b_upper": { "type": "number" }
                }
              },
              "TriggerReport": {
                "type": "object",
                "description": "A trigger plugin's view of the input.",
                "required": ["name", "l2", "covered", "label"],
                "additionalProperties": false,
                "properties": {
                  "name": { "type": "string" },
                  "l2": { "type": "number", "description": "L2 size of the plugin's perturbation here, pixel units." },
                  "covered": { "type": "boolean", "description": "`radius > l2`." },
                  "label": { "type": "integer", "minimum": 0, "description": "Smoothed label of the triggered image." }
                }
              },
              "SigmaResult": {
                "type": "object",
                "description": "How the label and sigma were found.",
                "required": ["sigma", "sigma0", "rule", "steps", "draws", "models", "seed", "model_runs"],
                "additionalProperties": false,
                "properties": {
                  "sigma": { "type": "number" },
                  "sigma0": { "type": "number" },
                  "rule": { "type": "string", "enum": ["fixed", "search", "grid", "gradient", "released"] },
                  "steps": { "type": "integer", "minimum": 0 },
                  "draws": { "type": "integer", "minimum": 0 },
                  "models": { "type": "integer", "minimum": 0 },
                  "seed": { "type": "string", "pattern": "^[0-9]+$", "description": "An unsigned 64-bit integer as a decimal string (JSON numbers lose precision past 2^53)." },
                  "radius_estimate": { "type": "number", "description": "Absent when the rule does not estimate it." },
                  "label": { "type": "integer", "minimum": 0 },
                  "stop": { "type": "string", "enum": ["sigma0", "optimum", "label", "sigma_max", "steps", "no_search_models"] },
                  "model_runs": { "type": "integer", "minimum": 0 }
                }
              },
              "VerdictPage": {
                "type": "object",
                "required": ["items", "next"],
                "additionalProperties": false,
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["seq", "sha256", "verdict"],
                      "additionalProperties": false,
                      "properties": {
                        "seq": { "type": "integer", "minimum": 1, "description": "The arrival sequence." },
                        "sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                        "verdict": {
                          "description": "null when the arrival has no readable verdict.",
                          "oneOf": [ { "$ref": "#/components/schemas/Verdict" }, { "type": "null" } ]
                        }
                      }
                    }
                  },
                  "next": { "type": "integer", "minimum": 0, "description": "The last item's `seq` (the request's `after` when empty)." }
                }
              },
              "Health": {
                "type": "object",
                "required": ["status", "services"],
                "additionalProperties": false,
                "properties": {
                  "status": { "type": "string", "enum": ["ready", "degraded", "starting", "reloading", "draining", "stopped"] },
                  "reasons": { "type": "array", "items": { "type": "string" }, "description": "Only when degraded." },
                  "services": {
                    "type": "object",
                    "description": "By service name (status, pipeline, socket, watch).",
                    "additionalProperties": { "type": "string", "enum": ["starting", "running", "stopping", "stopped"] }
                  }
                }
              },
              "Version": {
                "type": "object",
                "required": ["version", "name"],
                "additionalProperties": false,
                "properties": {
                  "version": { "type": "string" },
                  "name": { "type": "string", "enum": ["certssbd"] }
                }
              },
              "Stats": {
                "type": "object",
                "required": [
                  "state", "queue_depth", "verdicts", "certified", "rejected", "busy_seconds", "uptime_seconds", "model_set",
                  "model_set_directory", "store_directory", "n_models", "regions"
                ],
                "additionalProperties": false,
                "properties": {
                  "state": { "type": "string", "enum": ["starting", "ready", "reloading", "draining", "stopped"] },
                  "queue_depth": { "type": "integer", "minimum": 0 },
                  "verdicts": { "type": "integer", "minimum": 0 },
                  "certified": { "type": "integer", "minimum": 0 },
                  "rejected": { "type": "integer", "minimum": 0, "description": "Uploads refused because the queue was full." },
                  "busy_seconds": { "type": "number" },
                  "uptime_seconds": { "type": "number" },
                  "model_set": { "type": "string" },
                  "model_set_directory": { "type": "string" },
                  "store_directory": { "type": "string" },
                  "n_models": { "type": "integer", "minimum": 0 },
                  "regions": { "type": "integer", "minimum": 0 }
                }
              },
              "Triggers": {
                "type": "object",
                "required": ["plugins", "refused"],
                "additionalProperties": false,
                "properties": {
                  "plugins": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["name", "version", "path", "description"],
                      "additionalProperties": false,
                      "properties": {
                        "name": { "type": "string" },
                        "version": { "type": "string" },
                        "path": { "type": "string" },
                        "description": { "type": "string" }
                      }
                    }
                  },
                  "refused": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["path", "reason"],
                      "additionalProperties": false,
                      "properties": { "path": { "type": "string" }, "reason": { "type": "string" } }
                    }
                  }
                }
              },
              "Reload": {
                "type": "object",
                "required": ["reloaded", "model_set", "restart_needed"],
                "additionalProperties": false,
                "properties": {
                  "reloaded": { "type": "boolean", "enum": [true] },
                  "model_set": { "type": "string", "description": "The id of the model set now in use." },
                  "restart_needed": { "type": "array", "items": { "type": "string" } }
                }
              },
              "Config": {
                "type": "object",
                "required": ["config", "restart_needed_keys"],
                "additionalProperties": false,
                "properties": {
                  "config": {
                    "type": "object",
                    "description": "Every key's running value, as certssbd.conf spells it (no key holds a secret).",
                    "additionalProperties": { "type": "string" }
                  },
                  "restart_needed_keys": { "type": "array", "items": { "type": "string" }, "description": "Keys a reload does not apply." }
                }
              },
              "OpenAPIDocument": {
                "type": "object",
                "required": ["openapi", "info", "paths", "components"],
                "properties": {
                  "openapi": { "type": "string", "enum": ["3.1.0"] },
                  "info": { "type": "object" },
                  "paths": { "type": "object" },
                  "components": { "type": "object" }
                }
              }
            }
          }
        }
        """#
}
