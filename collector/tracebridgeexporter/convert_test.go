package tracebridgeexporter

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/collector/internal/chatturn"
)

func TestFromTraces(t *testing.T) {
	tid := pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	td := chatturn.Trace(tid, chatturn.Root, chatturn.Chat)
	chat := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1)
	chat.Status().SetCode(ptrace.StatusCodeError)
	chat.Status().SetMessage("rate limited")
	chat.SetFlags(flagHasIsRemote | flagIsRemote)
	chat.SetDroppedAttributesCount(2)
	a := chat.Attributes()
	a.PutBool("stream", true)
	a.PutDouble("gen_ai.request.temperature", 0.2)
	a.PutEmptySlice("gen_ai.response.finish_reasons").AppendEmpty().SetStr("stop")
	mixed := a.PutEmptySlice("mixed")
	mixed.AppendEmpty().SetStr("a")
	mixed.AppendEmpty().SetInt(1)
	a.PutEmptyMap("gen_ai.request.params").PutInt("max_tokens", 64)
	ev := chat.Events().AppendEmpty()
	ev.SetName("exception")
	ev.Attributes().PutStr("exception.message", "boom")

	spans := fromTraces(td)
	if len(spans) != 2 {
		t.Fatalf("got %d spans", len(spans))
	}
	root, s := spans[0], spans[1]
	if root.TraceID != trace.TraceID(tid) || root.ParentSpanID.IsValid() || !root.IsLocalRoot() || root.Kind != trace.SpanKindServer {
		t.Errorf("root: %+v", root)
	}
	if s.SpanID != trace.SpanID(chatturn.SpanID(chatturn.Chat)) || s.ParentSpanID != trace.SpanID(chatturn.SpanID(chatturn.Root)) || !s.ParentRemote {
		t.Errorf("ids: %+v", s)
	}
	if s.Kind != trace.SpanKindClient || s.StatusCode != codes.Error || s.StatusDesc != "rate limited" || s.DroppedAttributes != 2 {
		t.Errorf("kind, status, dropped: %+v", s)
	}
	if !s.Start.Equal(chatturn.Base.Add(50e6)) || !s.End.Equal(chatturn.Base.Add(390e6)) {
		t.Errorf("times: %v %v", s.Start, s.End)
	}
	if len(s.Events) != 1 || s.Events[0].Name != "exception" || s.Events[0].Attributes[0].Value.AsString() != "boom" {
		t.Errorf("events: %+v", s.Events)
	}
	if len(s.Resource) != 1 || s.Resource[0] != attribute.String("service.name", "shop-assistant") {
		t.Errorf("resource: %v", s.Resource)
	}
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		got[kv.Key] = kv.Value
	}
	for k, want := range map[attribute.Key]attribute.Value{
		"gen_ai.usage.input_tokens":      attribute.Int64Value(120),
		"stream":                         attribute.BoolValue(true),
		"gen_ai.request.temperature":     attribute.Float64Value(0.2),
		"gen_ai.response.finish_reasons": attribute.StringSliceValue([]string{"stop"}),
		"mixed":                          attribute.StringValue(`["a",1]`),
		"gen_ai.request.params":          attribute.StringValue(`{"max_tokens":64}`),
	} {
		if got[k] != want {
			t.Errorf("attribute %s = %v (%v), want %v (%v)", k, got[k].Emit(), got[k].Type(), want.Emit(), want.Type())
		}
	}
}
