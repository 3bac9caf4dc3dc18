package sqlitestore

// applicationID marks the file as tracebridge's ("TBDB"), so that Open refuses a database
// of another program given by mistake rather than adding tables to it.
const applicationID = 0x54424442

// schemaVersion is PRAGMA user_version of the schema below. A file of a later version is
// refused; an earlier one would be migrated here.
const schemaVersion = 1

// schema: items holds every contract's items in one table, narrow so that the list
// queries scan it fast; bodies holds each item's bytes as received, read only for the
// items a page returns.
//
// Indexes, each for a query:
//   - items_key: the latest item with a key (duplicate policies) and trace_id= lookups;
//   - items_interaction: an interaction's steps in arrival order;
//   - items_conversation: the conversation list (grouping by conversation, newest item
//     time, per contract, read from the index alone) and a conversation's interactions;
//   - items_session, items_user, items_at: the list's and GET /v1/records' filters;
//   - items_failed: the conversations with errors (a partial index of failed items).
const schema = `
CREATE TABLE items (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order; never reused
	contract        TEXT NOT NULL,
	kind            TEXT NOT NULL,
	project         TEXT NOT NULL,
	id              TEXT NOT NULL,
	id_assigned     INTEGER NOT NULL,
	conversation_id TEXT NOT NULL,
	interaction_id  TEXT NOT NULL,
	parent_id       TEXT NOT NULL,
	session_id      TEXT NOT NULL,
	task            TEXT NOT NULL,
	name            TEXT NOT NULL,
	received_ns     INTEGER NOT NULL,
	at_ms           INTEGER NOT NULL, -- StoredRecord.TimeMs: start, else arrival
	user_id         TEXT NOT NULL,
	model           TEXT NOT NULL,
	start_ms        INTEGER NOT NULL,
	end_ms          INTEGER NOT NULL,
	input_tokens    INTEGER NOT NULL,
	output_tokens   INTEGER NOT NULL,
	total_tokens    INTEGER NOT NULL,
	error           TEXT NOT NULL,
	input_preview   TEXT NOT NULL,
	output_preview  TEXT NOT NULL
);
CREATE TABLE bodies (
	seq INTEGER PRIMARY KEY, -- items.seq
	raw BLOB NOT NULL
);
CREATE INDEX items_key          ON items(id, contract, kind, project);
CREATE INDEX items_interaction  ON items(interaction_id, seq);
CREATE INDEX items_conversation ON items(conversation_id, contract, at_ms);
CREATE INDEX items_session      ON items(session_id);
CREATE INDEX items_user         ON items(user_id);
CREATE INDEX items_at           ON items(at_ms);
CREATE INDEX items_failed       ON items(conversation_id) WHERE error <> '';
`

// columns are the items columns but seq, in the order put writes them.
const columns = `contract, kind, project, id, id_assigned, conversation_id, interaction_id, parent_id,
	session_id, task, name, received_ns, at_ms, user_id, model, start_ms, end_ms, input_tokens,
	output_tokens, total_tokens, error, input_preview, output_preview`
