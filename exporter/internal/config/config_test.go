package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const key = "4f1c2d3e-0000-4000-8000-000000000000:deadbeefcafe"
	c := Default()
	c.APIKey = Secret(key)
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", c, "key", c.APIKey)
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(c.APIKey), logs.String()} {
		if strings.Contains(s, "deadbeefcafe") {
			t.Fatalf("the key printed: %s", s)
		}
	}
	if got := c.Header().Get("token"); got != key {
		t.Fatalf("the key must still be sent: %q", got)
	}
}

func TestFromEnvErrorsNameTheVariable(t *testing.T) {
	env := map[string]string{
		EnvTimeout: "soon", EnvConcurrency: "0", EnvInsecure: "maybe", EnvCaptureContent: "nope",
		EnvMaxRecordBytes: "12", EnvHeaders: "novalue", EnvAPIKey: "secret-value-1",
	}
	c := Default()
	err := c.FromEnv(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{EnvTimeout, EnvConcurrency, EnvInsecure, EnvCaptureContent, EnvMaxRecordBytes, EnvHeaders} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "secret-value-1") {
		t.Error("the key appears in the error")
	}
}

func TestTraceURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api-prod.neuraltrust.ai":       "https://api-prod.neuraltrust.ai/v1/trace",
		"https://api.neuraltrust.ai/v1":         "https://api.neuraltrust.ai/v1/trace",
		"https://api.neuraltrust.ai/v1/":        "https://api.neuraltrust.ai/v1/trace",
		"http://127.0.0.1:8400/":                "http://127.0.0.1:8400/v1/trace",
		"https://gw.example.com/neuraltrust/v1": "https://gw.example.com/neuraltrust/v1/trace",
	} {
		c := Default()
		c.BaseURL = in
		got, err := c.TraceURL()
		if err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", in, got, err, want)
		}
	}
}
