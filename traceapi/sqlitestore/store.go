// Package sqlitestore is a traceapi.Store kept in an SQLite file, so that what `tracebridge
// serve` received survives a restart. It uses modernc.org/sqlite (pure Go, no cgo) in WAL
// mode, and answers the viewer's list queries (traceapi.ViewStore) with indexes.
//
// It is a package of its own so that importing traceapi, or the exporter, does not pull the
// database into a program: only cmd/tracebridge imports it.
//
// Every contract's items share one table (items) with their index and summary fields; the
// bytes as received are in a second table (bodies). A file holds one server's data: two
// servers may open the same file (SQLite locks it), but each sees the other's writes only
// when it reads, and duplicate checks are atomic within one process only.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// Store is a traceapi.ViewStore in an SQLite file. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// mu serialises writes: the duplicate check and the write of a Put are one step, and
	// writers never wait on SQLite's busy timeout.
	mu sync.Mutex
}

var _ traceapi.ViewStore = (*Store)(nil)

// Open opens the database at path, creating the file and its schema when missing. It
// refuses a file that is not a tracebridge database, or one written by a later version.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlitestore: want a file path, got %q (traceapi.NewMemoryStore keeps records in memory)", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/…
	}
	// A file: URI, so that the path is escaped ('?', '#', '%') and the driver's parameters
	// apply to every connection of the pool.
	dsn := (&url.URL{Scheme: "file", Path: p}).String() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.initRetrying(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: %s: %w", path, err)
	}
	return s, nil
}

// openTimeout bounds the retries of Open while another connection holds the file.
const openTimeout = 10 * time.Second

// initRetrying runs init until it is not refused as busy. Switching a new file to WAL
// while another connection is writing it is refused at once, without the busy handler
// (SQLite's deadlock avoidance): servers started together on one new file meet it.
func (s *Store) initRetrying(ctx context.Context) error {
	deadline := time.Now().Add(openTimeout)
	wait := 5 * time.Millisecond
	for {
		err := s.init(ctx)
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// init checks the file and creates the schema in an empty one, in one transaction so that
// two processes opening a new file do not both create it.
func (s *Store) init(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var appID, version, objects int
	if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&objects); err != nil {
		return err
	}
	switch {
	case appID == 0 && objects == 0:
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, schemaVersion)); err != nil {
			return err
		}
	case appID != applicationID:
		return errors.New("not a tracebridge database (another program's SQLite file?)")
	case version > schemaVersion:
		return fmt.Errorf("written by a later tracebridge (schema version %d; this one knows %d)", version, schemaVersion)
	}
	return tx.Commit()
}

// Path returns the path given to Open.
func (s *Store) Path() string { return s.path }

// Close closes the database; SQLite checkpoints the WAL into the file.
func (s *Store) Close() error { return s.db.Close() }

// Put implements traceapi.Store. Under DuplicateReplace the latest item with rec's key is
// overwritten where it stands (it keeps its Seq); under DuplicateAppend rec is added.
func (s *Store) Put(ctx context.Context, rec traceapi.StoredRecord, policy traceapi.DuplicatePolicy) (traceapi.PutOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: %w", err)
	}
	defer tx.Rollback()
	out, err := put(ctx, tx, &rec, policy)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlitestore: %w", err)
	}
	return out, nil
}

// put writes one item in tx.
func put(ctx context.Context, tx *sql.Tx, rec *traceapi.StoredRecord, policy traceapi.DuplicatePolicy) (traceapi.PutOutcome, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM items WHERE id = ? AND contract = ? AND kind = ? AND project = ?
		ORDER BY seq DESC LIMIT 1`, rec.TraceID, string(rec.ContractOrDefault()), rec.KindOrDefault(), rec.Project).Scan(&seq)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlitestore: %w", err)
	}
	vals := values(rec)
	switch {
	case !exists || policy == traceapi.DuplicateAppend:
		res, err := tx.ExecContext(ctx, `INSERT INTO items (`+columns+`) VALUES (`+placeholders(len(vals))+`)`, vals...)
		if err != nil {
			return 0, fmt.Errorf("sqlitestore: %w", err)
		}
		if seq, err = res.LastInsertId(); err != nil {
			return 0, fmt.Errorf("sqlitestore: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bodies (seq, raw) VALUES (?, ?)`, seq, []byte(rec.Raw)); err != nil {
			return 0, fmt.Errorf("sqlitestore: %w", err)
		}
		if exists {
			return traceapi.Appended, nil
		}
		return traceapi.Inserted, nil
	case policy == traceapi.DuplicateReplace:
		if _, err := tx.ExecContext(ctx, `UPDATE items SET `+updateSet+` WHERE seq = ?`, append(vals, seq)...); err != nil {
			return 0, fmt.Errorf("sqlitestore: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bodies SET raw = ? WHERE seq = ?`, []byte(rec.Raw), seq); err != nil {
			return 0, fmt.Errorf("sqlitestore: %w", err)
		}
		return traceapi.Replaced, nil
	case policy == traceapi.DuplicateReject:
		return 0, fmt.Errorf("record %q: %w", rec.TraceID, traceapi.ErrDuplicate)
	default:
		return 0, fmt.Errorf("sqlitestore: invalid duplicate policy %d", int(policy))
	}
}

