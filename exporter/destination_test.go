package exporter_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

const (
	adalineProject  = "proj_0123456789abcdef"
	freeplayProject = "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c"
)

// stored lists what the server holds of one contract.
func (a *api) stored(t *testing.T, c traceapi.Contract) []traceapi.StoredRecord {
	t.Helper()
	got, err := a.srv.Store().List(context.Background(), traceapi.Filter{Contract: c})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestDestinationFromEnvironment(t *testing.T) {
	a := newAPI(t, traceapi.Config{Token: testKey}, nil)
	t.Setenv("TRACEBRIDGE_DESTINATION", "adaline")
	t.Setenv("ADALINE_API_KEY", testKey)
	t.Setenv("ADALINE_PROJECT_ID", adalineProject)
	t.Setenv("ADALINE_BASE_URL", a.ts.URL)
	t.Setenv("NEURALTRUST_API_KEY", "not-for-adaline")
	exp := newExporter(t)
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
		t.Fatal(err)
	}
	got := a.stored(t, traceapi.ContractAdaline)
	if len(got) != 3 || got[0].Kind != traceapi.KindTrace || got[0].Project != adalineProject {
		t.Fatalf("want an Adaline trace with the message and generation spans, got %+v", got)
	}
	if n := len(a.stored(t, traceapi.ContractNeuralTrust)); n != 0 {
		t.Errorf("%d v1 records", n)
	}
	// The option wins over TRACEBRIDGE_DESTINATION; NeuralTrust's own variables apply then.
	t.Setenv("NEURALTRUST_API_KEY", testKey)
	exp = newExporter(t, exporter.WithDestination(exporter.NeuralTrustBatch()), exporter.WithEndpoint(a.ts.URL))
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
		t.Fatal(err)
	}
	if got := a.stored(t, traceapi.ContractNeuralTrustBatch); len(got) != 3 {
		t.Errorf("batch: %+v", got)
	}
}

func TestDestinationSettingsErrors(t *testing.T) {
	const secret = "sk-very-secret-key"
	cases := []struct {
		name string
		env  map[string]string
		opts []exporter.Option
		want []string
	}{
		{"unknown destination", map[string]string{"TRACEBRIDGE_DESTINATION": "datadog"}, nil,
			[]string{"TRACEBRIDGE_DESTINATION", `"datadog"`, "neuraltrust, neuraltrust-batch, adaline, freeplay"}},
		{"adaline without key and project", map[string]string{"TRACEBRIDGE_DESTINATION": "adaline"}, nil,
			[]string{"ADALINE_API_KEY", "ADALINE_PROJECT_ID", "exporter.Adaline(projectID)", "WithAPIKey"}},
		{"freeplay without key and project", nil, []exporter.Option{exporter.WithDestination(exporter.Freeplay(""))},
			[]string{"FREEPLAY_API_KEY", "FREEPLAY_PROJECT_ID"}},
		{"adaline project too short", map[string]string{"ADALINE_API_KEY": secret}, []exporter.Option{exporter.WithDestination(exporter.Adaline("p1"))},
			[]string{"adaline: project id must be 20 to 80 characters", "ADALINE_PROJECT_ID"}},
		{"freeplay project not a UUID", map[string]string{"FREEPLAY_API_KEY": secret, "FREEPLAY_PROJECT_ID": "proj-7"},
			[]exporter.Option{exporter.WithDestination(exporter.Freeplay(""))}, []string{"must be a UUID", "FREEPLAY_PROJECT_ID"}},
		{"freeplay base URL", map[string]string{"FREEPLAY_API_KEY": secret, "FREEPLAY_API_URL": "app.freeplay.ai/api"},
			[]exporter.Option{exporter.WithDestination(exporter.Freeplay(freeplayProject))}, []string{"freeplay: base URL", "FREEPLAY_API_URL"}},
		{"batch over plain http", map[string]string{"NEURALTRUST_API_KEY": secret, "NEURALTRUST_BASE_URL": "http://api.example.com"},
			[]exporter.Option{exporter.WithDestination(exporter.NeuralTrustBatch())}, []string{"neuraltrust-batch", "unencrypted", "TRACEBRIDGE_INSECURE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"TRACEBRIDGE_DESTINATION", "NEURALTRUST_API_KEY", "NEURALTRUST_BASE_URL", "ADALINE_API_KEY", "ADALINE_PROJECT_ID", "FREEPLAY_API_KEY", "FREEPLAY_PROJECT_ID", "FREEPLAY_API_URL"} {
				t.Setenv(k, c.env[k])
			}
			_, err := exporter.New(context.Background(), c.opts...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not name %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the key appears in the error: %v", err)
			}
		})
	}
}

// TestContentSwitchActsBeforeEveryEncoding checks that what WithCaptureContent(false) and
// WithRedact remove never reaches any destination, whatever its encoding.
func TestContentSwitchActsBeforeEveryEncoding(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, s := tp.Tracer("t").Start(context.Background(), "chat m")
	s.SetAttributes(attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.request.model", "secret-model"),
		attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"SECRET-PROMPT"}]}]`),
		attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"SECRET-ANSWER"}]}]`))
	s.End()
	redact := exporter.WithRedact(func(r *record.Record) { delete(r.Metadata, "model") })
	for _, d := range []exporter.Destination{exporter.NeuralTrust(), exporter.NeuralTrustBatch(), exporter.Adaline(adalineProject), exporter.Freeplay(freeplayProject)} {
		a := newAPI(t, traceapi.Config{}, nil)
		exp := newExporter(t, exporter.WithDestination(d), exporter.WithEndpoint(a.ts.URL), exporter.WithAPIKey("k"),
			exporter.WithCaptureContent(false), redact)
		if err := exp.ExportSpans(context.Background(), rec.Ended()); err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		got := a.stored(t, traceapi.Contract(d.Name()))
		if len(got) == 0 {
			t.Fatalf("%s: nothing arrived", d.Name())
		}
		for _, r := range got {
			for _, leak := range []string{"SECRET-PROMPT", "SECRET-ANSWER", "secret-model"} {
				if strings.Contains(string(r.Raw), leak) {
					t.Errorf("%s %s: %s reached the API: %s", d.Name(), r.Kind, leak, r.Raw)
				}
			}
		}
	}
}

func TestMetricsNameTheDestination(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	a := newAPI(t, traceapi.Config{}, nil)
	exp := newExporter(t, exporter.WithDestination(exporter.Freeplay(freeplayProject)), exporter.WithEndpoint(a.ts.URL),
		exporter.WithAPIKey("k"), exporter.WithMeterProvider(mp))
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if d, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "tracebridge.records.sent" {
				for _, p := range d.DataPoints {
					v, _ := p.Attributes.Value("destination")
					found = found || (v.AsString() == "freeplay" && p.Value == 2)
				}
			}
		}
	}
	if !found {
		dump, _ := json.Marshal(rm)
		t.Errorf("no records.sent{destination=freeplay} = 2: %s", dump)
	}
	if st := exp.Stats(); st.Sent != 2 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}
