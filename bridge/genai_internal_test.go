package bridge

import (
	"encoding/json"
	"testing"
)

// TestTextMessageEscapes checks the hand-written JSON against encoding/json on text that
// needs escaping and text that does not.
func TestTextMessageEscapes(t *testing.T) {
	for _, text := range []string{"plain", `say "hi"`, "line\nbreak\ttab", `back\slash`, "ünïcødé 🎉", "bad \xff byte", "sep\u2028arator", "<b>&</b>"} {
		var got []struct {
			Role  string `json:"role"`
			Parts []struct {
				Type    string `json:"type"`
				Content string `json:"content"`
			} `json:"parts"`
		}
		s := textMessage("user", text)
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", text, s, err)
		}
		want := text
		if text == "bad \xff byte" {
			want = "bad \ufffd byte" // invalid UTF-8 becomes U+FFFD, as in encoding/json
		}
		if len(got) != 1 || got[0].Role != "user" || len(got[0].Parts) != 1 || got[0].Parts[0].Type != "text" || got[0].Parts[0].Content != want {
			t.Errorf("%q: got %s", text, s)
		}
		var parts []map[string]string
		if err := json.Unmarshal([]byte(textParts(text)), &parts); err != nil || parts[0]["content"] != want {
			t.Errorf("%q: system instructions %s (%v)", text, textParts(text), err)
		}
	}
}