// values are rec's columns, in the order of columns.
func values(r *traceapi.StoredRecord) []any {
	su := &r.Summary
	return []any{
		string(r.ContractOrDefault()), r.KindOrDefault(), r.Project, r.TraceID, r.TraceIDAssigned,
		r.ConversationID, r.InteractionID, r.ParentID, r.SessionID, string(r.Task), r.Name,
		r.ReceivedAt.UnixNano(), r.TimeMs(), su.UserID, su.Model, su.StartMs, su.EndMs,
		su.InputTokens, su.OutputTokens, su.TotalTokens, su.Error, su.Input, su.Output,
	}
}

// updateSet assigns every column of columns a parameter.
var updateSet = func() string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	return strings.Join(cols, ", ")
}()

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// List implements traceapi.Store.
func (s *Store) List(ctx context.Context, f traceapi.Filter) ([]traceapi.StoredRecord, error) {
	where, args := filterSQL(f)
	limit := -1
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT i.seq, `+prefixed("i.", columns)+`, b.raw
		FROM items i JOIN bodies b ON b.seq = i.seq
		WHERE `+where+` ORDER BY i.seq LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	defer rows.Close()
	out := []traceapi.StoredRecord{}
	for rows.Next() {
		var r traceapi.StoredRecord
		var contract, task string
		var receivedNs, atMs int64
		su := &r.Summary
		if err := rows.Scan(&r.Seq, &contract, &r.Kind, &r.Project, &r.TraceID, &r.TraceIDAssigned,
			&r.ConversationID, &r.InteractionID, &r.ParentID, &r.SessionID, &task, &r.Name,
			&receivedNs, &atMs, &su.UserID, &su.Model, &su.StartMs, &su.EndMs,
			&su.InputTokens, &su.OutputTokens, &su.TotalTokens, &su.Error, &su.Input, &su.Output, &r.Raw); err != nil {
			return nil, fmt.Errorf("sqlitestore: %w", err)
		}
		r.Contract, r.Task, r.ReceivedAt = traceapi.Contract(contract), record.Task(task), time.Unix(0, receivedNs)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	return out, nil
}

// filterSQL is the WHERE clause of f (but its Limit), on items aliased i.
func filterSQL(f traceapi.Filter) (string, []any) {
	var conds []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, "i."+col+" = ?")
			args = append(args, v)
		}
	}
	eq("conversation_id", f.ConversationID)
	eq("interaction_id", f.InteractionID)
	eq("task", string(f.Task))
	eq("id", f.TraceID)
	eq("contract", string(f.Contract))
	eq("kind", f.Kind)
	eq("project", f.Project)
	eq("session_id", f.SessionID)
	eq("user_id", f.UserID)
	if !f.Since.IsZero() {
		conds = append(conds, "i.at_ms >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		conds = append(conds, "i.at_ms < ?")
		args = append(args, f.Until.UnixMilli())
	}
	if f.After > 0 {
		conds = append(conds, "i.seq > ?")
		args = append(args, f.After)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// prefixed qualifies each column of a list with p.
func prefixed(p, cols string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = p + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// Count implements traceapi.Store.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: %w", err)
	}
	return n, nil
}

// Clear implements traceapi.Store. Seq values are not reused afterwards.
func (s *Store) Clear(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{"DELETE FROM items", "DELETE FROM bodies"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlitestore: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	return nil
}
