// Package jsontext holds the hand-written JSON scanning that tracebridge's encoders and
// content parser share: the eight-bytes-at-a-time run of text a string holds as is, and a
// validator and compactor of JSON text that decide exactly as encoding/json's Valid and
// Compact, without reflection or copies of the input.
package jsontext

// Run returns the end of the run of bytes from i on that a JSON string copies as they
// are (printable ASCII other than '"' and '\\'), testing eight at a time as one word (the
// classic "has a zero byte" bit trick); the last few bytes are left to the caller.
func Run(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		c := s[i : i+8]
		w := uint64(c[0]) | uint64(c[1])<<8 | uint64(c[2])<<16 | uint64(c[3])<<24 |
			uint64(c[4])<<32 | uint64(c[5])<<40 | uint64(c[6])<<48 | uint64(c[7])<<56
		// With no byte ≥ 0x80 (w's own high bits), each subtraction sets a high bit
		// exactly where a byte is below 0x20 or equal to '"' or '\\' (a borrow only
		// follows such a byte).
		if (w|(w-spaces)|((w^quotes)-ones)|((w^backslashes)-ones))&highs != 0 {
			return i
		}
	}
	return i
}

// Bytes repeated over a word, for Run.
const (
	ones        = 0x0101010101010101
	highs       = 0x8080808080808080
	spaces      = 0x20 * ones
	quotes      = '"' * ones
	backslashes = '\\' * ones
)
