package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/traceapi"
	"github.com/tracebridge/tracebridge/traceapi/sqlitestore"
	"github.com/tracebridge/tracebridge/traceapi/storetest"
)

// open opens a store in a file of the test's temporary directory.
func open(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) traceapi.Store {
		return open(t, filepath.Join(t.TempDir(), "records.db"))
	})
}

// TestReopen writes, closes and opens the file again: every item, its Seq and its summary
// are still there, and a re-sent item is still a duplicate.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dir with ? and #", "records.db")
	if _, err := sqlitestore.Open(ctx, path); err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
	path = filepath.Join(t.TempDir(), "odd ?#% name.db")
	s, err := sqlitestore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	data := storetest.Varied(50, 3)
	for _, r := range data {
		if _, err := s.Put(ctx, r, traceapi.DuplicateReplace); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.List(ctx, traceapi.Filter{})
	convs, _ := s.Conversations(ctx, traceapi.ConversationQuery{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	after, err := s.List(ctx, traceapi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || len(after) == 0 {
		t.Fatalf("after reopening: %d items, before %d", len(after), len(before))
	}
	for i := range after {
		a, b := after[i], before[i]
		if a.Seq != b.Seq || string(a.Raw) != string(b.Raw) || a.Summary != b.Summary || !a.ReceivedAt.Equal(b.ReceivedAt) {
			t.Errorf("item %d changed: %+v, was %+v", i, a, b)
		}
	}
	if again, _ := s.Conversations(ctx, traceapi.ConversationQuery{}); len(again.Conversations) != len(convs.Conversations) {
		t.Errorf("conversations after reopening: %d, before %d", len(again.Conversations), len(convs.Conversations))
	}
	if _, err := s.Put(ctx, data[0], traceapi.DuplicateReject); err == nil {
		t.Error("a re-sent item is no longer a duplicate after reopening")
	}
}

// TestRefusesOtherFiles: another program's SQLite file, or a later schema, is refused
// untouched.
func TestRefusesOtherFiles(t *testing.T) {
	ctx := context.Background()
	other := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE notes (body TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := sqlitestore.Open(ctx, other); err == nil || !strings.Contains(err.Error(), "not a tracebridge database") {
		t.Errorf("Open of another program's file: %v", err)
	}

	later := filepath.Join(t.TempDir(), "later.db")
	s := open(t, later)
	s.Close()
	db, _ = sql.Open("sqlite", later)
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := sqlitestore.Open(ctx, later); err == nil || !strings.Contains(err.Error(), "later tracebridge") {
		t.Errorf("Open of a later schema: %v", err)
	}
	for _, bad := range []string{"", ":memory:", "file:x.db"} {
		if _, err := sqlitestore.Open(ctx, bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

// TestConcurrentOpen: servers started together on one new file (processes: SQLite's locks
// are per process) all open it, one creating the schema while the others wait, and their
// writes all land.
func TestConcurrentOpen(t *testing.T) {
	if path := os.Getenv("SQLITESTORE_OPEN_PATH"); path != "" {
		// A child process: open, write and close, a few times over.
		for j := range 20 {
			s, err := sqlitestore.Open(context.Background(), path)
			if err == nil {
				rec := storetest.Varied(1, 1)[0]
				rec.TraceID = fmt.Sprint(os.Getenv("SQLITESTORE_OPEN_ID"), "-", j)
				_, err = s.Put(context.Background(), rec, traceapi.DuplicateReject)
				if j == 19 && err == nil && strings.HasSuffix(rec.TraceID, "1-19") {
					os.Exit(0) // a crash: the WAL stays for the next opener to recover
				}
				s.Close()
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		return
	}
	path := filepath.Join(t.TempDir(), "shared.db")
	const n = 6
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestConcurrentOpen$")
		cmds[i].Env = append(os.Environ(), "SQLITESTORE_OPEN_PATH="+path, fmt.Sprint("SQLITESTORE_OPEN_ID=rec-", i))
	}
	outs := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i := range cmds {
		if errs[i] != nil {
			t.Errorf("process %d: %v: %s", i, errs[i], outs[i])
		}
	}
	s := open(t, path)
	if c, err := s.Count(context.Background()); err != nil || c != 20*n {
		t.Errorf("Count = %d, %v; want %d", c, err, 20*n)
	}
}

// TestOpenWaitsForAWriter: a new file that another connection is writing cannot be switched
// to WAL yet, and SQLite refuses at once rather than wait; Open retries until it can.
func TestOpenWaitsForAWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(200 * time.Millisecond)
		conn.ExecContext(context.Background(), "COMMIT")
		conn.Close()
	}()
	start := time.Now()
	s, err := sqlitestore.Open(context.Background(), path)
	<-released
	if err != nil {
		t.Fatalf("Open while another connection writes: %v", err)
	}
	s.Close()
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("Open returned after %v, before the writer was done: the case was not exercised", d)
	}
}
