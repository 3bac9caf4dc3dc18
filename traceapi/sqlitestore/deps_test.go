package sqlitestore_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportersDoNotPullTheDatabase: the database (and the browser test's chromedp) stay
// out of the programs that import traceapi, the exporter or the bridge; only
// cmd/tracebridge links this package.
func TestImportersDoNotPullTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	root := "../.."
	out, err := exec.Command("go", "list", "-C", root, "-deps",
		"./traceapi", "./exporter", "./exporter/genailog", "./bridge", "./record").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "modernc.org/") || strings.Contains(dep, "sqlite") || strings.Contains(dep, "chromedp") {
			t.Errorf("a library package pulls %s", dep)
		}
	}
	out, err = exec.Command("go", "list", "-C", root, "-deps", "./cmd/tracebridge").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "modernc.org/sqlite\n") {
		t.Errorf("cmd/tracebridge does not link modernc.org/sqlite (%v); the check above proves nothing", err)
	}
}
