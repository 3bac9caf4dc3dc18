package exporter_test

import (
	"context"
	"log"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/exporter"
)

func Example() {
	ctx := context.Background()
	exp, err := exporter.New(ctx,
		exporter.WithEndpoint("http://127.0.0.1:8400"), // a local `tracebridge serve`
		exporter.WithAPIKey("…"),                       // or NEURALTRUST_API_KEY
	)
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	defer func() {
		if err := tp.Shutdown(ctx); err != nil {
			log.Print(err)
		}
	}()
	// Instrument the app with tp (or otel.SetTracerProvider(tp)).
}
