package semconv

import "testing"

// TestUUID5KnownVector checks the name-based UUID against the RFC 4122/9562 example value
// published with Python's uuid module: uuid5(NAMESPACE_DNS, "python.org").
func TestUUID5KnownVector(t *testing.T) {
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got := formatUUID(uuid5(dns, []byte("python.org"))); got != "886313e1-3b8a-5372-9b90-0c9aee199e5d" {
		t.Fatalf("uuid5 = %s", got)
	}
}
