"""An OTLP/HTTP trace receiver for the tests: decodes each export with the
official OpenTelemetry protobuf definitions (`opentelemetry-proto` from PyPI).

Usage: python otlp_receiver.py PORT FILE

Accepts `POST /v1/traces` (`application/x-protobuf`, optionally gzip) and
appends one JSON object per span to FILE: the service name, hex trace, span
and parent ids, name, kind and status (their enum names), attributes and
links. Anything else answers 404 or 415. Prints `ready` once it listens and
runs until it is killed.
"""

import gzip
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

LOCK = threading.Lock()


def value_of(v):
    """An AnyValue as plain JSON."""
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [value_of(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value_of(kv.value) for kv in v.kvlist_value.values}
    if kind == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, kind)


def attributes(kvs):
    return {kv.key: value_of(kv.value) for kv in kvs}


def spans_of(request):
    for rs in request.resource_spans:
        resource = attributes(rs.resource.attributes)
        for ss in rs.scope_spans:
            for s in ss.spans:
                yield {
                    "service": resource.get("service.name"),
                    "resource": resource,
                    "scope": ss.scope.name,
                    "trace_id": s.trace_id.hex(),
                    "span_id": s.span_id.hex(),
                    "parent_span_id": s.parent_span_id.hex(),
                    "name": s.name,
                    "kind": Span.SpanKind.Name(s.kind),
                    "status": Status.StatusCode.Name(s.status.code),
                    "status_message": s.status.message,
                    "attributes": attributes(s.attributes),
                    "events": [
                        {"name": e.name, "attributes": attributes(e.attributes)}
                        for e in s.events
                    ],
                    "links": [
                        {
                            "trace_id": link.trace_id.hex(),
                            "span_id": link.span_id.hex(),
                            "attributes": attributes(link.attributes),
                        }
                        for link in s.links
                    ],
                    "start_ns": s.start_time_unix_nano,
                    "end_ns": s.end_time_unix_nano,
                }


class Receiver(BaseHTTPRequestHandler):
    out = None

    def do_POST(self):
        if self.path != "/v1/traces":
            return self.answer(404, b"")
        if self.headers.get("Content-Type") != "application/x-protobuf":
            return self.answer(415, b"")
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        lines = [json.dumps(s) + "\n" for s in spans_of(request)]
        with LOCK:
            with open(self.out, "a") as f:
                f.writelines(lines)
        self.answer(200, ExportTraceServiceResponse().SerializeToString())

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    Receiver.out = out
    open(out, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
