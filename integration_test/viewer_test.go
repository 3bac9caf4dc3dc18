package integration_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/tracebridge/tracebridge/record"
)

// chromium finds the browser: Debian's chromium, which scripts/install-chromium.sh
// installs (scripts/test.sh runs it and sets TRACEBRIDGE_REQUIRE_BROWSER, so that there a
// missing browser fails instead of skipping).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TRACEBRIDGE_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium on the PATH; run scripts/install-chromium.sh")
	}
	t.Skip("no chromium on the PATH (scripts/install-chromium.sh installs it)")
	return ""
}

// outputDir is where the screenshot goes: $TEST_OUTPUT_DIR when set, else the test's
// temporary directory.
func outputDir(t *testing.T) string {
	if d := os.Getenv("TEST_OUTPUT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func v1Body(id, conv, inter, parent string, task record.Task, start, end int64, input, output string, meta map[string]any) string {
	r := record.Record{TraceID: id, ConversationID: conv, InteractionID: inter, ParentID: parent, SessionID: "session-7",
		Task: task, Input: input, Output: output, StartTimestamp: start, EndTimestamp: end, Latency: end - start,
		User: &record.User{ID: "ada"}, Metadata: meta}
	return string(r.AppendJSON(nil))
}

// xss is output an LLM could produce; the viewer must show it as text.
const xss = `Sure! <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> Returns take 30 days.`

// TestViewerInBrowser drives the viewer of the real `tracebridge serve` (SQLite file, a
// token) in headless Chromium: log in, open a conversation and an interaction, expand the
// generation, check what it shows (the <script> of an output as text), take a screenshot,
// and see a new conversation appear by itself.
func TestViewerInBrowser(t *testing.T) {
	browserPath := chromium(t)
	const token = "viewer-token-42"
	s := startServe(t, "--db", filepath.Join(t.TempDir(), "viewer.db"), "--token", token)

	now := time.Now().UnixMilli() - 60_000
	gen := map[string]any{"span_name": "chat gpt-4o-mini", "model": "gpt-4o-mini", "provider": "openai",
		"input_tokens": int64(84), "output_tokens": int64(19), "total_tokens": int64(103), "status": "ok"}
	for _, body := range []string{
		v1Body("ret-1", "conv-browser", "int-browser-1", "msg-1", record.TaskRetrieval, now+2, now+14, "return policy shoes",
			`[{"id":"returns#2","score":0.91,"content":"Unworn shoes can be returned within 30 days."}]`, map[string]any{"span_name": "retrieval policies"}),
		v1Body("gen-1", "conv-browser", "int-browser-1", "msg-1", record.TaskGeneration, now+15, now+50,
			`[{"role":"system","content":"Answer from the policy excerpts."},{"role":"user","content":"How long do I have to return shoes?"}]`,
			`[{"role":"assistant","content":"`+strings.ReplaceAll(xss, `"`, `\"`)+`"}]`, gen),
		v1Body("tool-1", "conv-browser", "int-browser-1", "gen-1", record.TaskTool, now+20, now+22, `{"order":"A-17"}`, "",
			map[string]any{"span_name": "execute_tool lookup_order", "status": "error", "error": "connection refused"}),
		v1Body("msg-1", "conv-browser", "int-browser-1", "", record.TaskMessage, now, now+52, "How long do I have to return shoes?",
			"Returns take 30 days.", map[string]any{"span_name": "POST /chat"}),
		v1Body("msg-2", "conv-browser", "int-browser-2", "", record.TaskMessage, now+5000, now+5100, "And sale items?", "Those too.", nil),
		v1Body("msg-3", "conv-other", "int-other-1", "", record.TaskMessage, now-5000, now-4900, "Hello", "Hi!", nil),
	} {
		if code, got := s.post(t, body); code != 200 {
			t.Fatalf("POST: %d %s", code, got)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browserPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 960),
	)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()

	// Errors the page reports: exceptions, console errors, CSP violations ("security").
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The login page is answered 401 on purpose.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.Contains(m.Text, "status of 401") {
				mu.Lock()
				problems = append(problems, m.String()+" ["+m.Source+"]")
				mu.Unlock()
			}
		}
	}()
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(step, actions...); err != nil {
			// What the page shows, to tell why.
			where, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ''`))
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%s: %v\nat %s, showing:\n%s\npage errors: %q", what, err, where, body, problems)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(expr string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	// The token protects the viewer: the login form, then the list.
	do("open the viewer", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS("form.login")))
	do("log in",
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), token),
		chromedp.Submit(chromedp.CSS("form.login")),
		chromedp.WaitVisible(chromedp.CSS(`.conv-row[data-id="conv-browser"]`)))

	// Newest first, with user, session, interactions, tokens and errors.
	if order := eval(`[...document.querySelectorAll('.conv-row')].map(r => r.dataset.id).join(' ')`); order != "conv-browser conv-other" {
		t.Errorf("conversation order: %v", order)
	}
	row := text(`.conv-row[data-id="conv-browser"]`)
	for _, want := range []string{"ada", "session-7", "2 interactions", "103 tokens", "1 error", "And sale items?"} {
		if !strings.Contains(row, want) {
			t.Errorf("conversation row %q lacks %q", row, want)
		}
	}

	do("open the conversation",
		chromedp.Click(chromedp.CSS(`.conv-row[data-id="conv-browser"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.interaction-head[data-id="int-browser-1"]`)))
	do("open the interaction",
		chromedp.Click(chromedp.CSS(`.interaction-head[data-id="int-browser-1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.step-row[data-task="generation"]`)))

	// The tree: message > retrieval, generation > tool; the failed tool highlighted.
	tree := eval(`[...document.querySelectorAll('.step-row')].map(r => r.dataset.task + ':' + r.querySelector('.step-name').style.paddingLeft).join(' ')`)
	if tree != "message:0px retrieval:18px generation:18px tool:36px" {
		t.Errorf("tree rows: %v", tree)
	}
	if eval(`document.querySelector('.step-row[data-task="tool"]').classList.contains('failed')`) != true ||
		!strings.Contains(text(".step-error"), "connection refused") {
		t.Error("the failed tool is not highlighted with its error")
	}
	genRow := text(`.step-row[data-task="generation"]`)
	for _, want := range []string{"chat gpt-4o-mini", "gpt-4o-mini", "84 + 19 tok", "35 ms"} {
		if !strings.Contains(genRow, want) {
			t.Errorf("generation row %q lacks %q", genRow, want)
		}
	}
	// The timeline bar: placed and sized by start and latency (35 of 52 ms).
	if w, _ := eval(`parseFloat(document.querySelector('.step-row[data-task="generation"] .bar').style.width)`).(float64); math.Abs(w-35.0/52*100) > 0.01 {
		t.Errorf("generation bar width %v%%, want %.2f%%", w, 35.0/52*100)
	}

	do("expand the generation",
		chromedp.Click(chromedp.CSS(`.step-row[data-task="generation"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.step-details .output`)))
	if got := text(".step-details .output"); !strings.Contains(got, xss) {
		t.Errorf("the output is not shown as text:\n got %q\nwant it to contain %q", got, xss)
	}
	if got := text(".step-details .input"); !strings.Contains(got, "system") || !strings.Contains(got, "Answer from the policy excerpts.") ||
		eval(`document.querySelectorAll('.step-details .input .msg').length`) != 2.0 {
		t.Errorf("the input is not shown as two chat messages: %q", got)
	}
	if n := eval(`document.querySelectorAll('#detail script, #detail img, #detail iframe').length`); n != 0.0 {
		t.Errorf("%v elements made from record data", n)
	}
	if v := eval(`window.__xss === undefined`); v != true {
		t.Error("script from a record ran")
	}

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(outputDir(t), "viewer.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)

	// The retrieval's output as documents.
	do("expand the retrieval",
		chromedp.Click(chromedp.CSS(`.step-row[data-task="retrieval"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.step-details .doc`)))
	if got := text(".step-details .doc"); !strings.Contains(got, "returns#2") || !strings.Contains(got, "score 0.910") {
		t.Errorf("document: %q", got)
	}

	// Auto-refresh: a conversation posted now appears without a reload, on top.
	if code, got := s.post(t, v1Body("msg-live", "conv-live", "int-live", "", record.TaskMessage, time.Now().UnixMilli(), time.Now().UnixMilli()+10, "Anyone there?", "Yes.", nil)); code != 200 {
		t.Fatalf("POST: %d %s", code, got)
	}
	do("see the new conversation", chromedp.WaitVisible(chromedp.CSS(`.conv-row[data-id="conv-live"]`)))
	if first := eval(`document.querySelector('.conv-row').dataset.id`); first != "conv-live" {
		t.Errorf("first conversation after the refresh: %v", first)
	}
	// The open interaction stayed open through the refresh.
	if eval(`!!document.querySelector('.step-details .doc')`) != true {
		t.Error("the refresh closed the expanded step")
	}

	// Filters: errors only, then a search.
	do("filter on errors", chromedp.Click(chromedp.CSS("#f-errors")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('.conv-row').length === 1`, chromedp.WithPollingTimeout(10*time.Second)))
	do("search", chromedp.Click(chromedp.CSS("#f-errors")), chromedp.SendKeys(chromedp.CSS("#f-q"), "hello"),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('.conv-row')].map(r => r.dataset.id).join(' ') === 'conv-other'`, chromedp.WithPollingTimeout(10*time.Second)))

	time.Sleep(200 * time.Millisecond) // messages in flight
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported: %s", p)
	}
}
