package sqlitestore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/traceapi"
)

// sums are the aggregates a conversation's and an interaction's summaries share.
const sums = `COUNT(*),
	SUM(CASE WHEN task = 'generation' THEN input_tokens ELSE 0 END),
	SUM(CASE WHEN task = 'generation' THEN output_tokens ELSE 0 END),
	SUM(CASE WHEN task = 'generation' THEN total_tokens ELSE 0 END),
	SUM(CASE WHEN task = 'message' THEN input_tokens ELSE 0 END),
	SUM(CASE WHEN task = 'message' THEN output_tokens ELSE 0 END),
	SUM(CASE WHEN task = 'message' THEN total_tokens ELSE 0 END),
	SUM(error <> ''), MAX(user_id), MAX(session_id)`

// Conversations implements traceapi.ViewStore in two queries: the page's conversations,
// ordered by their latest item time (from items_conversation alone when nothing is
// filtered), then the summaries of those conversations only.
func (s *Store) Conversations(ctx context.Context, q traceapi.ConversationQuery) (traceapi.ConversationPage, error) {
	limit := traceapi.PageSize(q.Limit, traceapi.DefaultConversationPage, traceapi.MaxConversationPage)
	var conds, having []string
	var args []any
	if q.Contract != "" {
		conds = append(conds, "contract = ?")
		args = append(args, string(q.Contract))
	}
	if fw, fargs := matchSQL(&q); fw != "" {
		// Listed when one of its items passes the filters; summed over all of them.
		sub := "SELECT conversation_id FROM items WHERE " + fw
		if q.Contract != "" {
			sub += " AND contract = ?"
			fargs = append(fargs, string(q.Contract))
		}
		conds = append(conds, "conversation_id IN ("+sub+")")
		args = append(args, fargs...)
	}
	if q.Cursor != "" {
		ms, id, err := traceapi.DecodeCursor(q.Cursor)
		if err != nil {
			return traceapi.ConversationPage{}, err
		}
		having = append(having, "last < ? OR (last = ? AND conversation_id > ?)")
		args = append(args, ms, ms, id)
	}
	query := "SELECT conversation_id, MAX(at_ms) AS last FROM items"
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " GROUP BY conversation_id"
	if len(having) > 0 {
		query += " HAVING " + strings.Join(having, " AND ")
	}
	query += " ORDER BY last DESC, conversation_id LIMIT ?"
	rows, err := s.db.QueryContext(ctx, query, append(args, limit+1)...)
	if err != nil {
		return traceapi.ConversationPage{}, fmt.Errorf("sqlitestore: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		var last int64
		if err := rows.Scan(&id, &last); err != nil {
			rows.Close()
			return traceapi.ConversationPage{}, fmt.Errorf("sqlitestore: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return traceapi.ConversationPage{}, fmt.Errorf("sqlitestore: %w", err)
	}
	more := len(ids) > limit
	if more {
		ids = ids[:limit]
	}
	page := traceapi.ConversationPage{Conversations: []traceapi.ConversationSummary{}}
	if len(ids) == 0 {
		return page, nil
	}

	in, inArgs := inList(ids)
	scope := "conversation_id IN (" + in + ")"
	if q.Contract != "" {
		scope += " AND contract = ?"
		inArgs = append(inArgs, string(q.Contract))
	}
	byID := map[string]*traceapi.ConversationSummary{}
	rows, err = s.db.QueryContext(ctx, `SELECT conversation_id, COUNT(DISTINCT interaction_id), MIN(at_ms), MAX(at_ms),
		GROUP_CONCAT(DISTINCT contract), `+sums+` FROM items WHERE `+scope+` GROUP BY conversation_id`, inArgs...)
	if err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}
	for rows.Next() {
		c := &traceapi.ConversationSummary{}
		var contracts string
		var t [6]int64
		if err := rows.Scan(&c.ConversationID, &c.Interactions, &c.FirstMs, &c.LastMs, &contracts,
			&c.Records, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &c.Errors, &c.UserID, &c.SessionID); err != nil {
			rows.Close()
			return page, fmt.Errorf("sqlitestore: %w", err)
		}
		c.InputTokens, c.OutputTokens, c.TotalTokens = traceapi.TokenSums(t[0], t[1], t[2], t[3], t[4], t[5])
		for _, k := range strings.Split(contracts, ",") {
			c.Contracts = append(c.Contracts, traceapi.Contract(k))
		}
		slices.Sort(c.Contracts)
		byID[c.ConversationID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}

	// The preview: the input of each conversation's latest message that has one.
	rows, err = s.db.QueryContext(ctx, `SELECT conversation_id, input_preview FROM (
		SELECT conversation_id, input_preview,
			ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY at_ms DESC, seq DESC) AS n
		FROM items WHERE `+scope+` AND task = 'message' AND input_preview <> '') WHERE n = 1`, inArgs...)
	if err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}
	for rows.Next() {
		var id, preview string
		if err := rows.Scan(&id, &preview); err != nil {
			rows.Close()
			return page, fmt.Errorf("sqlitestore: %w", err)
		}
		if c := byID[id]; c != nil {
			c.Preview = preview
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}
	for _, id := range ids {
		if c := byID[id]; c != nil {
			page.Conversations = append(page.Conversations, *c)
		}
	}
	if more && len(page.Conversations) > 0 {
		last := page.Conversations[len(page.Conversations)-1]
		page.NextCursor = traceapi.EncodeCursor(last.LastMs, last.ConversationID)
	}
	return page, nil
}

// matchSQL is ConversationQuery.Matches as a WHERE clause; empty when nothing filters.
func matchSQL(q *traceapi.ConversationQuery) (string, []any) {
	var conds []string
	var args []any
	if q.UserID != "" {
		conds = append(conds, "user_id = ?")
		args = append(args, q.UserID)
	}
	if q.SessionID != "" {
		conds = append(conds, "session_id = ?")
		args = append(args, q.SessionID)
	}
	if !q.Since.IsZero() {
		conds = append(conds, "at_ms >= ?")
		args = append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		conds = append(conds, "at_ms < ?")
		args = append(args, q.Until.UnixMilli())
	}
	if q.ErrorsOnly {
		conds = append(conds, "error <> ''")
	}
	if q.Search != "" {
		// LIKE ignores ASCII case only, as Matches does.
		pat := "%" + likeEscaper.Replace(q.Search) + "%"
		var or []string
		for _, col := range []string{"conversation_id", "interaction_id", "user_id", "session_id", "input_preview"} {
			or = append(or, col+` LIKE ? ESCAPE '\'`)
			args = append(args, pat)
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	return strings.Join(conds, " AND "), args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return placeholders(len(ids)), args
}

// Interactions implements traceapi.ViewStore: the conversation's items grouped by
// interaction (items_conversation), then the page's previews.
func (s *Store) Interactions(ctx context.Context, q traceapi.InteractionQuery) (traceapi.InteractionPage, error) {
	limit := traceapi.PageSize(q.Limit, traceapi.DefaultInteractionPage, traceapi.MaxInteractionPage)
	scope, args := "conversation_id = ?", []any{q.ConversationID}
	if q.Contract != "" {
		scope += " AND contract = ?"
		args = append(args, string(q.Contract))
	}
	query := `SELECT interaction_id, MIN(at_ms) AS first, MAX(CASE WHEN end_ms > 0 THEN end_ms ELSE at_ms END), ` + sums +
		` FROM items WHERE ` + scope + ` GROUP BY interaction_id`
	qargs := slices.Clone(args)
	if q.Cursor != "" {
		ms, id, err := traceapi.DecodeCursor(q.Cursor)
		if err != nil {
			return traceapi.InteractionPage{}, err
		}
		query += " HAVING first > ? OR (first = ? AND interaction_id > ?)"
		qargs = append(qargs, ms, ms, id)
	}
	query += " ORDER BY first, interaction_id LIMIT ?"
	rows, err := s.db.QueryContext(ctx, query, append(qargs, limit+1)...)
	if err != nil {
		return traceapi.InteractionPage{}, fmt.Errorf("sqlitestore: %w", err)
	}
	page := traceapi.InteractionPage{Interactions: []traceapi.InteractionSummary{}}
	for rows.Next() {
		it := traceapi.InteractionSummary{ConversationID: q.ConversationID}
		var t [6]int64
		if err := rows.Scan(&it.InteractionID, &it.StartMs, &it.EndMs, &it.Records,
			&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &it.Errors, &it.UserID, &it.SessionID); err != nil {
			rows.Close()
			return page, fmt.Errorf("sqlitestore: %w", err)
		}
		it.InputTokens, it.OutputTokens, it.TotalTokens = traceapi.TokenSums(t[0], t[1], t[2], t[3], t[4], t[5])
		page.Interactions = append(page.Interactions, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}
	if len(page.Interactions) > limit {
		page.Interactions = page.Interactions[:limit]
		last := page.Interactions[limit-1]
		page.NextCursor = traceapi.EncodeCursor(last.StartMs, last.InteractionID)
	}
	if len(page.Interactions) == 0 {
		return page, nil
	}

	// Name, input and output of each interaction's latest message that has an input or
	// an output.
	ids := make([]string, len(page.Interactions))
	index := map[string]int{}
	for i, it := range page.Interactions {
		ids[i], index[it.InteractionID] = it.InteractionID, i
	}
	in, inArgs := inList(ids)
	rows, err = s.db.QueryContext(ctx, `SELECT interaction_id, name, input_preview, output_preview FROM (
		SELECT interaction_id, name, input_preview, output_preview,
			ROW_NUMBER() OVER (PARTITION BY interaction_id ORDER BY seq DESC) AS n
		FROM items WHERE `+scope+` AND interaction_id IN (`+in+`) AND task = 'message'
			AND (input_preview <> '' OR output_preview <> '')) WHERE n = 1`, append(args, inArgs...)...)
	if err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, input, output string
		if err := rows.Scan(&id, &name, &input, &output); err != nil {
			return page, fmt.Errorf("sqlitestore: %w", err)
		}
		if i, ok := index[id]; ok {
			page.Interactions[i].Name, page.Interactions[i].Input, page.Interactions[i].Output = name, input, output
		}
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("sqlitestore: %w", err)
	}
	return page, nil
}
