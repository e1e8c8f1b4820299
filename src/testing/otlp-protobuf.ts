import protobuf from 'protobufjs';

/**
 * The part of OTLP's trace protocol (opentelemetry-proto, trace/v1 and common/v1, field numbers as
 * published) that the test collector reads: enough to decode an ExportTraceServiceRequest's
 * resources, spans, attributes and links. Fields not listed here are skipped by the decoder, as
 * protobuf decoders do with unknown fields.
 */
const PROTO = `
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Link {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5; fixed32 flags = 6;
}
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  fixed32 flags = 16; string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;

const request = protobuf.parse(PROTO).root.lookupType('ExportTraceServiceRequest');

interface Counted {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

/**
 * An OTLP/HTTP protobuf body as the plain object OTLP/HTTP JSON would have given (camelCase
 * fields, ids as base64, 64-bit integers as strings), for decodeOtlpJson. Throws on a body that
 * is not a valid message.
 */
export function otlpProtobufToJson(body: Uint8Array): unknown {
  return request.toObject(request.decode(body), { longs: String, bytes: String, enums: Number });
}

/** How many spans an OTLP/HTTP protobuf body carries (decoded, not kept). Throws if it is invalid. */
export function countOtlpProtobufSpans(body: Uint8Array): number {
  const m = request.decode(body) as unknown as Counted;
  let n = 0;
  for (const rs of m.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}
