package traceapi

import (
	"encoding/json"
	"net/http"
	"time"
)

// Item is a stored item with its index fields, as GET /v1/items serves it: the one shape
// in which every contract's data can be listed (a viewer reads these).
type Item struct {
	Seq            int64           `json:"seq"` // arrival order; the cursor= of the next page
	Contract       Contract        `json:"contract"`
	Kind           string          `json:"kind"`
	ID             string          `json:"id"`
	ParentID       string          `json:"parent_id,omitempty"`
	ConversationID string          `json:"conversation_id,omitempty"`
	InteractionID  string          `json:"interaction_id,omitempty"`
	SessionID      string          `json:"session_id,omitempty"`
	Task           string          `json:"task,omitempty"`
	Project        string          `json:"project,omitempty"`
	Name           string          `json:"name,omitempty"`
	ReceivedAt     time.Time       `json:"received_at"`
	Payload        json.RawMessage `json:"payload"`
}

// ItemOf describes a stored record as an Item.
func ItemOf(r *StoredRecord) Item {
	return Item{
		Seq: r.Seq, Contract: r.ContractOrDefault(), Kind: r.KindOrDefault(), ID: r.TraceID, ParentID: r.ParentID,
		ConversationID: r.ConversationID, InteractionID: r.InteractionID, SessionID: r.SessionID,
		Task: string(r.Task), Project: r.Project, Name: r.Name, ReceivedAt: r.ReceivedAt, Payload: r.Raw,
	}
}

// getItems handles GET /v1/items: every contract's items (unless contract= narrows them),
// in arrival order, with their index fields and their payload as received.
func (s *Server) getItems(w http.ResponseWriter, r *http.Request) {
	recs, ok := s.listPage(w, r, "")
	if !ok {
		return
	}
	items := make([]Item, len(recs))
	for i := range recs {
		items[i] = ItemOf(&recs[i])
	}
	writeJSON(w, http.StatusOK, items)
}
